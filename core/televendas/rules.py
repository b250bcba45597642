"""Pure Televendas rules: money rounding, item and header totals, discounts, installments.

Money is Decimal rounded half-up to cents at each stored value (item total, header discount,
each title), so what the screen shows, what is stored and what the titles add up to agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from core.errors import Invalid
from core.money import parse_decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def money(value: Decimal | int | str) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def decimal(
    value: Decimal | int | float | str | None,
    field: str = "Valor",
    *,
    places: int = 2,
    max_digits: int = 14,
    default: str | None = "0",
) -> Decimal:
    """A number typed by a person, read the pt-BR way by core.money (blank: `default`)."""
    return parse_decimal(
        value, field, places=places, max_digits=max_digits,
        default=None if default is None else Decimal(default),
    )  # fmt: skip


def item_total(quantity: Decimal, unit_price: Decimal, discount_pct: Decimal) -> Decimal:
    """round(quantity × unit price × (1 − discount)) to cents."""
    return money(quantity * unit_price * (1 - discount_pct / HUNDRED))


def effective_discount_pct(
    list_price: Decimal, unit_price: Decimal, discount_pct: Decimal
) -> Decimal:
    """The discount the customer really gets against the price table, in percent.

    A unit price typed below the list price is a discount too: counting it stops the group's
    limit from being bypassed by lowering the price instead of filling the discount field.
    """
    if list_price <= 0:
        return Decimal(0)
    net = unit_price * (1 - discount_pct / HUNDRED)
    return max(Decimal(0), (1 - net / list_price) * HUNDRED)


@dataclass(frozen=True)
class Totals:
    products: Decimal  # sum of the item totals (item discounts already applied)
    discount: Decimal  # the header discount, on the products subtotal
    freight: Decimal
    total: Decimal


def order_totals(item_totals: Iterable[Decimal], discount_pct: Decimal, freight: Decimal) -> Totals:
    products = sum((money(value) for value in item_totals), Decimal("0.00"))
    discount = money(products * discount_pct / HUNDRED)
    freight = money(freight)
    return Totals(products, discount, freight, products - discount + freight)


def parse_installments(text: str) -> list[int]:
    """'30,60,90' (or '30/60/90') -> [30, 60, 90]; '0' is à vista. Days must not go back."""
    parts = [part.strip() for part in text.replace("/", ",").split(",") if part.strip()]
    try:
        days = [int(part) for part in parts]
    except ValueError:
        raise Invalid("Parcelas: informe os dias separados por vírgula, ex. 30,60,90.") from None
    if not days or any(day < 0 for day in days) or days != sorted(days):
        raise Invalid("Parcelas: informe dias em ordem crescente, ex. 0 ou 30,60,90.")
    return days


@dataclass(frozen=True)
class Installment:
    number: int  # 1-based
    due_date: date
    amount: Decimal


def installments(total: Decimal, days: list[int], issue_date: date) -> list[Installment]:
    """One title per installment, due issue date + days; the cents left go to the last one.

    The amounts always add up exactly to `total` (e.g. 100,00 in three: 33,33 + 33,33 + 33,34).
    """
    count = len(days)
    share = (money(total) / count).quantize(CENT, rounding=ROUND_DOWN)
    amounts = [share] * (count - 1) + [money(total) - share * (count - 1)]
    return [
        Installment(number, issue_date + timedelta(days=day), amount)
        for number, (day, amount) in enumerate(zip(days, amounts, strict=True), start=1)
    ]


def quantity_text(value: Decimal) -> str:
    """3 or 2,5 (no trailing zeros), for messages."""
    return f"{value.normalize():f}".replace(".", ",")
