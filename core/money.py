"""The one reader of numbers a person types: money and quantities the Brazilian way.

In Brazil the dot groups thousands and the comma separates the decimals, so `1.500` is one
thousand five hundred and `1.500,5` is 1500.50. Whatever could be read two ways (`1,234.56`,
`1.50`) or is not a number at all (`NaN`, `inf`, `1.50.0`) is refused with a pt-BR message that
names the field, so nothing wrong is ever stored silently.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, TypedDict

from core.errors import Invalid
from core.validation import Problems

# 1.500 · 1.500,00 · 12.345.678,9 (dots only between groups of three digits)
_GROUPED = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")
# 1500 · 1500,5 · 0,75
_PLAIN = re.compile(r"\d+(?:,\d+)?")
_CURRENCY = re.compile(r"^r\$", re.IGNORECASE)
FORMAT_HINT = "Use o formato 1.234,56"


# A percentage column, DECIMAL(5, 2): 0 to 100,00 with the range checked by the caller.
class Shape(TypedDict):
    """A DECIMAL column's shape, as parse_decimal takes it."""

    places: int
    max_digits: int


PERCENT: Shape = {"places": 2, "max_digits": 5}


def parse_decimal(
    value: str | Decimal | int | float | None,
    field: str,
    *,
    places: int = 2,
    max_digits: int = 14,
    allow_negative: bool = False,
    default: Decimal | None = None,
    key: str | None = None,
) -> Decimal:
    """`value` as a Decimal with `places` decimals fitting DECIMAL(max_digits, places).

    Text is read the pt-BR way and refused when malformed, ambiguous, with more decimals than
    `places` or more digits than the column holds. Numbers that come from widgets or code
    (Decimal, int, float) are rounded half-up to `places`. Empty input gives `default`, or is
    refused when there is none.
    """

    def refuse(reason: str) -> Invalid:
        return Invalid(f"{field}: {reason}.", {key or field: reason})

    if value is None or (isinstance(value, str) and not value.strip()):
        if default is None:
            raise refuse("informe um valor")
        return default
    if isinstance(value, bool):
        raise refuse("valor inválido")
    if isinstance(value, str):
        number = _read_text(value, places, refuse)
    else:
        try:
            number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
        except (InvalidOperation, ValueError):
            raise refuse("valor inválido") from None
        if not number.is_finite():
            raise refuse(f"“{value}” não é um número. {FORMAT_HINT}")
    if number < 0 and not allow_negative:
        raise refuse("não pode ser negativo")
    integer_digits = len(str(abs(int(number)))) if abs(number) >= 1 else 0
    if integer_digits > max_digits - places:
        raise refuse(f"valor acima do limite ({max_digits - places} dígitos antes da vírgula)")
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def parse_money(
    value: str | Decimal | int | float | None,
    field: str = "Valor",
    *,
    allow_negative: bool = False,
    default: Decimal | None = None,
    key: str | None = None,
) -> Decimal:
    """Money as the column DECIMAL(14,2) holds it: `R$ 1.500,00` -> Decimal('1500.00')."""
    return parse_decimal(
        value, field, places=2, max_digits=14, allow_negative=allow_negative,
        default=default, key=key,
    )  # fmt: skip


def _read_text(text: str, places: int, refuse: Callable[[str], Invalid]) -> Decimal:
    shown = text.strip()
    clean = _CURRENCY.sub("", shown.replace("\u00a0", " ").strip()).replace(" ", "")
    negative = clean.startswith("-")
    if negative or clean.startswith("+"):
        clean = clean[1:]
    if not (_GROUPED.fullmatch(clean) or _PLAIN.fullmatch(clean)):
        if re.fullmatch(r"\d+\.\d{1,2}", clean):
            raise refuse(f"“{shown}” é ambíguo: use vírgula para os centavos, ex. 1.234,56")
        raise refuse(f"“{shown}” não é um valor válido. {FORMAT_HINT}")
    integer, _, decimals = clean.replace(".", "").partition(",")
    if len(decimals) > places:
        raise refuse(f"“{shown}” tem mais de {places} casas decimais")
    number = Decimal(f"{integer}.{decimals or '0'}")
    return -number if negative else number


def parse_into(
    problems: Problems,
    key: str,
    value: str | Decimal | int | float | None,
    field: str,
    **options: Any,
) -> Decimal | None:
    """`parse_decimal`, but a refusal joins the form's other complaints (under `key`) and gives
    None, so a form shows every bad field at once."""
    try:
        return parse_decimal(value, field, key=key, **options)
    except Invalid as error:
        problems.add(key, error.message.rstrip("."))
        return None


def typed_text(value: Decimal | int | float, places: int = 2, *, trim: bool = False) -> str:
    """What a person would type for `value`, and what `parse_decimal` reads back to it:
    Decimal('1234.5') -> '1.234,50' ('1.234,5' with trim, '1.234' for a whole number)."""
    number = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{number:,.{places}f}".replace(",", "_").replace(".", ",").replace("_", ".")
    if trim and "," in text:
        text = text.rstrip("0").rstrip(",")
    return text


def brl(value: Decimal) -> str:
    """R$ 1.234,56, for messages."""
    cents = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = f"{cents:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return f"R$ {text}"
