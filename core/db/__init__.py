"""The database: one DuckDB connection per process, a cursor per unit of work (PostgreSQL, the
second engine, is core/db/postgres.py with the same helpers).

Everything engine-specific lives in this package.
Services never build SQL from values: they pass parameters (`?`) to the Tx helpers below.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

import duckdb
import polars as pl

from core.errors import (
    ALREADY_REGISTERED,
    DATABASE_REOPENED,
    DATABASE_UNAVAILABLE,
    AlreadyRegistered,
    Unavailable,
)

_log = logging.getLogger(__name__)
T = TypeVar("T")
Params = Sequence[Any] | dict[str, Any]


def utc_now() -> datetime:
    return datetime.now(UTC)


class Tx:
    """One unit of work on its own cursor. Row helpers return plain dicts."""

    engine = "duckdb"  # for the rare statement an engine needs its own way (see PgTx)

    def __init__(
        self,
        cursor: duckdb.DuckDBPyConnection,
        now: datetime,
        *,
        writable: bool = True,
        memo: dict[str, Any] | None = None,
    ) -> None:
        self._cursor = cursor
        # One timestamp per unit of work, so every row it stamps agrees.
        self.now = now
        # A read runs without a transaction: anything it wrote would commit statement by
        # statement, so writers (the audit log) check this.
        self.writable = writable
        self.memo = memo if memo is not None else {}  # the Database's (see Database.memo)

    def execute(self, sql: str, params: Params = ()) -> None:
        self._cursor.execute(sql, params)

    def all(self, sql: str, params: Params = ()) -> list[dict[str, Any]]:
        self._cursor.execute(sql, params)
        names = [column[0] for column in self._cursor.description or []]
        return [dict(zip(names, row, strict=True)) for row in self._cursor.fetchall()]

    def one(self, sql: str, params: Params = ()) -> dict[str, Any] | None:
        rows = self.all(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: Params = ()) -> Any:
        self._cursor.execute(sql, params)
        rows = self._cursor.fetchall()  # drain: DuckDB refuses new work with a pending result
        return rows[0][0] if rows else None

    def frame(self, sql: str, params: Params = ()) -> pl.DataFrame:
        return self._cursor.sql(sql, params=params).pl()

    def insert_frame(self, table: str, frame: pl.DataFrame) -> None:
        """Bulk insert: one statement for the whole frame (columns named as the table's)."""
        self._cursor.register("bulk_rows", frame)
        columns = ", ".join(frame.columns)
        # No `finally`: after a failed INSERT the transaction is aborted and DuckDB refuses the
        # unregister too, which hid the real error (a duplicate key became a retried conflict).
        # The cursor, and its registration, end with the unit of work.
        self._cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM bulk_rows")
        self._cursor.unregister("bulk_rows")

    def next_ids(self, sequence: str, count: int) -> list[int]:
        """Draw `count` ids from a sequence at once, for bulk inserts that link rows."""
        rows = self.all(f"SELECT nextval('{sequence}') AS id FROM range(?)", [count])
        return [int(row["id"]) for row in rows]


def seconds_between(tx: Tx, start: str, end: str) -> str:
    """SQL for the seconds from `start` to `end` (timestamp columns; code literals), the fast
    way on each engine (at S, the average over 2 M calls): DuckDB subtracts the two epochs
    (28 ms; extracting from the interval took 340 ms), PostgreSQL extracts from the interval
    (300 ms; its epochs are NUMERIC, and subtracting them took 550 ms)."""
    if tx.engine == "postgresql":
        return f"extract(epoch FROM ({end} - {start}))"
    return f"(extract(epoch FROM {end}) - extract(epoch FROM {start}))"


class Database:
    """Owns the process's connection. `clock` is injectable so tests can move time."""

    # DuckDB aborts the second of two transactions that update the same row. The whole unit
    # of work is then rolled back and run again; a later COMMIT would silently roll back.
    WRITE_ATTEMPTS = 25
    CONSTRAINT_ATTEMPTS = 3

    def __init__(
        self, path: str, clock: Callable[[], datetime] = utc_now, memory_limit: str | None = None
    ) -> None:
        self._begin(path, clock)
        self.memory_limit = memory_limit
        # The live connection and how many times it was reopened, swapped together under the
        # lock: a unit of work whose cursor belonged to an older generation lost it to a reopen.
        self._live = (self._connect(), 0)

    def _begin(self, path: str, clock: Callable[[], datetime]) -> None:
        """What every engine's database keeps besides its connections."""
        self.path = path
        self.clock = clock
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._workers: list[threading.Thread] = []
        # Derived state this process keeps about this database between units of work (e.g.
        # the collection queue's next debtors); never the source of truth.
        self.memo: dict[str, Any] = {}
        self._before_close: list[Callable[[], object]] = []

    def _connect(self) -> duckdb.DuckDBPyConnection:
        connection = duckdb.connect(self.path)
        try:
            # GLOBAL: a plain SET applies to this connection only, not to the cursors taken
            # from it, which then used the server's zone.
            connection.execute("SET GLOBAL TimeZone = 'UTC'")
            if self.memory_limit:  # by default DuckDB may take 80 % of the machine's memory
                connection.execute("SET memory_limit = ?", [self.memory_limit])
        except BaseException:
            connection.close()
            raise
        return connection

    @property
    def engine(self) -> str:
        return "duckdb"

    def prepare_schema(self) -> None:
        """What an engine needs before the migrations run (DuckDB: nothing)."""

    @property
    def _connection(self) -> duckdb.DuckDBPyConnection:
        return self._live[0]

    @property
    def generation(self) -> int:
        """How many times the connection was reopened after DuckDB invalidated it."""
        with self._lock:  # a reopen under way counts as done: wait for it
            return self._live[1]

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        with self._lock:  # never a cursor of a connection being closed by a reopen
            return self._live[0].cursor()

    def _raise_if_lost(self, error: duckdb.Error, generation: int) -> None:
        """Called with any DuckDB error a unit of work raised: when DuckDB has invalidated the
        database (a `FatalException`, e.g. memory exhausted while committing), every later
        call on this connection fails the same way until the file is reopened. So reopen it
        (committed work is safe: the WAL replays) and give the action a pt-BR error. A unit
        of work whose cursor a reopen closed under it gets the same error."""
        if self.closed:  # closing: workers expect the raw error and stop
            return
        if self._reopen_if_invalidated() or self.generation != generation:
            raise Unavailable(DATABASE_REOPENED) from error

    def _reopen_if_invalidated(self) -> bool:
        """Reopen the file when the live connection no longer works; True when this call did.
        Only one thread reopens: the others wait on the lock, then find a healthy connection."""
        with self._lock:
            connection, generation = self._live
            if self.closed or _works(connection):
                return False
            _log.error("DuckDB invalidated %s; reopening it", self.path)
            try:
                _close_when_idle(connection)
                # Any cursor left on the old connection would keep DuckDB's invalidated
                # instance alive and connect() would hand it back: _connect then fails here.
                fresh = self._connect()
            except duckdb.Error as error:
                _log.exception("reopening %s failed", self.path)
                raise Unavailable(DATABASE_UNAVAILABLE) from error
            self._live = (fresh, generation + 1)
            return True

    def add_worker(self, thread: threading.Thread) -> None:
        """A background thread using this database: close() lets it finish its round first
        (DuckDB refuses to close a connection a cursor is still using). Threads that ended
        are dropped here, so short-lived ones (a wallboard refresh) do not pile up."""
        self._workers = [worker for worker in self._workers if worker.is_alive()] + [thread]

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def wait_closed(self, timeout: float) -> bool:
        """Sleep up to `timeout` seconds, waking at once when the database closes."""
        return self._closed.wait(timeout)

    def before_close(self, hook: Callable[[], object]) -> None:
        """Run `hook` (e.g. writing what was buffered) before the connection closes."""
        if hook not in self._before_close:
            self._before_close.append(hook)

    def close(self) -> None:
        self._wind_down()
        self._connection.close()

    def _wind_down(self) -> None:
        """Before the connection goes: background workers end their round, hooks write what
        was buffered."""
        self._closed.set()
        for worker in self._workers:
            if worker is not threading.current_thread():
                worker.join(timeout=30)
        for hook in self._before_close:
            hook()

    @contextmanager
    def reading(self) -> Iterator[Tx]:
        """A cursor for reads; nothing it does is committed."""
        generation = self.generation
        try:
            cursor = self._cursor()
            try:
                yield Tx(cursor, self.clock(), writable=False, memo=self.memo)
            finally:
                cursor.close()
        except duckdb.Error as error:
            self._raise_if_lost(error, generation)
            raise

    def read(self, work: Callable[[Tx], T]) -> T:
        with self.reading() as tx:
            return work(tx)

    @contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        """One holder of `name` at a time across app servers while the block runs (PostgreSQL
        only: a DuckDB file has one process, whose own code already serialises it)."""
        yield

    def write(self, work: Callable[[Tx], T]) -> T:
        """Run `work` in one transaction: all of it commits, or none of it does."""
        generation = self.generation
        try:
            return self._write(work)
        except duckdb.Error as error:
            self._raise_if_lost(error, generation)
            raise

    def _write(self, work: Callable[[Tx], T]) -> T:
        for attempt in range(1, self.WRITE_ATTEMPTS + 1):
            cursor = self._cursor()
            # A failed COMMIT has already ended the transaction: a ROLLBACK then would raise
            # "no transaction is active" and hide the conflict that deserves a retry.
            committing = False
            try:
                cursor.execute("BEGIN TRANSACTION")
                result = work(Tx(cursor, self.clock(), memo=self.memo))
                committing = True
                cursor.execute("COMMIT")
                return result
            except (duckdb.TransactionException, duckdb.ConstraintException) as error:
                # A unique key taken by a concurrent transaction surfaces as a constraint error:
                # run again so the unit of work sees the winner's row and decides (a few times
                # only, since a constraint the work itself breaks will not heal).
                if not committing:
                    cursor.execute("ROLLBACK")
                # When both transactions were still open as they took the key, the loser's
                # COMMIT fails instead ("Failed to commit: PRIMARY KEY or UNIQUE constraint
                # violation: duplicate key ..."): the same race, with the same cure.
                duplicate = "duplicate key" in str(error).lower()
                constraint = duplicate or isinstance(error, duckdb.ConstraintException)
                if attempt == (self.CONSTRAINT_ATTEMPTS if constraint else self.WRITE_ATTEMPTS):
                    if duplicate:  # a NOT NULL or CHECK breach is a bug: it stays raw
                        raise AlreadyRegistered(ALREADY_REGISTERED) from error
                    raise
                # Jitter keeps many writers on one hot row from colliding in lockstep.
                time.sleep(random.uniform(0.001, 0.004) * attempt)
            except BaseException:
                if not committing:
                    cursor.execute("ROLLBACK")
                raise
            finally:
                cursor.close()
        raise AssertionError("unreachable")


def _works(connection: duckdb.DuckDBPyConnection) -> bool:
    try:
        probe = connection.cursor()
        try:
            probe.execute("SELECT 1").fetchall()
        finally:
            probe.close()
    except (duckdb.FatalException, duckdb.ConnectionException):
        return False
    return True


def _close_when_idle(connection: duckdb.DuckDBPyConnection, timeout: float = 30.0) -> None:
    """Close `connection` and every cursor taken from it. DuckDB refuses while a cursor is in
    the middle of a call (even on an invalidated database those calls end soon): retry."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            connection.close()
            return
        except duckdb.ResourceInUseException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def open_database(
    path: str, clock: Callable[[], datetime] = utc_now, memory_limit: str | None = None
) -> Database:
    """Open (creating when missing) and migrate the database: a DuckDB file, or PostgreSQL
    when `path` is a postgresql:// URL."""
    from core.db.migrate import migrate
    from core.db.postgres import PgDatabase, is_url

    database = PgDatabase(path, clock) if is_url(path) else Database(path, clock, memory_limit)
    migrate(database)
    return database
