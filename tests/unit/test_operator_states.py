"""Operator states: every change stored with its times, driven by the login, the calls and the
operator's own pauses; a paused operator takes no call; the catalogue of pause reasons."""

from __future__ import annotations

import threading
from datetime import UTC, timedelta

import pytest

from core import calls, dashboards, operator_states, reports
from core.access import Routine, User
from core.auth import claim_station, logout, release_station
from core.config import Settings
from core.dashboards import WallboardFilter
from core.db import Database
from core.errors import Conflict, Forbidden, Invalid, NotFound
from core.localtime import LOCAL_TZ
from core.operator_states import PauseReasonInput
from tests import factories
from tests.conftest import Clock


def _log(db: Database, user: User) -> list[tuple[str, int | None, bool]]:
    """(state, seconds in it or None while open, has a pause reason) in order."""
    rows = db.read(
        lambda tx: tx.all(
            "SELECT state, started_at, ended_at, pause_reason_id FROM operator_state_log"
            " WHERE user_id = ? ORDER BY started_at, id",
            [user.id],
        )
    )
    return [
        (
            row["state"],
            int((row["ended_at"] - row["started_at"]).total_seconds()) if row["ended_at"] else None,
            row["pause_reason_id"] is not None,
        )
        for row in rows
    ]


def _reason(db: Database, name: str) -> int:
    return int(db.read(lambda tx: tx.scalar("SELECT id FROM pause_reasons WHERE name = ?", [name])))


def test_a_shift_is_logged_state_by_state_with_its_times(
    db: Database, settings: Settings, operator: User, clock: Clock
) -> None:
    claim_station(db, settings, operator, "estacao-a")
    clock.advance(seconds=30)
    entity_id = factories.make_entity(db, operator)
    calls.start_call(db, operator, Routine.TELEMARKETING, entity_id)
    clock.advance(seconds=120)
    calls.end_call(db, operator)
    reading = operator_states.my_state(db, operator)
    assert reading is not None and reading.state == operator_states.WRAP_UP
    assert reading.limit_seconds == 60  # the group's wrap-up maximum
    clock.advance(seconds=20)
    operator_states.become_available(db, operator)
    clock.advance(seconds=10)
    operator_states.pause(db, operator, _reason(db, "Café"))
    reading = operator_states.my_state(db, operator)
    assert reading is not None and reading.label == "Em pausa · Café"
    assert reading.limit_seconds == 600
    clock.advance(seconds=300)
    logout(db, operator, "estacao-a")
    assert _log(db, operator) == [
        ("disponivel", 30, False),
        ("em_ligacao", 120, False),
        ("pos_atendimento", 20, False),
        ("disponivel", 10, False),
        ("pausa", 300, True),
        ("desconectado", None, False),
    ]
    events = db.read(
        lambda tx: tx.all(
            "SELECT event FROM audit_log WHERE event LIKE 'operador.%' ORDER BY id",
        )
    )
    assert [row["event"] for row in events] == ["operador.disponivel", "operador.pausa"]


def test_a_paused_operator_takes_no_call_until_available(
    db: Database, settings: Settings, operator: User
) -> None:
    claim_station(db, settings, operator, "estacao-a")
    operator_states.pause(db, operator, _reason(db, "Almoço"))
    entity_id = factories.make_entity(db, operator)
    with pytest.raises(Invalid, match=r"em pausa \(Almoço\)"):
        calls.start_call(db, operator, Routine.TELEMARKETING, entity_id)
    assert db.read(lambda tx: tx.scalar("SELECT count(*) FROM calls")) == 0
    operator_states.become_available(db, operator)
    calls.start_call(db, operator, Routine.TELEMARKETING, entity_id)
    assert calls.current_call(db, operator) is not None


def test_no_pause_and_no_available_during_a_call(
    db: Database, settings: Settings, operator: User
) -> None:
    claim_station(db, settings, operator, "estacao-a")
    calls.start_call(db, operator, Routine.TELEMARKETING, factories.make_entity(db, operator))
    with pytest.raises(Invalid, match="Encerre a ligação"):
        operator_states.pause(db, operator, _reason(db, "Café"))
    with pytest.raises(Invalid, match="Encerre a ligação"):
        operator_states.become_available(db, operator)
    reading = operator_states.my_state(db, operator)
    assert reading is not None and reading.state == operator_states.ON_CALL


def test_an_unknown_or_inactive_reason_is_refused_and_nothing_changes(
    db: Database, settings: Settings, operator: User, admin: User
) -> None:
    claim_station(db, settings, operator, "estacao-a")
    with pytest.raises(NotFound, match="Motivo de pausa"):
        operator_states.pause(db, operator, 999_999)
    reason = _reason(db, "Banheiro")
    version = db.read(
        lambda tx: tx.scalar("SELECT version FROM pause_reasons WHERE id = ?", [reason])
    )
    operator_states.update_pause_reason(
        db, admin, reason, version, PauseReasonInput("Banheiro", 5, active=False)
    )
    with pytest.raises(NotFound):
        operator_states.pause(db, operator, reason)
    assert _log(db, operator) == [("disponivel", None, False)]


def test_a_lease_that_lapsed_is_logged_as_disconnected_from_the_last_heartbeat(
    db: Database, settings: Settings, operator: User, clock: Clock
) -> None:
    claim_station(db, settings, operator, "estacao-a")
    clock.advance(seconds=40)
    claim_station(db, settings, operator, "estacao-a")  # a heartbeat
    clock.advance(seconds=settings.station_lease_seconds + 600)  # the browser was closed
    claim_station(db, settings, operator, "estacao-b")
    assert _log(db, operator) == [
        ("disponivel", 40, False),
        ("desconectado", settings.station_lease_seconds + 600, False),
        ("disponivel", None, False),
    ]


def test_a_released_station_leaves_the_operator_disconnected(
    db: Database, settings: Settings, operator: User, admin: User
) -> None:
    claim_station(db, settings, operator, "estacao-a")
    release_station(db, admin, operator.id)
    reading = operator_states.my_state(db, operator)
    assert reading is not None and reading.state == operator_states.OFFLINE


def test_two_changes_at_once_leave_one_open_row(
    db: Database, settings: Settings, operator: User
) -> None:
    claim_station(db, settings, operator, "estacao-a")
    reasons = [_reason(db, "Café"), _reason(db, "Banheiro")]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def press(reason: int) -> None:
        barrier.wait()
        try:
            operator_states.pause(db, operator, reason)
        except Conflict as error:  # the loser may be told to try again
            errors.append(error)

    threads = [threading.Thread(target=press, args=(r,)) for r in reasons]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    open_rows = db.read(
        lambda tx: tx.scalar(
            "SELECT count(*) FROM operator_state_log WHERE user_id = ? AND ended_at IS NULL",
            [operator.id],
        )
    )
    assert open_rows == 1
    pointed = db.read(
        lambda tx: tx.scalar(
            "SELECT l.ended_at IS NULL FROM operator_states s"
            " JOIN operator_state_log l ON l.id = s.log_id WHERE s.user_id = ?",
            [operator.id],
        )
    )
    assert pointed is True


def test_the_catalogue_validates_in_pt_br_and_only_admins_change_it(
    db: Database, admin: User, operator: User
) -> None:
    with pytest.raises(Invalid) as refused:
        operator_states.create_pause_reason(db, admin, PauseReasonInput("café", "muito"))
    assert "já existe um motivo com este nome" in str(refused.value.problems)
    assert "entre 1 minuto e 8 horas" in str(refused.value.problems)
    with pytest.raises(Forbidden):
        operator_states.create_pause_reason(db, operator, PauseReasonInput("Ginástica", 15))
    created = operator_states.create_pause_reason(
        db, admin, PauseReasonInput("  Ginástica   laboral ", 15, productive=True)
    )
    rows = {row["id"]: row for row in operator_states.list_pause_reasons(db, admin)}
    assert rows[created]["name"] == "Ginástica laboral"
    assert rows[created]["max_seconds"] == 900 and rows[created]["productive"] is True
    assert "Ginástica laboral (até 15 min)" in operator_states.pause_choices(db, operator).values()
    refusals = db.read(
        lambda tx: tx.scalar("SELECT count(*) FROM audit_log WHERE event = 'acesso.negado'")
    )
    assert refusals == 1


def _shift_passes(
    db: Database, settings: Settings, clock: Clock, users: list[User], seconds: int
) -> None:
    """Time goes by with every station's heartbeat arriving (every 15 s)."""
    for _ in range(0, seconds, 15):
        clock.advance(seconds=min(15, seconds))
        for user in users:
            claim_station(db, settings, user, f"estacao-{user.username}")


def test_the_wallboard_shows_pauses_and_wrap_ups_with_alerts_over_their_maximum(
    db: Database, settings: Settings, clock: Clock, supervisor: User
) -> None:
    sac = factories.make_group(db, "SAC", ideal_seconds=300)
    names = ("ana", "bia", "caio", "duda")
    ana, bia, caio, duda = (
        factories.make_operator(
            db, name, routines={Routine.TELEMARKETING}, group_id=sac, code=f"OP{i}"
        )
        for i, name in enumerate(names, start=1)
    )
    for user in (ana, bia, caio, duda):
        claim_station(db, settings, user, f"estacao-{user.username}")
    operator_states.pause(db, ana, _reason(db, "Café"))  # 10 min at most
    calls.start_call(db, bia, Routine.TELEMARKETING, factories.make_entity(db, bia))
    calls.end_call(db, bia)  # wrap-up: 60 s at most
    calls.start_call(db, caio, Routine.TELEMARKETING, factories.make_entity(db, caio))
    _shift_passes(db, settings, clock, [ana, bia, caio, duda], seconds=45)

    board = dashboards.wallboard(db, supervisor, WallboardFilter(group_id=sac))
    by_code = {op.code: op for op in board.operators}
    assert by_code["OP1"].state == "pausa" and by_code["OP1"].pause_reason == "Café"
    assert by_code["OP1"].limit_seconds == 600 and not by_code["OP1"].over_limit(board.now)
    assert by_code["OP2"].state == "pos_atendimento" and by_code["OP2"].limit_seconds == 60
    assert (by_code["OP3"].state, by_code["OP4"].state) == ("em_ligacao", "disponivel")
    assert dashboards.state_counts(board.operators)["SAC"] == {
        "disponivel": 1,
        "em_ligacao": 1,
        "pos_atendimento": 1,
        "pausa": 1,
        "desconectado": 0,
    }
    assert not [a for a in board.alerts if "acima do máximo" in a]

    _shift_passes(db, settings, clock, [ana, bia, caio, duda], seconds=11 * 60)
    later = dashboards.live_operators(db, supervisor, WallboardFilter(group_id=sac))
    alerts = dashboards.operator_alerts(later, clock.now)
    assert any(
        a.startswith("OP1 · ") and "em pausa (Café) há 11 min" in a and "máximo de 10 min" in a
        for a in alerts
    )
    assert any(
        a.startswith("OP2 · ") and "pós-atendimento" in a and "máximo de 1 min" in a for a in alerts
    )


def test_the_shift_report_adds_each_state_per_day_with_occupancy_and_adherence(
    db: Database, settings: Settings, operator: User, clock: Clock, supervisor: User
) -> None:
    claim_station(db, settings, operator, "estacao-a")
    clock.advance(minutes=30)  # available 30 min
    calls.start_call(db, operator, Routine.TELEMARKETING, factories.make_entity(db, operator))
    clock.advance(minutes=20)  # on a call 20 min
    calls.end_call(db, operator)
    clock.advance(minutes=2)  # wrap-up 2 min: 1 min over the group's 60 s
    operator_states.pause(db, operator, _reason(db, "Café"))
    clock.advance(minutes=15)  # coffee 15 min: 5 min over its 10
    operator_states.pause(db, operator, _reason(db, "Treinamento"))
    clock.advance(minutes=13)  # training 13 min, productive
    logout(db, operator, "estacao-a")
    day = clock.now.astimezone(LOCAL_TZ).date()

    frame = reports.run_report(db, supervisor, "jornada", reports.Period(day, day))
    [row] = frame.to_dicts()
    assert row["day"] == day and row["code"] == operator.operator.code  # type: ignore[union-attr]
    assert (row["logged_min"], row["on_call_min"], row["wrapup_min"]) == (80.0, 20.0, 2.0)
    assert (row["available_min"], row["paused_min"]) == (30.0, 28.0)
    assert row["pauses"] == "Café 15 min · Treinamento 13 min"
    assert row["over_min"] == 6.0
    assert row["occupancy_pct"] == round(22 * 100 / 52, 1)
    assert row["adherence_pct"] == round((80 - 15 - 6) * 100 / 80, 1)
    with pytest.raises(Forbidden):
        reports.run_report(db, operator, "jornada", reports.Period(day, day))


def test_a_state_crossing_midnight_counts_on_both_days(
    db: Database, settings: Settings, operator: User, clock: Clock, supervisor: User
) -> None:
    local = clock.now.astimezone(LOCAL_TZ)
    clock.now = local.replace(hour=23, minute=30).astimezone(UTC)
    claim_station(db, settings, operator, "estacao-a")
    clock.advance(hours=1)
    logout(db, operator, "estacao-a")
    first = local.date()
    frame = reports.run_report(
        db, supervisor, "jornada", reports.Period(first, first + timedelta(days=1))
    )
    assert frame.select("day", "available_min").rows() == [
        (first, 30.0),
        (first + timedelta(days=1), 30.0),
    ]
