"""The one CSV writer and the one XLSX writer every export goes through (lists, entities, audit
log, reports).

Text a user typed (a name, a note, a username tried at the login form) can start with `=`,
`+`, `-` or `@`; a spreadsheet opening the file would run it as a formula. Text cells that
start like that (or with a tab or CR, which Excel skips before reading one) get a leading
apostrophe, as OWASP recommends; numbers, money and dates are written as values and stay
numbers in the sheet (-5 is still -5). In XLSX every text is written as a string cell (never
read as a formula) and values keep their type: numbers, money with two decimals, dates and
São Paulo times in the formats a pt-BR Excel shows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import polars as pl
import xlsxwriter

from core.errors import Invalid
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


def export_bytes(
    frame: pl.DataFrame,
    labels: Mapping[str, str],
    fmt: str,
    *,
    sheet: str = "dados",
    time_format: str = MINUTES,
) -> bytes:
    """CSV or XLSX (`fmt`), the same columns and the same neutralised text either way."""
    if fmt == "csv":
        return csv_bytes(frame, labels, time_format=time_format)
    if fmt == "xlsx":
        return xlsx_bytes(frame, labels, sheet)
    raise Invalid("Formato de exportação inválido.")


def xlsx_bytes(frame: pl.DataFrame, labels: Mapping[str, str], sheet: str = "dados") -> bytes:
    """`frame` as one worksheet: the pt-BR headers, text as strings, typed values formatted."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "remove_timezone": True})
    page = book.add_worksheet(sheet[:31])
    formats = {
        "header": book.add_format({"bold": True}),
        "money": book.add_format({"num_format": "#,##0.00"}),
        "date": book.add_format({"num_format": "dd/mm/yyyy"}),
        "time": book.add_format({"num_format": "dd/mm/yyyy hh:mm"}),
    }
    for column, label in enumerate(labels.values()):
        page.write_string(0, column, label, formats["header"])
        page.set_column(column, column, max(12, min(40, len(label) + 2)))
    for row, values in enumerate(frame.select(list(labels)).iter_rows(), start=1):
        for column, value in enumerate(values):
            _write(page, row, column, value, formats)
    book.close()
    return buffer.getvalue()


def _write(page: Any, row: int, column: int, value: Any, formats: dict[str, Any]) -> None:
    if value is None:
        return
    if isinstance(value, str):
        page.write_string(row, column, value)
    elif isinstance(value, bool):
        page.write_string(row, column, "Sim" if value else "Não")
    elif isinstance(value, datetime):
        local = value.astimezone(LOCAL_TZ).replace(tzinfo=None) if value.tzinfo else value
        page.write_datetime(row, column, local, formats["time"])
    elif isinstance(value, date):
        page.write_datetime(
            row, column, datetime.combine(value, datetime.min.time()), formats["date"]
        )
    elif isinstance(value, Decimal | float):
        page.write_number(row, column, float(value), formats["money"])
    elif isinstance(value, int):
        page.write_number(row, column, value)
    else:
        page.write_string(row, column, str(value))
