"""Start-up: open and migrate the database, seed the demo when the settings ask for it."""

from __future__ import annotations

from pathlib import Path

import duckdb

from core import audit, demo
from core.audit_key import installation_key
from core.config import Settings
from core.daily import Job
from core.db import Database, open_database
from core.db.postgres import is_url
from core.errors import DomainError


class DatabaseInUse(DomainError):
    """Another process (the app's server) holds the database file: DuckDB lets one at a time."""


def open_installation(settings: Settings) -> Database:
    """Open and migrate the installation's database, with its audit key and view journal; never
    seeds anything (what a command-line tool needs)."""
    if not is_url(settings.db_path):
        Path(settings.db_path).parent.mkdir(parents=True, exist_ok=True)
    try:
        db = open_database(settings.db_path, memory_limit=settings.db_memory_limit)
    except duckdb.IOException as error:
        if "lock" not in str(error).lower():
            raise
        raise DatabaseInUse(
            f"Não foi possível abrir o banco {settings.db_path}: o banco está aberto pelo"
            " servidor do aplicativo (ou por outro processo), e só um processo pode usá-lo"
            " por vez."
        ) from error
    audit.use_key(db, installation_key())
    # Writes the views a crashed server left in its journal.
    audit.attach(db, Path(settings.journal_dir))
    return db


def start(settings: Settings) -> Database:
    """The app's start-up: the installation, plus the demo data in demo mode."""
    db = open_installation(settings)
    if settings.demo_mode:
        demo.seed_demo(db)
    return db


def daily_jobs() -> dict[str, Job]:
    """The work done once at each São Paulo day's turn (see core/daily.py)."""
    from core.telecobranca.attendance import sweep_broken_promises

    return {"promessas_quebradas": sweep_broken_promises}
