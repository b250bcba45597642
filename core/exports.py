"""The one CSV writer every export goes through (lists, entities, audit log, reports).

Text a user typed (a name, a note, a username tried at the login form) can start with `=`,
`+`, `-` or `@`; a spreadsheet opening the file would run it as a formula. Text cells that
start like that (or with a tab or CR, which Excel skips before reading one) get a leading
apostrophe, as OWASP recommends; numbers, money and dates are written as values and stay
numbers in the sheet (-5 is still -5).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import polars as pl

from core.localtime import LOCAL_TZ

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MINUTES = "%d/%m/%Y %H:%M"


def neutralise(text: str) -> str:
    """A text cell a spreadsheet will show as text: OWASP's leading apostrophe when it could
    be read as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_bytes(
    frame: pl.DataFrame, labels: Mapping[str, str] | None = None, *, time_format: str = MINUTES
) -> bytes:
    """`frame` as the app's CSV: `labels` (column -> pt-BR header, in order; None: every column
    under its own name), semicolons and a BOM (Excel pt-BR opens it right), São Paulo times,
    dd/mm/aaaa dates, decimal commas, Sim/Não, and every text cell neutralised."""
    labels = labels if labels is not None else {name: name for name in frame.columns}
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([neutralise(label) for label in labels.values()])
    for row in frame.select(list(labels)).iter_rows():
        writer.writerow([_cell(value, time_format) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _cell(value: Any, time_format: str) -> Any:
    # Only values that arrive as text are neutralised: a negative number or money is written
    # by the formatting below and must stay a number.
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, bool):
        return "Sim" if value else "Não"
    if isinstance(value, datetime):
        return value.astimezone(LOCAL_TZ).strftime(time_format)
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) or (
        isinstance(value, Decimal) and value.as_tuple().exponent < 0  # type: ignore[operator]
    ):
        return f"{value:.2f}".replace(".", ",")  # money keeps its cents, even when round
    return "" if value is None else value
