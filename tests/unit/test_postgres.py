"""PostgreSQL as the second engine: the real migrations on a throwaway cluster, the Tx helpers
giving the core the same frames, and units of work with DuckDB's guarantees (no lost update, a
stale version refused, a unique key judged by the database), each run on both engines."""

from __future__ import annotations

import shutil
import threading
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from core import bootstrap, calls, entities
from core.access import Routine
from core.config import Settings
from core.db import Database, open_database, postgres
from core.db.postgres import to_psycopg
from core.errors import Conflict, DomainError
from core.telecobranca import importer
from tests import factories
from tests.races import together


def test_duckdb_placeholders_become_psycopgs_outside_literals_and_comments() -> None:
    sql, values = to_psycopg(
        "SELECT '?%', x FROM t WHERE a = ? AND b LIKE 'a%' -- it's a ?\n AND c = ?", [1, 2]
    )
    assert sql == ("SELECT '?%%', x FROM t WHERE a = %s AND b LIKE 'a%%' -- it's a ?\n AND c = %s")
    assert values == [1, 2]
    assert to_psycopg("SELECT $2, $1, $2", ["a", "b"]) == ("SELECT %s, %s, %s", ["b", "a", "b"])
    assert to_psycopg("SELECT 1; SELECT '%'", []) == ("SELECT 1; SELECT '%'", None)


def _columns(database: Database) -> dict[str, list[str]]:
    rows = database.read(
        lambda tx: tx.all(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema IN ('main', 'public') ORDER BY table_name, ordinal_position"
        )
    )
    found: dict[str, list[str]] = {}
    for row in rows:
        found.setdefault(row["table_name"], []).append(row["column_name"])
    return found


def test_the_migrations_give_postgresql_every_table_and_column_duckdb_has(
    db: Database, pg_db: Database
) -> None:
    duck, pg = _columns(db), _columns(pg_db)
    assert len(duck) > 40
    assert pg == duck
    versions = "SELECT max(version) FROM schema_migrations"
    assert pg_db.read(lambda tx: tx.scalar(versions)) == db.read(lambda tx: tx.scalar(versions))


def test_frames_reach_the_core_with_the_same_types_on_both_engines(any_db: Database) -> None:
    when = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)
    frame = any_db.read(
        lambda tx: tx.frame(
            "SELECT 7::BIGINT AS n, 'texto' AS s, 1234.5::DECIMAL(14, 2) AS money,"
            " ?::TIMESTAMPTZ AS at, TRUE AS yes",
            [when],
        )
    )
    assert frame.row(0) == (7, "texto", Decimal("1234.50"), when, True)
    assert frame.schema["at"] == pl.Datetime("us", "UTC")
    empty = any_db.read(lambda tx: tx.frame("SELECT id, name FROM entities WHERE FALSE"))
    assert (empty.height, empty.schema["id"], empty.schema["name"]) == (0, pl.Int64, pl.String)


def test_bulk_inserts_and_sequences_work_alike(any_db: Database) -> None:
    ids = any_db.write(lambda tx: tx.next_ids("calls_seq", 3))
    assert len(set(ids)) == 3
    rows = pl.DataFrame(
        {"job": ["a", "b"], "day": [datetime(2026, 3, 10).date()] * 2,
         "ran_at": [datetime(2026, 3, 10, tzinfo=UTC)] * 2, "result": ["ok", None]}
    )  # fmt: skip
    any_db.write(lambda tx: tx.insert_frame("daily_jobs", rows))
    stored = any_db.read(lambda tx: tx.all("SELECT job, result FROM daily_jobs ORDER BY job"))
    assert stored == [{"job": "a", "result": "ok"}, {"job": "b", "result": None}]


def test_a_read_then_write_loses_no_update_under_concurrency(any_db: Database) -> None:
    """PostgreSQL's default READ COMMITTED would lose updates here; units of work run at
    REPEATABLE READ and a serialization failure runs the unit again, as DuckDB's conflicts."""
    any_db.write(lambda tx: tx.execute("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER)"))
    any_db.write(lambda tx: tx.execute("INSERT INTO counter VALUES (1, 0)"))

    def increment(tx: Any) -> None:
        seen = tx.scalar("SELECT n FROM counter WHERE id = 1")
        time.sleep(0.005)  # let the others read the same value
        tx.execute("UPDATE counter SET n = ? WHERE id = 1", [seen + 1])

    _, errors = together(12, lambda _: any_db.write(increment))
    assert errors == []
    assert any_db.read(lambda tx: tx.scalar("SELECT n FROM counter WHERE id = 1")) == 12


def test_fifty_saves_of_one_version_have_exactly_one_winner(any_db: Database) -> None:
    admin = factories.make_admin(any_db, username="admin")
    entity_id = factories.make_entity(any_db, admin, name="Cliente Disputado")
    version = entities.get_entity(any_db, admin, entity_id).version

    def save(index: int) -> int:
        data = factories.entity_input(name=f"Cliente Disputado {index:02d}")
        return entities.update_entity(any_db, admin, entity_id, version, data)

    saved, errors = together(50, save)
    assert len(saved) == 1 and len(errors) == 49
    assert all(isinstance(error, Conflict) for error in errors), errors[:3]


def test_twenty_registrations_of_one_cpf_make_one_entity(any_db: Database) -> None:
    admin = factories.make_admin(any_db, username="admin")
    document = factories.valid_cpf(777)
    before = any_db.read(lambda tx: tx.scalar("SELECT count(*) FROM entities"))

    def register(index: int) -> int:
        return entities.create_entity(
            any_db, admin, factories.entity_input(name=f"Pessoa {index:02d}", document=document)
        )

    created, errors = together(20, register)
    assert len(created) == 1 and len(errors) == 19
    assert all(
        isinstance(error, DomainError) and "já cadastrad" in error.message for error in errors
    ), errors[:3]
    assert any_db.read(lambda tx: tx.scalar("SELECT count(*) FROM entities")) == before + 1


@pytest.mark.parametrize("starts", [2, 8])
def test_an_operator_gets_one_open_call_however_many_startstogether(
    any_db: Database, starts: int
) -> None:
    admin = factories.make_admin(any_db, username="admin")
    operator = factories.make_operator(any_db, username="op", routines={Routine.TELEMARKETING})
    entity_id = factories.make_entity(any_db, admin)

    started, errors = together(
        starts, lambda _: calls.start_call(any_db, operator, Routine.TELEMARKETING, entity_id)
    )
    assert len(started) == 1 and len(errors) == starts - 1
    assert any_db.read(lambda tx: tx.scalar("SELECT count(*) FROM open_calls")) == 1
    assert calls.end_call(any_db, operator) == calls.NOTHING_SAVED


def test_one_file_imported_by_two_users_at_once_is_written_once(any_db: Database) -> None:
    admin = factories.make_admin(any_db, username="admin")
    other = factories.make_supervisor(any_db, username="supervisora")
    content = _portfolio(60)
    before = any_db.read(lambda tx: tx.scalar("SELECT count(*) FROM entities"))

    reports, errors = together(
        2, lambda n: importer.import_receivables(any_db, (admin, other)[n], content)
    )

    count = "SELECT count(*) FROM receivables WHERE prefix = 'IMP'"
    assert any_db.read(lambda tx: tx.scalar(count)) == 60
    assert any_db.read(lambda tx: tx.scalar("SELECT count(*) FROM entities")) == before + 60
    winners = [report for report in reports if report.ok]
    assert len(winners) == 1 and winners[0].titles_created == 60
    assert all(isinstance(error, DomainError) for error in errors), errors
    for report in reports:
        if not report.ok:  # it saw the winner's titles: refused line by line, in pt-BR
            assert all("já " in message for _, message in report.problems)


def _portfolio(titles: int) -> bytes:
    header = (
        "documento;nome;telefone;email;prefixo;numero;parcela;tipo;emissao;vencimento;valor;saldo"
    )
    lines = [header] + [
        f"{factories.valid_cpf(930_000 + n)};Devedor Importado {n};(11) 3456-7890;;"
        f"IMP;{n + 1:06d};1;DP;01/01/2026;01/02/2026;1.250,00;"
        for n in range(titles)
    ]
    return ("\n".join(lines) + "\n").encode()


def test_a_postgresql_only_migration_runs_there_and_is_counted_on_duckdb(
    migrated_template: Path, tmp_path: Path, pg_db: Database
) -> None:
    shutil.copyfile(migrated_template, tmp_path / "duck.duckdb")
    duck = open_database(str(tmp_path / "duck.duckdb"))
    try:
        name = "019_postgresql_indexes.postgresql.sql"
        recorded = "SELECT count(*) FROM schema_migrations WHERE name = ?"
        assert duck.read(lambda tx: tx.scalar(recorded, [name])) == 1
        assert pg_db.read(lambda tx: tx.scalar(recorded, [name])) == 1
        on_duck = "SELECT count(*) FROM duckdb_indexes() WHERE index_name = 'calls_started_idx'"
        assert duck.read(lambda tx: tx.scalar(on_duck)) == 0  # recorded, not run
        on_pg = "SELECT count(*) FROM pg_indexes WHERE indexname = 'calls_started_idx'"
        assert pg_db.read(lambda tx: tx.scalar(on_pg)) == 1
    finally:
        duck.close()


def test_integers_travel_as_bigint_so_sums_of_small_ones_do_not_overflow(
    any_db: Database,
) -> None:
    # psycopg sent 30000 as SMALLINT and `? + ?` overflowed (the audit check at scale S).
    assert any_db.read(lambda tx: tx.scalar("SELECT ? + ?", [30_000, 30_000])) == 60_000


def test_opening_a_postgresql_installation_writes_no_path_made_of_its_url(
    pg_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The URL is not a file: nothing named after it may appear where the app runs, and the
    views' journal goes under the data directory."""
    monkeypatch.chdir(tmp_path)
    settings = Settings(
        db_path=pg_db.url,  # type: ignore[attr-defined]
        demo_mode=False,
        cookie_key="k" * 48,
        journal_dir=str(tmp_path / "data"),
    )
    monkeypatch.setenv("CALLCENTER_AUDIT_KEY", "chave-" + "x" * 40)

    installation = bootstrap.open_installation(settings)
    installation.close()

    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


def test_a_frame_read_in_batches_is_the_frame_read_at_once(
    pg_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large result becomes a frame batch by batch; batches whose values infer differently
    (all NULL in one, text in the next) still make one frame with the whole result."""
    sql = (
        "SELECT g AS n, CASE WHEN g > 3 THEN 'texto ' || g END AS label,"
        " (g * 1.5)::NUMERIC(14, 2) AS amount FROM generate_series(1, 7) AS g ORDER BY g"
    )
    at_once = pg_db.read(lambda tx: tx.frame(sql))
    monkeypatch.setattr(postgres, "FRAME_BATCH", 2)

    batched = pg_db.read(lambda tx: tx.frame(sql))

    assert batched.to_dicts() == at_once.to_dicts()
    assert batched["label"].to_list() == [
        None,
        None,
        None,
        "texto 4",
        "texto 5",
        "texto 6",
        "texto 7",
    ]
    assert batched.schema == at_once.schema


def test_exclusive_makes_two_servers_take_turns_and_the_second_sees_the_first_commit(
    pg_db: Database,
) -> None:
    """What Próximo devedor's batches rely on across servers: B's block starts after A's
    ended, and a transaction B begins inside it reads what A committed inside its own."""
    server_b = open_database(str(pg_db.path))
    pg_db.write(lambda tx: tx.execute("CREATE TABLE turns (server VARCHAR, seen INTEGER)"))
    inside_a = threading.Event()
    order: list[str] = []

    def on(db: Database, name: str) -> None:
        with db.exclusive("turns"):
            order.append(f"{name} in")
            inside_a.set()
            time.sleep(0.3 if name == "A" else 0)
            db.write(
                lambda tx: tx.execute("INSERT INTO turns SELECT ?, count(*) FROM turns", [name])
            )
            order.append(f"{name} out")

    try:
        first = threading.Thread(target=on, args=(pg_db, "A"))
        first.start()
        inside_a.wait(5)
        second = threading.Thread(target=on, args=(server_b, "B"))
        second.start()
        first.join()
        second.join()
        assert order == ["A in", "A out", "B in", "B out"]
        seen = pg_db.read(lambda tx: tx.all("SELECT server, seen FROM turns ORDER BY server"))
        assert [(row["server"], row["seen"]) for row in seen] == [("A", 0), ("B", 1)]
    finally:
        server_b.close()
