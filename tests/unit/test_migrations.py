"""The migration runner: each numbered script once, in order, recorded in schema_migrations."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.db import Database, migrate, open_database
from tests.conftest import Clock


def _migrations(db: Database) -> list[tuple[int, str]]:
    return db.read(
        lambda tx: [
            (row["version"], row["name"])
            for row in tx.all("SELECT version, name FROM schema_migrations ORDER BY version")
        ]
    )


def test_a_fresh_database_gets_every_migration_recorded_once(db: Database) -> None:
    available = migrate.available_migrations()

    assert _migrations(db) == [(version, path.name) for version, path in available]
    assert _migrations(db)[0] == (1, "001_foundation.sql")


def test_running_the_migrations_again_applies_nothing(db: Database) -> None:
    before = _migrations(db)

    assert migrate.migrate(db) == []
    assert _migrations(db) == before


def test_reopening_an_existing_file_applies_nothing_and_keeps_its_data(
    db_path: str, clock: Clock
) -> None:
    first = open_database(db_path, clock)
    first.write(lambda tx: tx.execute("UPDATE parameters SET value = 'S' WHERE name = 'MV_ALTPED'"))
    recorded = _migrations(first)
    first.close()

    again = open_database(db_path, clock)
    try:
        assert _migrations(again) == recorded
        assert (
            again.read(
                lambda tx: tx.scalar("SELECT value FROM parameters WHERE name = 'MV_ALTPED'")
            )
            == "S"
        )
    finally:
        again.close()


def test_migration_records_the_time_it_was_applied(db: Database, clock: Clock) -> None:
    applied_at = db.read(lambda tx: tx.scalar("SELECT applied_at FROM schema_migrations"))

    assert applied_at == clock.now


def test_the_foundation_migration_seeds_mv_altped_as_n(db: Database) -> None:
    row = db.read(lambda tx: tx.one("SELECT kind, value FROM parameters WHERE name = 'MV_ALTPED'"))

    assert row == {"kind": "sim_nao", "value": "N"}


def _scratch_migrations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "migrations"
    folder.mkdir()
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", folder)
    return folder


def test_new_migrations_are_applied_in_number_order_and_only_the_pending_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: Clock
) -> None:
    folder = _scratch_migrations(tmp_path, monkeypatch)
    (folder / "002_fill.sql").write_text("INSERT INTO t VALUES (2);")
    (folder / "001_create.sql").write_text("CREATE TABLE t (n INTEGER);")
    (folder / "README.txt").write_text("not a migration")
    database = Database(str(tmp_path / "scratch.duckdb"), clock)
    try:
        assert migrate.migrate(database) == [1, 2]
        (folder / "003_more.sql").write_text("INSERT INTO t VALUES (3);")

        assert migrate.migrate(database) == [3]
        assert migrate.migrate(database) == []
        assert database.read(lambda tx: tx.all("SELECT n FROM t ORDER BY n")) == [
            {"n": 2},
            {"n": 3},
        ]
    finally:
        database.close()


def test_a_failing_migration_is_not_recorded_and_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: Clock
) -> None:
    folder = _scratch_migrations(tmp_path, monkeypatch)
    (folder / "001_broken.sql").write_text("CREATE TABLE half (n INTEGER); SELEC 1;")
    database = Database(str(tmp_path / "scratch.duckdb"), clock)
    try:
        with pytest.raises(Exception, match=r"(?i)syntax"):
            migrate.migrate(database)

        assert _migrations(database) == []
        tables = database.read(
            lambda tx: tx.all("SELECT table_name FROM duckdb_tables() WHERE table_name = 'half'")
        )
        assert tables == []
    finally:
        database.close()


def test_two_migrations_with_the_same_number_stop_the_start_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _scratch_migrations(tmp_path, monkeypatch)
    (folder / "001_one.sql").write_text("SELECT 1;")
    (folder / "001_other.sql").write_text("SELECT 2;")

    with pytest.raises(RuntimeError, match="mesmo número"):
        migrate.available_migrations()
