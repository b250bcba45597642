"""What an operator is doing, with its times: available, on a call, in wrap-up after a call
(pós-atendimento, up to the group's maximum), paused with a reason from the catalogue, or
disconnected.

Every change closes the operator's open row of operator_state_log and opens the next, in the
transaction of the action that caused it (starting or ending a call, a login, a logout, the
operator's own choice), so the log and the calls never disagree. The open row is the one
operator_states points to: its key makes one per operator, across app servers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import polars as pl

from core.access import Action, User
from core.db import Tx
from core.errors import Invalid, NotFound
from core.localtime import LOCAL_TZ, local_day
from core.service import Work, command, query
from core.validation import Problems

AVAILABLE, ON_CALL, WRAP_UP, PAUSED, OFFLINE = (
    "disponivel",
    "em_ligacao",
    "pos_atendimento",
    "pausa",
    "desconectado",
)
STATE_LABELS = {
    AVAILABLE: "Disponível",
    ON_CALL: "Em ligação",
    WRAP_UP: "Pós-atendimento",
    PAUSED: "Em pausa",
    OFFLINE: "Desconectado",
}


@dataclass(frozen=True)
class StateReading:
    """The operator's state as the workspace shows it: the label, since when, and the limit
    the timer counts against (the pause's or the group's wrap-up maximum; 0: none)."""

    state: str
    since: datetime | None
    reason: str | None  # the pause's reason
    limit_seconds: int

    @property
    def label(self) -> str:
        text = STATE_LABELS[self.state]
        return f"{text} · {self.reason}" if self.reason else text


def enter(tx: Tx, user_id: int, state: str, reason_id: int | None = None) -> None:
    """Close the operator's open state row now and open `state` (nothing changes when it is
    already the state, with the same reason)."""
    enter_all(tx, [user_id], state, reason_id)


def enter_all(tx: Tx, user_ids: list[int], state: str, reason_id: int | None = None) -> None:
    """`enter` for a batch (a round of "Próximo devedor"): four statements whatever its size."""
    moving = [
        row["user_id"]
        for row in tx.all(
            "SELECT u.id AS user_id FROM unnest(?::BIGINT[]) AS u(id)"
            " LEFT JOIN operator_states s ON s.user_id = u.id"
            " WHERE s.user_id IS NULL OR s.state <> ?"
            " OR coalesce(s.pause_reason_id, -1) <> coalesce(?, -1)",
            [user_ids, state, reason_id],
        )
    ]
    if not moving:
        return
    tx.execute(
        "UPDATE operator_state_log SET ended_at = ? WHERE id IN"
        " (SELECT log_id FROM operator_states WHERE user_id = ANY(?::BIGINT[]))",
        [tx.now, moving],
    )
    opened = tx.all(
        "INSERT INTO operator_state_log (user_id, state, pause_reason_id, started_at)"
        " SELECT unnest(?::BIGINT[]), ?, ?, ? RETURNING user_id, id",
        [moving, state, reason_id, tx.now],
    )
    tx.execute(
        "INSERT INTO operator_states (user_id, log_id, state, pause_reason_id, since)"
        " SELECT unnest(?::BIGINT[]), unnest(?::BIGINT[]), ?, ?, ?"
        " ON CONFLICT (user_id) DO UPDATE SET log_id = excluded.log_id,"
        " state = excluded.state, pause_reason_id = excluded.pause_reason_id,"
        " since = excluded.since",
        [
            [row["user_id"] for row in opened],
            [row["id"] for row in opened],
            state,
            reason_id,
            tx.now,
        ],
    )


def logged_in(tx: Tx, user_id: int, lapsed_at: datetime | None) -> None:
    """A station was claimed afresh (a login, or a return after the lease lapsed at
    `lapsed_at`): the time since the last heartbeat is logged as disconnected, and the
    operator is available again, or on the call still open."""
    current = tx.one("SELECT log_id, state FROM operator_states WHERE user_id = ?", [user_id])
    if current is not None and lapsed_at is not None and current["state"] != OFFLINE:
        tx.execute(
            "UPDATE operator_state_log SET ended_at = ? WHERE id = ?",
            [lapsed_at, current["log_id"]],
        )
        log_id = tx.scalar(
            "INSERT INTO operator_state_log (user_id, state, started_at, ended_at)"
            " VALUES (?, ?, ?, ?) RETURNING id",
            [user_id, OFFLINE, lapsed_at, tx.now],
        )
        tx.execute(
            "UPDATE operator_states SET log_id = ?, state = ?, pause_reason_id = NULL, since = ?"
            " WHERE user_id = ?",
            [log_id, OFFLINE, lapsed_at, user_id],
        )
    on_call = tx.scalar("SELECT call_id FROM open_calls WHERE user_id = ?", [user_id])
    enter(tx, user_id, ON_CALL if on_call else AVAILABLE)


PAUSED_NO_CALL = "Você está em pausa ({reason}). Volte a “Disponível” antes de iniciar uma ligação."


def paused_among(tx: Tx, user_ids: list[int]) -> dict[int, str]:
    """user id -> the pause's reason, of those paused: a paused operator takes no call."""
    rows = tx.all(
        "SELECT s.user_id, r.name FROM operator_states s"
        " JOIN pause_reasons r ON r.id = s.pause_reason_id"
        " WHERE s.user_id = ANY(?::BIGINT[]) AND s.state = ?",
        [user_ids, PAUSED],
    )
    return {row["user_id"]: row["name"] for row in rows}


def refuse_call_while_paused(tx: Tx, user_id: int) -> None:
    reason = paused_among(tx, [user_id]).get(user_id)
    if reason is not None:
        raise Invalid(PAUSED_NO_CALL.format(reason=reason))


@command(Action.ATTEND, "pausa")
def pause(work: Work, reason_id: int) -> None:
    """The operator pauses with a reason from the catalogue (never during a call)."""
    reason = work.tx.one("SELECT name FROM pause_reasons WHERE id = ? AND active", [reason_id])
    if reason is None:
        raise NotFound("Motivo de pausa não encontrado ou inativo.")
    _refuse_during_call(work.tx, work.user, "pausar")
    enter(work.tx, work.user.id, PAUSED, reason_id)
    work.audit(
        "operador.pausa",
        subject_type="usuario",
        subject_id=work.user.id,
        detail={"motivo": reason["name"]},
    )


@command(Action.ATTEND, "disponível")
def become_available(work: Work) -> None:
    """The operator ends a pause or the wrap-up and is ready for the next call."""
    _refuse_during_call(work.tx, work.user, "ficar disponível")
    before = work.tx.scalar("SELECT state FROM operator_states WHERE user_id = ?", [work.user.id])
    enter(work.tx, work.user.id, AVAILABLE)
    work.audit(
        "operador.disponivel",
        subject_type="usuario",
        subject_id=work.user.id,
        detail={"de": before},
    )


def _refuse_during_call(tx: Tx, user: User, what: str) -> None:
    if tx.scalar("SELECT call_id FROM open_calls WHERE user_id = ?", [user.id]):
        raise Invalid(f"Encerre a ligação em andamento antes de {what}.")


@query(Action.HOME)
def my_state(work: Work) -> StateReading | None:
    """The user's own state for the workspace (None: not an operator, or never logged)."""
    return read_state(work.tx, work.user.id)


def read_state(tx: Tx, user_id: int) -> StateReading | None:
    row = tx.one(
        "SELECT s.state, s.since, r.name AS reason, r.max_seconds, g.wrapup_seconds"
        " FROM operator_states s"
        " LEFT JOIN pause_reasons r ON r.id = s.pause_reason_id"
        " LEFT JOIN operators o ON o.user_id = s.user_id"
        " LEFT JOIN attendance_groups g ON g.id = o.main_group_id"
        " WHERE s.user_id = ?",
        [user_id],
    )
    if row is None:
        return None
    return StateReading(
        row["state"],
        row["since"],
        row["reason"],
        limit_for(row["state"], row["max_seconds"], row["wrapup_seconds"]),
    )


def limit_for(state: str, pause_max: int | None, wrapup_max: int | None) -> int:
    if state == PAUSED:
        return int(pause_max or 0)
    if state == WRAP_UP:
        return int(wrapup_max or 0)
    return 0


@query(Action.ATTEND, "motivos de pausa")
def pause_choices(work: Work) -> dict[int, str]:
    """id -> "name (até N min)" of the active pause reasons, for the workspace."""
    rows = work.tx.all("SELECT id, name, max_seconds FROM pause_reasons WHERE active ORDER BY name")
    return {row["id"]: f"{row['name']} (até {row['max_seconds'] // 60} min)" for row in rows}


# --- the catalogue --------------------------------------------------------------------------


@dataclass
class PauseReasonInput:
    name: str
    max_minutes: int | str = 10
    productive: bool = False
    active: bool = True


@query(Action.MANAGE_OPERATORS)
def list_pause_reasons(work: Work) -> list[dict[str, object]]:
    return work.tx.all(
        "SELECT id, name, max_seconds, productive, active, version FROM pause_reasons ORDER BY name"
    )


def _clean_reason(tx: Tx, data: PauseReasonInput, reason_id: int | None) -> dict[str, object]:
    problems = Problems()
    name = " ".join(data.name.split())
    if len(name) < 2:
        problems.add("name", "informe o motivo")
    elif len(name) > 40:
        problems.add("name", "o motivo deve ter até 40 caracteres")
    elif tx.scalar(
        "SELECT id FROM pause_reasons WHERE lower(name) = lower(?) AND id <> ?",
        [name, reason_id or -1],
    ):
        problems.add("name", "já existe um motivo com este nome")
    try:
        minutes = int(str(data.max_minutes).strip())
    except ValueError:
        minutes = -1
    if not 1 <= minutes <= 8 * 60:
        problems.add("max_minutes", "o tempo máximo deve ficar entre 1 minuto e 8 horas")
    problems.raise_if_any()
    return {
        "name": name,
        "max_seconds": minutes * 60,
        "productive": bool(data.productive),
        "active": bool(data.active),
    }


@command(Action.MANAGE_OPERATORS)
def create_pause_reason(work: Work, data: PauseReasonInput) -> int:
    clean = _clean_reason(work.tx, data, None)
    reason_id = int(
        work.tx.scalar(
            "INSERT INTO pause_reasons (name, max_seconds, productive, active)"
            " VALUES (?, ?, ?, ?) RETURNING id",
            list(clean.values()),
        )
    )
    work.audit(
        "pausa.motivo_incluido", subject_type="motivo_pausa", subject_id=reason_id, detail=clean
    )
    return reason_id


@command(Action.MANAGE_OPERATORS)
def update_pause_reason(work: Work, reason_id: int, version: int, data: PauseReasonInput) -> None:
    clean = _clean_reason(work.tx, data, reason_id)
    work.update(
        "pause_reasons",
        reason_id,
        version,
        clean,
        event="pausa.motivo_alterado",
        subject_type="motivo_pausa",
        missing="Motivo de pausa não encontrado.",
    )


# --- the shift report -----------------------------------------------------------------------

SHIFT_LABELS = {
    "day": "Dia",
    "code": "Operador",
    "name": "Nome",
    "logged_min": "Logado (min)",
    "on_call_min": "Em ligação (min)",
    "wrapup_min": "Pós-atendimento (min)",
    "available_min": "Disponível (min)",
    "paused_min": "Em pausa (min)",
    "pauses": "Pausas por motivo",
    "over_min": "Acima do máximo (min)",
    "occupancy_pct": "Ocupação (%)",
    "adherence_pct": "Aderência (%)",
}
SHIFT_NOTE = (
    "Ocupação: (em ligação + pós-atendimento) ÷ (em ligação + pós-atendimento + disponível). "
    "Aderência: tempo logado fora de pausas improdutivas e sem o excesso de pausas e "
    "pós-atendimentos sobre o máximo, ÷ tempo logado. O excesso conta no dia em que a pausa "
    "começou. Estados registrados a partir desta versão."
)
LEASE_SECONDS = 60  # an open state whose station has been silent longer ended at its last beat


def shift_report(tx: Tx, start: datetime, end: datetime) -> pl.DataFrame:
    """Per operator and São Paulo day in [start, end): time in each state, pauses per reason,
    occupancy and adherence, from the state log (an interval crossing midnight is split)."""
    rows = tx.all(
        "SELECT l.user_id, l.state, l.started_at, l.ended_at, r.name AS reason,"
        " r.productive, r.max_seconds, g.wrapup_seconds, o.code, u.name, s.heartbeat_at"
        " FROM operator_state_log l"
        " JOIN users u ON u.id = l.user_id JOIN operators o ON o.user_id = l.user_id"
        " JOIN attendance_groups g ON g.id = o.main_group_id"
        " LEFT JOIN pause_reasons r ON r.id = l.pause_reason_id"
        " LEFT JOIN station_leases s ON s.user_id = l.user_id"
        " WHERE l.state <> ? AND l.started_at < ? AND (l.ended_at IS NULL OR l.ended_at > ?)"
        " ORDER BY o.code, l.started_at",
        [OFFLINE, end, start],
    )
    days: dict[tuple[date, str], dict[str, Any]] = {}
    for row in rows:
        began, ended = row["started_at"], _end_of(row, tx.now)
        limit = row["max_seconds"] if row["state"] == PAUSED else row["wrapup_seconds"]
        excess = 0.0
        if row["state"] in (PAUSED, WRAP_UP) and limit:
            excess = max(0.0, (ended - began).total_seconds() - limit)
            if excess and start <= began < end:
                _day(days, row, local_day(began))["over"] += excess
        for day, seconds in _split_by_day(max(began, start), min(ended, end)):
            totals = _day(days, row, day)
            totals[row["state"]] += seconds
            if row["state"] == PAUSED:
                totals["pauses"][row["reason"]] = totals["pauses"].get(row["reason"], 0) + seconds
                if not row["productive"]:
                    totals["unproductive"] += seconds
    return pl.DataFrame(
        [_shift_row(day, code, totals) for (day, code), totals in sorted(days.items())],
        schema={
            "day": pl.Date,
            "code": pl.String,
            "name": pl.String,
            "logged_min": pl.Float64,
            "on_call_min": pl.Float64,
            "wrapup_min": pl.Float64,
            "available_min": pl.Float64,
            "paused_min": pl.Float64,
            "pauses": pl.String,
            "over_min": pl.Float64,
            "occupancy_pct": pl.Float64,
            "adherence_pct": pl.Float64,
        },
        orient="row",
    )


def _end_of(row: dict[str, Any], now: datetime) -> datetime:
    if row["ended_at"] is not None:
        return row["ended_at"]
    beat = row["heartbeat_at"]
    if beat is not None and (now - beat).total_seconds() <= LEASE_SECONDS:
        return now
    return max(row["started_at"], beat or row["started_at"])


def _day(
    days: dict[tuple[date, str], dict[str, Any]], row: dict[str, Any], day: date
) -> dict[str, Any]:
    return days.setdefault(
        (day, row["code"]),
        {
            "name": row["name"],
            AVAILABLE: 0.0,
            ON_CALL: 0.0,
            WRAP_UP: 0.0,
            PAUSED: 0.0,
            "pauses": {},
            "unproductive": 0.0,
            "over": 0.0,
        },
    )


def _split_by_day(began: datetime, ended: datetime) -> list[tuple[date, float]]:
    """[began, ended) cut at São Paulo midnights: (day, seconds) pieces."""
    pieces = []
    while began < ended:
        day = local_day(began)
        midnight = datetime.combine(day + timedelta(days=1), time(), tzinfo=LOCAL_TZ)
        upto = min(ended, midnight)
        pieces.append((day, (upto - began).total_seconds()))
        began = upto
    return pieces


def _shift_row(day: date, code: str, totals: dict[str, Any]) -> tuple[object, ...]:
    working = totals[ON_CALL] + totals[WRAP_UP]
    logged = working + totals[AVAILABLE] + totals[PAUSED]
    occupied = working + totals[AVAILABLE]
    adherent = logged - totals["unproductive"] - totals["over"]
    pauses = " · ".join(
        f"{reason} {seconds / 60:.0f} min" for reason, seconds in sorted(totals["pauses"].items())
    )
    return (
        day,
        code,
        totals["name"],
        _minutes(logged),
        _minutes(totals[ON_CALL]),
        _minutes(totals[WRAP_UP]),
        _minutes(totals[AVAILABLE]),
        _minutes(totals[PAUSED]),
        pauses,
        _minutes(totals["over"]),
        round(working * 100 / occupied, 1) if occupied else None,
        round(max(0.0, adherent) * 100 / logged, 1) if logged else None,
    )


def _minutes(seconds: float) -> float:
    return round(seconds / 60, 1)
