"""A fatal DuckDB error fails only the action that caused it: the database reopens its file.

The failure is real, not mocked: with a 16 MB cap, committing a million keyed rows in one
transaction runs DuckDB out of memory while it flushes them, and DuckDB then invalidates the
whole database ("database has been invalidated"), for every cursor of the connection.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from core import audit
from core.db import Database, Tx, open_database
from core.errors import DATABASE_REOPENED, Unavailable
from tests.conftest import Clock

FATAL_ROWS = 1_000_000


@pytest.fixture
def small_db(db_path: str, clock: Clock, migrated_template: Path) -> Iterator[Database]:
    """A migrated database capped at 16 MB, with a scratch keyed table and one committed row."""
    shutil.copyfile(migrated_template, db_path)
    database = open_database(db_path, clock=clock, memory_limit="16MB")
    database.write(lambda tx: tx.execute("CREATE TABLE scratch (id BIGINT PRIMARY KEY, s TEXT)"))
    database.write(lambda tx: tx.execute("INSERT INTO scratch VALUES (1, 'antes')"))
    try:
        yield database
    finally:
        if not database.closed:
            database.close()


def _too_big(tx: Tx) -> None:
    tx.execute("INSERT INTO scratch SELECT 2 + i, 'linha ' || i FROM range(?) t(i)", [FATAL_ROWS])


def _count(db: Database) -> int:
    return int(db.read(lambda tx: tx.scalar("SELECT count(*) FROM scratch")))


def test_a_write_that_invalidates_the_database_fails_in_pt_br_and_the_next_ones_work(
    small_db: Database,
) -> None:
    with pytest.raises(Unavailable) as raised:
        small_db.write(_too_big)

    assert raised.value.message == DATABASE_REOPENED
    assert small_db.generation == 1
    # Committed before: still there. The failed action: nothing of it.
    assert small_db.read(lambda tx: tx.all("SELECT id, s FROM scratch")) == [
        {"id": 1, "s": "antes"}
    ]
    small_db.write(lambda tx: tx.execute("INSERT INTO scratch VALUES (2, 'depois')"))
    assert _count(small_db) == 2
    # The new connection has the old one's settings.
    settings = small_db.read(
        lambda tx: tx.one(
            "SELECT current_setting('TimeZone') AS tz, current_setting('memory_limit') AS mem"
        )
    )
    assert settings is not None
    assert settings["tz"] == "UTC"
    assert settings["mem"].startswith("15") or settings["mem"].startswith("16"), settings


def test_a_reader_whose_cursor_the_reopen_closed_gets_the_pt_br_error(
    small_db: Database,
) -> None:
    # The unit of work's own code sees DuckDB's error; reading() turns it into the pt-BR one.
    with pytest.raises(Unavailable) as raised, small_db.reading() as held:
        assert held.scalar("SELECT count(*) FROM scratch") == 1
        with pytest.raises(Unavailable):
            small_db.write(_too_big)
        held.scalar("SELECT count(*) FROM scratch")  # its connection was closed meanwhile

    assert raised.value.message == DATABASE_REOPENED
    assert _count(small_db) == 1


def test_threads_that_meet_an_invalidated_database_reopen_it_once(small_db: Database) -> None:
    # Invalidate it behind the Database's back, so that no action has reopened it yet.
    cursor = small_db._cursor()
    cursor.execute("BEGIN TRANSACTION")
    _too_big(Tx(cursor, small_db.clock()))
    with pytest.raises(duckdb.TransactionException):
        cursor.execute("COMMIT")
    counts: list[int] = []
    failures: list[BaseException] = []
    start = threading.Barrier(8)

    def reader() -> None:
        start.wait()
        try:
            counts.append(_count(small_db))
        except Unavailable as error:
            failures.append(error)

    threads = [threading.Thread(target=reader) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert small_db.generation == 1
    assert len(counts) + len(failures) == 8 and failures  # each got an answer or pt-BR
    assert set(counts) <= {1} and _count(small_db) == 1


def test_buffered_audit_views_and_close_hooks_survive_a_reopen(small_db: Database) -> None:
    small_db.read(lambda tx: audit.record_view(tx, None, subject_type="teste", subject_id=7))
    small_db.before_close(lambda: audit.flush(small_db))

    with pytest.raises(Unavailable):
        small_db.write(_too_big)

    assert audit.flush(small_db) == 1  # the queued view was kept in memo, and is written now
    assert audit.seal(small_db) >= 1
    small_db.read(lambda tx: audit.record_view(tx, None, subject_type="teste", subject_id=8))
    small_db.close()  # runs the hook on the reopened connection, then closes that one

    again = open_database(small_db.path, memory_limit="64MB")
    try:
        subjects = again.read(
            lambda tx: tx.all(
                "SELECT subject_id FROM audit_log WHERE subject_type = 'teste' ORDER BY id"
            )
        )
        assert [row["subject_id"] for row in subjects] == ["7", "8"]
    finally:
        again.close()


def _page(db: "Database") -> None:  # noqa: UP037 -- AppTest runs this source alone
    import streamlit as st

    from ui.kit.feedback import attempt

    def too_big(tx: "Tx") -> None:  # noqa: UP037
        tx.execute("INSERT INTO scratch SELECT 2 + i, 'x' FROM range(1000000) t(i)")

    if st.button("Importar", key="importar"):
        attempt(lambda: db.write(too_big))
    count = attempt(lambda: db.read(lambda tx: tx.scalar("SELECT count(*) FROM scratch")))
    st.write(f"linhas: {count}")


def test_the_page_shows_the_pt_br_error_not_duckdbs(small_db: Database) -> None:
    page = AppTest.from_function(_page, args=(small_db,), default_timeout=30).run()
    page.button(key="importar").click().run()

    assert not page.exception
    assert [error.value for error in page.error] == [DATABASE_REOPENED]
    assert "linhas: 1" in [text.value for text in page.markdown]
    page.run()  # the next rerun of any session works
    assert not page.error and "linhas: 1" in [text.value for text in page.markdown]


def test_a_bulk_insert_that_breaks_a_constraint_reports_that_not_an_aborted_transaction(
    small_db: Database,
) -> None:
    attempts: list[int] = []

    def work(tx: Tx) -> None:
        attempts.append(1)
        tx.insert_frame("scratch", pl.DataFrame({"id": [5, None], "s": ["a", "b"]}))

    with pytest.raises(duckdb.ConstraintException, match="NOT NULL"):
        small_db.write(work)
    assert len(attempts) == Database.CONSTRAINT_ATTEMPTS  # not retried as a conflict 25 times
    assert _count(small_db) == 1
