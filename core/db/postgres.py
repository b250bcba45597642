"""PostgreSQL, the engine for a call center that outgrows one machine
(`CALLCENTER_DB=postgresql://user:password@host:port/dbname`): the same `Tx` helpers as DuckDB's
over psycopg 3 and a connection pool, so the core does not know which engine it runs on.

Units of work run at REPEATABLE READ: a write that DuckDB would abort as a conflict must not
silently win on PostgreSQL's default READ COMMITTED. Serialization failures (40001) and
deadlocks (40P01) are retried like DuckDB's conflicts; a unique key another unit of work took
becomes the same pt-BR "já cadastrado".
"""

from __future__ import annotations

import logging
import random
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar

import polars as pl
import psycopg
from psycopg import errors as pg_errors
from psycopg.rows import dict_row, tuple_row
from psycopg.types.numeric import Int8Dumper
from psycopg_pool import ConnectionPool

from core.db import Database, Params, Tx, utc_now
from core.errors import ALREADY_REGISTERED, DATABASE_UNAVAILABLE, AlreadyRegistered, Unavailable

_log = logging.getLogger(__name__)
T = TypeVar("T")

SCHEMES = ("postgresql://", "postgres://")
POOL_SIZE = 8  # connections per app server; PostgreSQL's default allows 100 in all

# The core writes DuckDB's placeholders: `?` in order, or `$n` by number. A `?` in a comment,
# a quoted literal or identifier is no placeholder; every % is doubled for psycopg.
_TOKENS = re.compile(r"--[^\n]*|'(?:[^']|'')*'|\"[^\"]*\"|\?|\$(\d+)|%")

# What a column's type becomes in a frame when no row tells (an empty result keeps its types).
_FRAME_TYPES: dict[str, pl.DataType] = {
    "int2": pl.Int16(),
    "int4": pl.Int32(),
    "int8": pl.Int64(),
    "float4": pl.Float32(),
    "float8": pl.Float64(),
    "bool": pl.Boolean(),
    "text": pl.String(),
    "varchar": pl.String(),
    "bpchar": pl.String(),
    "date": pl.Date(),
    "timestamptz": pl.Datetime("us", "UTC"),
    "timestamp": pl.Datetime("us"),
}


def is_url(target: str) -> bool:
    return target.startswith(SCHEMES)


def to_psycopg(sql: str, params: Params) -> tuple[str, list[Any] | None]:
    """DuckDB-style SQL and parameters as psycopg takes them."""
    if isinstance(params, dict):
        raise TypeError("named parameters are not used by the core")
    values = list(params)
    if not values:
        return sql, None  # no parsing: a script of several statements (the migrations)
    order: list[int] = []

    def swap(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "?":
            order.append(len(order))
            return "%s"
        if match.group(1) is not None:
            order.append(int(match.group(1)) - 1)
            return "%s"
        return token.replace("%", "%%")  # psycopg reads % even inside a literal

    converted = _TOKENS.sub(swap, sql)
    return converted, [values[index] for index in order]


FRAME_BATCH = 20_000


class PgTx(Tx):
    """A unit of work on a psycopg cursor (rows as dicts)."""

    engine = "postgresql"

    def __init__(
        self,
        cursor: psycopg.Cursor[dict[str, Any]],
        now: datetime,
        *,
        writable: bool = True,
        memo: dict[str, Any] | None = None,
    ) -> None:
        self._pg = cursor
        self.now = now
        self.writable = writable
        self.memo = memo if memo is not None else {}

    def _run(self, sql: str, params: Params) -> None:
        query, values = to_psycopg(sql, params)
        self._pg.execute(query.encode() if values is None else query, values)

    def execute(self, sql: str, params: Params = ()) -> None:
        self._run(sql, params)

    def all(self, sql: str, params: Params = ()) -> list[dict[str, Any]]:
        self._run(sql, params)
        return list(self._pg.fetchall()) if self._pg.description else []

    def scalar(self, sql: str, params: Params = ()) -> Any:
        self._run(sql, params)
        row = self._pg.fetchone() if self._pg.description else None
        return next(iter(row.values())) if row else None

    def frame(self, sql: str, params: Params = ()) -> pl.DataFrame:
        # Rows as tuples: 1.4x faster than dicts for a large frame (docs/performance.md, where
        # ADBC's Arrow is measured too: faster still, but outside this unit's transaction).
        # In batches, so a large result never exists as Python objects all at once (the name
        # search's copy: 250,000 rows x 13 values).
        self._pg.row_factory = tuple_row  # type: ignore[assignment]
        parts = []
        try:
            self._run(sql, params)
            columns = self._pg.description or []
            names = [column.name for column in columns]
            while rows := self._pg.fetchmany(FRAME_BATCH):
                parts.append(
                    pl.DataFrame(
                        rows, schema=names, orient="row", strict=False, infer_schema_length=None
                    )
                )
        finally:
            self._pg.row_factory = dict_row
        if parts:
            return pl.concat(parts, how="vertical_relaxed")
        types = self._pg.adapters.types
        schema: dict[str, pl.DataType] = {}
        for column in columns:
            info = types.get(column.type_code)
            name = info.name if info else ""
            if name == "numeric":  # an aggregate's scale is unknown: money's, then
                schema[column.name] = pl.Decimal(38, column.scale if column.scale else 2)
            else:
                schema[column.name] = _FRAME_TYPES.get(name, pl.String())
        return pl.DataFrame(schema=schema)

    def insert_frame(self, table: str, frame: pl.DataFrame) -> None:
        """Bulk insert through COPY (columns named as the table's)."""
        columns = ", ".join(frame.columns)
        with self._pg.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in frame.iter_rows():
                copy.write_row(row)

    def next_ids(self, sequence: str, count: int) -> list[int]:
        rows = self.all(
            "SELECT nextval(?) AS id FROM generate_series(1, ?) ORDER BY 1", [sequence, count]
        )
        return [int(row["id"]) for row in rows]


class PgDatabase(Database):
    """A pool of connections to one PostgreSQL database, shared by this process's sessions."""

    WRITE_ATTEMPTS = 25
    CONSTRAINT_ATTEMPTS = 3

    def __init__(self, url: str, clock: Callable[[], datetime] = utc_now) -> None:
        self._begin(_without_password(url), clock)  # the path logs and memo keys may show
        self.url = url
        self.memory_limit = None
        try:
            self._pool = ConnectionPool(
                url,
                min_size=1,
                max_size=POOL_SIZE,
                open=True,
                configure=_configure,
                kwargs={"autocommit": True},
                timeout=30,
            )
            self._pool.wait(timeout=30)
        except (psycopg.Error, OSError) as error:
            raise Unavailable(DATABASE_UNAVAILABLE) from error

    @property
    def engine(self) -> str:
        return "postgresql"

    @property
    def generation(self) -> int:
        return 0

    def close(self) -> None:
        self._wind_down()
        self._pool.close()

    @contextmanager
    def reading(self) -> Iterator[Tx]:
        """One REPEATABLE READ, read-only transaction: the reads of a unit agree."""
        try:
            with self._pool.connection() as connection, connection.transaction():
                cursor = connection.cursor(row_factory=dict_row)
                cursor.execute(b"SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                yield PgTx(cursor, self.clock(), writable=False, memo=self.memo)
        except psycopg.OperationalError as error:
            raise Unavailable(DATABASE_UNAVAILABLE) from error

    def write(self, work: Callable[[Tx], T]) -> T:
        """Run `work` in one REPEATABLE READ transaction, again on a serialization failure or
        a deadlock; a unique key taken meanwhile is retried a few times, then refused."""
        for attempt in range(1, self.WRITE_ATTEMPTS + 1):
            try:
                with self._pool.connection() as connection, connection.transaction():
                    cursor = connection.cursor(row_factory=dict_row)
                    cursor.execute(b"SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                    return work(PgTx(cursor, self.clock(), memo=self.memo))
            except (pg_errors.SerializationFailure, pg_errors.DeadlockDetected):
                if attempt == self.WRITE_ATTEMPTS:
                    raise
            except pg_errors.UniqueViolation as error:
                if attempt >= self.CONSTRAINT_ATTEMPTS:
                    raise AlreadyRegistered(ALREADY_REGISTERED) from error
            except psycopg.OperationalError as error:
                raise Unavailable(DATABASE_UNAVAILABLE) from error
            time.sleep(random.uniform(0.001, 0.004) * attempt)
        raise AssertionError("unreachable")

    @contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        """One holder of `name` at a time across app servers: a session advisory lock on a
        connection of its own, taken before the block's transactions begin, so their snapshot
        already sees the previous holder's commit (a transaction-level lock would be taken
        after its REPEATABLE READ snapshot, and the work would conflict and retry anyway)."""
        try:
            with self._pool.connection() as holder:
                holder.autocommit = True
                holder.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", [name])
                try:
                    yield
                finally:
                    holder.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", [name])
                    holder.autocommit = False
        except psycopg.OperationalError as error:
            raise Unavailable(DATABASE_UNAVAILABLE) from error

    def vacuum_analyze(self) -> None:
        """After a bulk load: the planner's statistics, and the visibility map the index-only
        scans need (the collection queue's). Outside any transaction, as VACUUM requires."""
        try:
            with self._pool.connection() as connection:
                connection.execute(b"VACUUM ANALYZE")
        except psycopg.OperationalError as error:
            raise Unavailable(DATABASE_UNAVAILABLE) from error

    def prepare_schema(self) -> None:
        """What the migrations need that PostgreSQL lacks: DuckDB's error() (a migration's
        guard stops it with a pt-BR message)."""
        self.write(
            lambda tx: tx.execute(
                "CREATE OR REPLACE FUNCTION error(message text) RETURNS void LANGUAGE plpgsql"
                " AS $body$ BEGIN RAISE EXCEPTION '%', message; END $body$"
            )
        )


def _configure(connection: psycopg.Connection[Any]) -> None:
    connection.execute("SET TIME ZONE 'UTC'")
    # The queue and report aggregates group a few hundred thousand rows: JIT compiling them
    # cost more (~0.4 s) than it saved, and the default 4 MB work_mem spilled them to disk.
    # The default random_page_cost (4, for spinning disks) made the planner scan a whole
    # table rather than look up a few thousand rows by key (the wallboard's recovery: 52 ->
    # 11 ms). Session settings, so a shared server's configuration need not change.
    connection.execute("SET jit = off")
    connection.execute("SET work_mem = '64MB'")
    connection.execute("SET random_page_cost = 1.1")
    # A Python int goes as BIGINT, as DuckDB takes it: psycopg's default picks the smallest
    # type by value, and `? + ?` of two small ones then overflowed as SMALLINT.
    connection.adapters.register_dumper(int, Int8Dumper)


def _without_password(url: str) -> str:
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)
