"""Televendas: products, price tables and payment conditions, and months of quotes,
orders, invoices with their titles, and the call each sale began with."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal
from typing import Any

import polars as pl

from core.db import Tx
from core.demo.common import DEMO_HISTORY_DAYS, SEED

# What an office-supplies distributor sells, at its shelf price (R$): the demo must look real.
DEMO_PRODUCTS = (
    ("Caneta esferográfica azul (cx 50)", "CX", "42.90"),
    ("Caneta esferográfica preta (cx 50)", "CX", "42.90"),
    ("Lápis grafite nº 2 (cx 72)", "CX", "38.50"),
    ("Borracha branca (cx 40)", "CX", "24.90"),
    ("Apontador com depósito", "UN", "4.50"),
    ("Caderno universitário 200 fls", "UN", "22.90"),
    ("Bloco de notas adesivas", "PCT", "12.90"),
    ("Papel sulfite A4 500 fls", "PCT", "32.90"),
    ("Envelope pardo A4 (pct 100)", "PCT", "45.00"),
    ("Pasta suspensa (cx 50)", "CX", "89.90"),
    ("Grampeador de mesa", "UN", "34.90"),
    ("Grampos 26/6 (cx 5000)", "CX", "7.90"),
    ("Clipes nº 2 (cx 100)", "CX", "5.50"),
    ("Tesoura escolar", "UN", "6.90"),
    ("Cola branca 90 g", "UN", "4.20"),
    ("Fita adesiva transparente", "UN", "5.90"),
    ("Marca-texto amarelo (cx 12)", "CX", "29.90"),
    ("Pincel atômico (cx 12)", "CX", "39.90"),
    ("Calculadora de mesa", "UN", "49.90"),
    ("Perfurador 2 furos", "UN", "39.90"),
    ("Arquivo morto", "UN", "6.50"),
    ("Etiqueta adesiva A4 (pct 100)", "PCT", "29.90"),
    ("Toner para impressora", "UN", "289.00"),
    ("Cartucho de tinta preto", "UN", "99.90"),
    ("Mouse óptico USB", "UN", "39.90"),
    ("Teclado USB ABNT2", "UN", "69.90"),
    ("Pen drive 32 GB", "UN", "39.90"),
    ("Cabo HDMI 2 m", "UN", "29.90"),
    ("Filtro de linha 5 tomadas", "UN", "54.90"),
    ("Headset com microfone", "UN", "129.90"),
    ("Detergente neutro 5 L", "UN", "24.90"),
    ("Desinfetante 5 L", "UN", "22.90"),
    ("Álcool 70% 1 L", "UN", "9.90"),
    ("Papel toalha interfolhado", "PCT", "18.90"),
    ("Papel higiênico rolão (pct 8)", "PCT", "79.90"),
    ("Saco de lixo 100 L (pct 100)", "PCT", "34.90"),
    ("Luva de látex (cx 100)", "CX", "39.90"),
    ("Pano multiuso", "PCT", "14.90"),
    ("Copo descartável 200 ml (pct 100)", "PCT", "8.90"),
    ("Café torrado 500 g", "PCT", "24.90"),
    ("Açúcar refinado 1 kg", "KG", "5.49"),
    ("Adoçante líquido", "UN", "8.90"),
    ("Filtro de café nº 103", "CX", "6.90"),
    ("Água mineral 500 ml (pct 12)", "PCT", "18.00"),
    ("Guardanapo de papel", "PCT", "4.90"),
    ("Cadeira de escritório", "UN", "689.00"),
    ("Mesa de escritório", "UN", "899.00"),
    ("Quadro branco 90x60", "UN", "149.90"),
    ("Apagador para quadro", "UN", "12.90"),
    ("Organizador de mesa", "UN", "34.90"),
)
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
    list_prices = {
        pid: Decimal(price) for pid, (_, _, price) in zip(product_ids, DEMO_PRODUCTS, strict=True)
    }
    tx.insert_frame("products", pl.DataFrame([
        {"id": pid, "code": f"P{index:04d}", "description": description, "unit": unit,
         "stock": Decimal(rng.randint(40, 400))}
        for index, (pid, (description, unit, _)) in enumerate(
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
    from core.televendas.service import STATUS_LABELS

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
                price = prices[table][pid]
                quantity = Decimal(rng.randint(1, 3) if price > 100 else rng.randint(1, 12))
                discount = Decimal(rng.choice([0, 0, 0, min(5, limit), limit]))
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
            "result": f"Televendas nº {order['id']}: {STATUS_LABELS[order['status']]}",
        })  # fmt: skip
    tx.insert_frame("calls", pl.DataFrame(calls, infer_schema_length=None))
    tx.insert_frame("tlv_orders", pl.DataFrame(orders, infer_schema_length=None))
    if items:
        tx.insert_frame("tlv_items", pl.DataFrame(items, infer_schema_length=None))
    if titles:
        tx.insert_frame("receivables", pl.DataFrame(titles, infer_schema_length=None))
    if follow_ups:
        tx.insert_frame("agenda_items", pl.DataFrame(follow_ups, infer_schema_length=None))
