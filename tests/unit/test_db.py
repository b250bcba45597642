"""Units of work: all or nothing, one timestamp, and retried when DuckDB reports a conflict."""

from __future__ import annotations

import threading
from collections import Counter

import duckdb
import pytest

from core.db import Database, Tx
from tests.conftest import Clock


@pytest.fixture
def counters(db: Database) -> Database:
    """A scratch table for the concurrency tests (test-only DDL)."""
    db.write(lambda tx: tx.execute("CREATE TABLE counters (id INTEGER PRIMARY KEY, n INTEGER)"))
    db.write(lambda tx: tx.execute("INSERT INTO counters VALUES (1, 0)"))
    return db


def _count(db: Database, sql: str) -> int:
    return int(db.read(lambda tx: tx.scalar(sql)))


def test_a_unit_of_work_that_raises_writes_nothing(db: Database) -> None:
    users_before = _count(db, "SELECT count(*) FROM audit_log")

    def work(tx: Tx) -> None:
        tx.execute("UPDATE parameters SET value = 'S' WHERE name = 'MV_ALTPED'")
        tx.execute(
            "INSERT INTO audit_log (occurred_at, username, event) VALUES (?, 'x', 'teste')",
            [tx.now],
        )
        raise ValueError("falhou no meio")

    with pytest.raises(ValueError, match="falhou no meio"):
        db.write(work)

    assert _count(db, "SELECT count(*) FROM audit_log") == users_before
    assert (
        db.read(lambda tx: tx.scalar("SELECT value FROM parameters WHERE name = 'MV_ALTPED'"))
        == "N"
    )


def test_a_unit_of_work_commits_and_returns_its_result(db: Database) -> None:
    def work(tx: Tx) -> str:
        tx.execute("UPDATE parameters SET value = 'S' WHERE name = 'MV_ALTPED'")
        return "feito"

    assert db.write(work) == "feito"
    assert (
        db.read(lambda tx: tx.scalar("SELECT value FROM parameters WHERE name = 'MV_ALTPED'"))
        == "S"
    )


def test_every_row_of_a_unit_of_work_is_stamped_with_the_same_clock_instant(
    db: Database, clock: Clock
) -> None:
    stamps = db.write(lambda tx: (tx.now, tx.now))

    assert stamps == (clock.now, clock.now)
    later = clock.advance(minutes=5)
    assert db.read(lambda tx: tx.now) == later


def test_two_writers_on_the_same_row_both_succeed_after_a_retry(counters: Database) -> None:
    barrier = threading.Barrier(2)
    attempts: Counter[str] = Counter()
    errors: list[BaseException] = []

    def increment(tx: Tx) -> None:
        name = threading.current_thread().name
        attempts[name] += 1
        tx.scalar("SELECT n FROM counters WHERE id = 1")  # both snapshots are open...
        if attempts[name] == 1:
            barrier.wait(timeout=10)  # ...before either of them writes
        tx.execute("UPDATE counters SET n = n + 1 WHERE id = 1")

    def run() -> None:
        try:
            counters.write(increment)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, name=f"writer-{i}") for i in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert _count(counters, "SELECT n FROM counters WHERE id = 1") == 2
    assert sum(attempts.values()) > 2, "one of the writers must have conflicted and retried"


@pytest.mark.duckdb_only
def test_a_conflict_found_only_at_commit_is_retried_not_surfaced(counters: Database) -> None:
    """Two units insert the same key; DuckDB rejects the second only when it commits."""
    inserted = threading.Barrier(2)
    attempts: Counter[str] = Counter()
    errors: list[BaseException] = []
    outcomes: dict[str, str] = {}

    def insert_if_absent(tx: Tx) -> str:
        name = threading.current_thread().name
        attempts[name] += 1
        if tx.scalar("SELECT count(*) FROM counters WHERE id = 2"):
            return "já existia"
        tx.execute("INSERT INTO counters VALUES (2, 1)")
        if attempts[name] == 1:
            inserted.wait(timeout=10)  # both inserted, neither committed yet
        return "inseriu"

    def run() -> None:
        try:
            outcomes[threading.current_thread().name] = counters.write(insert_if_absent)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, name=f"writer-{i}") for i in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(outcomes.values()) == ["inseriu", "já existia"]
    assert _count(counters, "SELECT count(*) FROM counters WHERE id = 2") == 1


@pytest.mark.duckdb_only
def test_a_unit_of_work_that_keeps_conflicting_gives_up_after_the_last_attempt(
    db: Database,
) -> None:
    db.WRITE_ATTEMPTS = 3
    calls = 0

    def always_conflicts(tx: Tx) -> None:
        nonlocal calls
        calls += 1
        tx.execute("UPDATE parameters SET value = 'S' WHERE name = 'MV_ALTPED'")
        raise duckdb.TransactionException("Conflict on update!")

    with pytest.raises(duckdb.TransactionException):
        db.write(always_conflicts)

    assert calls == 3
    assert (
        db.read(lambda tx: tx.scalar("SELECT value FROM parameters WHERE name = 'MV_ALTPED'"))
        == "N"
    )


def test_an_ordinary_error_is_not_retried(db: Database) -> None:
    calls = 0

    def fails(tx: Tx) -> None:
        nonlocal calls
        calls += 1
        raise KeyError("sem retry")

    with pytest.raises(KeyError):
        db.write(fails)

    assert calls == 1
