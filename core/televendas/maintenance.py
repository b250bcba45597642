"""The Televendas maintenance list (quotes, orders to invoice, invoiced, calls, cancelled) and
its CSV export, declared as a `ListSpec` that core/listing.py runs."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from core import listing
from core.access import Action
from core.listing import ListFilter, ListSpec
from core.televendas.service import OPERATIONS, STATUS_COLOURS, STATUS_LABELS


@dataclass
class OrderFilter(ListFilter):
    operator_id: int | None = None
    group_id: int | None = None


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

LIST = ListSpec(
    table="tlv_orders",
    statuses=STATUS_LABELS,
    date_column="created_at",
    equal=("operator_id", "group_id"),
    rows_sql="""
        SELECT a.id, a.entity_id, a.status, a.operation, a.created_at, e.name AS entity_name,
            e.document, o.code AS operator_code, g.name AS group_name, a.total,
            a.quote_valid_until, a.next_call_at, a.invoice_number, a.invoice_series,
            a.invoice_date
        FROM {ids} ids
        JOIN tlv_orders a ON a.id = ids.id
        JOIN entities e ON e.id = a.entity_id
        JOIN operators o ON o.id = a.operator_id
        JOIN attendance_groups g ON g.id = a.group_id
        ORDER BY a.created_at DESC, a.id DESC
        """,
    labels=COLUMN_LABELS,
    screen="televendas.lista",
    subject_type="atendimento_tlv",
    display=(
        pl.col("status").replace_strict(STATUS_COLOURS, return_dtype=pl.String).alias("colour"),
        pl.col("operation")
        .replace_strict(OPERATIONS, return_dtype=pl.String)
        .alias("operation_label"),
    ),
)


NOTHING_FOUND = "Nenhum atendimento de Televendas encontrado com esses filtros."
MAINTENANCE = listing.maintenance_services(
    LIST, OrderFilter, Action.ATTEND_TELEVENDAS, "Televendas", "televendas", NOTHING_FOUND
)
list_orders, export_orders = MAINTENANCE.list, MAINTENANCE.export
