"""pt-BR display formats: money in BRL, dates dd/mm/aaaa in America/Sao_Paulo."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from babel.numbers import format_currency

from core.localtime import LOCAL_TZ

# Every character Markdown (and Streamlit's extensions: $ for LaTeX, :color[...] needs its
# bracket) gives a meaning to; a backslash before any of them shows the character itself.
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$=&])")
_LINE_BREAKS = re.compile(r"\r\n?|\n")


def plain(text: object) -> str:
    """Text a person typed (a name, a note, a reason), shown as typed inside Markdown (st.markdown,
    st.caption, alerts, labels): `![x](http://host/p.png)` stays those characters and never
    becomes an image the browser fetches; a masked `*****` stays five asterisks. Line breaks
    stay line breaks."""
    escaped = _MARKDOWN_SPECIALS.sub(r"\\\1", str(text))
    return _LINE_BREAKS.sub("  \n", escaped)


literal = plain  # the earlier name, still used by a few screens

_LINK_MARKUP = re.compile(r"([\[\]<>`])")


def without_links(text: str) -> str:
    """A system sentence quoting typed values (a code, a product name: the core's error
    messages): its punctuation stays as written, but no image, link, tag or code span forms."""
    return _LINK_MARKUP.sub(r"\\\1", text)


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


DATE_FORMAT = "DD/MM/YYYY"


DATETIME_FORMAT = "DD/MM/YYYY HH:mm"
