"""Moving an installation up: every table of a DuckDB file copied into an empty PostgreSQL
database in one transaction (all of it, or nothing), the sequences continued where the file's
stopped, the audit log and its chain as they were (verify-audit passes on the target)."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from core.db import Database, Tx
from core.db.postgres import PgDatabase
from core.errors import Invalid

OWN_DATA = ("users", "entities", "audit_log")  # an installation in use always has some
CHUNK = 50_000  # rows read from the file at a time: the copy's memory stays flat at scale S
Progress = Callable[[str, int, int], None]  # table, rows copied, rows in all


def _tables(source: Database) -> list[str]:
    rows = source.read(
        lambda tx: tx.all(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
            " AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations'"
            " ORDER BY table_name"
        )
    )
    return [row["table_name"] for row in rows]


def _columns(db: Database, table: str) -> list[str]:
    rows = db.read(
        lambda tx: tx.all(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ?"
            " AND table_schema IN ('main', 'public') ORDER BY ordinal_position",
            [table],
        )
    )
    return [row["column_name"] for row in rows]


def _version(db: Database) -> int:
    return int(db.read(lambda tx: tx.scalar("SELECT max(version) FROM schema_migrations")))


def _count(db: Database, table: str) -> int:
    sql = f"SELECT count(*) FROM {table}"  # a table name read from the catalogue
    return int(db.read(lambda tx: tx.scalar(sql)))


def _chunk(source: Database, table: str, columns: list[str], offset: int) -> pl.DataFrame:
    sql = f"SELECT {', '.join(columns)} FROM {table} ORDER BY rowid LIMIT ? OFFSET ?"
    return source.read(lambda tx: tx.frame(sql, [CHUNK, offset]))


def copy_database(source: Database, target: Database, progress: Progress | None = None) -> int:
    """Copy `source` (DuckDB, migrated) into `target` (PostgreSQL, migrated, empty); returns
    the rows copied. A target holding any row, or migrated to another version, is refused."""
    if source.engine != "duckdb" or target.engine != "postgresql":
        raise Invalid("A cópia vai de um arquivo DuckDB para um banco PostgreSQL.")
    if _version(source) != _version(target):
        raise Invalid("Origem e destino em versões diferentes do esquema: atualize o aplicativo.")
    tables = _tables(source)
    filled = [table for table in OWN_DATA if _count(target, table)]
    if filled:
        raise Invalid(
            f"O banco de destino já tem dados ({', '.join(filled)}): a cópia só vai para um"
            " banco vazio, criado para isso."
        )
    # What the migrations put in a new database (parameters, the data dictionary, the audit
    # chain's head) gives way to the installation's own rows.
    seeded = [table for table in tables if _count(target, table)]
    sequences = source.read(
        lambda tx: tx.all(
            "SELECT sequence_name AS name, last_value AS value FROM duckdb_sequences()"
            " WHERE NOT temporary AND last_value IS NOT NULL"
        )
    )

    def work(tx: Tx) -> int:
        copied = 0
        for table in seeded:
            tx.execute(f"DELETE FROM {table}")
        for table in tables:
            columns, total = _columns(source, table), _count(source, table)
            for offset in range(0, total, CHUNK):
                rows = _chunk(source, table, columns, offset)
                tx.insert_frame(table, rows)
                copied += rows.height
                if progress is not None:
                    progress(table, min(offset + CHUNK, total), total)
        for sequence in sequences:
            tx.scalar("SELECT setval(?, ?)", [sequence["name"], sequence["value"]])
        return copied

    copied = target.write(work)
    assert isinstance(target, PgDatabase)
    target.vacuum_analyze()
    return copied
