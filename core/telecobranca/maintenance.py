"""The Telecobrança maintenance screen: collection attendances by status (filters, pages of 50,
masked CSV export) and the collector's balance for a period.

Collector's balance, per collector and period, all in R$ of principal:
    opening + sent − (recovered + not done + cancelled) = closing
sent: overdue balance handed over when an attendance began; recovered: principal paid;
cancelled: principal removed by rebate, write-off or renegotiation; not done: what was left of
an attendance's portfolio when it ended. Opening is the same sum over everything before the
period, so each period's closing is the next one's opening.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from core import listing
from core.access import Action, User, sees_every_row
from core.errors import Invalid
from core.listing import ListFilter, ListSpec, local_midnight
from core.service import Work, command, query
from core.telecobranca.attendance import ORIGIN_LABELS, STATUS_LABELS, sweep_broken_promises


@dataclass
class AttendanceFilter(ListFilter):
    range_id: int | None = None
    operator_id: int | None = None


COLUMN_LABELS = {
    "id": "Atendimento",
    "status_label": "Status",
    "started_at": "Início",
    "entity_name": "Cliente",
    "document": "CPF/CNPJ",
    "operator_code": "Operador",
    "group_name": "Grupo",
    "range_code": "Faixa",
    "origin": "Origem",
    "portfolio_amount": "Enviado (R$)",
    "recovered": "Recuperado (R$)",
    "promised_on": "Promessa para",
    "ended_at": "Fim",
}

# Recovered and the pending promise are aggregated for the listed attendances only.
LIST = ListSpec(
    table="tlc_attendances",
    statuses=STATUS_LABELS,
    date_column="started_at",
    equal=("range_id", "operator_id"),
    rows_sql="""
        SELECT a.id, a.entity_id, a.status, a.started_at, e.name AS entity_name, e.document,
            o.code AS operator_code, g.name AS group_name, cr.code AS range_code, a.origin,
            a.portfolio_amount, coalesce(r.recovered, 0) AS recovered, p.promised_on,
            a.ended_at
        FROM {ids} ids
        JOIN tlc_attendances a ON a.id = ids.id
        JOIN entities e ON e.id = a.entity_id
        JOIN operators o ON o.id = a.operator_id
        JOIN attendance_groups g ON g.id = a.group_id
        LEFT JOIN collection_ranges cr ON cr.id = a.range_id
        LEFT JOIN (
            SELECT attendance_id, sum(principal) AS recovered
            FROM tlc_outcomes
            WHERE outcome = 'pago' AND attendance_id IN (SELECT id FROM {ids})
            GROUP BY attendance_id
        ) r ON r.attendance_id = a.id
        LEFT JOIN (
            SELECT attendance_id, min(promised_on) AS promised_on
            FROM tlc_promises
            WHERE status = 'pendente' AND attendance_id IN (SELECT id FROM {ids})
            GROUP BY attendance_id
        ) p ON p.attendance_id = a.id
        ORDER BY a.started_at DESC, a.id DESC
        """,
    labels=COLUMN_LABELS,
    screen="telecobranca.lista",
    subject_type="atendimento_tlc",
    display=(pl.col("origin").replace_strict(ORIGIN_LABELS, default=pl.col("origin")),),
    before=sweep_broken_promises,
)


@query(Action.SUPERVISE, "cobradores")
def collector_choices(work: Work) -> dict[int, str]:
    """The collectors a supervisor may filter the list by (operator id -> "code – name"):
    operators holding Telecobrança and anyone with a collection attendance (inactive marked)."""
    rows = work.tx.all(
        """
        SELECT o.id, o.code, u.name, o.active
        FROM operators o
        JOIN users u ON u.id = o.user_id
        WHERE o.telecobranca
            OR EXISTS (SELECT 1 FROM tlc_attendances a WHERE a.operator_id = o.id)
        ORDER BY o.code
        """
    )
    return {
        row["id"]: f"{row['code']} – {row['name']}" + ("" if row["active"] else " (inativo)")
        for row in rows
    }


NOTHING_FOUND = "Nenhum atendimento de cobrança encontrado com esses filtros."
FILE_NAME = "telecobranca"
MAINTENANCE = listing.maintenance_services(
    LIST, AttendanceFilter, Action.ATTEND_TELECOBRANCA, "Telecobrança", FILE_NAME, NOTHING_FOUND
)
list_attendances, export_attendances = MAINTENANCE.list, MAINTENANCE.export


# --- the collector's balance ----------------------------------------------------------------


BALANCE_LABELS = {
    "operator_code": "Operador",
    "operator_name": "Nome",
    "opening": "Saldo inicial",
    "sent": "Enviado",
    "recovered": "Recuperado",
    "not_done": "Não realizado",
    "cancelled": "Cancelado",
    "closing": "Saldo final",
    "share_pct": "% recuperado",
}


def _balance_gate(user: User | None, *_: object, **__: object) -> Action:
    return Action.SUPERVISE if sees_every_row(user) else Action.ATTEND_TELECOBRANCA


@command(_balance_gate, "saldo do cobrador")
def collector_balance(work: Work, start: date, end: date) -> pl.DataFrame:
    """Per collector (a collector sees only their own line; supervisors every collector)."""
    if end < start:
        raise Invalid("O período termina antes de começar.")
    since, until = local_midnight(start), local_midnight(end)
    everyone = sees_every_row(work.user)
    only = "" if everyone else "WHERE user_id = ?"
    mine = [] if everyone else [work.user.id]
    sweep_broken_promises(work.tx)
    sums = work.tx.frame(
        f"""
        WITH events AS (
            SELECT user_id, started_at AS happened_at, portfolio_amount AS sent,
                0 AS recovered, 0 AS cancelled, 0 AS not_done
            FROM tlc_attendances
            UNION ALL
            SELECT a.user_id, o.created_at, 0,
                CASE WHEN o.outcome = 'pago' THEN o.principal ELSE 0 END,
                CASE WHEN o.outcome IN ('abatimento', 'baixa', 'renegociado')
                    THEN o.principal ELSE 0 END,
                0
            FROM tlc_outcomes o
            JOIN tlc_attendances a ON a.id = o.attendance_id
            UNION ALL
            SELECT user_id, ended_at, 0, 0, 0, not_done_amount
            FROM tlc_attendances
            WHERE not_done_amount IS NOT NULL
        ),
        dated AS (
            SELECT *, happened_at < ? AS before,
                happened_at >= ? AND happened_at < ? + INTERVAL '1 day' AS within
            FROM events
        ),
        sums AS (
            SELECT user_id,
                sum(sent - recovered - cancelled - not_done) FILTER (WHERE before) AS opening,
                sum(sent) FILTER (WHERE within) AS sent,
                sum(recovered) FILTER (WHERE within) AS recovered,
                sum(not_done) FILTER (WHERE within) AS not_done,
                sum(cancelled) FILTER (WHERE within) AS cancelled
            FROM dated
            {only}
            GROUP BY user_id
        )
        SELECT o.code AS operator_code, u.name AS operator_name,
            coalesce(s.opening, 0)::DECIMAL(18, 2) AS opening,
            coalesce(s.sent, 0)::DECIMAL(18, 2) AS sent,
            coalesce(s.recovered, 0)::DECIMAL(18, 2) AS recovered,
            coalesce(s.not_done, 0)::DECIMAL(18, 2) AS not_done,
            coalesce(s.cancelled, 0)::DECIMAL(18, 2) AS cancelled
        FROM sums s
        JOIN operators o ON o.user_id = s.user_id
        JOIN users u ON u.id = s.user_id
        ORDER BY o.code
        """,
        [since, since, until, *mine],
    )
    handled = pl.col("opening") + pl.col("sent")
    settled = pl.col("recovered") + pl.col("not_done") + pl.col("cancelled")
    return sums.with_columns(
        (handled - settled).alias("closing"),
        pl.when(handled > 0)
        .then((pl.col("recovered").cast(pl.Float64) * 100 / handled.cast(pl.Float64)).round(1))
        .otherwise(0.0)
        .alias("share_pct"),
    )
