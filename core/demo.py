"""Deterministic pt-BR demo data and the demo users (demo mode only).

The demo password is public (README, login page): these users must never exist outside demo
mode, which is why only `seed_demo` creates them and only when the settings ask for demo mode.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import polars as pl
from faker import Faker
from validate_docbr import CNPJ, CPF

from core.access import Routine
from core.auth import hash_password
from core.db import Database, Tx
from core.validation import search_key

if TYPE_CHECKING:
    from core.telecobranca.rules import NegotiationRules, Updated

DEMO_PASSWORD = "Demo@2026!"
SEED = 2026


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

DEMO_HISTORY_DAYS = 120
DEMO_HISTORY_SIZE = 600
# Enough customers for hundreds of debtors in the collection queue (about 3 in 4 owe).
DEMO_CUSTOMERS = 400
_DDDS = ("11", "21", "31", "41", "51", "61", "71", "81", "19", "27", "48", "85")


def has_users(db: Database) -> bool:
    return bool(db.read(lambda tx: tx.scalar("SELECT count(*) FROM users")))


def seed_demo(
    db: Database,
    customers: int = DEMO_CUSTOMERS,
    prospects: int = 40,
    history: int = DEMO_HISTORY_SIZE,
) -> None:
    """Seed each demo part that is still missing, each in one transaction.

    Parts are checked separately so a database created before a routine existed gets that
    routine's demo data on the next start.
    """
    if not has_users(db):
        hashed = hash_password(DEMO_PASSWORD)  # one bcrypt run; every demo user shares it

        def people(tx: Tx) -> None:
            groups = _seed_groups(tx)
            _seed_users(tx, groups, hashed)
            _seed_entities(tx, customers, prospects)

        db.write(people)
    if not db.read(lambda tx: tx.scalar("SELECT count(*) FROM catalogue_items")):
        db.write(_seed_catalogues)
    if not db.read(lambda tx: tx.scalar("SELECT count(*) FROM tmk_attendances")):
        db.write(lambda tx: _seed_telemarketing_history(tx, history))
    if not db.read(lambda tx: tx.scalar("SELECT count(*) FROM products")):
        db.write(lambda tx: _seed_televendas(tx, history // 2))
    if not db.read(lambda tx: tx.scalar("SELECT count(*) FROM collection_ranges")):
        db.write(lambda tx: _seed_telecobranca(tx, history // 10))


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
        document = (cnpj if company else cpf).generate()
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


# --- catalogues and Telemarketing history ---------------------------------------------------

DEMO_OCCURRENCES = (
    ("RECL01", "Reclamação", "Produto com defeito"),
    ("RECL02", "Reclamação", "Atraso na entrega"),
    ("RECL03", "Reclamação", "Cobrança indevida"),
    ("DUV01", "Dúvida", "Uso do produto"),
    ("DUV02", "Dúvida", "Prazo de garantia"),
    ("SOL01", "Solicitação", "Segunda via de boleto"),
    ("SOL02", "Solicitação", "Troca de produto"),
    ("SUG01", "Sugestão", "Melhoria no atendimento"),
    ("ELO01", "Elogio", "Atendimento prestado"),
)
DEMO_SIMPLE_CATALOGUES = {
    "acao": (
        ("RET", "Retornar ao cliente"), ("ENV", "Enviar técnico"), ("TRO", "Autorizar troca"),
        ("INF", "Informar o cliente"), ("ESC", "Escalar para o supervisor"),
    ),
    "motivo_encerramento": (
        ("RES", "Resolvido no primeiro contato"), ("SOL", "Solução enviada"),
        ("SEM", "Cliente sem interesse"), ("TRA", "Transferido para outro setor"),
    ),
    "motivo_cancelamento": (
        ("DUP", "Atendimento duplicado"), ("ERR", "Registrado por engano"),
        ("DES", "Cliente desistiu"),
    ),
    "midia": (
        ("0800", "Telefone 0800"), ("WPP", "WhatsApp"), ("EML", "E-mail"),
        ("SITE", "Site"), ("LOJA", "Loja física"),
    ),
}  # fmt: skip
ITEM_NOTES = ("", "Cliente pediu retorno à tarde.", "Enviado protocolo por e-mail.")


def _seed_catalogues(tx: Tx) -> None:
    def add(catalogue: str, code: str, description: str, **extra: object) -> None:
        columns = ["catalogue", "code", "description", *extra]
        tx.execute(
            f"INSERT INTO catalogue_items ({', '.join(columns)})"
            f" VALUES ({', '.join('?' for _ in columns)})",
            [catalogue, code, description, *extra.values()],
        )

    for code, subject, description in DEMO_OCCURRENCES:
        add("ocorrencia", code, description, routine="telemarketing", subject=subject)
    add("ocorrencia", "OLD01", "Recall 2024 (encerrado)", routine="telemarketing",
        subject="Reclamação", active=False)  # fmt: skip
    for catalogue, entries in DEMO_SIMPLE_CATALOGUES.items():
        for code, description in entries:
            add(catalogue, code, description)
    today = tx.now.date()
    add("campanha", "BF", "Black Friday", starts_on=today - timedelta(days=20),
        ends_on=today + timedelta(days=10))  # fmt: skip
    add("campanha", "POS", "Pesquisa pós-venda", starts_on=today - timedelta(days=90),
        ends_on=today + timedelta(days=90))  # fmt: skip
    add("campanha", "VER", "Verão passado", starts_on=today - timedelta(days=300),
        ends_on=today - timedelta(days=200))  # fmt: skip


def _seed_telemarketing_history(tx: Tx, size: int) -> None:
    """Months of attendances in every status, with their calls and the agenda of returns.

    Built as frames and bulk-inserted: row by row it took seconds on every fresh database.
    """
    rng = random.Random(SEED + 3)
    operators = tx.all(
        "SELECT o.id, o.user_id, o.main_group_id FROM operators o WHERE o.telemarketing"
        " ORDER BY o.id"
    )
    entities = [row["id"] for row in tx.all("SELECT id FROM entities ORDER BY id")]
    if not operators or not entities or size <= 0:
        return
    ids = {
        catalogue: [row["id"] for row in tx.all(
            "SELECT id FROM catalogue_items WHERE catalogue = ? AND active ORDER BY id",
            [catalogue],
        )]
        for catalogue in ("ocorrencia", "acao", "motivo_encerramento", "motivo_cancelamento",
                          "midia", "campanha")
    }  # fmt: skip
    now = tx.now
    call_ids = tx.next_ids("calls_seq", size)
    attendance_ids = tx.next_ids("tmk_attendances_seq", size)
    calls, attendances, items, follow_ups = [], [], [], []
    for index in range(size):
        operator = operators[index % len(operators)]
        started = now - timedelta(
            days=rng.randint(0, DEMO_HISTORY_DAYS),
            hours=rng.randint(1, 9), minutes=rng.randint(0, 59),
        )  # fmt: skip
        ended = started + timedelta(seconds=rng.randint(60, 900))
        status = rng.choices(
            ("encerrado", "pendente", "planejado", "cancelado"), weights=(60, 15, 12, 13)
        )[0]
        closed, cancelled = status == "encerrado", status == "cancelado"
        # Returns mostly ahead; a few already overdue, to show the agenda's highlight.
        return_at = now + timedelta(hours=rng.randint(-6, 72)) if status == "planejado" else None
        entity_id = entities[rng.randrange(len(entities))]
        call_id, attendance_id = call_ids[index], attendance_ids[index]
        calls.append({
            "id": call_id, "user_id": operator["user_id"], "operator_id": operator["id"],
            "group_id": operator["main_group_id"], "routine": "telemarketing",
            "entity_id": entity_id, "started_at": started, "ended_at": ended,
            "result": f"Telemarketing: {status.capitalize()}",
        })  # fmt: skip
        attendances.append({
            "id": attendance_id, "entity_id": entity_id, "user_id": operator["user_id"],
            "operator_id": operator["id"], "group_id": operator["main_group_id"],
            "call_id": call_id, "direction": rng.choice(("receptivo", "receptivo", "ativo")),
            "media_id": rng.choice(ids["midia"]),
            "campaign_id": rng.choice(ids["campanha"]) if rng.random() < 0.3 else None,
            "status": status, "started_at": started, "ended_at": ended, "return_at": return_at,
            "closing_reason_id": rng.choice(ids["motivo_encerramento"]) if closed else None,
            "closing_text": "Cliente orientado e de acordo com a solução." if closed else None,
            "closed_at": ended + timedelta(hours=rng.randint(0, 48)) if closed else None,
            "cancellation_reason_id": rng.choice(ids["motivo_cancelamento"]) if cancelled else None,
            "cancelled_at": ended if cancelled else None,
            "created_at": started, "updated_at": ended,
        })  # fmt: skip
        for line in range(1, rng.randint(1, 3) + 1):
            items.append({
                "attendance_id": attendance_id, "line": line,
                "occurrence_id": rng.choice(ids["ocorrencia"]),
                "action_id": rng.choice(ids["acao"]),
                "status": "encerrado" if closed or rng.random() < 0.3 else "pendente",
                "notes": rng.choice(ITEM_NOTES),
            })  # fmt: skip
        if return_at is not None:
            follow_ups.append({
                "user_id": operator["user_id"], "routine": "telemarketing",
                "source_type": "tmk_attendance", "source_id": attendance_id,
                "entity_id": entity_id, "due_from": return_at,
                "due_until": return_at + timedelta(hours=1), "status": "aberto",
                "note": f"Retorno do atendimento {attendance_id}",
                "created_at": started, "updated_at": started,
            })  # fmt: skip
    tx.insert_frame("calls", pl.DataFrame(calls, infer_schema_length=None))
    tx.insert_frame("tmk_attendances", pl.DataFrame(attendances, infer_schema_length=None))
    tx.insert_frame("tmk_items", pl.DataFrame(items, infer_schema_length=None))
    if follow_ups:
        tx.insert_frame("agenda_items", pl.DataFrame(follow_ups, infer_schema_length=None))


# --- Televendas: catalogues and months of quotes, orders, invoices and their titles ---------

DEMO_PRODUCTS = (
    ("Caneta esferográfica azul", "CX"), ("Caneta esferográfica preta", "CX"),
    ("Lápis grafite nº 2", "CX"), ("Borracha branca", "CX"), ("Apontador com depósito", "UN"),
    ("Caderno universitário 200 fls", "UN"), ("Bloco de notas adesivas", "PCT"),
    ("Papel sulfite A4 500 fls", "PCT"), ("Envelope pardo A4", "PCT"), ("Pasta suspensa", "CX"),
    ("Grampeador de mesa", "UN"), ("Grampos 26/6", "CX"), ("Clipes nº 2", "CX"),
    ("Tesoura escolar", "UN"), ("Cola branca 90 g", "UN"), ("Fita adesiva transparente", "UN"),
    ("Marca-texto amarelo", "CX"), ("Pincel atômico", "CX"), ("Calculadora de mesa", "UN"),
    ("Perfurador 2 furos", "UN"), ("Arquivo morto", "UN"), ("Etiqueta adesiva A4", "PCT"),
    ("Toner para impressora", "UN"), ("Cartucho de tinta preto", "UN"), ("Mouse óptico USB", "UN"),
    ("Teclado USB ABNT2", "UN"), ("Pen drive 32 GB", "UN"), ("Cabo HDMI 2 m", "UN"),
    ("Filtro de linha 5 tomadas", "UN"), ("Headset com microfone", "UN"),
    ("Detergente neutro 5 L", "UN"), ("Desinfetante 5 L", "UN"), ("Álcool 70% 1 L", "UN"),
    ("Papel toalha interfolhado", "PCT"), ("Papel higiênico rolão", "PCT"),
    ("Saco de lixo 100 L", "PCT"), ("Luva de látex", "CX"), ("Pano multiuso", "PCT"),
    ("Copo descartável 200 ml", "PCT"), ("Café torrado 500 g", "PCT"),
    ("Açúcar refinado 1 kg", "KG"), ("Adoçante líquido", "UN"), ("Filtro de café nº 103", "CX"),
    ("Água mineral 500 ml", "PCT"), ("Guardanapo de papel", "PCT"), ("Cadeira de escritório", "UN"),
    ("Mesa de escritório", "UN"), ("Quadro branco 90x60", "UN"), ("Apagador para quadro", "UN"),
    ("Organizador de mesa", "UN"),
)  # fmt: skip
DEMO_PAYMENT_CONDITIONS = (
    ("AV", "À vista", "0"),
    ("30", "30 dias", "30"),
    ("3060", "30/60", "30,60"),
    ("306090", "30/60/90", "30,60,90"),
)
TLV_CANCEL_REASONS = ("Cliente desistiu", "Preço acima do concorrente", "Pedido duplicado")


def _seed_televendas(tx: Tx, size: int) -> None:
    """Products, two price tables, four payment conditions and `size` attendances.

    Invoiced orders carry their titles: old ones mostly paid, some overdue and open (work
    for Telecobrança), a few partly paid. The seeded stock is the balance after them.
    """
    from core.televendas import rules

    rng = random.Random(SEED + 4)
    today = tx.now.date()
    product_ids = tx.next_ids("products_seq", len(DEMO_PRODUCTS))
    list_prices = {pid: rules.money(str(rng.uniform(2, 900))) for pid in product_ids}
    tx.insert_frame("products", pl.DataFrame([
        {"id": pid, "code": f"P{index:04d}", "description": description, "unit": unit,
         "stock": Decimal(rng.randint(40, 400))}
        for index, (pid, (description, unit)) in enumerate(
            zip(product_ids, DEMO_PRODUCTS, strict=True), start=1)
    ], infer_schema_length=None))  # fmt: skip
    retail, wholesale = tx.next_ids("price_tables_seq", 2)
    tx.insert_frame("price_tables", pl.DataFrame([
        {"id": retail, "code": "VAREJO", "description": "Tabela Varejo 2026",
         "valid_from": today - timedelta(days=365), "valid_until": today + timedelta(days=365)},
        {"id": wholesale, "code": "ATACADO", "description": "Tabela Atacado 2026",
         "valid_from": today - timedelta(days=365), "valid_until": today + timedelta(days=365)},
    ]))  # fmt: skip
    prices = {
        retail: list_prices,
        wholesale: {pid: rules.money(price * Decimal("0.9")) for pid, price in list_prices.items()},
    }
    tx.insert_frame("price_table_items", pl.DataFrame([
        {"price_table_id": table, "product_id": pid, "price": price}
        for table, table_prices in prices.items() for pid, price in table_prices.items()
    ], infer_schema_length=None))  # fmt: skip
    condition_ids = tx.next_ids("payment_conditions_seq", len(DEMO_PAYMENT_CONDITIONS))
    tx.insert_frame("payment_conditions", pl.DataFrame([
        {"id": cid, "code": code, "description": description, "installments": days}
        for cid, (code, description, days) in zip(
            condition_ids, DEMO_PAYMENT_CONDITIONS, strict=True)
    ]))  # fmt: skip
    conditions = dict(zip(condition_ids, (row[2] for row in DEMO_PAYMENT_CONDITIONS), strict=True))
    operators = tx.all(
        "SELECT o.id, o.user_id, o.main_group_id, g.max_discount_pct FROM operators o"
        " JOIN attendance_groups g ON g.id = o.main_group_id WHERE o.televendas ORDER BY o.id"
    )
    people = tx.all("SELECT id, kind FROM entities ORDER BY id")
    customers = [row["id"] for row in people if row["kind"] == "cliente"]
    prospects = [row["id"] for row in people if row["kind"] == "prospect"]
    if not operators or not customers or size <= 0:
        return
    _seed_televendas_history(tx, rng, size, operators, customers, prospects, prices, conditions)


def _seed_televendas_history(
    tx: Tx,
    rng: random.Random,
    size: int,
    operators: list[dict[str, Any]],
    customers: list[int],
    prospects: list[int],
    prices: dict[int, dict[int, Decimal]],
    conditions: dict[int, str],
) -> None:
    from core.televendas import rules

    now, today = tx.now, tx.now.date()
    order_ids = tx.next_ids("tlv_orders_seq", size)
    orders, items, titles, follow_ups = [], [], [], []
    for order_id in order_ids:
        operator = operators[rng.randrange(len(operators))]
        created = now - timedelta(
            days=rng.randint(0, DEMO_HISTORY_DAYS), hours=rng.randint(0, 9),
            minutes=rng.randint(0, 59),
        )  # fmt: skip
        status = rng.choices(
            ("orcamento", "pedido", "faturado", "atendimento", "cancelado"),
            weights=(22, 12, 46, 10, 10),
        )[0]
        operation = {"orcamento": "orcamento", "atendimento": "atendimento"}.get(
            status, "faturamento"
        )
        use_prospect = status in {"orcamento", "atendimento"} and prospects and rng.random() < 0.3
        entity_id = rng.choice(prospects if use_prospect else customers)
        table = rng.choice(list(prices))
        condition = rng.choice(list(conditions))
        limit = int(operator["max_discount_pct"])
        lines = []
        if status != "atendimento":
            for line, pid in enumerate(rng.sample(list(prices[table]), rng.randint(1, 4)), 1):
                quantity = Decimal(rng.randint(1, 12))
                discount = Decimal(rng.choice([0, 0, 0, min(5, limit), limit]))
                price = prices[table][pid]
                total = rules.item_total(quantity, price, discount)
                lines.append(total)
                items.append({
                    "order_id": order_id, "line": line, "product_id": pid,
                    "quantity": quantity, "unit_price": price, "list_price": price,
                    "discount_pct": discount, "total": total,
                })  # fmt: skip
        header_discount = Decimal(rng.choice([0, 0, 0, min(3, limit)]))
        freight = Decimal(rng.choice([0, 0, 15, 30, 49.9])).quantize(Decimal("0.01"))
        totals = rules.order_totals(lines, header_discount, freight if lines else Decimal(0))
        invoiced = status == "faturado"
        invoice_date = (created + timedelta(days=rng.randint(0, 2))).date() if invoiced else None
        if invoice_date is not None and invoice_date > today:
            invoice_date = today
        next_call = None
        if status == "orcamento" and rng.random() < 0.5:
            next_call = now + timedelta(hours=rng.randint(-4, 120))
            follow_ups.append({
                "user_id": operator["user_id"], "routine": "televendas",
                "source_type": "tlv_quote", "source_id": order_id, "entity_id": entity_id,
                "due_from": next_call, "due_until": next_call + timedelta(hours=1),
                "status": "aberto", "note": f"Retorno do orçamento {order_id}",
                "created_at": created, "updated_at": created,
            })  # fmt: skip
        orders.append({
            "id": order_id, "entity_id": entity_id, "user_id": operator["user_id"],
            "operator_id": operator["id"], "group_id": operator["main_group_id"],
            "operation": operation, "status": status,
            "price_table_id": table if lines else None,
            "payment_condition_id": condition if lines else None,
            "quote_valid_until": created.date() + timedelta(days=15)
            if operation == "orcamento" else None,
            "next_call_at": next_call, "notes": "",
            "discount_pct": header_discount, "products_total": totals.products,
            "discount_total": totals.discount, "freight": totals.freight, "total": totals.total,
            "invoice_series": "1" if invoiced else None, "invoice_date": invoice_date,
            "invoiced_at": created + timedelta(hours=2) if invoiced else None,
            "cancellation_reason": rng.choice(TLV_CANCEL_REASONS)
            if status == "cancelado" else None,
            "cancelled_at": created + timedelta(hours=1) if status == "cancelado" else None,
            "created_at": created, "updated_at": created,
        })  # fmt: skip
    invoiced_orders = [order for order in orders if order["status"] == "faturado"]
    numbers = tx.next_ids("invoice_number_seq", len(invoiced_orders))
    for order, number in zip(invoiced_orders, numbers, strict=True):
        order["invoice_number"] = f"{number:09d}"
        days = rules.parse_installments(conditions[order["payment_condition_id"]])
        for part in rules.installments(order["total"], days, order["invoice_date"]):
            status, balance = "aberto", part.amount
            if part.due_date < today:
                roll = rng.random()
                if roll < 0.7:
                    status, balance = "pago", Decimal("0.00")
                elif roll < 0.8:
                    balance = rules.money(part.amount / 2)  # partly paid
            titles.append({
                "prefix": "TLV", "number": order["invoice_number"],
                "installment": part.number, "type": "NF", "entity_id": order["entity_id"],
                "order_id": order["id"], "issue_date": order["invoice_date"],
                "due_date": part.due_date, "amount": part.amount, "balance": balance,
                "status": status, "created_at": order["invoiced_at"],
                "updated_at": order["invoiced_at"],
            })  # fmt: skip
    # Each sale began with a call (the wallboard counts calls → quotes → orders → invoices).
    calls = []
    for order, call_id in zip(orders, tx.next_ids("calls_seq", len(orders)), strict=True):
        order["call_id"] = call_id
        calls.append({
            "id": call_id, "user_id": order["user_id"], "operator_id": order["operator_id"],
            "group_id": order["group_id"], "routine": "televendas",
            "entity_id": order["entity_id"],
            "started_at": order["created_at"] - timedelta(minutes=4 + order["id"] % 6),
            "ended_at": order["created_at"],
            "result": f"Televendas: {order['status'].capitalize()}",
        })  # fmt: skip
    tx.insert_frame("calls", pl.DataFrame(calls, infer_schema_length=None))
    tx.insert_frame("tlv_orders", pl.DataFrame(orders, infer_schema_length=None))
    if items:
        tx.insert_frame("tlv_items", pl.DataFrame(items, infer_schema_length=None))
    if titles:
        tx.insert_frame("receivables", pl.DataFrame(titles, infer_schema_length=None))
    if follow_ups:
        tx.insert_frame("agenda_items", pl.DataFrame(follow_ups, infer_schema_length=None))


# --- Telecobrança: ranges, a legacy portfolio and weeks of collection calls -----------------

LOCAL_TZ = ZoneInfo("America/Sao_Paulo")
DEMO_RANGES = (
    ("F1", "Até 30 dias", 30), ("F2", "31 a 60 dias", 60),
    ("F3", "61 a 120 dias", 120), ("F4", "Acima de 120 dias", None),
)  # fmt: skip
# group: max days to postpone, max discount % on the principal and on the charges, installments
DEMO_NEGOTIATION = {"Cobrança": (15, "5", "50", 6), "Multi": (10, "3", "30", 4)}
# Closing reasons a collector needs; the catalogue is shared by every routine (as in SUN).
TLC_CLOSING_REASONS = (
    ("PAG", "Pagamento efetuado"), ("ACO", "Acordo de parcelamento"),
    ("CAR", "Título enviado a cartório"), ("NLO", "Devedor não localizado"),
)  # fmt: skip
# Days overdue of a debtor's oldest title, (fewest, most), and how often: most debt is recent.
LEGACY_AGES = ((1, 30), (31, 60), (61, 120), (121, 540))
LEGACY_AGE_WEIGHTS = (36, 28, 18, 18)
LEGACY_FIRST_NUMBER = 700001  # clear of the numbers in the import sample
COLLECTION_DAYS = 60
COLLECTORS = ("carla", "diego")
FINANCE = "admin"  # records the payments that arrive after a call (boleto, PIX)
PENDING_PROMISES = {"carla": 3, "diego": 2}  # calls of the last days that left one pending
# name, weight, fewest days ago it can have happened (a kept promise needs days to be paid)
QUEUE_SCENARIOS = (
    ("quitado", 12, 1), ("promessa_cumprida", 8, 4), ("promessa_quebrada", 3, 30),
    ("renegociacao", 4, 1),
)  # fmt: skip
SEARCH_SCENARIOS = (
    ("parcial", 9, 1), ("abatimento", 3, 1), ("cartorio", 3, 1), ("baixa", 2, 1),
    ("sem_acordo", 9, 1), ("cancelado", 5, 1),
)  # fmt: skip
NO_DEAL_TEXTS = (
    "Devedor não atendeu; nova tentativa na próxima rodada.",
    "Cliente alega dificuldade financeira e não fez proposta.",
    "Número não pertence mais ao devedor; cadastro a atualizar.",
)
CANCEL_TEXTS = {"ERR": "Atendimento aberto por engano.", "DUP": "Ligação registrada em dobro."}


def _seed_telecobranca(tx: Tx, size: int) -> None:
    """Ranges F1–F4 wired to the collection groups with their negotiation rules, a legacy
    portfolio imported into the ledger, and about `size` past collection calls."""
    range_ids = [
        tx.scalar(
            "INSERT INTO collection_ranges (code, description, position, max_days)"
            " VALUES (?, ?, ?, ?) RETURNING id",
            [code, description, position, max_days],
        )
        for position, (code, description, max_days) in enumerate(DEMO_RANGES, start=1)
    ]
    groups = {row["name"]: row["id"] for row in tx.all("SELECT id, name FROM attendance_groups")}
    for name, (days, principal, charges, installments) in DEMO_NEGOTIATION.items():
        if name not in groups:
            continue
        tx.execute(
            "INSERT INTO group_negotiation_rules (group_id, max_postpone_days,"
            " max_principal_discount_pct, max_charges_discount_pct, max_installments)"
            " VALUES (?, ?, ?, ?, ?)",
            [groups[name], days, principal, charges, installments],
        )
        for range_id in range_ids:
            tx.execute(
                "INSERT INTO group_collection_ranges (group_id, range_id) VALUES (?, ?)",
                [groups[name], range_id],
            )
    for code, description in TLC_CLOSING_REASONS:
        tx.execute(
            "INSERT INTO catalogue_items (catalogue, code, description)"
            " VALUES ('motivo_encerramento', ?, ?) ON CONFLICT DO NOTHING",
            [code, description],
        )
    desk = _CollectionDesk(tx, random.Random(SEED + 6))
    desk.add_titles(_legacy_portfolio(tx, random.Random(SEED + 5)))
    desk.replay(size)
    desk.save()


def _legacy_amount(rng: random.Random) -> Decimal:
    """R$ 80 to R$ 5.000, most a few hundred reais."""
    return Decimal(f"{min(5000.0, max(80.0, rng.lognormvariate(6.3, 0.85))):.2f}")


def _legacy_portfolio(tx: Tx, rng: random.Random) -> list[dict[str, Any]]:
    """Titles imported from the previous system (prefix LEG; duplicatas and boletos): about
    three customers in four owe something overdue, spread over the ranges (more of it recent),
    some in installments, some partly paid; the others pay on time."""
    from core.telecobranca.rules import money

    today = tx.now.astimezone(LOCAL_TZ).date()
    customers = [
        row["id"] for row in tx.all("SELECT id FROM entities WHERE kind = 'cliente' ORDER BY id")
    ]
    numbers = itertools.count(LEGACY_FIRST_NUMBER)
    titles: list[dict[str, Any]] = []

    def document(entity_id: int, first_due: date, count: int, paid: int, partial: float) -> None:
        """`count` monthly installments from `first_due`: the first `paid` paid, the overdue
        ones open (partly paid by chance `partial`), the later ones not yet due."""
        number, kind = f"{next(numbers):06d}", rng.choice(("DP", "DP", "BOL"))
        amount = _legacy_amount(rng)
        issue = min(first_due - timedelta(days=rng.choice((15, 28, 30, 30, 45))), today)
        created = min(datetime.combine(issue, time(12), tzinfo=UTC), tx.now)
        for index in range(count):
            due = first_due + timedelta(days=30 * index)
            status, balance = "aberto", amount
            if index < paid:
                status, balance = "pago", Decimal("0.00")
            elif due < today and rng.random() < partial:
                balance = money(amount * rng.randint(25, 75) / 100)
            titles.append({
                "prefix": "LEG", "number": number, "installment": index + 1, "type": kind,
                "entity_id": entity_id, "order_id": None, "issue_date": issue, "due_date": due,
                "amount": amount, "balance": balance, "status": status, "charges_from": None,
                "renegotiation_id": None, "created_at": created, "updated_at": created,
                "version": 1,
            })  # fmt: skip

    for entity_id in customers:
        roll = rng.random()
        if roll < 0.74:  # a debtor: its oldest open title places it in a range
            fewest, most = rng.choices(LEGACY_AGES, weights=LEGACY_AGE_WEIGHTS)[0]
            oldest = today - timedelta(days=rng.randint(fewest, most))
            paid = rng.choice((0, 0, 0, 1, 2))
            count = paid + rng.choice((1, 1, 1, 2, 3, 4))
            document(entity_id, oldest - timedelta(days=30 * paid), count, paid, 0.2)
            if rng.random() < 0.25:  # and a more recent document
                later = oldest + timedelta(days=rng.randint(1, (today - oldest).days + 60))
                document(entity_id, later, rng.randint(1, 3), 0, 0.1)
        elif roll < 0.88:  # pays on time: paid installments, maybe some not yet due
            first = today + timedelta(days=rng.randint(-300, 40))
            count = rng.randint(1, 4)
            paid = sum(first + timedelta(days=30 * index) < today for index in range(count))
            document(entity_id, first, count, paid, 0.0)
    for title, title_id in zip(titles, tx.next_ids("receivables_seq", len(titles)), strict=True):
        title["id"] = title_id
    return titles


def _local(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL_TZ).astimezone(UTC)


def _scenario(rng: random.Random, days_ago: int) -> str:
    options = [(name, weight) for name, weight, fewest in (*QUEUE_SCENARIOS, *SEARCH_SCENARIOS)
               if days_ago >= fewest]  # fmt: skip
    return rng.choices([name for name, _ in options], [weight for _, weight in options])[0]


@dataclass(frozen=True)
class _Debtor:
    entity_id: int
    range_id: int
    days: int  # of the oldest overdue title
    balance: Decimal  # overdue
    broken: bool  # a broken promise waiting to be called back: first in the queue
    promised: bool  # a promise pending: out of the queue


class _CollectionDesk:
    """Weeks of collection calls of carla and diego replayed in memory over the ledger, in time
    order, then written in bulk: through the services (a hundred statements a call) the demo
    took seconds per week of calls.

    The replay writes the rows the services write, the way they write them: the same pure
    rules (core.telecobranca.rules) for charges, payments, promises and renegotiations, the
    queue's order for "Próximo devedor", the agenda follow-up of each promise, promises broken
    the day after their date, and not_done_amount = portfolio − what outcomes removed. Every
    call ends: nothing is left open or reserved, and the only promises pending are dated
    after today. tests/unit/test_demo.py checks the ledger against the attendances.
    """

    def __init__(self, tx: Tx, rng: random.Random) -> None:
        from core.telecobranca import setup

        self.tx, self.rng = tx, rng
        self.started = tx.now
        self.now = tx.now
        self.today = self.day
        self.rates = setup.charge_rates(tx)
        self.ranges = setup.active_ranges(tx)
        self.titles: dict[int, dict[str, Any]] = {}
        self.by_entity: dict[int, list[dict[str, Any]]] = {}
        self.new_titles: list[dict[str, Any]] = []  # not in the database yet
        self.changed: set[int] = set()  # titles in the database that the calls changed
        self.calls: dict[int, dict[str, Any]] = {}
        self.attendances: dict[int, dict[str, Any]] = {}
        self.portfolio: dict[int, list[dict[str, Any]]] = {}  # attendance -> its titles
        self.removed: dict[int, Decimal] = {}  # attendance -> principal its outcomes removed
        self.outcomes: list[dict[str, Any]] = []
        self.promises: dict[int, dict[str, Any]] = {}
        self.promised: dict[int, list[int]] = {}  # promise -> its titles
        self.follow_ups: dict[int, dict[str, Any]] = {}  # promise -> its agenda item
        self.renegotiations: list[dict[str, Any]] = []
        self.events: list[tuple[datetime, int, Callable[[], None]]] = []
        self.order = itertools.count()
        self.ids: dict[str, list[int]] = {}  # sequence -> [first id drawn, next id]
        self.finance = 0  # the user recording payments made after a call (set by replay)
        self.reasons: dict[str, int] = {}  # closing and cancellation reasons by code
        self.rules: dict[int, NegotiationRules] = {}  # by group
        self.group_ranges: dict[int, set[int]] = {}  # the ranges each group works
        for title in tx.all(
            "SELECT id, prefix, number, installment, type, entity_id, due_date, amount, balance,"
            " status, charges_from, version FROM receivables ORDER BY id"
        ):
            self._track(title)

    @property
    def day(self) -> date:
        return self.now.astimezone(LOCAL_TZ).date()

    def add_titles(self, titles: list[dict[str, Any]]) -> None:
        """Titles not in the database yet (written by `save` as the calls left them)."""
        for title in titles:
            self._track(title)
            self.new_titles.append(title)

    def _track(self, title: dict[str, Any]) -> None:
        self.titles[title["id"]] = title
        self.by_entity.setdefault(title["entity_id"], []).append(title)

    # --- replaying the calls ----------------------------------------------------------------

    def replay(self, size: int) -> None:
        rows = self.tx.all(
            "SELECT u.id AS user_id, u.username, o.id AS operator_id,"
            " o.main_group_id AS group_id FROM users u JOIN operators o ON o.user_id = u.id"
            " WHERE u.username IN (SELECT unnest(?)) AND o.active AND o.telecobranca"
            " ORDER BY u.username",
            [list(COLLECTORS)],
        )
        finance = self.tx.scalar("SELECT id FROM users WHERE username = ?", [FINANCE])
        reasons = {
            row["code"]: row["id"]
            for row in self.tx.all(
                "SELECT code, id FROM catalogue_items WHERE active"
                " AND catalogue IN ('motivo_encerramento', 'motivo_cancelamento')"
            )
        }
        needed = {"PAG", "ACO", "CAR", "NLO", "SEM", *CANCEL_TEXTS}
        if len(rows) < len(COLLECTORS) or finance is None or not needed <= set(reasons):
            return
        from core.telecobranca import setup

        self.finance, self.reasons = int(finance), reasons
        for row in rows:
            self.rules[row["group_id"]] = setup.negotiation_rules(self.tx, row["group_id"])
            self.group_ranges[row["group_id"]] = set(
                setup.group_range_ids(self.tx, row["group_id"])
            )
        size = min(size, len(self._debtors()) // 4)
        slots = [
            (days, slot)
            for days in range(1, COLLECTION_DAYS + 1)
            for slot in range(14)  # half-hour slots from 09:00 to 15:30
            if (self.today - timedelta(days=days)).weekday() != 6  # no calls on Sundays
        ]
        for index, collector in enumerate(rows):
            count = (size + 1 - index) // 2
            pending = min(PENDING_PROMISES.get(collector["username"], 0), count // 5)
            recent = [(days, slot) for days, slot in slots if days <= 6]
            chosen = self.rng.sample(recent, pending)
            chosen += self.rng.sample([s for s in slots if s not in chosen], count - pending)
            for number, (days, slot) in enumerate(chosen):
                scenario = "promessa_pendente" if number < pending else _scenario(self.rng, days)
                moment = _local(self.today - timedelta(days=days), 9, self.rng.randint(0, 10))
                self._later(moment + timedelta(minutes=30 * slot),
                            self._call(collector, scenario, days))  # fmt: skip
        while self.events:
            moment, _, action = heapq.heappop(self.events)
            self.now = moment
            self._sweep()
            action()
        self.now = self.started

    def _later(self, moment: datetime, action: Callable[[], None]) -> None:
        heapq.heappush(self.events, (moment, next(self.order), action))

    def _call(self, user: dict[str, Any], scenario: str, days_ago: int) -> Callable[[], None]:
        def call() -> None:
            if scenario in {name for name, _, _ in QUEUE_SCENARIOS} | {"promessa_pendente"}:
                attendance = self._from_queue(user)
            else:
                attendance = self._by_search(user, {"cartorio": 91, "baixa": 181}.get(scenario, 1))
            if attendance is None:
                return
            handlers: dict[str, Callable[[dict[str, Any], dict[str, Any], int], None]] = {
                "quitado": self._paid_in_full, "promessa_cumprida": self._promise_kept,
                "promessa_quebrada": self._promise_broken,
                "promessa_pendente": self._promise_pending, "renegociacao": self._renegotiation,
                "parcial": self._partial_payment, "abatimento": self._rebate,
                "cartorio": self._protest, "baixa": self._write_off, "sem_acordo": self._no_deal,
                "cancelado": self._cancelled,
            }  # fmt: skip
            handlers[scenario](user, attendance, days_ago)

        return call

    def _from_queue(self, user: dict[str, Any]) -> dict[str, Any] | None:
        """ "Próximo devedor": a promise follow-up already due first, then the queue."""
        due = self._due_follow_up(user["user_id"])
        if due is not None:
            # The promise's day came and the money has not: the collector calls, the debtor
            # asks for the rest of the day, and the promise breaks tomorrow if still unpaid.
            self._settle(due["source_id"], "concluido")
            attendance = self.attendances[self.promises[due["source_id"]]["attendance_id"]]
            self._extend(attendance)
            attendance["call_id"] = self._start_call(user, attendance["entity_id"])
            self._finish(user, attendance, "cobranca")
            return None
        ranges = self.group_ranges[user["group_id"]]
        waiting = [d for d in self._debtors() if d.range_id in ranges and not d.promised]
        if not waiting:
            return None
        first = min(waiting, key=lambda d: (not d.broken, -d.days, -d.balance, d.entity_id))
        call_id = self._start_call(user, first.entity_id)
        origin = "quebra" if first.broken else "fila"
        return self._open(user, first.entity_id, first.range_id, origin, call_id)

    def _by_search(self, user: dict[str, Any], fewest_days: int) -> dict[str, Any] | None:
        """The collector searches a debtor by name: one that nobody is working on."""
        free = [d for d in self._debtors()
                if d.days >= fewest_days and not d.broken and not d.promised]  # fmt: skip
        if not free:
            return None
        chosen = self.rng.choice(free)
        call_id = self._start_call(user, chosen.entity_id)
        self._pause()
        return self._open(user, chosen.entity_id, chosen.range_id, "manual", call_id)

    # --- what the calls did -----------------------------------------------------------------

    def _paid_in_full(self, user: dict[str, Any], attendance: dict[str, Any], _: int) -> None:
        for title in self._open_titles(attendance):
            self._pause()
            self._pay(user["user_id"], attendance, title, self._value(title).total,
                      "Pagamento via PIX durante a ligação.")  # fmt: skip
        self._finish(user, attendance, "encerrar", "PAG", "Débito quitado à vista na ligação.")

    def _promise_kept(self, user: dict[str, Any], attendance: dict[str, Any], ago: int) -> None:
        postpone = self.rules[attendance["group_id"]].max_postpone_days
        if postpone < 3:
            self._no_deal(user, attendance, ago)
            return
        titles = self._open_titles(attendance)
        # Paid the day before the promised date: the follow-up never falls due.
        promised_on = self.day + timedelta(days=self.rng.randint(3, min(postpone, ago)))
        self._promise(user, attendance, titles, promised_on, full=True)
        self._finish(user, attendance, "cobranca")
        pay_at = _local(promised_on - timedelta(days=1), self.rng.randint(10, 16),
                        self.rng.randint(0, 59))  # fmt: skip
        self._later(pay_at, lambda: self._finance_pays(titles, "Pagamento da promessa (PIX)."))

    def _promise_broken(self, user: dict[str, Any], attendance: dict[str, Any], ago: int) -> None:
        postpone = self.rules[attendance["group_id"]].max_postpone_days
        if postpone < 2:
            self._no_deal(user, attendance, ago)
            return
        promised_on = self.day + timedelta(days=self.rng.randint(2, min(5, postpone)))
        self._promise(user, attendance, self._open_titles(attendance)[:1], promised_on,
                      full=False)  # fmt: skip
        self._finish(user, attendance, "cobranca")

    def _promise_pending(self, user: dict[str, Any], attendance: dict[str, Any], ago: int) -> None:
        room = self.rules[attendance["group_id"]].max_postpone_days - ago  # days after today
        if room < 1:
            self._no_deal(user, attendance, ago)
            return
        promised_on = self.today + timedelta(days=self.rng.randint(1, room))
        self._promise(user, attendance, self._open_titles(attendance), promised_on,
                      full=self.rng.random() < 0.6)  # fmt: skip
        self._finish(user, attendance, "cobranca")

    def _renegotiation(self, user: dict[str, Any], attendance: dict[str, Any], _: int) -> None:
        from core.telecobranca import rules

        limits = self.rules[attendance["group_id"]]
        titles = self._open_titles(attendance)
        values = [self._value(title) for title in titles]
        installments = self.rng.randint(min(2, limits.max_installments), limits.max_installments)
        first_due = self.day + timedelta(
            days=self.rng.randint(min(5, limits.max_postpone_days), limits.max_postpone_days)
        )
        charges = sum((value.charges for value in values), Decimal(0))
        self._pause()
        deal = rules.renegotiate(
            values, installments=installments, first_due=first_due, today=self.day,
            rules=limits,
            charges_discount=rules.money(charges * limits.max_charges_discount_pct / 100),
        )  # fmt: skip
        renegotiation_id = self._id("tlc_renegotiations_seq")
        self.renegotiations.append({
            "id": renegotiation_id, "attendance_id": attendance["id"],
            "entity_id": attendance["entity_id"], "user_id": user["user_id"],
            "principal": deal.principal, "charges": deal.charges,
            "principal_discount": deal.principal_discount,
            "charges_discount": deal.charges_discount, "total": deal.total,
            "installments": installments, "first_due": first_due, "created_at": self.now,
        })  # fmt: skip
        for title, value in zip(titles, values, strict=True):
            self._outcome(attendance, user["user_id"], title, "renegociado", value.total,
                          title["balance"], renegotiation_id=renegotiation_id)  # fmt: skip
            self._change(title, status="renegociado", balance=Decimal(0))
        parts = []
        for part in deal.installments:
            parts.append({
                "id": self._id("receivables_seq"), "prefix": "REN",
                "number": f"{renegotiation_id:09d}", "installment": part.number, "type": "RN",
                "entity_id": attendance["entity_id"], "order_id": None, "issue_date": self.day,
                "due_date": part.due_date, "amount": part.amount, "balance": part.amount,
                "status": "aberto", "charges_from": None, "renegotiation_id": renegotiation_id,
                "created_at": self.now, "updated_at": self.now, "version": 1,
            })  # fmt: skip
        self.add_titles(parts)
        self._finish(user, attendance, "encerrar", "ACO",
                     f"Acordo em {installments} parcela(s) a partir de {first_due:%d/%m/%Y},"
                     " com desconto nos juros.")  # fmt: skip
        for part in parts:  # paid on the due date, in order, until one is missed
            if part["due_date"] >= self.today or self.rng.random() < 0.2:
                break
            self._later(
                _local(part["due_date"], self.rng.randint(9, 16), self.rng.randint(0, 59)),
                lambda part=part: self._finance_pays([part], "Parcela do acordo paga no boleto."),
            )

    def _partial_payment(self, user: dict[str, Any], attendance: dict[str, Any], _: int) -> None:
        from core.telecobranca.rules import money

        title = self._open_titles(attendance)[0]
        self._pause()
        share = money(self._value(title).total * self.rng.randint(30, 70) / 100)
        self._pay(user["user_id"], attendance, title, share, "Pagamento parcial via boleto.")
        self._finish(user, attendance, "encerrar", "PAG",
                     "Pagamento parcial; o saldo restante segue em cobrança.")  # fmt: skip

    def _rebate(self, user: dict[str, Any], attendance: dict[str, Any], ago: int) -> None:
        from core.telecobranca import rules

        title = self._open_titles(attendance)[0]
        given = sum(
            (o["principal"] for o in self.outcomes
             if o["receivable_id"] == title["id"] and o["outcome"] == "abatimento"),
            Decimal(0),
        )  # fmt: skip
        base = min(title["amount"], title["balance"] + given)
        pct = self.rules[attendance["group_id"]].max_principal_discount_pct
        value = rules.money(base * pct / 100) - given
        if value <= 0:
            self._partial_payment(user, attendance, ago)
            return
        rules.check_discount(value + given, base, pct, "o principal")
        self._pause()
        balance = title["balance"] - value
        self._change(title, status="baixado" if balance == 0 else "aberto", balance=balance)
        self._outcome(attendance, user["user_id"], title, "abatimento", value, value,
                      note="Abatimento para quitação à vista.")  # fmt: skip
        self._pause()
        self._pay(user["user_id"], attendance, title, self._value(title).total,
                  "Saldo quitado via PIX após o abatimento.")  # fmt: skip
        self._finish(user, attendance, "encerrar", "PAG",
                     "Abatimento concedido e saldo do título quitado.")  # fmt: skip

    def _protest(self, user: dict[str, Any], attendance: dict[str, Any], ago: int) -> None:
        old = [t for t in self._open_titles(attendance) if self._value(t).days_overdue > 90]
        if not old:
            self._no_deal(user, attendance, ago)
            return
        for title in old:
            self._pause()
            self._change(title, status="cartorio")
            self._outcome(attendance, user["user_id"], title, "cartorio", Decimal(0),
                          Decimal(0), note="Protesto após 90 dias de atraso.")  # fmt: skip
        self._finish(user, attendance, "encerrar", "CAR",
                     "Sem acordo: títulos com mais de 90 dias enviados a cartório.")  # fmt: skip

    def _write_off(self, user: dict[str, Any], attendance: dict[str, Any], _: int) -> None:
        title = self._open_titles(attendance)[0]
        self._pause()
        self._outcome(attendance, user["user_id"], title, "baixa", title["balance"],
                      title["balance"], note="Devedor não localizado há mais de seis meses: "
                      "baixa como perda.")  # fmt: skip
        self._change(title, status="baixado", balance=Decimal(0))
        self._finish(user, attendance, "encerrar", "NLO",
                     "Devedor não localizado; o título mais antigo foi baixado.")  # fmt: skip

    def _no_deal(self, user: dict[str, Any], attendance: dict[str, Any], _: int) -> None:
        self._finish(user, attendance, "encerrar", self.rng.choice(("SEM", "NLO")),
                     self.rng.choice(NO_DEAL_TEXTS))  # fmt: skip

    def _cancelled(self, user: dict[str, Any], attendance: dict[str, Any], _: int) -> None:
        code = self.rng.choice(sorted(CANCEL_TEXTS))
        self._finish(user, attendance, "cancelar", code, CANCEL_TEXTS[code])

    def _finance_pays(self, titles: list[dict[str, Any]], note: str) -> None:
        """Payments recorded by finance, outside a call: they count for the attendance that
        holds the title and keep its promise."""
        for title in titles:
            if self._is_open(title):
                self._pay(self.finance, None, title, self._value(title).total, note)
            self.now += timedelta(minutes=1)

    # --- the ledger and the queue -----------------------------------------------------------

    @staticmethod
    def _is_open(title: dict[str, Any]) -> bool:
        return title["status"] == "aberto" and title["balance"] > 0

    def _value(self, title: dict[str, Any]) -> Updated:
        from core.telecobranca import rules

        balance = title["balance"] if title["status"] == "aberto" else Decimal(0)
        return rules.updated_value(balance, title["due_date"], self.day, self.rates,
                                   title["charges_from"])  # fmt: skip

    def _overdue(self, entity_id: int) -> list[dict[str, Any]]:
        day = self.day
        titles = [t for t in self.by_entity.get(entity_id, [])
                  if self._is_open(t) and t["due_date"] < day]  # fmt: skip
        return sorted(titles, key=lambda t: (t["due_date"], t["prefix"], t["number"],
                                             t["installment"]))  # fmt: skip

    def _debtors(self) -> list[_Debtor]:
        """Every debtor, placed in its range as queue.debtors_sql places it."""
        from core.telecobranca import rules

        day = self.day
        broken = {p["entity_id"] for p in self.promises.values() if p["requeued"]}
        pending = {p["entity_id"] for p in self.promises.values() if p["status"] == "pendente"}
        found = []
        for entity_id in sorted(self.by_entity):
            oldest: dict[str, int] = {}
            balance = Decimal(0)
            for title in self.by_entity[entity_id]:
                if self._is_open(title) and title["due_date"] < day:
                    days = (day - title["due_date"]).days
                    oldest[title["type"]] = max(days, oldest.get(title["type"], 0))
                    balance += title["balance"]
            place = rules.range_for(self.ranges, oldest) if oldest else None
            if place is not None:
                found.append(_Debtor(entity_id, place.id, max(oldest.values()), balance,
                                     entity_id in broken, entity_id in pending))  # fmt: skip
        return found

    def _open_titles(self, attendance: dict[str, Any]) -> list[dict[str, Any]]:
        held = [self.titles[row["receivable_id"]] for row in self.portfolio[attendance["id"]]]
        return sorted((t for t in held if self._is_open(t)),
                      key=lambda t: (t["due_date"], t["prefix"], t["number"],
                                     t["installment"]))  # fmt: skip

    def _change(self, title: dict[str, Any], **values: Any) -> None:
        title.update(values, updated_at=self.now, version=title["version"] + 1)
        self.changed.add(title["id"])

    def _pay(
        self,
        user_id: int,
        attendance: dict[str, Any] | None,
        title: dict[str, Any],
        amount: Decimal,
        note: str,
    ) -> None:
        """As outcomes.record_payment: charges first, the promise it covers, and a Cobrança
        attendance closed once its last promise is kept."""
        from core.telecobranca import rules

        split = rules.split_payment(amount, self._value(title))
        balance = title["balance"] - split.principal
        self._change(
            title, balance=balance, status="pago" if balance == 0 else "aberto",
            charges_from=self.day if split.settles_charges else title["charges_from"],
        )  # fmt: skip
        owner = attendance or self._holder(title)
        self._outcome(owner, user_id, title, "pago", split.amount, split.principal,
                      split.charges, note)  # fmt: skip
        for promise_id, titles in self.promised.items():
            promise = self.promises[promise_id]
            if title["id"] not in titles or promise["status"] != "pendente":
                continue
            paid = promise["paid_amount"] + split.amount
            kept = paid >= promise["amount"] or all(
                self.titles[t]["status"] != "aberto" for t in titles
            )
            promise.update(paid_amount=paid, version=promise["version"] + 1)
            if kept:
                promise.update(status="cumprida", settled_at=self.now)
                self._settle(promise_id, "concluido")
        if owner is not None and owner["status"] == "cobranca" and not self._pending_of(owner):
            self._finish_row(owner, "encerrado", text="Promessa de pagamento cumprida.")

    def _holder(self, title: dict[str, Any]) -> dict[str, Any] | None:
        holders = [
            a
            for a in self.attendances.values()
            if a["status"] in {"atendimento", "cobranca"}
            and any(r["receivable_id"] == title["id"] for r in self.portfolio[a["id"]])
        ]
        return max(holders, key=lambda a: a["id"], default=None)  # fmt: skip

    def _outcome(
        self,
        attendance: dict[str, Any] | None,
        user_id: int,
        title: dict[str, Any],
        outcome: str,
        amount: Decimal,
        principal: Decimal,
        charges: Decimal = Decimal(0),
        note: str = "",
        promise_id: int | None = None,
        renegotiation_id: int | None = None,
    ) -> None:
        attendance_id = attendance["id"] if attendance is not None else None
        if attendance_id is not None:
            self.removed[attendance_id] += principal
        self.outcomes.append({
            "attendance_id": attendance_id, "receivable_id": title["id"], "user_id": user_id,
            "outcome": outcome, "amount": amount, "principal": principal, "charges": charges,
            "promise_id": promise_id, "renegotiation_id": renegotiation_id, "note": note,
            "occurred_on": self.day, "created_at": self.now,
        })  # fmt: skip

    # --- attendances, calls, promises -------------------------------------------------------

    def _id(self, sequence: str) -> int:
        """The sequence's next id, counted here and drawn for real by `save` (one statement
        per sequence instead of one per row; nothing else draws from them meanwhile)."""
        if sequence not in self.ids:
            first = self.tx.next_ids(sequence, 1)[0]
            self.ids[sequence] = [first, first]
        self.ids[sequence][1] += 1
        return self.ids[sequence][1] - 1

    def _pause(self) -> None:
        self.now += timedelta(minutes=self.rng.randint(1, 3))

    def _start_call(self, user: dict[str, Any], entity_id: int) -> int:
        call_id = self._id("calls_seq")
        self.calls[call_id] = {
            "id": call_id, "user_id": user["user_id"], "operator_id": user["operator_id"],
            "group_id": user["group_id"], "routine": "telecobranca", "entity_id": entity_id,
            "started_at": self.now, "ended_at": None, "result": None,
        }  # fmt: skip
        return call_id

    def _open(
        self, user: dict[str, Any], entity_id: int, range_id: int, origin: str, call_id: int
    ) -> dict[str, Any]:
        attendance_id = self._id("tlc_attendances_seq")
        attendance = {
            "id": attendance_id, "entity_id": entity_id, "contact_id": None,
            "user_id": user["user_id"], "operator_id": user["operator_id"],
            "group_id": user["group_id"], "call_id": call_id, "range_id": range_id,
            "origin": origin, "status": "atendimento", "portfolio_amount": Decimal(0),
            "not_done_amount": None, "notes": "", "started_at": self.now, "ended_at": None,
            "closing_reason_id": None, "closing_text": None, "closed_at": None,
            "cancellation_reason_id": None, "cancelled_at": None, "created_at": self.now,
            "updated_at": self.now, "version": 1,
        }  # fmt: skip
        self.attendances[attendance_id] = attendance
        self.portfolio[attendance_id] = []
        self.removed[attendance_id] = Decimal(0)
        if origin == "quebra":
            for promise in self.promises.values():
                if promise["entity_id"] == entity_id:
                    promise["requeued"] = False
        self._extend(attendance)
        return attendance

    def _extend(self, attendance: dict[str, Any]) -> None:
        """Hand the debtor's overdue titles not handed yet to the attendance."""
        held = {row["receivable_id"] for row in self.portfolio[attendance["id"]]}
        added = [t for t in self._overdue(attendance["entity_id"]) if t["id"] not in held]
        for title in added:
            self.portfolio[attendance["id"]].append({
                "attendance_id": attendance["id"], "receivable_id": title["id"],
                "balance_at_start": title["balance"],
            })  # fmt: skip
        if added:
            attendance["portfolio_amount"] += sum((t["balance"] for t in added), Decimal(0))
            attendance["updated_at"] = self.now

    def _promise(
        self,
        user: dict[str, Any],
        attendance: dict[str, Any],
        titles: list[dict[str, Any]],
        promised_on: date,
        *,
        full: bool,
    ) -> None:
        from core.agenda import WINDOW
        from core.telecobranca import rules
        from core.telecobranca.attendance import PROMISE_CHECK_TIME, SOURCE

        self._pause()
        rules.check_promise_date(promised_on, self.day, self.rules[attendance["group_id"]])
        owed = sum((self._value(t).total for t in titles), Decimal(0))
        amount = owed if full else rules.money(owed * self.rng.randint(40, 70) / 100)
        promise_id = self._id("tlc_promises_seq")
        self.promises[promise_id] = {
            "id": promise_id, "attendance_id": attendance["id"],
            "entity_id": attendance["entity_id"], "user_id": user["user_id"],
            "promised_on": promised_on, "amount": amount, "paid_amount": Decimal(0),
            "status": "pendente", "requeued": False, "created_at": self.now,
            "settled_at": None, "version": 1,
        }  # fmt: skip
        self.promised[promise_id] = [t["id"] for t in titles]
        note = "Quitação total prometida." if full else "Entrada prometida; saldo a negociar."
        for title in titles:
            self._outcome(attendance, user["user_id"], title, "negociado", Decimal(0),
                          Decimal(0), note=note, promise_id=promise_id)  # fmt: skip
        due = datetime.combine(promised_on, PROMISE_CHECK_TIME, tzinfo=LOCAL_TZ).astimezone(UTC)
        keys = ", ".join(f"{t['prefix']} {t['number']}/{t['installment']}" for t in titles)
        self.follow_ups[promise_id] = {
            "user_id": user["user_id"], "routine": Routine.TELECOBRANCA.value,
            "source_type": SOURCE, "source_id": promise_id,
            "entity_id": attendance["entity_id"], "due_from": due, "due_until": due + WINDOW,
            "status": "aberto", "note": f"Promessa de R$ {amount} ({keys})",
            "created_at": self.now, "updated_at": self.now, "version": 1,
        }  # fmt: skip
        attendance.update(status="cobranca", updated_at=self.now,
                          version=attendance["version"] + 1)  # fmt: skip

    def _pending_of(self, attendance: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            p
            for p in self.promises.values()
            if p["attendance_id"] == attendance["id"] and p["status"] == "pendente"
        ]

    def _settle(self, promise_id: int, status: str) -> None:
        item = self.follow_ups[promise_id]
        if item["status"] == "aberto":
            item.update(status=status, updated_at=self.now, version=item["version"] + 1)

    def _due_follow_up(self, user_id: int) -> dict[str, Any] | None:
        due = [item for item in self.follow_ups.values()
               if item["user_id"] == user_id and item["status"] == "aberto"
               and item["due_from"] <= self.now]  # fmt: skip
        return min(due, key=lambda item: (item["due_from"], item["source_id"]), default=None)

    def _sweep(self) -> None:
        """As attendance.sweep_broken_promises: a promise past its date is broken."""
        ended = set()
        for promise_id, promise in sorted(self.promises.items()):
            if promise["status"] == "pendente" and promise["promised_on"] < self.day:
                promise.update(status="quebrada", requeued=True, settled_at=self.now,
                               version=promise["version"] + 1)  # fmt: skip
                self._settle(promise_id, "cancelado")
                ended.add(promise["attendance_id"])
        for attendance_id in sorted(ended):
            attendance = self.attendances[attendance_id]
            if attendance["status"] == "cobranca" and not self._pending_of(attendance):
                self._finish_row(attendance, "encerrado",
                                 text="Promessa quebrada: devedor devolvido à fila.")  # fmt: skip

    def _finish(
        self, user: dict[str, Any], attendance: dict[str, Any], outcome: str, reason: str = "",
        text: str = "",
    ) -> None:  # fmt: skip
        """As outcomes.finish_attendance: wait for the promise, close or cancel; the call ends."""
        from core.telecobranca.attendance import STATUS_LABELS

        self._pause()
        if outcome == "cobranca":
            assert self._pending_of(attendance), "Cobrança needs a pending promise"
            attendance.update(status="cobranca", ended_at=self.now, updated_at=self.now,
                              version=attendance["version"] + 1)  # fmt: skip
        elif outcome == "encerrar":
            assert not self._pending_of(attendance), "a pending promise cannot be closed"
            self._finish_row(attendance, "encerrado", self.reasons[reason], text)
        else:
            for promise in self._pending_of(attendance):
                promise.update(status="cancelada", settled_at=self.now,
                               version=promise["version"] + 1)  # fmt: skip
                self._settle(promise["id"], "cancelado")
            self._finish_row(attendance, "cancelado", self.reasons[reason], text)
        call = self.calls[attendance["call_id"]]
        call.update(
            ended_at=self.now, result=f"Telecobrança: {STATUS_LABELS[attendance['status']]}"
        )

    def _finish_row(
        self, attendance: dict[str, Any], status: str, reason_id: int | None = None, text: str = ""
    ) -> None:
        """As attendance.finish_row: stamped, with what was left undone of the portfolio."""
        closed, cancelled = status == "encerrado", status == "cancelado"
        not_done = max(attendance["portfolio_amount"] - self.removed[attendance["id"]], Decimal(0))
        attendance.update(
            status=status, not_done_amount=not_done,
            closing_reason_id=reason_id if closed else None,
            cancellation_reason_id=reason_id if cancelled else None,
            closing_text=" ".join(text.split()), closed_at=self.now if closed else None,
            cancelled_at=self.now if cancelled else None,
            ended_at=attendance["ended_at"] or self.now, updated_at=self.now,
            version=attendance["version"] + 1,
        )  # fmt: skip

    # --- writing it all ---------------------------------------------------------------------

    def save(self) -> None:
        def insert(table: str, rows: list[dict[str, Any]]) -> None:
            if rows:
                self.tx.insert_frame(table, pl.DataFrame(rows, infer_schema_length=None))

        for sequence, (first, following) in self.ids.items():
            drawn = self.tx.next_ids(sequence, following - first - 1)
            assert drawn == list(range(first + 1, following)), f"{sequence} moved meanwhile"

        stored = [self.titles[i] for i in sorted(self.changed) if i not in
                  {t["id"] for t in self.new_titles}]  # fmt: skip
        for title in stored:  # a few invoice titles the calls paid or renegotiated
            self.tx.execute(
                "UPDATE receivables SET balance = ?, status = ?, charges_from = ?,"
                " updated_at = ?, version = ? WHERE id = ?",
                [title["balance"], title["status"], title["charges_from"], title["updated_at"],
                 title["version"], title["id"]],
            )  # fmt: skip
        insert("receivables", self.new_titles)
        insert("calls", list(self.calls.values()))
        insert("tlc_attendances", list(self.attendances.values()))
        insert("tlc_attendance_titles", [row for rows in self.portfolio.values() for row in rows])
        insert("tlc_renegotiations", self.renegotiations)
        insert("tlc_promises", list(self.promises.values()))
        insert("tlc_promise_titles", [
            {"promise_id": promise_id, "receivable_id": title_id}
            for promise_id, titles in self.promised.items() for title_id in titles
        ])  # fmt: skip
        insert("tlc_outcomes", self.outcomes)
        insert("agenda_items", list(self.follow_ups.values()))
