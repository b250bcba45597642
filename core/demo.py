"""Deterministic pt-BR demo data and the demo users (demo mode only).

The demo password is public (README, login page): these users must never exist outside demo
mode, which is why only `seed_demo` creates them and only when the settings ask for demo mode.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import polars as pl
from faker import Faker
from validate_docbr import CNPJ, CPF

from core.access import Routine
from core.auth import hash_password
from core.db import Database, Tx
from core.validation import search_key

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
_DDDS = ("11", "21", "31", "41", "51", "61", "71", "81", "19", "27", "48", "85")


def has_users(db: Database) -> bool:
    return bool(db.read(lambda tx: tx.scalar("SELECT count(*) FROM users")))


def seed_demo(
    db: Database, customers: int = 200, prospects: int = 40, history: int = DEMO_HISTORY_SIZE
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
    rng = random.Random(SEED)
    random.seed(SEED)  # validate-docbr draws documents from the module-level generator
    fake = Faker("pt_BR")
    fake.seed_instance(SEED)
    cpf, cnpj = CPF(), CNPJ()
    entity_ids = []
    for index in range(customers + prospects):
        kind = "cliente" if index < customers else "prospect"
        company = rng.random() < 0.35
        name = fake.company() if company else fake.name()
        birth = None if company else fake.date_of_birth(minimum_age=18, maximum_age=85)
        document = (cnpj if company else cpf).generate()
        if kind == "prospect" and rng.random() < 0.5:
            document = None  # prospects often have no document yet
        entity_ids.append(
            tx.scalar(
                "INSERT INTO entities (kind, person_type, name, search_name, trade_name,"
                " document, phone, mobile, email, street, street_number, district, city, state,"
                " zip_code, birth_date, sensitive_note, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                [
                    kind,
                    "J" if company else "F",
                    name,
                    search_key(name),
                    name.split(" ")[0] if company else "",
                    document,
                    _phone(rng, mobile=False),
                    _phone(rng, mobile=True),
                    fake.free_email() if not company else fake.company_email(),
                    fake.street_name(),
                    str(fake.building_number()),
                    fake.bairro(),
                    fake.city(),
                    fake.estado_sigla(),
                    fake.postcode().replace("-", ""),
                    birth,
                    rng.choice(SENSITIVE_NOTES) if rng.random() < 0.12 else None,
                    tx.now,
                    tx.now,
                ],
            )
        )
    # Contacts: companies get one or two people; some contacts serve two entities.
    for entity_id in entity_ids[::2]:
        contact_name = fake.name()
        contact_id = tx.scalar(
            "INSERT INTO contacts (name, search_name, job_title, document, phone, mobile, email,"
            " birth_date, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " RETURNING id",
            [
                contact_name,
                search_key(contact_name),
                rng.choice(("Compras", "Financeiro", "Gerente", "Sócio", "Recepção")),
                cpf.generate(),
                _phone(rng, mobile=False),
                _phone(rng, mobile=True),
                fake.free_email(),
                fake.date_of_birth(minimum_age=20, maximum_age=70),
                tx.now,
                tx.now,
            ],
        )
        linked = {entity_id}
        if rng.random() < 0.1:
            linked.add(rng.choice(entity_ids))
        for target in sorted(linked):
            tx.execute(
                "INSERT INTO entity_contacts (entity_id, contact_id) VALUES (?, ?)",
                [target, contact_id],
            )


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
    tx.insert_frame("tlv_orders", pl.DataFrame(orders, infer_schema_length=None))
    if items:
        tx.insert_frame("tlv_items", pl.DataFrame(items, infer_schema_length=None))
    if titles:
        tx.insert_frame("receivables", pl.DataFrame(titles, infer_schema_length=None))
    if follow_ups:
        tx.insert_frame("agenda_items", pl.DataFrame(follow_ups, infer_schema_length=None))
