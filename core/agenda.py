"""The operator's agenda: follow-ups of every routine, and "Próxima ligação".

Routines schedule through `schedule`/`settle` inside their own transaction, so an attendance
and its follow-up always agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import polars as pl

from core.access import Action, Routine, User
from core.db import Tx
from core.errors import Invalid, NotFound
from core.service import Work, command, query

WINDOW = timedelta(hours=1)  # a return is due from its time until an hour later
SOURCE_LABELS = {
    "tmk_attendance": "Retorno de Telemarketing",
    "tlv_quote": "Retorno de orçamento (Televendas)",
    # Concluding or moving a promise's follow-up changes only the reminder: the promise keeps
    # its negotiated date and breaks the day after it if unpaid (core/telecobranca).
    "tlc_promise": "Promessa de pagamento (Telecobrança)",
    "campaign_contact": "Retorno de campanha",
}

# What a move or a conclusion of the follow-up means for the record it came from, so the
# two never disagree. Each routine adds its source here.
_ON_RESCHEDULE = {
    "tmk_attendance": "UPDATE tmk_attendances SET return_at = ?, updated_at = ?,"
    " version = version + 1 WHERE id = ? AND status = 'planejado'",
    "tlv_quote": "UPDATE tlv_orders SET next_call_at = ?, updated_at = ?,"
    " version = version + 1 WHERE id = ? AND status = 'orcamento'",
    # A campaign's callback moved: "Próximo contato" brings it back at the new time.
    "campaign_contact": "UPDATE call_list_entries SET next_at = greatest(?, ?)"
    " WHERE id = ? AND status = 'agendado'",
}
_ON_CLOSE = {
    # The return was worked: the attendance stays open, no longer planned.
    "tmk_attendance": "UPDATE tmk_attendances SET status = 'pendente', return_at = NULL,"
    " updated_at = ?, version = version + 1 WHERE id = ? AND status = 'planejado'",
    # The quote's call was made: the quote stays open without a next call.
    "tlv_quote": "UPDATE tlv_orders SET next_call_at = NULL, updated_at = ?,"
    " version = version + 1 WHERE id = ? AND status = 'orcamento'",
}


@dataclass(frozen=True)
class AgendaEntry:
    id: int
    version: int
    routine: Routine
    source_type: str
    source_id: int
    entity_id: int
    entity_name: str
    due_from: datetime
    due_until: datetime
    note: str

    def overdue(self, now: datetime) -> bool:
        return self.due_until < now


def schedule(
    tx: Tx,
    user_id: int,
    routine: Routine,
    source_type: str,
    source_id: int,
    entity_id: int,
    due_from: datetime,
    note: str = "",
) -> None:
    """Create or move the open follow-up of a source record (one open item per source)."""
    moved = tx.scalar(
        "UPDATE agenda_items SET user_id = ?, due_from = ?, due_until = ?, note = ?,"
        " updated_at = ?, version = version + 1"
        " WHERE source_type = ? AND source_id = ? AND status = 'aberto' RETURNING id",
        [user_id, due_from, due_from + WINDOW, note, tx.now, source_type, source_id],
    )
    if moved is None:
        tx.execute(
            "INSERT INTO agenda_items (user_id, routine, source_type, source_id, entity_id,"
            " due_from, due_until, status, note, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, 'aberto', ?, ?, ?)",
            [
                user_id, routine.value, source_type, source_id, entity_id, due_from,
                due_from + WINDOW, note, tx.now, tx.now,
            ],
        )  # fmt: skip


def settle(tx: Tx, source_type: str, source_id: int, status: str = "concluido") -> None:
    """Close the open follow-up of a source record (worked, closed or cancelled)."""
    tx.execute(
        "UPDATE agenda_items SET status = ?, updated_at = ?, version = version + 1"
        " WHERE source_type = ? AND source_id = ? AND status = 'aberto'",
        [status, tx.now, source_type, source_id],
    )


_ENTRY_SQL = (
    "SELECT a.id, a.version, a.routine, a.source_type, a.source_id, a.entity_id,"
    " e.name AS entity_name, a.due_from, a.due_until, a.note"
    " FROM agenda_items a JOIN entities e ON e.id = a.entity_id"
    " WHERE a.user_id = ? AND a.status = 'aberto'"
)


def _entry(row: dict[str, object]) -> AgendaEntry:
    return AgendaEntry(**{**row, "routine": Routine(str(row["routine"]))})  # type: ignore[arg-type]


@query(Action.ATTEND, "agenda")
def next_call(work: Work) -> AgendaEntry | None:
    """The earliest open follow-up: what the footer shows as "Próxima ligação"."""
    row = work.tx.one(_ENTRY_SQL + " ORDER BY a.due_from, a.id LIMIT 1", [work.user.id])
    return _entry(row) if row else None


@query(Action.ATTEND, "agenda")
def open_items(work: Work) -> list[AgendaEntry]:
    return _open_items(work)


def _open_items(work: Work) -> list[AgendaEntry]:
    rows = work.tx.all(_ENTRY_SQL + " ORDER BY a.due_from, a.id", [work.user.id])
    return [_entry(row) for row in rows]


@query(Action.ATTEND, "agenda")
def agenda_frame(work: Work) -> pl.DataFrame:
    """The open agenda as a table, with an `overdue` flag for highlighting."""
    items = _open_items(work)
    now = work.tx.now
    return pl.DataFrame(
        {
            "id": [item.id for item in items],
            "due_from": [item.due_from for item in items],
            "entity_name": [item.entity_name for item in items],
            "kind": [SOURCE_LABELS.get(item.source_type, item.source_type) for item in items],
            "note": [item.note for item in items],
            "overdue": [item.overdue(now) for item in items],
        },
        schema={
            "id": pl.Int64,
            "due_from": pl.Datetime("us", "UTC"),
            "entity_name": pl.String,
            "kind": pl.String,
            "note": pl.String,
            "overdue": pl.Boolean,
        },
    )


def _own_item(tx: Tx, user: User, item_id: int) -> dict[str, Any]:
    row = tx.one(
        "SELECT * FROM agenda_items WHERE id = ? AND user_id = ? AND status = 'aberto'",
        [item_id, user.id],
    )
    if row is None:
        raise NotFound("Compromisso não encontrado na sua agenda (já concluído?).")
    return row


@command(Action.ATTEND, "agenda")
def reschedule(work: Work, item_id: int, version: int, due_from: datetime) -> None:
    item = _own_item(work.tx, work.user, item_id)
    if due_from <= work.tx.now:
        raise Invalid("Escolha uma data e hora futuras para o retorno.")
    values = {"due_from": due_from, "due_until": due_from + WINDOW, "updated_at": work.tx.now}
    work.update("agenda_items", item_id, version, values)
    if item["source_type"] in _ON_RESCHEDULE:
        work.tx.execute(
            _ON_RESCHEDULE[item["source_type"]], [due_from, work.tx.now, item["source_id"]]
        )
    work.audit(
        "agenda.reagendada",
        subject_type="agenda",
        subject_id=item_id,
        detail={"para": due_from.isoformat()},
    )


@command(Action.ATTEND, "agenda")
def close_item(work: Work, item_id: int, version: int) -> None:
    item = _own_item(work.tx, work.user, item_id)
    work.update(
        "agenda_items", item_id, version, {"status": "concluido", "updated_at": work.tx.now}
    )
    if item["source_type"] in _ON_CLOSE:
        work.tx.execute(_ON_CLOSE[item["source_type"]], [work.tx.now, item["source_id"]])
    work.audit("agenda.concluida", subject_type="agenda", subject_id=item_id)
