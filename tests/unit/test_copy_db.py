"""Moving an installation up: `python -m core.cli copy-db --to postgresql://…` copies a DuckDB
file into an empty PostgreSQL database: every row, the sequences continued, the audit chain
intact there; a target holding data is refused."""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from core import audit, calls, cli
from core.access import Routine
from core.db import Database, open_database
from core.db.copy import copy_database
from core.errors import Invalid
from deploy.pgcluster import Cluster
from tests import factories
from tests.conftest import Clock


@pytest.fixture
def source(tmp_path: Path, migrated_template: Path, clock: Clock) -> Iterator[Database]:
    """A DuckDB installation with a little of everything, its audit log sealed."""
    path = tmp_path / "installation.duckdb"
    shutil.copyfile(migrated_template, path)
    database = open_database(str(path), clock=clock)
    admin = factories.make_admin(database, username="admin")
    operator = factories.make_operator(database, username="op", routines={Routine.TELEMARKETING})
    for _ in range(3):
        entity_id = factories.make_entity(database, admin)
    calls.start_call(database, operator, Routine.TELEMARKETING, entity_id)
    calls.end_call(database, operator)
    audit.seal(database)
    yield database
    if not database.closed:
        database.close()


def _empty_target(cluster: Cluster) -> str:
    name = f"copy_{secrets.token_hex(5)}"
    cluster.sql(f"CREATE DATABASE {name}")
    return cluster.url(name)


def _counts(database: Database, tables: list[str]) -> dict[str, int]:
    return {
        table: int(database.read(lambda tx, t=table: tx.scalar(f"SELECT count(*) FROM {t}")))
        for table in tables
    }


def test_every_row_is_copied_the_sequences_go_on_and_the_chain_verifies(
    source: Database, pg_cluster: Cluster
) -> None:
    target = open_database(_empty_target(pg_cluster))
    try:
        seen: list[tuple[str, int, int]] = []
        copied = copy_database(source, target, lambda *step: seen.append(step))

        tables = [
            "entities", "users", "operators", "calls", "call_records", "tmk_attendances",
            "audit_log", "audit_seals", "audit_chain", "catalogue_items", "data_dictionary",
        ]  # fmt: skip
        assert _counts(target, tables) == _counts(source, tables)
        assert copied == sum(step[2] for step in seen if step[1] == step[2])
        assert ("entities", 3, 3) in seen
        vacuumed = target.read(lambda tx: tx.scalar(
            "SELECT count(*) FROM pg_stat_user_tables WHERE relname = 'receivables'"
            " AND last_vacuum IS NOT NULL AND last_analyze IS NOT NULL"))  # fmt: skip
        assert vacuumed == 1  # the queue's index-only scans need the visibility map
        admin = factories.load_user(target, "admin")
        newest = source.read(lambda tx: tx.scalar("SELECT max(id) FROM entities"))
        assert factories.make_entity(target, admin) > newest  # the sequence goes on
        report = audit.verify_chain(target)
        assert report.ok and report.checked >= source.read(
            lambda tx: tx.scalar("SELECT count(*) FROM audit_seals")
        )

        with pytest.raises(Invalid, match="já tem dados"):
            copy_database(source, target)
    finally:
        target.close()


def test_the_command_copies_the_installation_and_checks_the_chain_there(
    source: Database,
    pg_cluster: Cluster,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = source.path
    source.close()  # the app's server would be stopped too
    monkeypatch.setenv("CALLCENTER_DB", path)
    monkeypatch.setenv("CALLCENTER_DEMO", "0")
    monkeypatch.setenv("CALLCENTER_COOKIE_KEY", "k" * 48)
    url = _empty_target(pg_cluster)

    assert cli.main(["copy-db", "--to", url]) == 0
    printed = capsys.readouterr().out
    assert "entities: 3 de 3 linha(s)" in printed and "Auditoria no destino: OK" in printed
    assert cli.main(["copy-db", "--to", url]) == 1  # not empty any more: refused
    assert "já tem dados" in capsys.readouterr().err
