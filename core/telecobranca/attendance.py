"""The collection attendance [ACF/ACG] as read and ended: labels, the titles with their values
updated to today, loading, and the promises that broke.

Statuses: atendimento (in progress), cobranca (a promise to pay is pending; the debtor leaves
the queue until the promise is kept or broken), encerrado (reason + text, or automatically
when the last promise is kept or broken) and cancelado (reason).

The collector's balance counts, per attendance: the overdue balance handed over when it began
(portfolio_amount, "enviado"), what outcomes removed from it (recovered by payments; cancelled
by rebate, write-off or renegotiation), and what was left when it ended ("não realizado").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from core import agenda, catalogues
from core.access import Action, sees_row
from core.db import Tx
from core.errors import NotFound
from core.localtime import local_day
from core.records import AttendanceRecord
from core.service import Work, query
from core.telecobranca import rules, setup
from core.telecobranca.rules import NegotiationRules, Updated

SOURCE = "tlc_promise"  # agenda items: one follow-up per promise, on its date

PROMISE_CHECK_TIME = time(9, 0)

STATUS_LABELS = {
    "atendimento": "Atendimento",
    "cobranca": "Cobrança",
    "encerrado": "Encerrado",
    "cancelado": "Cancelado",
}

STATUS_COLOURS = {
    "atendimento": "blue",
    "cobranca": "orange",
    "encerrado": "green",
    "cancelado": "black",
}

OUTCOME_LABELS = {
    "pago": "Pago",
    "negociado": "Negociado (promessa)",
    "renegociado": "Negociado (renegociação)",
    "cartorio": "Cartório",
    "baixa": "Baixa",
    "abatimento": "Abatimento",
}

TITLE_STATUS_LABELS = {
    "aberto": "Em aberto",
    "pago": "Pago",
    "cancelado": "Cancelado",
    "cartorio": "Em cartório",
    "baixado": "Baixado",
    "renegociado": "Renegociado",
}

PROMISE_STATUS_LABELS = {
    "pendente": "Pendente",
    "cumprida": "Cumprida",
    "quebrada": "Quebrada",
    "cancelada": "Cancelada",
}

ORIGIN_LABELS = {
    "fila": "Fila de cobrança",
    "quebra": "Promessa quebrada",
    "agenda": "Agenda (promessa)",
    "em_andamento": "Atendimento em andamento",
    "manual": "Busca do operador",
}


@dataclass(frozen=True)
class Title:
    id: int
    version: int
    prefix: str
    number: str
    installment: int
    type: str
    issue_date: date
    due_date: date
    amount: Decimal
    balance: Decimal
    status: str
    origin: str
    promised: bool
    updated: Updated

    @property
    def key(self) -> str:
        return f"{self.prefix} {self.number}/{self.installment}"

    @property
    def is_open(self) -> bool:
        return self.status == "aberto" and self.balance > 0


@dataclass(frozen=True)
class CollectionAttendance(AttendanceRecord):
    STATUSES = STATUS_LABELS

    user_id: int
    operator_code: str
    group_id: int
    range_label: str
    origin: str
    portfolio_amount: Decimal
    started_at: datetime
    ended_at: datetime | None
    closing_text: str | None
    closing_reason_id: int | None
    cancellation_reason_id: int | None
    titles: list[Title]
    promises: list[dict[str, Any]]
    outcomes: list[dict[str, Any]]
    rules: NegotiationRules
    labels: dict[int, str]
    pix_codes: list[dict[str, Any]]  # kind, id, amount, payload (None: PIX not configured)

    @property
    def pending_promises(self) -> list[dict[str, Any]]:
        return [p for p in self.promises if p["status"] == "pendente"]


@dataclass(frozen=True)
class NextDebtor:
    """The debtor just reserved, with its attendance and call started (load the attendance
    with get_attendance: the reservation itself stays as short as it can)."""

    attendance_id: int
    entity_id: int
    entity_name: str
    reason: str  # agenda | em_andamento | quebra | fila (ORIGIN_LABELS)

    @property
    def reason_label(self) -> str:
        return ORIGIN_LABELS[self.reason]


def local_today(tx: Tx) -> date:
    return local_day(tx.now)


@query(Action.VIEW_LEDGER, "cobrança {attendance_id}")
def get_attendance(work: Work, attendance_id: int) -> CollectionAttendance:
    tx, user = work.tx, work.user
    owner = tx.one("SELECT user_id, group_id FROM tlc_attendances WHERE id = ?", [attendance_id])
    if owner is None or not sees_row(user, owner["user_id"], owner["group_id"]):
        raise NotFound("Atendimento de cobrança não encontrado (ou fora dos seus grupos).")
    return load(tx, attendance_id)


def load(tx: Tx, attendance_id: int) -> CollectionAttendance:
    row = tx.one(
        "SELECT a.*, e.name AS entity_name, o.code AS operator_code,"
        " coalesce(cr.code || ' · ' || cr.description, '—') AS range_label"
        " FROM tlc_attendances a JOIN entities e ON e.id = a.entity_id"
        " JOIN operators o ON o.id = a.operator_id"
        " LEFT JOIN collection_ranges cr ON cr.id = a.range_id WHERE a.id = ?",
        [attendance_id],
    )
    assert row is not None
    titles = titles_where(
        tx,
        "r.id IN (SELECT receivable_id FROM tlc_attendance_titles WHERE attendance_id = ?)",
        [attendance_id],
    )
    promises = tx.all(
        """
        SELECT p.id, p.promised_on, p.amount, p.paid_amount, p.status, p.created_at,
            p.pix_payload,
            string_agg(r.prefix || ' ' || r.number || '/' || r.installment, ', ') AS titles
        FROM tlc_promises p
        JOIN tlc_promise_titles pt ON pt.promise_id = p.id
        JOIN receivables r ON r.id = pt.receivable_id
        WHERE p.attendance_id = ?
        GROUP BY p.id, p.promised_on, p.amount, p.paid_amount, p.status, p.created_at,
            p.pix_payload
        ORDER BY p.id
        """,
        [attendance_id],
    )
    outcomes = tx.all(
        "SELECT t.id, t.created_at, t.outcome, r.prefix || ' ' || r.number || '/' ||"
        " r.installment AS title, t.amount, t.principal, t.charges, t.note, u.username"
        " FROM tlc_outcomes t JOIN receivables r ON r.id = t.receivable_id"
        " JOIN users u ON u.id = t.user_id WHERE t.attendance_id = ? ORDER BY t.id",
        [attendance_id],
    )
    reason_ids = [i for i in (row["closing_reason_id"], row["cancellation_reason_id"]) if i]
    fields = {name: row[name] for name in CollectionAttendance.__dataclass_fields__ if name in row}
    pix_codes = tx.all(
        """
        SELECT 'Promessa' AS kind, id, amount, pix_payload AS payload, created_at
        FROM tlc_promises
        WHERE attendance_id = ? AND status = 'pendente'
        UNION ALL
        SELECT 'Renegociação', n.id, r.amount, n.pix_payload, n.created_at
        FROM tlc_renegotiations n
        JOIN receivables r ON r.renegotiation_id = n.id AND r.installment = 1
        WHERE n.attendance_id = ?
        ORDER BY created_at DESC
        """,
        [attendance_id, attendance_id],
    )
    return CollectionAttendance(
        **fields,
        titles=titles,
        promises=promises,
        outcomes=outcomes,
        rules=setup.negotiation_rules(tx, row["group_id"]),
        labels=catalogues.labels(tx, reason_ids),
        pix_codes=pix_codes,
    )


def title_by_id(tx: Tx, receivable_id: int) -> Title:
    found = titles_where(tx, "r.id = ?", [receivable_id])
    if not found:
        raise NotFound("Título não encontrado.")
    return found[0]


def titles_where(tx: Tx, where: str, params: list[Any]) -> list[Title]:
    """Titles with their values updated to today (`where` is a code literal on alias r)."""
    today = local_today(tx)
    rates = setup.charge_rates(tx)
    rows = tx.all(
        "SELECT r.*, o.invoice_number, o.id AS origin_order,"
        " EXISTS (SELECT 1 FROM tlc_promise_titles pt JOIN tlc_promises p"
        "   ON p.id = pt.promise_id WHERE pt.receivable_id = r.id AND p.status = 'pendente')"
        "   AS promised"
        f" FROM receivables r LEFT JOIN tlv_orders o ON o.id = r.order_id WHERE {where}"
        " ORDER BY r.due_date, r.prefix, r.number, r.installment",
        params,
    )
    return [_title_of(row, today, rates) for row in rows]


def _title_of(row: dict[str, Any], today: date, rates: rules.ChargeRates) -> Title:
    if row["order_id"] is not None:
        origin = f"NF {row['invoice_number']} (pedido {row['origin_order']})"
    elif row["renegotiation_id"] is not None:
        origin = f"Renegociação nº {row['renegotiation_id']}"
    else:
        origin = "Importado"
    open_title = row["status"] == "aberto"
    updated = rules.updated_value(
        Decimal(row["balance"]) if open_title else Decimal(0), row["due_date"], today, rates,
        row["charges_from"],
    )  # fmt: skip
    return Title(
        id=row["id"], version=row["version"], prefix=row["prefix"], number=row["number"],
        installment=row["installment"], type=row["type"], issue_date=row["issue_date"],
        due_date=row["due_date"], amount=row["amount"], balance=row["balance"],
        status=row["status"], origin=origin, promised=bool(row["promised"]), updated=updated,
    )  # fmt: skip


def finish_row(
    tx: Tx,
    attendance_id: int,
    status: str,
    *,
    reason_id: int | None = None,
    closing_text: str = "",
) -> None:
    """Encerrado/cancelado: stamp it and record what was left undone of the portfolio."""
    removed = tx.scalar(
        "SELECT coalesce(sum(principal), 0) FROM tlc_outcomes WHERE attendance_id = ?",
        [attendance_id],
    )
    tx.execute(
        "UPDATE tlc_attendances SET status = ?, not_done_amount = greatest(portfolio_amount - ?,"
        " 0), closing_reason_id = CASE WHEN ? = 'encerrado' THEN ?::BIGINT END,"
        " cancellation_reason_id = CASE WHEN ? = 'cancelado' THEN ?::BIGINT END,"
        " closing_text = ?, closed_at = CASE WHEN ? = 'encerrado' THEN ?::TIMESTAMPTZ END,"
        " cancelled_at = CASE WHEN ? = 'cancelado' THEN ?::TIMESTAMPTZ END,"
        " ended_at = coalesce(ended_at, ?), updated_at = ?, version = version + 1 WHERE id = ?",
        [status, removed, status, reason_id, status, reason_id, " ".join(closing_text.split()),
         status, tx.now, status, tx.now, tx.now, tx.now, attendance_id],
    )  # fmt: skip


def release(tx: Tx, attendance_id: int) -> None:
    tx.execute("DELETE FROM collection_reservations WHERE attendance_id = ?", [attendance_id])


def sweep_broken_promises(tx: Tx) -> int:
    """A promise not kept by its date is broken: its follow-up is dropped, the debtor goes back
    to the queue with priority, and a Cobrança attendance left with no pending promise is
    closed. Idempotent; run by the units of work that read the queue or the attendances."""
    broken = tx.all(
        "UPDATE tlc_promises SET status = 'quebrada', requeued = TRUE, settled_at = ?,"
        " version = version + 1 WHERE status = 'pendente' AND promised_on < ?"
        " RETURNING id, attendance_id",
        [tx.now, local_today(tx)],
    )
    for promise in broken:
        agenda.settle(tx, SOURCE, promise["id"], "cancelado")
    for attendance_id in sorted({promise["attendance_id"] for promise in broken}):
        if tx.scalar(
            "SELECT status FROM tlc_attendances WHERE id = ?", [attendance_id]
        ) == "cobranca" and not tx.scalar(
            "SELECT count(*) FROM tlc_promises WHERE attendance_id = ? AND status = 'pendente'",
            [attendance_id],
        ):
            finish_row(
                tx, attendance_id, "encerrado",
                closing_text="Promessa quebrada: devedor devolvido à fila.",
            )  # fmt: skip
            release(tx, attendance_id)
    return len(broken)
