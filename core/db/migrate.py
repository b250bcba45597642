"""Numbered SQL migrations (migrations/NNN_name.sql), applied once each, in order.

`NNN_name.postgresql.sql` holds what only PostgreSQL needs (e.g. an index DuckDB does without):
other engines record its number as applied without running it, so every installation counts
the same versions (copy-db compares them)."""

from __future__ import annotations

import re
from pathlib import Path

from core.db import Database, Tx

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+(?:\.(duckdb|postgresql))?\.sql$")


def available_migrations() -> list[tuple[int, Path]]:
    found = []
    for path in sorted(MIGRATIONS_DIR.iterdir()):
        match = _NAME.match(path.name)
        if match:
            found.append((int(match.group(1)), path))
    versions = [version for version, _ in found]
    if len(versions) != len(set(versions)):
        raise RuntimeError(f"Duas migrações com o mesmo número em {MIGRATIONS_DIR}")
    return found


def _engine_of(path: Path) -> str | None:
    """The engine a migration is written for (None: every engine)."""
    match = _NAME.match(path.name)
    return match.group(2) if match else None


def migrate(database: Database) -> list[int]:
    """Apply the pending migrations, each in its own transaction. Returns those applied."""
    database.prepare_schema()
    database.write(
        lambda tx: tx.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
            " applied_at TIMESTAMPTZ NOT NULL)"
        )
    )
    applied = set(
        database.read(
            lambda tx: [row["version"] for row in tx.all("SELECT version FROM schema_migrations")]
        )
    )
    done = []
    for version, path in available_migrations():
        if version in applied:
            continue

        def apply(tx: Tx, version: int = version, path: Path = path) -> None:
            if _engine_of(path) in (None, database.engine):
                tx.execute(path.read_text(encoding="utf-8"))
            tx.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                [version, path.name, tx.now],
            )

        database.write(apply)
        done.append(version)
    return done
