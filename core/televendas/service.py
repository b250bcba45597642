"""Televendas services: save a quote / order / call, convert, invoice, cancel, read.

Statuses: orcamento (operation 2, a quote with a validity date), pedido (operation 1, awaiting
invoice), faturado (invoice stamped, stock taken, titles created), atendimento (operation 3,
a call only) and cancelado (final).

MV_ALTPED decides whether an invoiced order may still change: with N the core refuses every
change (saving, cancelling); with S the change is allowed and audited, and when it touches
the money (items, totals, payment condition) the invoice is re-applied: the old items' stock
comes back, the new items' stock is taken, the open titles are cancelled and new ones issued
under the same invoice number.

Titles with a payment recorded (status pago, or balance below the amount) are never undone by
this module: cancelling an invoiced order, or changing its money, is refused while any title
of it has a payment, and the message says which; the payment must be reversed first (by
Telecobrança / finance), so no received money is silently lost or left without a title.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from core import agenda, audit, calls
from core.access import Action, Routine, User, visible_rows_sql
from core.db import Tx
from core.errors import STALE_RECORD, Conflict, Invalid, NotFound
from core.localtime import local_day
from core.money import PERCENT, parse_into
from core.service import Work, command, query
from core.televendas import rules, store
from core.validation import Problems

SOURCE = "tlv_quote"
QUOTE_VALIDITY_DAYS = 15
DEFAULT_SERIES = "1"
ZERO = Decimal(0)

OPERATIONS = {
    "faturamento": "1 - Faturamento",
    "orcamento": "2 - Orçamento",
    "atendimento": "3 - Atendimento",
}
STATUS_LABELS = {
    "orcamento": "Orçamento",
    "pedido": "Pedido (a faturar)",
    "faturado": "Faturado",
    "atendimento": "Atendimento",
    "cancelado": "Cancelado",
}
# The Protheus legend of the maintenance list.
STATUS_COLOURS = {
    "orcamento": "blue",
    "pedido": "green",
    "faturado": "red",
    "atendimento": "brown",
    "cancelado": "black",
}
_STATUS_OF_OPERATION = {
    "faturamento": "pedido",
    "orcamento": "orcamento",
    "atendimento": "atendimento",
}

PROSPECT_REFUSAL = (
    "Prospects não podem ter pedidos de venda: converta o prospect em cliente "
    "(cadastro de Entidades, tipo Cliente) e tente novamente. O orçamento continua válido."
)
READ_ONLY_INVOICED = (
    "Pedido faturado não pode ser alterado: o parâmetro MV_ALTPED está configurado como N."
)


@dataclass
class ItemInput:
    product_id: int
    quantity: Decimal | int | str
    unit_price: Decimal | int | str | None = None  # None: the price table's price
    discount_pct: Decimal | int | str = 0


@dataclass
class OrderInput:
    entity_id: int
    operation: str = "orcamento"
    contact_id: int | None = None
    price_table_id: int | None = None
    payment_condition_id: int | None = None
    quote_valid_until: date | None = None  # quotes: defaults to QUOTE_VALIDITY_DAYS from today
    next_call_at: datetime | None = None
    discount_pct: Decimal | int | str = 0  # on the products subtotal
    freight: Decimal | int | str = 0
    notes: str = ""
    items: list[ItemInput] = field(default_factory=list)


@dataclass(frozen=True)
class Order:
    id: int
    version: int
    operation: str
    status: str
    entity_id: int
    entity_name: str
    entity_kind: str
    contact_id: int | None
    user_id: int
    operator_code: str
    group_id: int
    call_id: int | None
    price_table_id: int | None
    payment_condition_id: int | None
    quote_valid_until: date | None
    next_call_at: datetime | None
    notes: str
    discount_pct: Decimal
    products_total: Decimal
    discount_total: Decimal
    freight: Decimal
    total: Decimal
    converted_at: datetime | None
    invoice_number: str | None
    invoice_series: str | None
    invoice_date: date | None
    cancellation_reason_id: int | None
    cancellation_reason: str | None
    cancelled_at: datetime | None
    created_at: datetime
    updated_at: datetime
    items: list[dict[str, Any]]
    titles: list[dict[str, Any]]
    read_only: bool  # what the screen disables: cancelled, or invoiced with MV_ALTPED = N

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def operation_label(self) -> str:
        return OPERATIONS[self.operation]

    @property
    def colour(self) -> str:
        return STATUS_COLOURS[self.status]


# --- reading --------------------------------------------------------------------------------


def _visible_row(tx: Tx, user: User, order_id: int) -> dict[str, Any]:
    clause, params = visible_rows_sql(user, "o")
    row = tx.one(f"SELECT * FROM tlv_orders o WHERE o.id = ? AND {clause}", [order_id, *params])
    if row is None:
        raise NotFound("Atendimento de Televendas não encontrado (ou fora dos seus grupos).")
    return row


def _altped(tx: Tx) -> bool:
    return tx.scalar("SELECT value FROM parameters WHERE name = 'MV_ALTPED'") == "S"


@query(Action.ATTEND_TELEVENDAS, "atendimento Televendas {order_id}")
def get_order(work: Work, order_id: int) -> Order:
    tx, user = work.tx, work.user
    _visible_row(tx, user, order_id)
    return _load(tx, order_id)


def _load(tx: Tx, order_id: int) -> Order:
    row = tx.one(
        """
        SELECT o.*, e.name AS entity_name, e.kind AS entity_kind, op.code AS operator_code
        FROM tlv_orders o
        JOIN entities e ON e.id = o.entity_id
        JOIN operators op ON op.id = o.operator_id
        WHERE o.id = ?
        """,
        [order_id],
    )
    assert row is not None
    items = tx.all(
        """
        SELECT i.line, i.product_id, p.code AS product_code, p.description AS product, p.unit,
            i.quantity, i.unit_price, i.list_price, i.discount_pct, i.total
        FROM tlv_items i
        JOIN products p ON p.id = i.product_id
        WHERE i.order_id = ?
        ORDER BY i.line
        """,
        [order_id],
    )
    titles = tx.all(
        """
        SELECT id, prefix, number, installment, type, issue_date, due_date, amount, balance,
            status, version
        FROM receivables
        WHERE order_id = ?
        ORDER BY id
        """,
        [order_id],
    )
    read_only = row["status"] == "cancelado" or (row["status"] == "faturado" and not _altped(tx))
    fields = {name: row[name] for name in Order.__dataclass_fields__ if name in row}
    return Order(**fields, items=items, titles=titles, read_only=read_only)


# --- checks shared by the services ----------------------------------------------------------


def _local_today(tx: Tx) -> date:
    return local_day(tx.now)


def _check_changeable(tx: Tx, stored: dict[str, Any]) -> None:
    if stored["status"] == "cancelado":
        raise Invalid("Atendimento cancelado não pode ser alterado.")
    if stored["status"] == "faturado" and not _altped(tx):
        raise Invalid(READ_ONLY_INVOICED)


def _require_customer(tx: Tx, entity_id: int) -> None:
    if tx.scalar("SELECT kind FROM entities WHERE id = ?", [entity_id]) != "cliente":
        raise Invalid(PROSPECT_REFUSAL, {"entity_id": "prospect: converta em cliente"})


def _max_discount(tx: Tx, group_id: int) -> Decimal:
    value = tx.scalar("SELECT max_discount_pct FROM attendance_groups WHERE id = ?", [group_id])
    return Decimal(value or 0)


def _next_status(stored: dict[str, Any] | None, operation: str) -> str:
    if operation not in OPERATIONS:
        raise Invalid("Operação inválida: escolha Faturamento, Orçamento ou Atendimento.")
    if stored is not None and stored["status"] == "faturado":
        if operation != "faturamento":
            raise Invalid("Um pedido faturado não pode voltar a orçamento ou atendimento.")
        return "faturado"
    return _STATUS_OF_OPERATION[operation]


@dataclass(frozen=True)
class _Line:
    product_id: int
    quantity: Decimal
    unit_price: Decimal
    list_price: Decimal
    discount_pct: Decimal
    total: Decimal


def _check_input(
    tx: Tx, data: OrderInput, status: str, group_id: int, stored: dict[str, Any] | None
) -> tuple[list[_Line], rules.Totals, Decimal]:
    """Validate the form; returns the priced lines, the header totals and the header %."""
    problems = Problems()
    today = _local_today(tx)
    if tx.scalar("SELECT id FROM entities WHERE id = ?", [data.entity_id]) is None:
        problems.add("entity_id", "entidade inexistente")
    if stored is not None and stored["entity_id"] != data.entity_id:
        problems.add("entity_id", "a entidade de um atendimento gravado não muda")
    if data.contact_id is not None and not tx.scalar(
        "SELECT 1 FROM entity_contacts WHERE entity_id = ? AND contact_id = ?",
        [data.entity_id, data.contact_id],
    ):
        problems.add("contact_id", "o contato não pertence a esta entidade")
    selling = status in {"orcamento", "pedido", "faturado"}
    if selling and not data.items:
        problems.add("items", "inclua ao menos um produto")
    kept_table = stored["price_table_id"] if stored else None
    kept_condition = stored["payment_condition_id"] if stored else None
    if data.price_table_id is None:
        if data.items:
            problems.add("price_table_id", "escolha a tabela de preços")
    elif data.price_table_id != kept_table and not tx.scalar(
        "SELECT id FROM price_tables WHERE id = ? AND active"
        " AND (valid_from IS NULL OR valid_from <= ?)"
        " AND (valid_until IS NULL OR valid_until >= ?)",
        [data.price_table_id, today, today],
    ):
        problems.add("price_table_id", "tabela de preços inexistente, inativa ou fora da vigência")
    if data.payment_condition_id is None:
        if selling:
            problems.add("payment_condition_id", "escolha a condição de pagamento")
    elif data.payment_condition_id != kept_condition and not tx.scalar(
        "SELECT id FROM payment_conditions WHERE id = ? AND active", [data.payment_condition_id]
    ):
        problems.add("payment_condition_id", "condição de pagamento inexistente ou inativa")
    if status == "orcamento" and data.quote_valid_until is not None:
        unchanged = stored is not None and stored["quote_valid_until"] == data.quote_valid_until
        if not unchanged and data.quote_valid_until < today:
            problems.add("quote_valid_until", "a validade do orçamento não pode estar no passado")
    if data.next_call_at is not None:
        unchanged = stored is not None and stored["next_call_at"] == data.next_call_at
        if not unchanged and data.next_call_at <= tx.now:
            problems.add("next_call_at", "a próxima ligação deve estar no futuro")

    limit = _max_discount(tx, group_id)
    header_discount = parse_into(problems, "discount_pct", data.discount_pct,
                                 "Desconto % no total", default=ZERO, **PERCENT)  # fmt: skip
    freight = parse_into(problems, "freight", data.freight, "Frete", default=ZERO)
    if header_discount is None:
        pass  # already refused as unreadable
    elif not 0 <= header_discount <= 100:
        problems.add("discount_pct", "desconto deve estar entre 0% e 100%")
    elif header_discount > limit:
        problems.add(
            "discount_pct",
            f"desconto de {rules.quantity_text(header_discount)}% no total acima do limite do"
            f" grupo ({rules.quantity_text(limit)}%)",
        )
    kept_products = _products_on_record(tx, stored["id"] if stored else None)
    lines = []
    for number, item in enumerate(data.items, start=1):
        line = _check_item(tx, number, item, data.price_table_id, limit, kept_products, problems)
        if line is not None:
            lines.append(line)
    problems.raise_if_any()
    assert header_discount is not None and freight is not None  # refused above otherwise
    totals = rules.order_totals((line.total for line in lines), header_discount, freight)
    return lines, totals, header_discount


def _products_on_record(tx: Tx, order_id: int | None) -> set[int]:
    if order_id is None:
        return set()
    rows = tx.all("SELECT product_id FROM tlv_items WHERE order_id = ?", [order_id])
    return {row["product_id"] for row in rows}


def _check_item(
    tx: Tx,
    number: int,
    item: ItemInput,
    price_table_id: int | None,
    limit: Decimal,
    kept_products: set[int],
    problems: Problems,
) -> _Line | None:
    key = f"item_{number}"
    product = tx.one(
        "SELECT p.code, p.active, t.price FROM products p"
        " LEFT JOIN price_table_items t ON t.product_id = p.id AND t.price_table_id = ?"
        " WHERE p.id = ?",
        [price_table_id, item.product_id],
    )
    if product is None or not (product["active"] or item.product_id in kept_products):
        problems.add(key, f"item {number}: produto inexistente ou inativo")
        return None
    if price_table_id is not None and product["price"] is None:
        problems.add(key, f"item {number}: produto {product['code']} sem preço nesta tabela")
        return None
    quantity = parse_into(problems, key, item.quantity, f"Quantidade (item {number})",
                          places=3, max_digits=14)  # fmt: skip
    discount = parse_into(problems, key, item.discount_pct, f"Desc. % (item {number})",
                          default=ZERO, **PERCENT)  # fmt: skip
    list_price = Decimal(product["price"] or 0)
    unit_price = (
        list_price if item.unit_price is None
        else parse_into(problems, key, item.unit_price, f"Preço unitário (item {number})")
    )  # fmt: skip
    if quantity is None or discount is None or unit_price is None:
        return None
    if quantity <= 0:
        problems.add(key, f"item {number}: a quantidade deve ser maior que zero")
    if not 0 <= discount <= 100:
        problems.add(key, f"item {number}: desconto deve estar entre 0% e 100%")
    elif rules.effective_discount_pct(list_price, unit_price, discount) > limit:
        problems.add(
            key,
            f"item {number}: desconto acima do limite do grupo ({rules.quantity_text(limit)}%)"
            " – o preço abaixo da tabela também conta como desconto",
        )
    if key in problems.fields:
        return None
    total = rules.item_total(quantity, unit_price, discount)
    return _Line(item.product_id, quantity, unit_price, list_price, discount, total)


# --- saving ---------------------------------------------------------------------------------


@command(Action.ATTEND_TELEVENDAS, "gravar atendimento Televendas")
def save_order(
    work: Work,
    data: OrderInput,
    *,
    order_id: int | None = None,
    version: int | None = None,
    group_id: int | None = None,
    call_id: int | None = None,
) -> Order:
    """Gravar a Televendas attendance: a quote, a sales order or a call (data.operation).

    A new one is stamped with the operator, the active group and the open call (which it ends);
    an existing one needs the version it was read at (stale: Conflict). Items and the header
    discount are bounded by the group's max discount. A quote's next call goes to the agenda.
    """
    tx, user = work.tx, work.user
    operator = user.operator
    assert operator is not None
    active_group = group_id if group_id is not None else operator.main_group_id
    if order_id is None and active_group not in operator.group_ids:
        raise Invalid("Você não pertence a este grupo de atendimento.")
    stored = None
    if order_id is not None:
        stored = _visible_row(tx, user, order_id)
        if stored["version"] != version:
            raise Conflict(STALE_RECORD)
        _check_changeable(tx, stored)
    status = _next_status(stored, data.operation)
    group = stored["group_id"] if stored else active_group
    lines, totals, header_discount = _check_input(tx, data, status, group, stored)
    if status in {"pedido", "faturado"}:
        _require_customer(tx, data.entity_id)
    valid_until = data.quote_valid_until
    if status == "orcamento" and valid_until is None:
        valid_until = _local_today(tx) + timedelta(days=QUOTE_VALIDITY_DAYS)
    values = {
        "operation": data.operation, "status": status, "contact_id": data.contact_id,
        "price_table_id": data.price_table_id,
        "payment_condition_id": data.payment_condition_id,
        "quote_valid_until": valid_until, "next_call_at": data.next_call_at,
        "notes": data.notes.strip(), "discount_pct": header_discount,
        "products_total": totals.products, "discount_total": totals.discount,
        "freight": totals.freight, "total": totals.total,
    }  # fmt: skip
    old_items = store.item_rows(tx, stored["id"]) if stored else []
    if stored is None:
        new_id = _insert(tx, user, active_group, data.entity_id, call_id, values)
    else:
        new_id = stored["id"]
        _update_header(tx, new_id, stored["version"], values)
    _write_items(tx, new_id, lines)
    detail: dict[str, Any] = {"status": status, "de": stored["status"] if stored else None}
    if stored is not None:
        detail["alteracoes"] = audit.changes(stored, values)
    if stored is not None and stored["status"] == "faturado":
        detail["reaplicado"] = _reapply_invoice(tx, stored, old_items, values)
    overrides = [
        {"linha": n, "produto": line.product_id, "tabela": line.list_price,
         "praticado": line.unit_price}
        for n, line in enumerate(lines, start=1) if line.unit_price != line.list_price
    ]  # fmt: skip
    if overrides:
        detail["precos_alterados"] = overrides
    _sync_agenda(tx, user, new_id, data.entity_id, status, data.next_call_at)
    calls.record_in(tx, user, Routine.TELEVENDAS, new_id, data.entity_id, STATUS_LABELS[status])
    event = "incluido" if stored is None else "alterado"
    if stored is not None and stored["status"] == "faturado":
        event = "faturado_alterado"  # MV_ALTPED = S: worth finding in the audit log
    work.audit(f"televendas.{event}", subject_type="atendimento_tlv",
        subject_id=new_id, detail=detail,
    )  # fmt: skip
    return _load(tx, new_id)


def _insert(
    tx: Tx, user: User, group: int, entity_id: int, call_id: int | None, values: dict[str, Any]
) -> int:
    assert user.operator is not None
    columns = ["entity_id", "user_id", "operator_id", "group_id", "call_id", *values]
    columns += ["created_at", "updated_at"]
    params = [entity_id, user.id, user.operator.id, group, call_id, *values.values()]
    params += [tx.now, tx.now]
    return int(
        tx.scalar(
            f"INSERT INTO tlv_orders ({', '.join(columns)})"
            f" VALUES ({', '.join('?' for _ in columns)}) RETURNING id",
            params,
        )
    )


def _update_header(tx: Tx, order_id: int, version: int, values: dict[str, Any]) -> None:
    assignments = ", ".join(f"{column} = ?" for column in values)
    updated = tx.scalar(
        f"UPDATE tlv_orders SET {assignments}, updated_at = ?, version = version + 1"
        " WHERE id = ? AND version = ? RETURNING id",
        [*values.values(), tx.now, order_id, version],
    )
    if updated is None:
        raise Conflict(STALE_RECORD)


def _write_items(tx: Tx, order_id: int, lines: list[_Line]) -> None:
    tx.execute("DELETE FROM tlv_items WHERE order_id = ?", [order_id])
    for number, line in enumerate(lines, start=1):
        tx.execute(
            "INSERT INTO tlv_items (order_id, line, product_id, quantity, unit_price,"
            " list_price, discount_pct, total) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                order_id, number, line.product_id, line.quantity, line.unit_price,
                line.list_price, line.discount_pct, line.total,
            ],
        )  # fmt: skip


def _sync_agenda(
    tx: Tx, user: User, order_id: int, entity_id: int, status: str, next_call: datetime | None
) -> None:
    """Only a quote carries a next call: converting, invoicing or cancelling settles it."""
    if status == "orcamento" and next_call is not None:
        agenda.schedule(
            tx, user.id, Routine.TELEVENDAS, SOURCE, order_id, entity_id, next_call,
            note=f"Retorno do orçamento {order_id}",
        )  # fmt: skip
    else:
        agenda.settle(tx, SOURCE, order_id, "cancelado" if status == "cancelado" else "concluido")


# --- quote -> order -> invoice --------------------------------------------------------------


@command(Action.ATTEND_TELEVENDAS, "converter orçamento {order_id}")
def convert_quote_to_order(work: Work, order_id: int, version: int) -> Order:
    """A quote becomes a sales order (operation 1), in place. Prospects must become customers."""
    tx, user = work.tx, work.user
    stored = _visible_row(tx, user, order_id)
    if stored["version"] != version:
        raise Conflict(STALE_RECORD)
    if stored["status"] != "orcamento":
        raise Invalid(
            f"Só orçamentos podem ser convertidos em pedido (este está"
            f" {STATUS_LABELS[stored['status']].lower()})."
        )
    _require_customer(tx, stored["entity_id"])
    valid_until = stored["quote_valid_until"]
    if valid_until is not None and valid_until < _local_today(tx):
        raise Invalid(
            f"Orçamento vencido em {valid_until:%d/%m/%Y}: atualize a validade e os preços"
            " antes de convertê-lo em pedido."
        )
    if stored["payment_condition_id"] is None:
        raise Invalid("Escolha a condição de pagamento antes de converter em pedido.")
    tx.execute(
        "UPDATE tlv_orders SET operation = 'faturamento', status = 'pedido',"
        " converted_at = ?, updated_at = ?, version = version + 1 WHERE id = ?",
        [tx.now, tx.now, order_id],
    )
    agenda.settle(tx, SOURCE, order_id, "concluido")
    entity = stored["entity_id"]
    calls.record_in(tx, user, Routine.TELEVENDAS, order_id, entity, STATUS_LABELS["pedido"])
    work.audit("televendas.convertido", subject_type="atendimento_tlv",
        subject_id=order_id, detail={"de": "orcamento", "para": "pedido"},
    )  # fmt: skip
    return _load(tx, order_id)


@command(Action.ATTEND_TELEVENDAS, "faturar pedido {order_id}")
def invoice_order(work: Work, order_id: int, version: int, series: str = DEFAULT_SERIES) -> Order:
    """Fatura a sales order: invoice number/series/date, stock out, one title per installment.

    Insufficient stock of any item refuses the whole invoice (nothing is written) and names
    every product short.
    """
    tx, user = work.tx, work.user
    stored = _visible_row(tx, user, order_id)
    if stored["version"] != version:
        raise Conflict(STALE_RECORD)
    if stored["status"] != "pedido":
        raise Invalid(
            f"Só pedidos a faturar podem ser faturados (este está"
            f" {STATUS_LABELS[stored['status']].lower()})."
        )
    _require_customer(tx, stored["entity_id"])
    if not store.item_rows(tx, order_id):
        raise Invalid("O pedido não tem produtos para faturar.")
    store.take_stock(tx, order_id)
    sequence = int(tx.scalar("SELECT nextval('invoice_number_seq')"))
    number = f"{sequence:09d}"
    issue_date = _local_today(tx)
    tx.execute(
        "UPDATE tlv_orders SET status = 'faturado', invoice_number = ?, invoice_series = ?,"
        " invoice_date = ?, invoiced_at = ?, updated_at = ?, version = version + 1"
        " WHERE id = ?",
        [number, series.strip() or DEFAULT_SERIES, issue_date, tx.now, tx.now, order_id],
    )
    titles = store.issue_titles(tx, order_id)
    entity = stored["entity_id"]
    calls.record_in(tx, user, Routine.TELEVENDAS, order_id, entity, STATUS_LABELS["faturado"])
    work.audit("televendas.faturado", subject_type="atendimento_tlv", subject_id=order_id,
        detail={"nota": number, "serie": series, "total": stored["total"], "titulos": titles},
    )  # fmt: skip
    return _load(tx, order_id)


def _reapply_invoice(
    tx: Tx, stored: dict[str, Any], old_items: list[dict[str, Any]], values: dict[str, Any]
) -> bool:
    """MV_ALTPED = S: an invoiced order's money changed, so its stock and titles follow."""
    new_items = store.item_rows(tx, stored["id"])
    money_changed = (
        old_items != new_items
        or stored["total"] != values["total"]
        or stored["payment_condition_id"] != values["payment_condition_id"]
    )
    if not money_changed:
        return False
    store.refuse_if_paid(tx, stored["id"], "alterar os valores deste pedido faturado")
    store.return_stock(tx, old_items)
    store.take_stock(tx, stored["id"])
    store.cancel_titles(tx, stored["id"])
    store.issue_titles(tx, stored["id"])
    return True


@command(Action.ATTEND_TELEVENDAS, "cancelar atendimento {order_id}")
def cancel_order(
    work: Work, order_id: int, version: int, reason: str, reason_id: int | None = None
) -> Order:
    """Cancel a quote, an order, a call or (MV_ALTPED = S only) an invoiced order.

    A reason is required (text, optionally a 'motivo_cancelamento' catalogue entry). Cancelling
    an invoiced order returns its items to stock and cancels its open titles; it is refused
    while any of its titles has a payment recorded (pago or balance below the amount), since
    received money must be reversed by finance first. With MV_ALTPED = N an invoiced order is
    read-only, cancellation included.
    """
    tx, user = work.tx, work.user
    if len(reason.strip()) < 3:
        raise Invalid("Informe o motivo do cancelamento.", {"reason": "informe o motivo"})
    stored = _visible_row(tx, user, order_id)
    if stored["version"] != version:
        raise Conflict(STALE_RECORD)
    _check_changeable(tx, stored)
    if reason_id is not None and not tx.scalar(
        "SELECT id FROM catalogue_items WHERE id = ? AND catalogue = 'motivo_cancelamento'"
        " AND active",
        [reason_id],
    ):
        raise Invalid("Motivo de cancelamento inexistente ou inativo.")
    detail: dict[str, Any] = {"de": stored["status"], "motivo": reason.strip()}
    if stored["status"] == "faturado":
        store.refuse_if_paid(tx, order_id, "cancelar este pedido faturado")
        store.return_stock(tx, store.item_rows(tx, order_id))
        detail["titulos_cancelados"] = store.cancel_titles(tx, order_id)
        detail["nota"] = stored["invoice_number"]
    tx.execute(
        "UPDATE tlv_orders SET status = 'cancelado', cancellation_reason = ?,"
        " cancellation_reason_id = ?, cancelled_at = ?, updated_at = ?,"
        " version = version + 1 WHERE id = ?",
        [reason.strip(), reason_id, tx.now, tx.now, order_id],
    )
    agenda.settle(tx, SOURCE, order_id, "cancelado")
    entity = stored["entity_id"]
    calls.record_in(tx, user, Routine.TELEVENDAS, order_id, entity, STATUS_LABELS["cancelado"])
    work.audit("televendas.cancelado", subject_type="atendimento_tlv",
        subject_id=order_id, detail=detail,
    )  # fmt: skip
    return _load(tx, order_id)
