"""The Televendas maintenance list (quotes, orders to invoice, invoiced, calls, cancelled) and
its CSV export, masked like the screen for users without access 192."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from core import audit, privacy
from core.access import Action, User, require
from core.db import Database, Tx
from core.exports import csv_bytes
from core.listing import (
    ListPage,
    list_filter,
    read_page,
    subjects_of,
)
from core.televendas.service import OPERATIONS, STATUS_COLOURS, STATUS_LABELS
from core.validation import format_document

PAGE_SIZE = 50


@dataclass
class OrderFilter:
    status: str | None = None
    start: date | None = None
    end: date | None = None
    operator_id: int | None = None
    group_id: int | None = None
    entity_text: str = ""


OrderPage = ListPage  # one page of the list and its total


_LIST_SQL = (
    "SELECT o.id, o.entity_id, o.status, o.operation, o.created_at, e.name AS entity_name,"
    " e.document,"
    " op.code AS operator_code, g.name AS group_name, o.total, o.quote_valid_until,"
    " o.next_call_at, o.invoice_number, o.invoice_series, o.invoice_date"
    " FROM tlv_orders o"
    " JOIN entities e ON e.id = o.entity_id"
    " JOIN operators op ON op.id = o.operator_id"
    " JOIN attendance_groups g ON g.id = o.group_id"
)


def _filter_sql(user: User, filters: OrderFilter) -> tuple[str, list[Any]]:
    return list_filter(
        user, "o", status=filters.status, statuses=STATUS_LABELS,
        period=("created_at", filters.start, filters.end),
        equal={"operator_id": filters.operator_id, "group_id": filters.group_id},
        entity_text=filters.entity_text,
    )  # fmt: skip


def list_orders(
    db: Database,
    user: User,
    filters: OrderFilter | None = None,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> OrderPage:
    """The maintenance list: newest first, one page, the total for the pager."""
    require(db, user, Action.ATTEND_TELEVENDAS, "manutenção de Televendas")
    filters = filters or OrderFilter()
    where, params = _filter_sql(user, filters)
    page = max(1, page)

    def work(tx: Tx) -> OrderPage:
        joined = " JOIN entities e ON e.id = o.entity_id" if filters.entity_text.strip() else ""
        newest_first = " ORDER BY o.created_at DESC, o.id DESC"
        return read_page(
            tx, user, count_sql="SELECT count(*) FROM tlv_orders o" + joined + where,
            ids_sql="SELECT o.id FROM tlv_orders o" + joined + where + newest_first,
            rows_sql=_LIST_SQL.replace(
                "FROM tlv_orders o", "FROM page JOIN tlv_orders o ON o.id = page.id"
            ) + newest_first,
            params=params, page=page, page_size=page_size, display=_display,
            screen="televendas.lista", subject_type="atendimento_tlv",
        )  # fmt: skip

    return db.read(work)


def _display(frame: pl.DataFrame, hidden: set[str]) -> pl.DataFrame:
    frame = privacy.mask_frame(frame, hidden)
    return frame.with_columns(
        pl.col("document").map_elements(format_document, return_dtype=pl.String).fill_null(""),
        pl.col("status")
        .replace_strict(STATUS_LABELS, return_dtype=pl.String)
        .alias("status_label"),
        pl.col("status").replace_strict(STATUS_COLOURS, return_dtype=pl.String).alias("colour"),
        pl.col("operation")
        .replace_strict(OPERATIONS, return_dtype=pl.String)
        .alias("operation_label"),
    )


# Column labels of the maintenance list, shared by the screen and the CSV export.
COLUMN_LABELS = {
    "id": "Atendimento",
    "status_label": "Status",
    "operation_label": "Operação",
    "created_at": "Data",
    "entity_name": "Entidade",
    "document": "CPF/CNPJ",
    "operator_code": "Operador",
    "group_name": "Grupo",
    "total": "Total (R$)",
    "quote_valid_until": "Validade",
    "next_call_at": "Próxima ligação",
    "invoice_number": "Nota fiscal",
    "invoice_date": "Emissão",
}


def export_orders_csv(db: Database, user: User, filters: OrderFilter | None = None) -> bytes:
    """Everything the filters select, masked like the screen; dates in São Paulo, R$ money."""
    require(db, user, Action.ATTEND_TELEVENDAS, "exportar Televendas")
    where, params = _filter_sql(user, filters or OrderFilter())

    def work(tx: Tx) -> bytes:
        frame = _display(
            tx.frame(_LIST_SQL + where + " ORDER BY o.created_at DESC", params),
            privacy.hidden_columns(tx, user, "entities"),
        )
        audit.record(
            tx, user, "dados.exportados", subject_type="atendimento_tlv",
            detail={"registros": frame.height},
            subjects=subjects_of(frame, "entity_id", user),
        )  # fmt: skip
        return csv_bytes(frame, COLUMN_LABELS)

    return db.write(work)
