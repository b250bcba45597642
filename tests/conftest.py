"""Shared fixtures: a real migrated DuckDB per test, a clock tests can move, ready-made users.

Generic on purpose: tests/unit, tests/ui and anything else under tests/ build on these.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import bcrypt
import pytest

from core.access import Routine, User
from core.config import Settings
from core.db import Database, open_database
from deploy.pgcluster import Cluster, binaries
from tests import factories

# The tests' own audit key, drawn per run, so no test run writes one into the repository's
# secrets file (servers started by the e2e tests inherit it).
os.environ.setdefault("CALLCENTER_AUDIT_KEY", secrets.token_urlsafe(48))

START = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)  # 10:00 in São Paulo, a Tuesday


class Clock:
    """A settable clock: `db.clock` calls it for every unit of work's timestamp."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        """Move forward, e.g. `clock.advance(minutes=16)`; returns the new instant."""
        self.now += timedelta(**delta)
        return self.now

    def set(self, now: datetime) -> datetime:
        self.now = now
        return self.now


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing() -> Iterator[None]:
    """bcrypt's minimum cost keeps the suite fast; the hashing code path is unchanged."""
    real_gensalt = bcrypt.gensalt
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bcrypt, "gensalt", lambda rounds=4, prefix=b"2b": real_gensalt(4, prefix))
        yield


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    return str(tmp_path / "callcenter.duckdb")


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One file migrated by the real runner per session; each test starts from a copy of it."""
    path = tmp_path_factory.mktemp("template") / "migrated.duckdb"
    open_database(str(path), clock=Clock()).close()  # closing checkpoints everything into it
    return path


ENGINE = os.environ.get("CALLCENTER_TEST_ENGINE", "duckdb")  # the test command runs both


@pytest.fixture
def db(
    db_path: str, clock: Clock, migrated_template: Path, request: pytest.FixtureRequest
) -> Iterator[Database]:
    """A fresh database with the real migrations applied; `db.clock` is `clock`. A DuckDB
    file, or with CALLCENTER_TEST_ENGINE=postgresql a database of the throwaway cluster.

    Copying the migrated template halves the set-up time; open_database still runs the
    migration runner on the copy (which finds nothing pending, as at every restart).
    """
    if ENGINE == "postgresql":
        yield request.getfixturevalue("pg_db")
        return
    shutil.copyfile(migrated_template, db_path)
    database = open_database(db_path, clock=clock)
    try:
        yield database
    finally:
        if not database.closed:  # a test may close it to change the file behind its back
            # The file is thrown away: skip the checkpoint that closing would otherwise write.
            database.read(lambda tx: tx.execute("PRAGMA disable_checkpoint_on_shutdown"))
            database.close()


# --- PostgreSQL, the second engine -----------------------------------------------------------


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """This test process's throwaway PostgreSQL cluster (see deploy/pgcluster.py)."""
    found = binaries()
    if found is None:
        if os.environ.get("CALLCENTER_REQUIRE_PG") == "1":
            pytest.fail("PostgreSQL's server binaries are missing (Debian package postgresql)")
        pytest.skip("PostgreSQL's server binaries are not installed here")
    cluster = Cluster(found).start()
    try:
        cluster.sql("CREATE DATABASE migrated")
        open_database(cluster.url("migrated"), clock=Clock()).close()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def pg_db(pg_cluster: Cluster, clock: Clock) -> Iterator[Database]:
    """A fresh PostgreSQL database copied from the migrated template; `db.clock` is `clock`."""
    name = f"test_{secrets.token_hex(6)}"
    pg_cluster.sql(f"CREATE DATABASE {name} TEMPLATE migrated")
    database = open_database(pg_cluster.url(name), clock=clock)
    try:
        yield database
    finally:
        if not database.closed:
            database.close()
        pg_cluster.sql(f"DROP DATABASE {name} WITH (FORCE)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL, a test of DuckDB's own behaviour does not apply: e.g. holding every writer
    after its insert until all arrive, which PostgreSQL's row locks turn into a wait. The same
    properties are proven there by tests/unit/test_postgres.py's plain races."""
    if ENGINE != "postgresql":
        return
    for item in items:
        if item.get_closest_marker("duckdb_only"):
            item.add_marker(pytest.mark.skip(reason="DuckDB's own concurrency model"))


@pytest.fixture(params=["duckdb", "postgresql"])
def any_db(request: pytest.FixtureRequest) -> Database:
    """The test runs on both engines: the same core, the same expectations."""
    return request.getfixturevalue("db" if request.param == "duckdb" else "pg_db")


@pytest.fixture
def settings(db_path: str) -> Settings:
    return Settings(db_path=db_path, demo_mode=False, cookie_key="k" * 48)


@pytest.fixture
def admin(db: Database) -> User:
    return factories.make_admin(db, username="admin")


@pytest.fixture
def supervisor(db: Database) -> User:
    return factories.make_supervisor(db, username="supervisora", personal=True, sensitive=True)


@pytest.fixture
def operator(db: Database) -> User:
    """An operator with one routine (Telemarketing) and access 192."""
    return factories.make_operator(
        db, username="operador", routines={Routine.TELEMARKETING}, personal=True
    )


@pytest.fixture
def multi_operator(db: Database) -> User:
    """An operator with all three routines and access 192."""
    return factories.make_operator(db, username="multi", routines=set(Routine), personal=True)


@pytest.fixture
def plain_user(db: Database) -> User:
    """A login user with no operator record and no grants."""
    return factories.make_user(db, username="semoperador")
