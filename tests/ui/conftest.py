"""AppTest harness: a fresh copy of a demo database per test, and users logged in by session state.

The demo database is seeded once per worker (bcrypt and Faker make seeding the slow part) and
copied for each test: DuckDB lets a process open a file only once, and ui.runtime caches the
open Database process-wide, so every test gets its own file and closes it afterwards.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core import demo
from core.access import User
from core.db import Database, open_database
from tests import factories
from ui import runtime
from ui.session import LoginState

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"
STATION = "test-station"
NO_GRANTS = "semacesso"  # a login user with no operator record: may only open Início


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo users and groups, a small set of entities and one user without grants."""
    path = tmp_path_factory.mktemp("template") / "demo.duckdb"
    db = open_database(str(path))
    try:
        demo.seed_demo(db, customers=30, prospects=6)
        factories.make_user(db, NO_GRANTS, name="Pessoa Sem Acesso")
    finally:
        db.close()  # checkpoints: the single file is the whole database
    return path


class UiHarness:
    """Open pages as a user and look into the database the app is using."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path

    @property
    def db(self) -> Database:
        return runtime.database()  # the very object the pages use (same process)

    def user(self, username: str) -> User:
        return factories.load_user(self.db, username)

    def page(self, path: str | Path, username: str | None = None) -> AppTest:
        """An AppTest of a page file (relative to the project root) or of app.py, logged in as
        `username` (None: nobody). Not run yet."""
        at = AppTest.from_file(str(ROOT / path), default_timeout=30)
        if username is not None:
            at.session_state["cc_auth"] = LoginState(self.user(username).id, time.time(), STATION)
        return at

    def scalar(self, sql: str, params: list[Any] | None = None) -> Any:
        return self.db.read(lambda tx: tx.scalar(sql, params or []))

    def audit_events(self, event: str, username: str) -> int:
        return int(
            self.scalar(
                "SELECT count(*) FROM audit_log WHERE event = ? AND username = ?",
                [event, username],
            )
        )


@pytest.fixture
def ui(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo_template: Path) -> Iterator[UiHarness]:
    db_path = tmp_path / "callcenter.duckdb"
    shutil.copyfile(demo_template, db_path)
    monkeypatch.setenv("CALLCENTER_DB", str(db_path))
    monkeypatch.setenv("CALLCENTER_SECRETS_FILE", str(tmp_path / "secrets.toml"))
    monkeypatch.setenv("CALLCENTER_DEMO", "1")
    monkeypatch.delenv("CALLCENTER_COOKIE_KEY", raising=False)
    st.cache_resource.clear()
    try:
        yield UiHarness(db_path)
    finally:
        runtime.database().close()
        st.cache_resource.clear()


def texts(at: AppTest) -> list[str]:
    """Every alert, heading, markdown, caption and HTML block rendered, for 'is this message
    shown'."""
    elements = [*at.error, *at.warning, *at.info, *at.success, *at.title, *at.subheader,
                *at.markdown, *at.caption, *at.html]  # fmt: skip
    return [str(element.value) for element in elements]


def widget(widgets: Any, label: str) -> Any:
    """The one widget with this label (labels are the pt-BR text a person reads)."""
    found = [w for w in widgets if w.label == label]
    assert len(found) == 1, f"{len(found)} widgets labelled {label!r}"
    return found[0]


def select_row(at: AppTest, table_key: str, column: str, value: object) -> AppTest:
    """Pick the row whose `column` shows `value` in a single-row-selectable st.dataframe, as a
    click on it would (AppTest sets a dataframe's selection through session state), and run."""
    shown = at.dataframe(key=table_key).value
    matches = shown.index[shown[column] == value].tolist()
    assert len(matches) == 1, f"{len(matches)} rows with {column} = {value!r} in {table_key}"
    at.session_state[table_key] = {"selection": {"rows": matches, "columns": [], "cells": []}}
    return at.run()
