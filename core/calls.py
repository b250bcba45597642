"""Calls: start when an entity is selected, end with a result or on "Limpa Atendimento".

One open call per operator, enforced by the open_calls primary key inside the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from core import audit
from core.access import Action, Routine, User, active_group
from core.db import Tx
from core.errors import Conflict, Invalid, NotFound
from core.service import Work, command, query

INBOUND, OUTBOUND = "receptivo", "ativo"
DIRECTIONS = {INBOUND: "Receptiva", OUTBOUND: "Ativa"}

_ROUTINE_ACTION = {
    Routine.TELEMARKETING: Action.ATTEND_TELEMARKETING,
    Routine.TELEVENDAS: Action.ATTEND_TELEVENDAS,
    Routine.TELECOBRANCA: Action.ATTEND_TELECOBRANCA,
}


@dataclass(frozen=True)
class OpenCall:
    id: int
    routine: Routine
    entity_id: int
    entity_name: str
    group_id: int
    started_at: datetime
    ideal_seconds: int  # the group's ideal conversation time: the timer's limit


@dataclass(frozen=True)
class LastCall:
    entity_name: str
    started_at: datetime
    ended_at: datetime
    result: str

    @property
    def duration_seconds(self) -> int:
        return int((self.ended_at - self.started_at).total_seconds())


def _routine_gate(user: User | None, routine: Routine, *_: object, **__: object) -> Action:
    return _ROUTINE_ACTION[routine]


def _routine_call(routine: Routine, *_: object, **__: object) -> str:
    return f"ligação {routine.label}"


@command(_routine_gate, _routine_call)
def start_call(
    work: Work,
    routine: Routine,
    entity_id: int,
    group_id: int | None = None,
    contact_id: int | None = None,
) -> OpenCall:
    """Start the call clock for the selected entity in the operator's active group."""
    open_in(work.tx, work.user, routine, entity_id, active_group(work.user, group_id), contact_id)
    return _running(work.tx, work.user.id)


@command(_routine_gate, _routine_call)
def call_with(
    work: Work, routine: Routine, entity_id: int, group_id: int | None = None
) -> OpenCall:
    """The call with this entity, to open an attendance from a list or the agenda: the one
    running, or a new one. A call running with someone else is a Conflict (the attendance
    would be worked under the wrong caller)."""
    current = _open_call(work.tx, work.user.id)
    if current is None:
        group = active_group(work.user, group_id)  # opened from a list or the agenda: we call
        open_in(work.tx, work.user, routine, entity_id, group, direction=OUTBOUND)
        return _running(work.tx, work.user.id)
    if current.entity_id != entity_id:
        raise Conflict(
            f"Você já tem uma ligação em andamento com {current.entity_name}. Encerre-a ou use "
            "“Limpa Atendimento” em Chamadas antes de abrir outro atendimento."
        )
    return current


def open_in(
    tx: Tx,
    user: User,
    routine: Routine,
    entity_id: int,
    group_id: int,
    contact_id: int | None = None,
    direction: str | None = None,
) -> int:
    """Start a call inside a routine's unit of work; returns the call's id."""
    operator = user.operator
    assert operator is not None
    if tx.scalar("SELECT id FROM entities WHERE id = ?", [entity_id]) is None:
        raise NotFound("Entidade não encontrada.")
    if tx.scalar("SELECT call_id FROM open_calls WHERE user_id = ?", [user.id]):
        raise Conflict(
            "Você já tem uma ligação em andamento. Encerre-a ou use "
            "“Limpa Atendimento” antes de iniciar outra."
        )
    group = tx.one(
        f"SELECT name, direction, {routine.value} AS works FROM attendance_groups WHERE id = ?",
        [group_id],
    )
    if group is None or group["works"] is False:
        name = group["name"] if group else group_id
        raise Invalid(f"O grupo {name} não trabalha a rotina {routine.label}.")
    if direction is None:  # the caller search: an ativo group dials, the others answer
        direction = OUTBOUND if group["direction"] == OUTBOUND else INBOUND
    call_id = tx.scalar(
        """
        INSERT INTO calls (user_id, operator_id, group_id, routine, entity_id, contact_id,
            started_at, direction)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        RETURNING id
        """,
        [user.id, operator.id, group_id, routine.value, entity_id, contact_id, tx.now, direction],
    )
    tx.execute("INSERT INTO open_calls (user_id, call_id) VALUES (?, ?)", [user.id, call_id])
    audit.record(
        tx, user, "ligacao.iniciada", subject_type="entidade", subject_id=entity_id,
        detail={"ligacao": call_id, "rotina": routine.value},
    )  # fmt: skip
    return int(call_id)


def end_in(tx: Tx, user: User, call_id: int | None, routine: Routine, outcome: str) -> None:
    """Saving an attendance ends its call (the seed's window closes on confirm), in the
    routine's own unit of work; a call already ended or someone else's is left alone. The call
    is counted under the routine of the attendance it ends in, whatever tab started it."""
    if call_id is None:
        return
    if tx.scalar(
        "DELETE FROM open_calls WHERE user_id = ? AND call_id = ? RETURNING call_id",
        [user.id, call_id],
    ):
        tx.execute(
            "UPDATE calls SET ended_at = ?, result = ?, routine = ? WHERE id = ?",
            [tx.now, f"{routine.label}: {outcome}", routine.value, call_id],
        )


@query(Action.HOME)
def current_call(work: Work) -> OpenCall | None:
    """The user's own running call (None for anyone without one)."""
    return _open_call(work.tx, work.user.id)


def _running(tx: Tx, user_id: int) -> OpenCall:
    """The call just started in this unit of work, as the timer reads it."""
    found = _open_call(tx, user_id)
    assert found is not None
    return found


def _open_call(tx: Tx, user_id: int) -> OpenCall | None:
    row = tx.one(
        "SELECT c.id, c.routine, c.entity_id, e.name AS entity_name, c.group_id, c.started_at,"
        " g.ideal_seconds"
        " FROM open_calls oc JOIN calls c ON c.id = oc.call_id"
        " JOIN entities e ON e.id = c.entity_id"
        " JOIN attendance_groups g ON g.id = c.group_id"
        " WHERE oc.user_id = ?",
        [user_id],
    )
    if row is None:
        return None
    return OpenCall(
        id=row["id"],
        routine=Routine(row["routine"]),
        entity_id=row["entity_id"],
        entity_name=row["entity_name"],
        group_id=row["group_id"],
        started_at=row["started_at"],
        ideal_seconds=row["ideal_seconds"],
    )


@command(Action.ATTEND, "encerrar ligação")
def end_call(work: Work, result: str) -> None:
    """Stop the clock (the call ended, or "Limpa Atendimento" cleared it without saving)."""
    result = " ".join(result.split())
    if not result:
        raise Invalid("Informe o resultado da ligação.")
    call_id = work.tx.scalar("SELECT call_id FROM open_calls WHERE user_id = ?", [work.user.id])
    if call_id is None:
        raise NotFound("Não há ligação em andamento.")
    work.tx.execute("DELETE FROM open_calls WHERE user_id = ?", [work.user.id])
    work.tx.execute(
        "UPDATE calls SET ended_at = ?, result = ? WHERE id = ?", [work.tx.now, result, call_id]
    )
    work.audit(
        "ligacao.encerrada",
        subject_type="ligacao",
        subject_id=call_id,
        detail={"resultado": result},
    )


CHANNELS = {"telefone": "Telefone", "whatsapp": "WhatsApp"}


@command(Action.ATTEND, "canal de contato")
def record_channel(work: Work, channel: str) -> None:
    """The operator opened a tel: or WhatsApp link from the workspace: the running call (and so
    its attendance) records how the person was reached."""
    if channel not in CHANNELS:
        raise Invalid("Canal de contato inválido.")
    call_id = work.tx.scalar("SELECT call_id FROM open_calls WHERE user_id = ?", [work.user.id])
    if call_id is None:
        raise NotFound("Não há ligação em andamento.")
    work.tx.execute("UPDATE calls SET channel = ? WHERE id = ?", [channel, call_id])
    work.audit(
        "ligacao.canal", subject_type="ligacao", subject_id=call_id, detail={"canal": channel}
    )


LAST_CALL_WINDOW = timedelta(days=7)  # the footer looks back a week, not over a year of calls


@query(Action.HOME)
def last_call(work: Work) -> LastCall | None:
    """The operator's most recent finished call of the last week, for the footer (every page
    render reads it, so it must not scan the whole history)."""
    row = work.tx.one(
        """
        SELECT e.name AS entity_name, c.started_at, c.ended_at, c.result
        FROM calls c
        JOIN entities e ON e.id = c.entity_id
        WHERE c.user_id = ? AND c.started_at >= ? AND c.ended_at IS NOT NULL
        ORDER BY c.ended_at DESC
        LIMIT 1
        """,
        [work.user.id, work.tx.now - LAST_CALL_WINDOW],
    )
    return LastCall(**row) if row else None
