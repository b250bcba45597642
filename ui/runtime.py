"""The process-wide settings and database, created on first use (never at import time)."""

from __future__ import annotations

import streamlit as st

from core import audit, auth, entity_names
from core.bootstrap import daily_jobs, start
from core.config import Settings, load_settings
from core.daily import start_daily_jobs
from core.db import Database


@st.cache_resource(show_spinner="Preparando o banco de dados…")
def settings() -> Settings:
    return load_settings()


@st.cache_resource(show_spinner="Preparando o banco de dados…")
def database() -> Database:
    # One DuckDB connection per process; each unit of work takes its own cursor. The audit
    # sealer chains the audit rows every few seconds in the background; the name search's copy
    # of the entity list and the unknown-user login's dummy hash are prepared in the background;
    # the day's turn (broken promises) is checked every minute.
    db = start(settings())
    audit.start_sealer(db)  # its journal was attached by start()
    start_daily_jobs(db, daily_jobs())
    entity_names.load_in_background(db)
    auth.prepare_in_background()
    return db


# The fragment interval is fixed when the module loads; the lease (60 s) is three beats long.
HEARTBEAT_SECONDS = 20
