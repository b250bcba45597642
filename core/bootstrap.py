"""Start-up: open and migrate the database, seed the demo when the settings ask for it."""

from __future__ import annotations

from pathlib import Path

from core import demo
from core.config import Settings
from core.db import Database, open_database


def start(settings: Settings) -> Database:
    Path(settings.db_path).parent.mkdir(parents=True, exist_ok=True)
    db = open_database(settings.db_path, memory_limit=settings.db_memory_limit)
    if settings.demo_mode:
        demo.seed_demo(db)
    return db
