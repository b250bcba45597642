"""Taking a debtor: "Próximo devedor" from the queue, or the customer on the line, reserved
for one collector at a time.

Ownership: a collector works a debtor only while holding its reservation
(collection_reservations, primary key entity_id). Taking a debtor reserves it; every outcome
renews the reservation; finishing the attendance releases it; a reservation idle for
MV_TLCRESV minutes may be taken over by another collector, and the idle collector's unfinished
attendance is then cancelled so no debtor has two open attendances.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from core import agenda, audit, calls
from core.access import Action, Routine, User, require
from core.db import Database, Tx
from core.errors import Conflict, Invalid, NotFound
from core.listing import local_midnight
from core.telecobranca import queue, setup
from core.telecobranca.attendance import (
    LOCAL_TZ,
    SOURCE,
    STATUS_LABELS,
    CollectionAttendance,
    NextDebtor,
    Title,
    finish_row,
    load,
    local_today,
    sweep_broken_promises,
)


def _group(user: User, group_id: int | None) -> int:
    operator = user.operator
    assert operator is not None
    group = group_id if group_id is not None else operator.main_group_id
    if group not in operator.group_ids:
        raise Invalid("Você não pertence a este grupo de atendimento.")
    return group


def next_debtor(db: Database, user: User, group_id: int | None = None) -> NextDebtor | None:
    """ "Próximo devedor": reserve the debtor, open (or resume) its attendance and start the
    call, in one transaction. None when nobody is waiting in the group's ranges.

    Order: the operator's promise follow-up already due on the agenda, then the operator's own
    unfinished attendance, then the queue (broken promises first, then the oldest overdue
    title, or the highest balance with MV_TLCSALD = S). Queue debtors come from a batch the
    collectors share (queue.next_candidates); each one is checked again before it is taken.
    """
    require(db, user, Action.ATTEND_TELECOBRANCA, "próximo devedor")
    group = _group(user, group_id)
    pending = db.read(lambda tx: _own_work(tx, user))
    if pending is not None:
        return db.write(lambda tx: _resume_own(tx, user, group))
    today = db.clock().astimezone(LOCAL_TZ).date()
    for candidate in queue.next_candidates(db, group, today):
        taken = db.write(lambda tx, candidate=candidate: _claim(tx, user, group, candidate))
        if taken is not None:
            return taken
    return None


def _own_work(tx: Tx, user: User) -> str | None:
    """What comes before the queue for this collector (a running call is refused here)."""
    if tx.scalar("SELECT call_id FROM open_calls WHERE user_id = ?", [user.id]):
        raise Conflict(
            "Você já tem uma ligação em andamento. Termine-a antes de pedir o próximo devedor."
        )
    if _due_follow_up(tx, user) is not None:
        return "agenda"
    if _own_unfinished(tx, user) is not None:
        return "em_andamento"
    return None


def _resume_own(tx: Tx, user: User, group: int) -> NextDebtor | None:
    due = _due_follow_up(tx, user)
    if due is not None:
        agenda.settle(tx, SOURCE, due["source_id"])
        attendance_id = _resume(tx, user, due["attendance_id"], due["entity_id"])
        return _start(tx, user, attendance_id, group, "agenda")
    own = _own_unfinished(tx, user)
    if own is None:  # finished meanwhile (another tab): nothing of their own any more
        return None
    attendance_id = _resume(tx, user, own["id"], own["entity_id"])
    return _start(tx, user, attendance_id, group, "em_andamento")


def _claim(tx: Tx, user: User, group: int, candidate: queue.Candidate) -> NextDebtor | None:
    """Take a debtor from the batch if it is still waiting (None: someone or something got
    there first — a payment, a promise, another collector — and the next one is tried)."""
    if tx.scalar("SELECT call_id FROM open_calls WHERE user_id = ?", [user.id]):
        raise Conflict(
            "Você já tem uma ligação em andamento. Termine-a antes de pedir o próximo devedor."
        )
    today = local_today(tx)
    waiting = tx.scalar(
        "SELECT EXISTS (SELECT 1 FROM receivables r WHERE r.entity_id = $1"
        "   AND r.status = 'aberto' AND r.balance > 0 AND r.due_date < $2)"
        " AND NOT EXISTS (SELECT 1 FROM collection_reservations r WHERE r.entity_id = $1"
        "   AND r.expires_at > $3)"
        " AND NOT EXISTS (SELECT 1 FROM tlc_promises p WHERE p.entity_id = $1"
        "   AND p.status = 'pendente')"
        " AND NOT EXISTS (SELECT 1 FROM tlc_attendances a WHERE a.entity_id = $1"
        "   AND a.status IN ('encerrado', 'cancelado') AND a.ended_at >= $4)",
        [candidate.entity_id, today, tx.now, local_midnight(today)],
    )
    if not waiting:
        return None
    reason = "quebra" if candidate.broken else "fila"
    attendance_id = _open(tx, user, candidate.entity_id, group, candidate.range_id, reason,
                          broken=candidate.broken)  # fmt: skip
    return _start(tx, user, attendance_id, group, reason)


def take_debtor(
    db: Database, user: User, entity_id: int, group_id: int | None = None
) -> CollectionAttendance:
    """Work the customer on the line (found by search, or opened from the agenda or a list):
    resume its open attendance or open a new one, reserved for this collector, under the call
    already running with that customer."""
    require(db, user, Action.ATTEND_TELECOBRANCA, f"cobrança da entidade {entity_id}")
    group = _group(user, group_id)

    def work(tx: Tx) -> CollectionAttendance:
        sweep_broken_promises(tx)
        call = tx.one(
            "SELECT c.id, c.entity_id FROM open_calls oc JOIN calls c ON c.id = oc.call_id"
            " WHERE oc.user_id = ?",
            [user.id],
        )
        if call is None or call["entity_id"] != entity_id:
            raise Invalid("Inicie a ligação com este cliente antes de abrir a cobrança.")
        active = tx.one(
            "SELECT id, user_id, status FROM tlc_attendances WHERE entity_id = ?"
            " AND status IN ('atendimento', 'cobranca') ORDER BY id DESC LIMIT 1",
            [entity_id],
        )
        if active is not None and (active["user_id"] == user.id or active["status"] == "cobranca"):
            attendance_id = _resume(tx, user, active["id"], entity_id)
        else:
            position = queue.position_of(tx, entity_id)
            if position is None:
                raise Invalid("Este cliente não tem títulos vencidos em aberto para cobrar.")
            attendance_id = _open(tx, user, entity_id, group, position.range_id, "manual")
        tx.execute(
            "UPDATE tlc_attendances SET call_id = ? WHERE id = ?", [call["id"], attendance_id]
        )
        return load(tx, attendance_id)

    return db.write(work)


def _due_follow_up(tx: Tx, user: User) -> dict[str, Any] | None:
    # The operator's own agenda first (a few rows), the promise and reservation after.
    due = tx.all(
        "SELECT source_id, entity_id FROM agenda_items WHERE user_id = ? AND status = 'aberto'"
        " AND source_type = ? AND due_from <= ? ORDER BY due_from, id",
        [user.id, SOURCE, tx.now],
    )
    for item in due:
        attendance_id = tx.scalar(
            "SELECT p.attendance_id FROM tlc_promises p WHERE p.id = ? AND NOT EXISTS"
            " (SELECT 1 FROM collection_reservations r WHERE r.entity_id = p.entity_id"
            "   AND r.user_id <> ? AND r.expires_at > ?)",
            [item["source_id"], user.id, tx.now],
        )
        if attendance_id is not None:
            return {**item, "attendance_id": attendance_id}
    return None


def _own_unfinished(tx: Tx, user: User) -> dict[str, Any] | None:
    """The collector's attendance still in progress. Its debtor's reservation row names the
    collector (it is only rewritten when someone takes an expired one over, and that cancels
    the attendance), so the small reservations table is searched, not every attendance."""
    return tx.one(
        "SELECT a.id, a.entity_id FROM collection_reservations r"
        " JOIN tlc_attendances a ON a.id = r.attendance_id"
        " WHERE r.user_id = ? AND a.status = 'atendimento' ORDER BY a.started_at LIMIT 1",
        [user.id],
    )


def reserve(tx: Tx, user: User, entity_id: int, attendance_id: int) -> None:
    """Hold the debtor for this collector. Someone else's live reservation is a Conflict; an
    expired one is taken over, and its holder's unfinished attendance is cancelled."""
    minutes = int(Decimal(setup.parameter(tx, "MV_TLCRESV", "30")))
    expires = tx.now + timedelta(minutes=max(1, minutes))
    held = tx.one("SELECT * FROM collection_reservations WHERE entity_id = ?", [entity_id])
    if held is not None and held["user_id"] != user.id and held["expires_at"] > tx.now:
        holder = tx.scalar("SELECT o.code FROM operators o WHERE o.user_id = ?", [held["user_id"]])
        raise Conflict(
            f"Este devedor está reservado para o operador {holder} até "
            f"{held['expires_at'].astimezone(LOCAL_TZ):%H:%M}."
        )
    if held is not None and held["user_id"] != user.id:
        _cancel_stale(tx, held["attendance_id"], user)
    if held is None:
        # The primary key makes a concurrent reservation of the same debtor fail here or at
        # commit; the unit of work then runs again and sees the winner's row.
        tx.execute(
            "INSERT INTO collection_reservations (entity_id, user_id, attendance_id,"
            " reserved_at, expires_at) VALUES (?, ?, ?, ?, ?)",
            [entity_id, user.id, attendance_id, tx.now, expires],
        )
    else:
        tx.execute(
            "UPDATE collection_reservations SET user_id = ?, attendance_id = ?, reserved_at = ?,"
            " expires_at = ? WHERE entity_id = ?",
            [user.id, attendance_id, tx.now, expires, entity_id],
        )


def _cancel_stale(tx: Tx, attendance_id: int, taker: User) -> None:
    row = tx.one(
        "SELECT id, status FROM tlc_attendances WHERE id = ? AND status = 'atendimento'",
        [attendance_id],
    )
    if row is None:
        return
    finish_row(tx, attendance_id, "cancelado", closing_text=(
        f"Reserva expirada: devedor repassado a {taker.operator.code if taker.operator else ''}"
    ))  # fmt: skip
    audit.record(
        tx, taker, "cobranca.reserva_expirada", subject_type="atendimento_tlc",
        subject_id=attendance_id,
    )  # fmt: skip


def _open(
    tx: Tx,
    user: User,
    entity_id: int,
    group: int,
    range_id: int | None,
    origin: str,
    broken: bool = True,
) -> int:
    """A new attendance holding the debtor's overdue titles. `broken=False` when the queue
    already knows no broken promise waits for this debtor (spares an update)."""
    assert user.operator is not None
    titles = tx.all(
        "SELECT id, balance FROM receivables WHERE entity_id = ? AND status = 'aberto'"
        " AND balance > 0 AND due_date < ?",
        [entity_id, local_today(tx)],
    )
    attendance_id = int(
        tx.scalar(
            "INSERT INTO tlc_attendances (entity_id, user_id, operator_id, group_id, range_id,"
            " origin, status, portfolio_amount, started_at, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, 'atendimento', ?, ?, ?, ?) RETURNING id",
            [
                entity_id,
                user.id,
                user.operator.id,
                group,
                range_id,
                origin,
                sum((t["balance"] for t in titles), Decimal(0)),
                tx.now,
                tx.now,
                tx.now,
            ],
        )
    )
    if titles:
        tx.execute(
            "INSERT INTO tlc_attendance_titles (attendance_id, receivable_id, balance_at_start)"
            " SELECT ?, unnest(?), unnest(?)",
            [attendance_id, [t["id"] for t in titles], [t["balance"] for t in titles]],
        )
    reserve(tx, user, entity_id, attendance_id)
    if broken:  # however the debtor was reached, a broken promise is now being worked
        tx.execute(
            "UPDATE tlc_promises SET requeued = FALSE WHERE entity_id = ? AND requeued",
            [entity_id],
        )
    audit.record(
        tx, user, "cobranca.devedor_reservado", subject_type="atendimento_tlc",
        subject_id=attendance_id, detail={"entidade": entity_id, "origem": origin},
    )  # fmt: skip
    return attendance_id


def _resume(tx: Tx, user: User, attendance_id: int, entity_id: int) -> int:
    reserve(tx, user, entity_id, attendance_id)
    _extend_portfolio(tx, attendance_id, entity_id)
    return attendance_id


def _extend_portfolio(tx: Tx, attendance_id: int, entity_id: int) -> None:
    """Hand the debtor's overdue open titles to the attendance (those not handed yet)."""
    added = tx.all(
        "INSERT INTO tlc_attendance_titles (attendance_id, receivable_id, balance_at_start)"
        " SELECT ?, r.id, r.balance FROM receivables r WHERE r.entity_id = ?"
        " AND r.status = 'aberto' AND r.balance > 0 AND r.due_date < ?"
        " AND NOT EXISTS (SELECT 1 FROM tlc_attendance_titles t"
        "   WHERE t.attendance_id = ? AND t.receivable_id = r.id)"
        " RETURNING balance_at_start",
        [attendance_id, entity_id, local_today(tx), attendance_id],
    )
    if added:
        tx.execute(
            "UPDATE tlc_attendances SET portfolio_amount = portfolio_amount + ?,"
            " updated_at = ? WHERE id = ?",
            [sum((row["balance_at_start"] for row in added), Decimal(0)), tx.now, attendance_id],
        )


def _start(tx: Tx, user: User, attendance_id: int, group: int, reason: str) -> NextDebtor:
    debtor = tx.one(
        "SELECT a.entity_id, e.name FROM tlc_attendances a JOIN entities e ON e.id = a.entity_id"
        " WHERE a.id = ?",
        [attendance_id],
    )
    assert debtor is not None
    call_id = calls.open_in(tx, user, Routine.TELECOBRANCA, debtor["entity_id"], group)
    tx.execute("UPDATE tlc_attendances SET call_id = ? WHERE id = ?", [call_id, attendance_id])
    return NextDebtor(attendance_id, debtor["entity_id"], debtor["name"], reason)


def hold(tx: Tx, user: User, attendance_id: int, title: Title | None) -> dict[str, Any]:
    """The attendance is open, this collector holds its debtor, and the title is in it."""
    row = tx.one("SELECT * FROM tlc_attendances WHERE id = ?", [attendance_id])
    if row is None:
        raise NotFound("Atendimento de cobrança não encontrado.")
    if row["status"] not in {"atendimento", "cobranca"}:
        raise Invalid(
            f"Atendimento {STATUS_LABELS[row['status']].lower()}: não aceita lançamentos."
        )
    held = tx.one(
        "SELECT user_id, expires_at FROM collection_reservations WHERE entity_id = ?",
        [row["entity_id"]],
    )
    if held is None or held["user_id"] != user.id:
        if held is not None and held["expires_at"] > tx.now:
            raise Conflict("Outro cobrador está com este devedor agora. Atualize a tela.")
        reserve(tx, user, row["entity_id"], attendance_id)  # expired or released: take it back
    else:
        reserve(tx, user, row["entity_id"], attendance_id)  # activity renews the reservation
    if title is not None and not tx.scalar(
        "SELECT 1 FROM tlc_attendance_titles WHERE attendance_id = ? AND receivable_id = ?",
        [attendance_id, title.id],
    ):
        raise Invalid(f"O título {title.key} não faz parte desta cobrança.")
    return row
