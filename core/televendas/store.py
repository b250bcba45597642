"""Televendas SQL that moves goods and money: order items, stock out and back, and the
receivable titles of an invoice. Called inside the services' transactions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from core.db import Tx
from core.errors import Invalid
from core.televendas import rules

TITLE_PREFIX = "TLV"


def item_rows(tx: Tx, order_id: int) -> list[dict[str, Any]]:
    return tx.all(
        "SELECT product_id, quantity, unit_price, discount_pct, total FROM tlv_items"
        " WHERE order_id = ? ORDER BY line",
        [order_id],
    )


def take_stock(tx: Tx, order_id: int) -> None:
    needed = tx.all(
        "SELECT i.product_id, p.code, p.description, p.unit, p.stock,"
        " sum(i.quantity) AS quantity FROM tlv_items i JOIN products p ON p.id = i.product_id"
        " WHERE i.order_id = ?"
        " GROUP BY i.product_id, p.code, p.description, p.unit, p.stock ORDER BY p.code",
        [order_id],
    )
    short = [row for row in needed if row["stock"] < row["quantity"]]
    if short:
        names = "; ".join(
            f"{row['code']} – {row['description']}: disponível"
            f" {rules.quantity_text(row['stock'])} {row['unit']},"
            f" pedido {rules.quantity_text(row['quantity'])} {row['unit']}"
            for row in short
        )
        raise Invalid(f"Estoque insuficiente para faturar. {names}.")
    for row in needed:
        tx.execute(
            "UPDATE products SET stock = stock - ?, version = version + 1 WHERE id = ?",
            [row["quantity"], row["product_id"]],
        )


def return_stock(tx: Tx, items: list[dict[str, Any]]) -> None:
    for item in items:
        tx.execute(
            "UPDATE products SET stock = stock + ?, version = version + 1 WHERE id = ?",
            [item["quantity"], item["product_id"]],
        )


def issue_titles(tx: Tx, order_id: int) -> int:
    """One receivable per installment of the order's payment condition; returns how many.

    Reads the order as just written (total, condition, invoice number and date).
    """
    order = tx.one("SELECT * FROM tlv_orders WHERE id = ?", [order_id])
    assert order is not None
    total = Decimal(order["total"])
    if total <= 0:
        return 0
    text = tx.scalar(
        "SELECT installments FROM payment_conditions WHERE id = ?",
        [order["payment_condition_id"]],
    )
    if text is None:
        raise Invalid("Escolha a condição de pagamento antes de faturar.")
    parts = rules.installments(total, rules.parse_installments(text), order["invoice_date"])
    # A title's key is unique forever: titles re-issued after an MV_ALTPED change continue
    # the invoice's installment numbers after the cancelled ones instead of reusing them.
    issued = tx.scalar(
        "SELECT coalesce(max(installment), 0) FROM receivables"
        " WHERE prefix = ? AND number = ? AND type = 'NF'",
        [TITLE_PREFIX, order["invoice_number"]],
    )
    for part in parts:
        tx.execute(
            "INSERT INTO receivables (prefix, number, installment, type, entity_id, order_id,"
            " issue_date, due_date, amount, balance, status, created_at, updated_at)"
            " VALUES (?, ?, ?, 'NF', ?, ?, ?, ?, ?, ?, 'aberto', ?, ?)",
            [
                TITLE_PREFIX, order["invoice_number"], issued + part.number, order["entity_id"],
                order["id"], order["invoice_date"], part.due_date, part.amount, part.amount,
                tx.now, tx.now,
            ],
        )  # fmt: skip
    return len(parts)


def refuse_if_paid(tx: Tx, order_id: int, doing: str) -> None:
    paid = tx.all(
        "SELECT prefix, number, installment FROM receivables WHERE order_id = ?"
        " AND status <> 'cancelado' AND (status = 'pago' OR balance < amount) ORDER BY installment",
        [order_id],
    )
    if paid:
        names = ", ".join(f"{t['prefix']} {t['number']}/{t['installment']}" for t in paid)
        raise Invalid(
            f"Não é possível {doing}: há títulos com pagamento registrado ({names})."
            " Estorne as baixas no financeiro antes."
        )


def cancel_titles(tx: Tx, order_id: int) -> int:
    rows = tx.all(
        "UPDATE receivables SET status = 'cancelado', balance = 0, updated_at = ?,"
        " version = version + 1 WHERE order_id = ? AND status = 'aberto' RETURNING id",
        [tx.now, order_id],
    )
    return len(rows)
