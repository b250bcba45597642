"""pt-BR display formats: money in BRL, dates dd/mm/aaaa in America/Sao_Paulo."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.numbers import format_currency

LOCAL_TZ = ZoneInfo("America/Sao_Paulo")


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>])")


def literal(text: str) -> str:
    """Text shown as is inside st.markdown: a masked `*****` must not become a rule, nor
    `***.***.***-27` emphasis."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)


def money(value: Decimal | float | int | None) -> str:
    if value is None:
        return ""
    return format_currency(value, "BRL", locale="pt_BR")


def local_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M")


def local_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(LOCAL_TZ).date()
    return value.strftime("%d/%m/%Y")


def yes_no(value: bool | None) -> str:
    return "Sim" if value else "Não"
