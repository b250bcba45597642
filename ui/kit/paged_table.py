"""One page of a long list: the table, the pager with the total and the CSV export.

The routines' maintenance lists, the debtors and the audit log all page the same way, drawn
here so they behave alike: new filters start again at page 1, a list that shrank since the
last run shows its first page, and an empty result says so instead of an empty table.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl
import streamlit as st

from core.access import User
from core.db import Database
from core.listing import ListPage, ListServices
from ui.kit.feedback import attempt
from ui.kit.forms import selected_index, signature
from ui.kit.legend import StatusLegend

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Export:
    data: Callable[[str], bytes]  # data("csv" | "xlsx"), run only when the button is pressed
    file_name: str  # without the extension


def export_buttons(export: Export, key: str) -> None:
    """ "Exportar CSV" (key) and "XLSX" (key_xlsx), the same rows masked the same way."""
    csv_cell, xlsx_cell = st.columns(2, gap="small")
    csv_cell.download_button(
        "Exportar CSV",
        data=lambda: export.data("csv"),
        file_name=f"{export.file_name}.csv",
        mime="text/csv",
        key=key,
        icon=":material/download:",
        on_click="ignore",
    )
    xlsx_cell.download_button(
        "XLSX",
        data=lambda: export.data("xlsx"),
        file_name=f"{export.file_name}.xlsx",
        mime=XLSX,
        key=f"{key}_xlsx",
        icon=":material/table_view:",
        on_click="ignore",
        help="Planilha do Excel com os mesmos dados e máscaras do CSV.",
    )


@dataclass(frozen=True)
class ListView:
    """A list on screen: the core's services and words, the table's columns and display.
    `maintenance_list` draws every one the same way."""

    prefix: str  # of the widget keys
    services: ListServices
    column_order: Sequence[str]
    column_config: dict[str, Any]
    display: Callable[[pl.DataFrame], pl.DataFrame]
    legend: StatusLegend | None = None  # drawn under a selectable list
    selectable: bool = True


def maintenance_list(
    view: ListView, db: Database, user: User, filters: object
) -> dict[str, Any] | None:
    """Draw the page of the list these filters select; the selected row, or None."""
    services = view.services
    shown = paged_table(
        view.prefix,
        signature(filters),
        lambda page: attempt(lambda: services.list(db, user, filters, page)),
        display=view.display,
        column_order=view.column_order,
        column_config=view.column_config,
        noun=services.noun,
        empty=services.empty,
        export=Export(lambda fmt: services.export(db, user, filters, fmt), services.file_name),
        selectable=view.selectable,
    )
    if shown is None:
        return None
    result, index = shown
    if view.legend is not None:
        hint = " · Selecione uma linha para ver o atendimento."
        st.caption(view.legend.caption + hint, unsafe_allow_html=True)  # our labels, brown's span
    return None if index is None else result.rows.row(index, named=True)


def paged_table(
    prefix: str,
    view: str,
    fetch: Callable[[int], ListPage | None],
    *,
    display: Callable[[pl.DataFrame], pl.DataFrame],
    column_order: Sequence[str],
    column_config: dict[str, Any],
    noun: str,
    empty: str,
    export: Export | None = None,
    selectable: bool = True,
) -> tuple[ListPage, int | None] | None:
    """Draw the page the user is on: the page and the selected row's index (None when no row
    is selected), or None when there is nothing to show (a refusal already shown, or no rows).

    `view` is the filters' signature (ui.kit.forms.signature): the pager's key includes it.
    Keys: `{prefix}_page_{view}`, `{prefix}_table_{view}_{page}`, `{prefix}_export`.
    """
    page_key = f"{prefix}_page_{view}"
    result = fetch(int(st.session_state.get(page_key, 1)))
    if result is not None and result.page > result.pages:  # the list shrank meanwhile
        st.session_state.pop(page_key, None)
        result = fetch(1)
    if result is None:
        return None
    if result.total == 0:
        st.info(empty, icon="🔎")
        return None
    selection: dict[str, Any] = (
        {"on_select": "rerun", "selection_mode": "single-row"} if selectable else {}
    )
    table = st.dataframe(
        display(result.rows),
        key=f"{prefix}_table_{view}_{result.page}",
        hide_index=True,
        column_order=column_order,
        column_config=column_config,
        placeholder="",
        **selection,
    )
    pager, counter, download = st.columns([3, 2.5, 2.5], vertical_alignment="center")
    with pager:
        if result.pages > 1:
            st.pagination(result.pages, key=page_key)
    counter.caption(f"{result.total} {noun} · página {result.page} de {result.pages}")
    if export is not None:
        with download:
            export_buttons(export, f"{prefix}_export")
    return result, selected_index(table) if selectable else None
