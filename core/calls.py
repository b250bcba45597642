"""Calls: one per conversation. Selecting an entity starts one; every attendance saved in it
is recorded with its status; "Encerrar ligação" (or "Limpa Atendimento") ends it with that result.

One open call per operator, enforced by the open_calls primary key inside the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from core import audit, entities, operator_states
from core.access import Action, Routine, User, active_group
from core.db import Tx
from core.entities import EntityInput
from core.errors import Conflict, Invalid, NotFound
from core.service import Work, command, query


class SamePhone(Invalid):
    """A new caller's phone is already on another entity: the operator confirms or searches."""


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
def register_caller(
    work: Work,
    routine: Routine,
    data: EntityInput,
    group_id: int | None = None,
    same_phone_confirmed: bool = False,
) -> OpenCall:
    """A caller the base does not know: register them and start the call on them, in one unit
    of work (whoever attends a routine may register entities). A CPF/CNPJ already registered is
    refused by its key; a phone already on file is a warning the operator must confirm."""
    entity_id = entities.insert_entity(work.tx, work.user, data)
    if not same_phone_confirmed:
        clash = work.tx.one(
            "SELECT e.id, e.name FROM entities e, entities new WHERE new.id = ? AND e.id <> new.id"
            " AND (e.phone IN (new.phone, new.mobile) OR e.mobile IN (new.phone, new.mobile))"
            " ORDER BY e.id LIMIT 1",
            [entity_id],
        )
        if clash is not None:
            raise SamePhone(
                f"Este telefone já está no cadastro de {clash['name']} (código {clash['id']}). "
                "Busque por esse cadastro ou confirme que é outra pessoa."
            )
    open_in(work.tx, work.user, routine, entity_id, active_group(work.user, group_id))
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
    operator_states.refuse_call_while_paused(tx, user.id)
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
    operator_states.enter(tx, user.id, operator_states.ON_CALL)
    audit.record(
        tx,
        user,
        "ligacao.iniciada",
        subject_type="entidade",
        subject_id=entity_id,
        detail={"ligacao": call_id, "rotina": routine.value},
    )
    return int(call_id)


def open_batch(
    tx: Tx,
    users: list[User],
    routines: list[Routine],
    entity_ids: list[int],
    group_ids: list[int],
    direction: str,
    audited: list[audit.Change] | None = None,
) -> list[int]:
    """`open_in` for a batch served together ("Próximo devedor", "Próximo contato"): the calls,
    their open rows, the operators' states and the audit rows (with the caller's `audited`
    changes, in the same statement) set-based. The caller has checked that none of the users
    has a call running; returns the call ids."""
    ids = [user.id for user in users]
    operators = [user.operator.id for user in users if user.operator is not None]
    assert len(operators) == len(users), "only operators take calls"
    rows = tx.all(
        "INSERT INTO calls (user_id, operator_id, group_id, routine, entity_id, started_at,"
        " direction) SELECT unnest(?::BIGINT[]), unnest(?::BIGINT[]), unnest(?::BIGINT[]),"
        " unnest(?::VARCHAR[]), unnest(?::BIGINT[]), ?, ? RETURNING user_id, id",
        [ids, operators, group_ids, [r.value for r in routines], entity_ids, tx.now, direction],
    )
    call_of = {row["user_id"]: row["id"] for row in rows}  # one call per user in a batch
    call_ids = [call_of[user_id] for user_id in ids]
    tx.execute(
        "INSERT INTO open_calls (user_id, call_id) SELECT unnest(?::BIGINT[]), unnest(?::BIGINT[])",
        [ids, call_ids],
    )
    operator_states.enter_all(tx, ids, operator_states.ON_CALL)
    started = [
        audit.Change(
            user,
            "ligacao.iniciada",
            "entidade",
            entity_id,
            {"ligacao": call_id, "rotina": routine.value},
        )
        for user, routine, entity_id, call_id in zip(
            users, routines, entity_ids, call_ids, strict=True
        )
    ]
    audit.record_many(tx, [*(audited or []), *started])
    return call_ids


def record_in(
    tx: Tx, user: User, routine: Routine, record_id: int, entity_id: int, status: str
) -> None:
    """An attendance was saved (converted, invoiced, finished, cancelled) during the user's
    running call with its entity: remember it and its status for the call's result. The call
    is counted under the routine of the latest record worked in it, whatever tab started it.
    Work outside a call (a supervisor's list, another caller) records nothing."""
    call_id = tx.scalar(
        "SELECT oc.call_id FROM open_calls oc JOIN calls c ON c.id = oc.call_id"
        " WHERE oc.user_id = ? AND c.entity_id = ?",
        [user.id, entity_id],
    )
    if call_id is None:
        return
    tx.execute(
        """
        INSERT INTO call_records (call_id, routine, record_id, status, worked_at)
        VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (call_id, routine, record_id)
        DO UPDATE SET status = excluded.status, worked_at = excluded.worked_at
        """,
        [call_id, routine.value, record_id, status, tx.now],
    )
    tx.execute("UPDATE calls SET routine = ? WHERE id = ?", [routine.value, call_id])


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


NOTHING_SAVED = "Encerrada sem registro"
CLEARED = "Limpo sem gravar"


@command(Action.ATTEND, "encerrar ligação")
def end_call(work: Work, cleared: bool = False) -> str:
    """Stop the clock and record what was done in the call: each attendance worked in it with
    the status it was left in (e.g. "Televendas nº 7: Faturado"). "Limpa Atendimento"
    (`cleared`) discards unsaved work, so with nothing saved the call reads "Limpo sem gravar"."""
    return close_in(work.tx, work.user, CLEARED if cleared else NOTHING_SAVED)


def close_in(tx: Tx, user: User, nothing_saved: str, outcome: str = "") -> str:
    """End the user's running call inside a unit of work (the operator enters wrap-up) and
    return its result: the attendances worked in it, or `nothing_saved`; `outcome` (a
    campaign's disposition) leads it."""
    call_id = tx.scalar("SELECT call_id FROM open_calls WHERE user_id = ?", [user.id])
    if call_id is None:
        raise NotFound("Não há ligação em andamento.")
    worked = tx.all(
        "SELECT routine, record_id, status FROM call_records WHERE call_id = ?"
        " ORDER BY worked_at, routine, record_id",
        [call_id],
    )
    parts = [outcome] if outcome else []
    parts += [
        f"{Routine(row['routine']).label} nº {row['record_id']}: {row['status']}" for row in worked
    ]
    result = " · ".join(parts) or nothing_saved
    tx.execute("DELETE FROM open_calls WHERE user_id = ?", [user.id])
    operator_states.enter(tx, user.id, operator_states.WRAP_UP)
    tx.execute("UPDATE calls SET ended_at = ?, result = ? WHERE id = ?", [tx.now, result, call_id])
    audit.record(
        tx,
        user,
        "ligacao.encerrada",
        subject_type="ligacao",
        subject_id=call_id,
        detail={"resultado": result},
    )
    return result


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
