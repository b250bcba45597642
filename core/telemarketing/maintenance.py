"""The Telemarketing maintenance list, its CSV export and an entity's recent history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from core import audit, privacy
from core.access import Action, User, require, visible_rows_sql
from core.db import Database, Tx
from core.exports import csv_bytes
from core.listing import (
    PAGE_SIZE,
    ListPage,
    list_filter,
    read_page,
    subjects_of,
)
from core.telemarketing.service import DIRECTIONS, STATUS_LABELS
from core.validation import format_document


@dataclass
class AttendanceFilter:
    status: str | None = None
    start: date | None = None
    end: date | None = None
    operator_id: int | None = None
    group_id: int | None = None
    campaign_id: int | None = None
    entity_text: str = ""


AttendancePage = ListPage  # one page of the list and its total


_LIST_SQL = (
    "SELECT a.id, a.entity_id, a.status, a.started_at, e.name AS entity_name, e.document,"
    " c.name AS contact_name, o.code AS operator_code, g.name AS group_name, a.direction,"
    " camp.description AS campaign, a.return_at, a.closed_at"
    " FROM tmk_attendances a"
    " JOIN entities e ON e.id = a.entity_id"
    " JOIN operators o ON o.id = a.operator_id"
    " JOIN attendance_groups g ON g.id = a.group_id"
    " LEFT JOIN contacts c ON c.id = a.contact_id"
    " LEFT JOIN catalogue_items camp ON camp.id = a.campaign_id"
)


_NEWEST_FIRST = " ORDER BY a.started_at DESC, a.id DESC"
_PAGE_ROWS = "FROM page JOIN tmk_attendances a ON a.id = page.id"


def _filter_sql(user: User, filters: AttendanceFilter) -> tuple[str, list[Any]]:
    return list_filter(
        user, "a", status=filters.status, statuses=STATUS_LABELS,
        period=("started_at", filters.start, filters.end),
        equal={"operator_id": filters.operator_id, "group_id": filters.group_id,
               "campaign_id": filters.campaign_id},
        entity_text=filters.entity_text,
    )  # fmt: skip


def list_attendances(
    db: Database,
    user: User,
    filters: AttendanceFilter | None = None,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> AttendancePage:
    """The maintenance list: newest first, one page, the total for the pager."""
    require(db, user, Action.ATTEND_TELEMARKETING, "manutenção de Telemarketing")
    where, params = _filter_sql(user, filters or AttendanceFilter())
    page = max(1, page)

    def work(tx: Tx) -> AttendancePage:
        # The count joins entities only when the filter needs them: it runs on every page.
        joined = (
            " JOIN entities e ON e.id = a.entity_id"
            if filters and filters.entity_text.strip()
            else ""
        )
        return read_page(
            tx, user, count_sql="SELECT count(*) FROM tmk_attendances a" + joined + where,
            ids_sql="SELECT a.id FROM tmk_attendances a" + joined + where + _NEWEST_FIRST,
            rows_sql=_LIST_SQL.replace("FROM tmk_attendances a", _PAGE_ROWS) + _NEWEST_FIRST,
            params=params, page=page, page_size=page_size, display=_display,
            screen="telemarketing.lista", subject_type="atendimento_tmk",
        )  # fmt: skip

    return db.read(work)


def _display(frame: pl.DataFrame, hidden: set[str]) -> pl.DataFrame:
    frame = privacy.mask_frame(frame, hidden)
    return frame.with_columns(
        pl.col("document").map_elements(format_document, return_dtype=pl.String).fill_null(""),
        pl.col("status")
        .replace_strict(STATUS_LABELS, return_dtype=pl.String)
        .alias("status_label"),
        pl.col("direction").replace_strict(DIRECTIONS, return_dtype=pl.String),
    )


# Column labels of the maintenance list, shared by the screen and the CSV export.
COLUMN_LABELS = {
    "id": "Atendimento",
    "status_label": "Status",
    "started_at": "Início",
    "entity_name": "Entidade",
    "document": "CPF/CNPJ",
    "contact_name": "Contato",
    "operator_code": "Operador",
    "group_name": "Grupo",
    "direction": "Direção",
    "campaign": "Campanha",
    "return_at": "Retorno",
    "closed_at": "Encerrado em",
}


def export_attendances_csv(
    db: Database, user: User, filters: AttendanceFilter | None = None
) -> bytes:
    """Everything the filters select, masked like the screen, dates in São Paulo time."""
    require(db, user, Action.ATTEND_TELEMARKETING, "exportar Telemarketing")
    where, params = _filter_sql(user, filters or AttendanceFilter())

    def work(tx: Tx) -> bytes:
        frame = _display(
            tx.frame(_LIST_SQL + where + " ORDER BY a.started_at DESC", params),
            privacy.hidden_columns(tx, user, "entities"),
        )
        audit.record(
            tx, user, "dados.exportados", subject_type="atendimento_tmk",
            detail={"registros": frame.height},
            subjects=subjects_of(frame, "entity_id", user),
        )  # fmt: skip
        return csv_bytes(frame, COLUMN_LABELS)

    return db.write(work)


def entity_history(db: Database, user: User, entity_id: int, limit: int = 5) -> pl.DataFrame:
    """The entity's last attendances (for the workspace's entity card)."""
    require(db, user, Action.ATTEND_TELEMARKETING, f"histórico da entidade {entity_id}")
    clause, params = visible_rows_sql(user, "a")
    return db.read(
        lambda tx: _display(
            tx.frame(
                _LIST_SQL + f" WHERE a.entity_id = ? AND {clause}"
                " ORDER BY a.started_at DESC LIMIT ?",
                [entity_id, *params, limit],
            ),
            privacy.hidden_columns(tx, user, "entities"),
        )
    )
