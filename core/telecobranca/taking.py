"""Taking a debtor: "Próximo devedor" from the queue, or the customer on the line, reserved
for one collector at a time.

Ownership: a collector works a debtor only while holding its reservation
(collection_reservations, primary key entity_id). Taking a debtor reserves it; every outcome
renews the reservation; finishing the attendance releases it; a reservation idle for
MV_TLCRESV minutes may be taken over by another collector, and the idle collector's unfinished
attendance is then cancelled so no debtor has two open attendances.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from core import agenda, audit, calls, operator_states
from core.access import Action, Routine, User, active_group, require
from core.combining import Combiner
from core.db import Database, Tx
from core.errors import Conflict, Invalid, NotFound
from core.listing import local_midnight
from core.localtime import LOCAL_TZ
from core.service import Work, command
from core.telecobranca import queue, setup
from core.telecobranca.attendance import (
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


def next_debtor(db: Database, user: User, group_id: int | None = None) -> NextDebtor | None:
    """ "Próximo devedor": reserve the debtor, open (or resume) its attendance and start the
    call, in one transaction. None when nobody is waiting in the group's ranges.

    Order: the operator's promise follow-up already due on the agenda, then the operator's own
    unfinished attendance, then the queue (broken promises first, then the oldest overdue
    title, or the highest balance with MV_TLCSALD = S). Collectors pressing at the same moment
    are served together (the desk below).
    """
    require(db, user, Action.ATTEND_TELECOBRANCA, "próximo devedor")
    group = active_group(user, group_id)
    with _DESKS:
        desk = db.memo.get("tlc_desk")
        if desk is None:
            desk = db.memo["tlc_desk"] = Combiner(lambda asks: _serve(db, asks), GATHER_SECONDS)
    taken = desk.submit(_Ask(user, group))
    if taken is _OWN_WORK:
        return db.write(lambda tx: _resume_own(tx, user, group))
    return taken


# --- the desk: queue claims served in batches -------------------------------------------------
#
# A claim is a handful of inserts (attendance, its titles, reservation, call, audit rows). One
# transaction per collector made twenty collectors pressing together wait ~0.4 s on two cores
# (each transaction pays DuckDB's per-statement and commit overhead, and concurrent writers
# slow each other down). Served together, the same claims are eight set-based statements in one
# transaction, whatever the batch size. Own work (a due promise follow-up, an unfinished
# attendance) is rare and stays one transaction per collector, after the batch.


@dataclass(frozen=True)
class _Ask:
    user: User
    group: int


_Pool = dict[tuple[int, ...], list[queue.Candidate]]  # drawn per wiring, kept on a retry
_OWN_WORK: Any = object()  # "resume your own work": answered to asks that skip the queue
_DESKS = threading.Lock()
GATHER_SECONDS = 0.002  # a lone collector waits this much for others pressing at the same time
_ON_CALL = "Você já tem uma ligação em andamento. Termine-a antes de pedir o próximo devedor."


def _serve(db: Database, asks: list[_Ask]) -> list[NextDebtor | Exception | None]:
    pool: _Pool = {}
    # Each server batches its own collectors; across servers the batches take turns, so the
    # second reads the queue after the first committed instead of claiming the same debtors,
    # failing on their keys and reading the queue again (p95 2.3 s for 20 collectors on two
    # servers; the keys still make a double impossible).
    with db.exclusive("tlc_desk"):
        return db.write(lambda tx: _claim_batch(tx, asks, pool))


def _claim_batch(tx: Tx, asks: list[_Ask], pool: _Pool) -> list[NextDebtor | Exception | None]:
    answers: list[NextDebtor | Exception | None] = [None] * len(asks)
    standing = _standing(tx, asks)
    from_queue: list[int] = []  # indexes of the asks the queue serves, in arrival order
    seen: set[int] = set()
    paused = operator_states.paused_among(tx, [ask.user.id for ask in asks])
    for index, ask in enumerate(asks):
        on_call, own_work, _ = standing[ask.user.id, ask.group]
        if on_call or ask.user.id in seen:  # a second tab pressing at the same moment
            answers[index] = Conflict(_ON_CALL)
        elif ask.user.id in paused:
            answers[index] = Invalid(
                operator_states.PAUSED_NO_CALL.format(reason=paused[ask.user.id])
            )
        elif own_work:
            answers[index] = _OWN_WORK
        else:
            from_queue.append(index)
        seen.add(ask.user.id)
    claims: list[_Claim] = []
    wiring = {index: standing[asks[index].user.id, asks[index].group][2] for index in from_queue}
    for wired in dict.fromkeys(wiring.values()):  # groups wired alike share one queue
        waiting = [index for index in from_queue if wiring[index] == wired]
        debtors = _waiting_debtors(tx, wired, len(waiting), pool)  # fewer when the queue ends
        served = zip(waiting, debtors, strict=False)
        claims += [_Claim(index, asks[index], *debtor) for index, debtor in served]
    for claim, taken in zip(claims, _open_all(tx, claims), strict=True):
        answers[claim.index] = taken
    return answers  # the asks left without a debtor: None, the queue is empty


@dataclass(frozen=True)
class _Claim:
    index: int  # the ask's place in the batch
    ask: _Ask
    debtor: queue.Candidate
    waiting: _Waiting


def _standing(
    tx: Tx, asks: list[_Ask]
) -> dict[tuple[int, int], tuple[bool, bool, tuple[int, ...]]]:
    """Per (collector, group): a call running (refused), own work that comes before the queue
    (the same tests as _due_follow_up and _own_unfinished), and the ranges the group works."""
    # Uncorrelated subqueries: DuckDB plans and runs these in about half the time.
    rows = tx.all(
        "SELECT a.user_id, a.group_id, w.wired,"
        " a.user_id IN (SELECT user_id FROM open_calls) AS on_call,"
        " a.user_id IN (SELECT ai.user_id FROM agenda_items ai"
        "   JOIN tlc_promises p ON p.id = ai.source_id"
        "   LEFT JOIN collection_reservations r ON r.entity_id = p.entity_id AND r.expires_at > $4"
        "   WHERE ai.status = 'aberto' AND ai.source_type = $3 AND ai.due_from <= $4"
        "   AND (r.user_id IS NULL OR r.user_id = ai.user_id))"
        " OR a.user_id IN (SELECT r.user_id FROM collection_reservations r"
        "   JOIN tlc_attendances t ON t.id = r.attendance_id WHERE t.status = 'atendimento')"
        " AS own_work"
        " FROM (SELECT unnest($1::BIGINT[]) AS user_id, unnest($2::BIGINT[]) AS group_id) a"
        " LEFT JOIN (SELECT group_id, array_agg(range_id) AS wired FROM group_collection_ranges"
        "   GROUP BY group_id) w ON w.group_id = a.group_id",
        [[ask.user.id for ask in asks], [ask.group for ask in asks], SOURCE, tx.now],
    )
    return {
        (row["user_id"], row["group_id"]): (
            row["on_call"],
            row["own_work"],
            tuple(sorted(row["wired"] or ())),
        )
        for row in rows
    }


def _waiting_debtors(
    tx: Tx, wired: tuple[int, ...], count: int, pool: _Pool
) -> list[tuple[queue.Candidate, _Waiting]]:
    """Up to `count` debtors still waiting in the queue of these ranges. Drawn candidates
    someone or something got to first (a payment, a promise, a collector working them outside
    the queue) are dropped and more are drawn."""
    drawn = pool.setdefault(wired, [])
    found = _still_waiting(tx, drawn)  # what an attempt of this batch drew before a retry
    for _ in range(8):  # bounded: a rebuilt queue head may repeat debtors drawn already
        if len(found) >= count:
            break
        known = {candidate.entity_id for candidate in drawn}
        more = queue.draw(tx, wired, count - len(found))
        if not more:
            break
        fresh = [candidate for candidate in more if candidate.entity_id not in known]
        drawn += fresh
        found += _still_waiting(tx, fresh)
    return found[:count]


@dataclass
class _Waiting:
    """A debtor found still waiting: its overdue open titles, and the attendance of an
    expired reservation to take over (None: not reserved)."""

    title_ids: list[int]
    balances: list[Decimal]
    expired_attendance: int | None


def _still_waiting(
    tx: Tx, candidates: list[queue.Candidate]
) -> list[tuple[queue.Candidate, _Waiting]]:
    """Those not reserved (an expired reservation does not count), with no promise pending,
    not already worked today, and still owing an overdue title."""
    if not candidates:
        return []
    today = local_today(tx)
    # Uncorrelated subqueries, and OFFSET 0 keeping the titles' other filters out of the scan
    # so the entity_id index serves it: ~6 ms for 20 debtors at S instead of ~13.
    rows = tx.all(
        "WITH titles AS (SELECT entity_id, id, balance, status, due_date FROM receivables"
        "  WHERE entity_id = ANY($1::BIGINT[]) OFFSET 0)"
        " SELECT t.entity_id, c.attendance_id AS expired_attendance, t.id, t.balance FROM titles t"
        " LEFT JOIN collection_reservations c ON c.entity_id = t.entity_id"
        " WHERE t.status = 'aberto' AND t.balance > 0 AND t.due_date < $2"
        " AND coalesce(c.expires_at <= $3, TRUE)"
        " AND t.entity_id NOT IN (SELECT entity_id FROM tlc_promises WHERE status = 'pendente')"
        " AND t.entity_id NOT IN (SELECT entity_id FROM tlc_attendances"
        "   WHERE status IN ('encerrado', 'cancelado') AND ended_at >= $4)"
        " ORDER BY t.id",
        [[candidate.entity_id for candidate in candidates], today, tx.now, local_midnight(today)],
    )
    waiting: dict[int, _Waiting] = {}
    for row in rows:
        found = waiting.setdefault(row["entity_id"], _Waiting([], [], row["expired_attendance"]))
        found.title_ids.append(row["id"])
        found.balances.append(row["balance"])
    return [(c, waiting[c.entity_id]) for c in candidates if c.entity_id in waiting]


def _open_all(tx: Tx, claims: list[_Claim]) -> list[NextDebtor]:
    """Reserve each claimed debtor for its collector, with a new attendance holding its
    overdue titles and the call started: eight statements for the whole batch."""
    if not claims:
        return []
    expired = [
        (claim, attendance)
        for claim in claims
        if (attendance := claim.waiting.expired_attendance) is not None
    ]
    for claim, attendance in expired:  # taken over: the idle collector's one is cancelled
        _cancel_stale(tx, attendance, claim.ask.user)
    if expired:
        tx.execute(
            "DELETE FROM collection_reservations WHERE entity_id = ANY(?::BIGINT[])",
            [[claim.debtor.entity_id for claim, _ in expired]],
        )
    user_ids = [claim.ask.user.id for claim in claims]
    operator_ids = [claim.ask.user.operator.id for claim in claims if claim.ask.user.operator]
    group_ids = [claim.ask.group for claim in claims]
    entity_ids = [claim.debtor.entity_id for claim in claims]
    origins = ["quebra" if claim.debtor.broken else "fila" for claim in claims]
    call_ids = calls.open_batch(
        tx,
        [claim.ask.user for claim in claims],
        [Routine.TELECOBRANCA] * len(claims),
        entity_ids,
        group_ids,
        calls.OUTBOUND,
    )
    attendance_of = _ids_by(tx.all(
        "INSERT INTO tlc_attendances (entity_id, user_id, operator_id, group_id, range_id,"
        " origin, status, portfolio_amount, call_id, started_at, created_at, updated_at)"
        " SELECT unnest(?::BIGINT[]), unnest(?::BIGINT[]), unnest(?::BIGINT[]),"
        " unnest(?::BIGINT[]), unnest(?::BIGINT[]), unnest(?::VARCHAR[]),"
        " 'atendimento', unnest(?::DECIMAL(14, 2)[]), unnest(?::BIGINT[]), ?, ?, ?"
        " RETURNING entity_id AS key, id",
        [entity_ids, user_ids, operator_ids, group_ids,
         [claim.debtor.range_id for claim in claims], origins,
         [sum(claim.waiting.balances, Decimal(0)) for claim in claims], call_ids,
         tx.now, tx.now, tx.now],
    ))  # fmt: skip
    attendance_ids = [attendance_of[entity_id] for entity_id in entity_ids]
    # One row per title, flat: PostgreSQL's arrays are rectangular (no list of lists).
    portfolio = [
        (attendance_id, title_id, balance)
        for attendance_id, claim in zip(attendance_ids, claims, strict=True)
        for title_id, balance in zip(claim.waiting.title_ids, claim.waiting.balances, strict=True)
    ]
    tx.execute(
        "INSERT INTO tlc_attendance_titles (attendance_id, receivable_id, balance_at_start)"
        " SELECT unnest(?::BIGINT[]), unnest(?::BIGINT[]), unnest(?::DECIMAL(14, 2)[])",
        [list(column) for column in zip(*portfolio, strict=True)] if portfolio else [[], [], []],
    )
    minutes = int(Decimal(setup.parameter(tx, "MV_TLCRESV", "30")))
    tx.execute(
        "INSERT INTO collection_reservations (entity_id, user_id, attendance_id, reserved_at,"
        " expires_at) SELECT unnest(?::BIGINT[]), unnest(?::BIGINT[]), unnest(?::BIGINT[]), ?, ?",
        [entity_ids, user_ids, attendance_ids, tx.now, tx.now + timedelta(minutes=max(1, minutes))],
    )
    broken = [claim.debtor.entity_id for claim in claims if claim.debtor.broken]
    if broken:  # a broken promise is now being worked
        tx.execute(
            "UPDATE tlc_promises SET requeued = FALSE WHERE entity_id = ANY(?::BIGINT[])"
            " AND requeued",
            [broken],
        )
    audit.record_many(tx, [
        audit.Change(claim.ask.user, "cobranca.devedor_reservado", "atendimento_tlc",
                     attendance_id, {"entidade": claim.debtor.entity_id, "origem": origin})
        for claim, attendance_id, origin in zip(claims, attendance_ids, origins, strict=True)
    ])  # fmt: skip
    return [
        NextDebtor(attendance_id, claim.debtor.entity_id, claim.debtor.name, origin)
        for claim, attendance_id, origin in zip(claims, attendance_ids, origins, strict=True)
    ]


def _ids_by(rows: list[dict[str, Any]]) -> dict[int, int]:
    return {row["key"]: int(row["id"]) for row in rows}


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


@command(Action.ATTEND_TELECOBRANCA, "cobrança da entidade {entity_id}")
def take_debtor(work: Work, entity_id: int, group_id: int | None = None) -> CollectionAttendance:
    """Work the customer on the line (found by search, or opened from the agenda or a list):
    resume its open attendance or open a new one, reserved for this collector, under the call
    already running with that customer."""
    tx, user = work.tx, work.user
    group = active_group(user, group_id)
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
    tx.execute("UPDATE tlc_attendances SET call_id = ? WHERE id = ?", [call["id"], attendance_id])
    return load(tx, attendance_id)


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


def _open(tx: Tx, user: User, entity_id: int, group: int, range_id: int | None, origin: str) -> int:
    """A new attendance holding the debtor's overdue titles, reserved for this collector."""
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
            " SELECT ?, unnest(?::BIGINT[]), unnest(?::DECIMAL(14, 2)[])",
            [attendance_id, [t["id"] for t in titles], [t["balance"] for t in titles]],
        )
    reserve(tx, user, entity_id, attendance_id)
    # However the debtor was reached, a broken promise is now being worked.
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
    call_id = calls.open_in(
        tx, user, Routine.TELECOBRANCA, debtor["entity_id"], group, direction=calls.OUTBOUND
    )
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
