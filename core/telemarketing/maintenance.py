"""The Telemarketing maintenance list (filters, pages, CSV export) and an entity's recent
attendances, declared as a `ListSpec` that core/listing.py runs."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from core import listing
from core.access import Action
from core.listing import ListFilter, ListSpec
from core.service import Work, query
from core.telemarketing.service import DIRECTIONS, STATUS_LABELS


@dataclass
class AttendanceFilter(ListFilter):
    operator_id: int | None = None
    group_id: int | None = None
    campaign_id: int | None = None


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

LIST = ListSpec(
    table="tmk_attendances",
    statuses=STATUS_LABELS,
    date_column="started_at",
    equal=("operator_id", "group_id", "campaign_id"),
    rows_sql="""
        SELECT a.id, a.entity_id, a.status, a.started_at, e.name AS entity_name, e.document,
            c.name AS contact_name, o.code AS operator_code, g.name AS group_name, a.direction,
            camp.description AS campaign, a.return_at, a.closed_at
        FROM {ids} ids
        JOIN tmk_attendances a ON a.id = ids.id
        JOIN entities e ON e.id = a.entity_id
        JOIN operators o ON o.id = a.operator_id
        JOIN attendance_groups g ON g.id = a.group_id
        LEFT JOIN contacts c ON c.id = a.contact_id
        LEFT JOIN catalogue_items camp ON camp.id = a.campaign_id
        ORDER BY a.started_at DESC, a.id DESC
        """,
    labels=COLUMN_LABELS,
    screen="telemarketing.lista",
    subject_type="atendimento_tmk",
    display=(pl.col("direction").replace_strict(DIRECTIONS, return_dtype=pl.String),),
)


MAINTENANCE = listing.maintenance_services(
    LIST, AttendanceFilter, Action.ATTEND_TELEMARKETING, "Telemarketing", "telemarketing"
)
list_attendances, export_attendances = MAINTENANCE.list, MAINTENANCE.export


@query(
    Action.ATTEND_TELEMARKETING,
    lambda entity_id, *_, **__: f"histórico da entidade {entity_id}",
)
def entity_history(work: Work, entity_id: int, limit: int = 5) -> pl.DataFrame:
    """The entity's last attendances (for the workspace's entity card)."""
    return listing.entity_rows(work, LIST, entity_id, limit)
