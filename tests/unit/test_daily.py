"""Once-a-day work: the promises unpaid by yesterday break at the São Paulo day's turn with
no one reading the queue, exactly once per day however many servers (threads here) check."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest

from core import daily
from core.bootstrap import daily_jobs
from core.db import Database
from core.localtime import LOCAL_TZ
from core.telecobranca import outcomes as tlc_outcomes
from tests.conftest import Clock
from tests.unit.test_telecobranca import TODAY, Desk, _taken, make_desk


@pytest.fixture
def desk(db: Database) -> Desk:
    return make_desk(db)


def _promise_due_today(db: Database, desk: Desk) -> int:
    attendance = _taken(db, desk)
    after = tlc_outcomes.record_promise(
        db, desk.collector, attendance.id, [attendance.titles[0].id], TODAY, "300"
    )
    tlc_outcomes.finish_attendance(db, desk.collector, after.id, after.version, outcome="cobranca")
    return int(after.pending_promises[0]["id"])


def _status(db: Database, promise_id: int) -> str:
    return str(
        db.read(lambda tx: tx.scalar("SELECT status FROM tlc_promises WHERE id = ?", [promise_id]))
    )


def _midnight_after(day_offset: int) -> datetime:
    return datetime.combine(TODAY + timedelta(days=day_offset), datetime.min.time(), LOCAL_TZ)


def test_the_day_turn_breaks_the_promise_once_whoever_checks(
    db: Database, desk: Desk, clock: Clock
) -> None:
    promise_id = _promise_due_today(db, desk)
    jobs = daily_jobs()
    daily.run_once_today(db, "promessas_quebradas", jobs["promessas_quebradas"])  # today: kept
    assert _status(db, promise_id) == "pendente"

    clock.set(_midnight_after(1) + timedelta(seconds=30))
    ran: list[bool] = []
    servers = [
        threading.Thread(
            target=lambda: ran.append(
                daily.run_once_today(db, "promessas_quebradas", jobs["promessas_quebradas"])
            )
        )
        for _ in range(8)
    ]
    for server in servers:
        server.start()
    for server in servers:
        server.join()

    assert sorted(ran) == [False] * 7 + [True]
    assert _status(db, promise_id) == "quebrada"
    days = db.read(lambda tx: tx.all("SELECT day, result FROM daily_jobs ORDER BY day"))
    assert [(row["day"], row["result"]) for row in days] == [
        (TODAY, "0"),
        (TODAY + timedelta(days=1), "1"),
    ]


def test_a_failing_job_leaves_the_day_unclaimed_for_the_next_check(db: Database) -> None:
    def broken(tx: object) -> None:
        raise RuntimeError("falhou")

    with pytest.raises(RuntimeError):
        daily.run_once_today(db, "teste", broken)
    assert daily.run_once_today(db, "teste", lambda tx: 7) is True
    assert daily.run_once_today(db, "teste", lambda tx: 8) is False


def test_the_background_check_breaks_it_without_any_read(
    db: Database, desk: Desk, clock: Clock
) -> None:
    promise_id = _promise_due_today(db, desk)
    clock.set(_midnight_after(1) + timedelta(minutes=1))

    daily.start_daily_jobs(db, daily_jobs(), every=0.05)
    deadline = datetime.now() + timedelta(seconds=10)
    while _status(db, promise_id) != "quebrada" and datetime.now() < deadline:
        threading.Event().wait(0.05)

    assert _status(db, promise_id) == "quebrada"
