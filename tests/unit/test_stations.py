"""One operator, one station: the lease, its heartbeat, its expiry and its release."""

from __future__ import annotations

import pytest

from core import users
from core.access import User
from core.auth import (
    claim_station,
    logout,
    release_station,
    renew_station,
    session_user,
    station_leases,
)
from core.config import Settings
from core.db import Database
from core.errors import Conflict, Forbidden
from tests.conftest import Clock


def _lease(db: Database, user: User) -> dict[str, object] | None:
    return db.read(
        lambda tx: tx.one(
            "SELECT station_id, claimed_at, heartbeat_at FROM station_leases WHERE user_id = ?",
            [user.id],
        )
    )


def _events(db: Database, event: str) -> list[dict[str, object]]:
    return db.read(
        lambda tx: tx.all(
            "SELECT user_id, subject_id FROM audit_log WHERE event = ? ORDER BY id", [event]
        )
    )


def test_the_first_station_claims_a_free_operator(
    db: Database, settings: Settings, operator: User, clock: Clock
) -> None:
    claim_station(db, settings, operator, "estacao-a")

    assert _lease(db, operator) == {
        "station_id": "estacao-a",
        "claimed_at": clock.now,
        "heartbeat_at": clock.now,
    }


def test_a_second_station_is_refused_while_the_first_is_alive(
    db: Database, settings: Settings, operator: User, clock: Clock
) -> None:
    claim_station(db, settings, operator, "estacao-a")
    clock.advance(seconds=30)

    with pytest.raises(Conflict) as refused:
        claim_station(db, settings, operator, "estacao-b")

    assert "já está conectado em outra estação" in refused.value.message
    assert "60 segundos" in refused.value.message
    lease = _lease(db, operator)
    assert lease is not None and lease["station_id"] == "estacao-a"


def test_a_refused_station_is_audited(db: Database, settings: Settings, operator: User) -> None:
    claim_station(db, settings, operator, "estacao-a")

    with pytest.raises(Conflict):
        claim_station(db, settings, operator, "estacao-b")

    assert _events(db, "estacao.recusada") == [
        {"user_id": operator.id, "subject_id": str(operator.id)}
    ]


def test_the_same_station_may_claim_again_as_a_heartbeat_from_another_tab(
    db: Database, settings: Settings, operator: User, clock: Clock
) -> None:
    claimed_at = clock.now
    claim_station(db, settings, operator, "estacao-a")
    clock.advance(seconds=20)

    claim_station(db, settings, operator, "estacao-a")

    assert _lease(db, operator) == {
        "station_id": "estacao-a",
        "claimed_at": claimed_at,
        "heartbeat_at": clock.now,
    }
    assert _events(db, "estacao.recusada") == []


def test_heartbeats_keep_the_lease_alive_beyond_the_lease_time(
    db: Database, settings: Settings, operator: User, clock: Clock
) -> None:
    claim_station(db, settings, operator, "estacao-a")
    for _ in range(4):
        clock.advance(seconds=20)
        claim_station(db, settings, operator, "estacao-a")

    with pytest.raises(Conflict):
        claim_station(db, settings, operator, "estacao-b")


def test_a_station_silent_for_the_whole_lease_time_loses_the_operator(
    db: Database, settings: Settings, operator: User, clock: Clock
) -> None:
    claim_station(db, settings, operator, "estacao-a")
    clock.advance(seconds=settings.station_lease_seconds + 1)

    claim_station(db, settings, operator, "estacao-b")

    assert _lease(db, operator) == {
        "station_id": "estacao-b",
        "claimed_at": clock.now,
        "heartbeat_at": clock.now,
    }


def test_the_displaced_station_is_then_refused_itself(
    db: Database, settings: Settings, operator: User, clock: Clock
) -> None:
    claim_station(db, settings, operator, "estacao-a")
    clock.advance(seconds=settings.station_lease_seconds + 1)
    claim_station(db, settings, operator, "estacao-b")

    with pytest.raises(Conflict):
        claim_station(db, settings, operator, "estacao-a")


def test_logout_frees_the_station_at_once(db: Database, settings: Settings, operator: User) -> None:
    claim_station(db, settings, operator, "estacao-a")

    logout(db, operator, "estacao-a")

    assert _lease(db, operator) is None
    claim_station(db, settings, operator, "estacao-b")


def test_logout_from_another_station_does_not_free_the_holder(
    db: Database, settings: Settings, operator: User
) -> None:
    claim_station(db, settings, operator, "estacao-a")

    logout(db, operator, "estacao-b")

    lease = _lease(db, operator)
    assert lease is not None and lease["station_id"] == "estacao-a"


def test_an_admin_may_release_a_stuck_station(
    db: Database, settings: Settings, admin: User, operator: User
) -> None:
    claim_station(db, settings, operator, "estacao-a")

    release_station(db, admin, operator.id)

    assert _lease(db, operator) is None
    claim_station(db, settings, operator, "estacao-b")
    assert _events(db, "estacao.liberada") == [
        {"user_id": admin.id, "subject_id": str(operator.id)}
    ]


def test_releasing_voids_the_old_stations_login_so_it_cannot_claim_back(
    db: Database, settings: Settings, admin: User, operator: User, clock: Clock
) -> None:
    issued_before = clock.now
    claim_station(db, settings, operator, "estacao-a")
    clock.advance(seconds=5)

    release_station(db, admin, operator.id)

    assert session_user(db, operator.id, issued_before) is None
    clock.advance(seconds=1)
    assert session_user(db, operator.id, clock.now) is not None  # a new login works


def test_only_an_admin_may_release_a_station(
    db: Database, settings: Settings, supervisor: User, operator: User
) -> None:
    claim_station(db, settings, operator, "estacao-a")

    with pytest.raises(Forbidden):
        release_station(db, supervisor, operator.id)

    assert _lease(db, operator) is not None
    assert _events(db, "estacao.liberada") == []


def test_the_admin_sees_every_lease_with_its_user(
    db: Database,
    settings: Settings,
    admin: User,
    operator: User,
    multi_operator: User,
    clock: Clock,
) -> None:
    claim_station(db, settings, operator, "estacao-a")
    claim_station(db, settings, multi_operator, "estacao-b")

    leases = station_leases(db, admin)

    assert [(row["username"], row["heartbeat_at"]) for row in leases] == [
        (multi_operator.username, clock.now),
        (operator.username, clock.now),
    ]
    with pytest.raises(Forbidden):
        station_leases(db, operator)


def test_an_admin_without_an_operator_is_never_refused_a_station(
    db: Database, settings: Settings, admin: User
) -> None:
    claim_station(db, settings, admin, "estacao-a")
    claim_station(db, settings, admin, "estacao-b")

    assert _lease(db, admin) is None
    assert _events(db, "estacao.recusada") == []


def test_deactivating_a_user_frees_their_station(
    db: Database, settings: Settings, admin: User, operator: User
) -> None:
    claim_station(db, settings, operator, "estacao-a")

    users.set_user_active(db, admin, operator.id, active=False)

    assert _lease(db, operator) is None


def test_each_operator_holds_their_own_lease(
    db: Database, settings: Settings, operator: User, multi_operator: User
) -> None:
    claim_station(db, settings, operator, "estacao-a")

    claim_station(db, settings, multi_operator, "estacao-b")

    leases = {
        user.username: _lease(db, user)["station_id"]  # type: ignore[index]
        for user in (operator, multi_operator)
    }
    assert leases == {operator.username: "estacao-a", multi_operator.username: "estacao-b"}


# --- the heartbeat's one-statement renewal ----------------------------------------------------


def test_renewing_moves_only_the_beat_of_this_stations_lease(
    db: Database, settings: Settings, operator: User, clock: Clock
) -> None:
    issued, claimed = clock.now, clock.now
    claim_station(db, settings, operator, "estacao-a")
    clock.advance(seconds=20)

    assert renew_station(db, operator, "estacao-a", issued) is True

    assert _lease(db, operator) == {
        "station_id": "estacao-a",
        "claimed_at": claimed,
        "heartbeat_at": clock.now,
    }


def test_renewing_keeps_the_lease_alive_so_a_second_station_is_still_refused(
    db: Database, settings: Settings, operator: User, clock: Clock
) -> None:
    issued = clock.now
    claim_station(db, settings, operator, "estacao-a")
    for _ in range(4):  # 80 s of heartbeats: longer than the lease
        clock.advance(seconds=20)
        assert renew_station(db, operator, "estacao-a", issued)

    with pytest.raises(Conflict):
        claim_station(db, settings, operator, "estacao-b")


def test_renewing_refuses_another_stations_lease_and_changes_nothing(
    db: Database, settings: Settings, operator: User, clock: Clock
) -> None:
    claim_station(db, settings, operator, "estacao-a")
    before = _lease(db, operator)
    clock.advance(seconds=20)

    assert renew_station(db, operator, "estacao-b", clock.now) is False
    assert _lease(db, operator) == before


def test_renewing_refuses_a_voided_login_or_a_released_station(
    db: Database, settings: Settings, admin: User, operator: User, clock: Clock
) -> None:
    issued = clock.now
    claim_station(db, settings, operator, "estacao-a")
    clock.advance(seconds=5)
    logout(db, operator, "estacao-b")  # logged out elsewhere: this login is void, lease kept
    before = _lease(db, operator)
    assert before is not None

    assert renew_station(db, operator, "estacao-a", issued) is False
    assert _lease(db, operator) == before

    release_station(db, admin, operator.id)
    assert renew_station(db, operator, "estacao-a", clock.now) is False
    assert _lease(db, operator) is None
