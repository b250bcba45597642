"""The demo's people: attendance groups, the demo users with their profile (access 192),
operators and extra groups, and the customers, prospects and contacts (pt-BR, valid CPF/CNPJ)."""

from __future__ import annotations

import random
from dataclasses import dataclass

import polars as pl
from faker import Faker
from validate_docbr import CNPJ, CPF

from core.access import Routine
from core.db import Tx
from core.demo.common import SEED
from core.validation import search_key


@dataclass(frozen=True)
class DemoUser:
    username: str
    name: str
    role: str  # 'admin' | 'supervisor' | 'operador'
    group: str | None
    routines: frozenset[Routine]
    personal: bool
    sensitive: bool


ALL = frozenset(Routine)
DEMO_USERS = (
    DemoUser("admin", "Administrador do Sistema", "admin", None, frozenset(), True, True),
    DemoUser("sofia", "Sofia Ramos", "supervisor", "Multi", ALL, True, True),
    DemoUser(
        "ana", "Ana Beatriz Lima", "operador", "SAC Receptivo",
        frozenset({Routine.TELEMARKETING}), True, False,
    ),
    DemoUser(
        "bruno", "Bruno Carvalho", "operador", "Televendas Ativo",
        frozenset({Routine.TELEVENDAS}), True, False,
    ),
    DemoUser(
        "carla", "Carla Souza", "operador", "Cobrança",
        frozenset({Routine.TELECOBRANCA}), False, False,
    ),
    DemoUser("diego", "Diego Martins", "operador", "Multi", ALL, True, False),
)  # fmt: skip

# name, direction, ideal seconds, max discount %
DEMO_GROUPS = (
    ("SAC Receptivo", "receptivo", 300, "0"),
    ("Televendas Ativo", "ativo", 420, "10"),
    ("Cobrança", "ativo", 360, "5"),
    ("Multi", "ambos", 480, "8"),
)

SENSITIVE_NOTES = (
    "Cliente relatou tratamento de saúde em andamento; evitar ligações pela manhã.",
    "Filiado ao sindicato dos comerciários; pediu contato via representante.",
    "Informou condição de saúde que exige atendimento prioritário.",
    "Pediu para não ser contatado durante tratamento médico.",
)

_DDDS = ("11", "21", "31", "41", "51", "61", "71", "81", "19", "27", "48", "85")


def _seed_groups(tx: Tx) -> dict[str, int]:
    ids = {}
    for name, direction, seconds, discount in DEMO_GROUPS:
        ids[name] = tx.scalar(
            "INSERT INTO attendance_groups (name, direction, ideal_seconds, max_discount_pct)"
            " VALUES (?, ?, ?, ?) RETURNING id",
            [name, direction, seconds, discount],
        )
    return ids


def _seed_users(tx: Tx, groups: dict[str, int], password_hash: str) -> None:
    profile_id = tx.scalar(
        "INSERT INTO profiles (name, description, personal_access, sensitive_access)"
        " VALUES (?, ?, TRUE, FALSE) RETURNING id",
        ["Atendimento com dados pessoais", "Acesso 192: vê CPF, telefones e endereço."],
    )
    for index, demo in enumerate(DEMO_USERS, start=1):
        user_id = tx.scalar(
            "INSERT INTO users (username, name, email, password_hash, is_admin,"
            " personal_access, sensitive_access, sessions_valid_after, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [
                demo.username,
                demo.name,
                f"{demo.username}@demo.callcenter.com.br",
                password_hash,
                demo.role == "admin",
                # Operators get 192 through the profile (the common set-up); the others
                # directly, so both ways of granting are exercised by the demo.
                demo.personal and demo.role != "operador",
                demo.sensitive,
                tx.now,
                tx.now,
                tx.now,
            ],
        )
        if demo.personal and demo.role == "operador":
            tx.execute(
                "INSERT INTO user_profiles (user_id, profile_id) VALUES (?, ?)",
                [user_id, profile_id],
            )
        if demo.group is None:
            continue
        tx.execute(
            "INSERT INTO operators (code, user_id, role, main_group_id, telemarketing,"
            " televendas, telecobranca) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                f"OP{index:03d}",
                user_id,
                demo.role,
                groups[demo.group],
                Routine.TELEMARKETING in demo.routines,
                Routine.TELEVENDAS in demo.routines,
                Routine.TELECOBRANCA in demo.routines,
            ],
        )
        if demo.username in {"sofia", "diego"}:  # multi-group operators can switch groups
            operator_id = tx.scalar("SELECT id FROM operators WHERE user_id = ?", [user_id])
            for extra in ("SAC Receptivo", "Televendas Ativo", "Cobrança"):
                tx.execute(
                    "INSERT INTO operator_groups (operator_id, group_id) VALUES (?, ?)",
                    [operator_id, groups[extra]],
                )


def _phone(rng: random.Random, mobile: bool) -> str:
    ddd = rng.choice(_DDDS)
    if mobile:
        return f"{ddd}9{rng.randint(60000000, 99999999)}"
    return f"{ddd}{rng.randint(2, 5)}{rng.randint(0, 9999999):07d}"


def _seed_entities(tx: Tx, customers: int, prospects: int) -> None:
    """Customers, prospects and their contacts, bulk-inserted (row by row took seconds)."""
    rng = random.Random(SEED)
    random.seed(SEED)  # validate-docbr draws documents from the module-level generator
    fake = Faker("pt_BR")
    fake.seed_instance(SEED)
    cpf, cnpj = CPF(), CNPJ()
    entity_ids = tx.next_ids("entities_seq", customers + prospects)
    entities = []
    for index, entity_id in enumerate(entity_ids):
        kind = "cliente" if index < customers else "prospect"
        company = rng.random() < 0.35
        name = fake.company() if company else fake.name()
        birth = None if company else fake.date_of_birth(minimum_age=18, maximum_age=85)
        document: str | None = (cnpj if company else cpf).generate()
        if kind == "prospect" and rng.random() < 0.5:
            document = None  # prospects often have no document yet
        # The values are drawn in this order (dicts keep it): the demo stays the same.
        entities.append({
            "id": entity_id, "kind": kind, "person_type": "J" if company else "F",
            "name": name, "search_name": search_key(name),
            "trade_name": name.split(" ")[0] if company else "", "document": document,
            "phone": _phone(rng, mobile=False), "mobile": _phone(rng, mobile=True),
            "email": fake.free_email() if not company else fake.company_email(),
            "street": fake.street_name(), "street_number": str(fake.building_number()),
            "district": fake.bairro(), "city": fake.city(), "state": fake.estado_sigla(),
            "zip_code": fake.postcode().replace("-", ""), "birth_date": birth,
            "sensitive_note": rng.choice(SENSITIVE_NOTES) if rng.random() < 0.12 else None,
            "created_at": tx.now, "updated_at": tx.now,
        })  # fmt: skip
    if entities:
        tx.insert_frame("entities", pl.DataFrame(entities, infer_schema_length=None))
    # Contacts: companies get one or two people; some contacts serve two entities.
    contact_ids = tx.next_ids("contacts_seq", len(entity_ids[::2]))
    contacts, links = [], []
    for entity_id, contact_id in zip(entity_ids[::2], contact_ids, strict=True):
        contact_name = fake.name()
        contacts.append({
            "id": contact_id, "name": contact_name, "search_name": search_key(contact_name),
            "job_title": rng.choice(("Compras", "Financeiro", "Gerente", "Sócio", "Recepção")),
            "document": cpf.generate(), "phone": _phone(rng, mobile=False),
            "mobile": _phone(rng, mobile=True), "email": fake.free_email(),
            "birth_date": fake.date_of_birth(minimum_age=20, maximum_age=70),
            "created_at": tx.now, "updated_at": tx.now,
        })  # fmt: skip
        linked = {entity_id}
        if rng.random() < 0.1:
            linked.add(rng.choice(entity_ids))
        links += [{"entity_id": target, "contact_id": contact_id} for target in sorted(linked)]
    if contacts:
        tx.insert_frame("contacts", pl.DataFrame(contacts, infer_schema_length=None))
        tx.insert_frame("entity_contacts", pl.DataFrame(links))
