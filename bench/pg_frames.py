"""`python -m bench.pg_frames postgresql://…`: how fast a query's rows become a polars frame on
PostgreSQL, three ways: psycopg rows as dicts (what PgTx.frame did first), psycopg rows as
tuples (what it does now), and ADBC's Arrow batches.

ADBC is not a requirement of the product: it reads on a connection of its own, outside the unit
of work's transaction (its snapshot, its own uncommitted rows), so it could serve only reads
that need neither. To measure it: `pip install adbc-driver-postgresql==1.13.0`. Figures in
docs/performance.md. Never part of the test run.
"""

from __future__ import annotations

import importlib
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import polars as pl
import psycopg
from psycopg.rows import dict_row, tuple_row

QUERIES = {
    "página de lista (50 linhas)": (
        "SELECT a.id, a.status, a.entity_id, a.operator_id, a.started_at, e.name, e.document"
        " FROM tmk_attendances a JOIN entities e ON e.id = a.entity_id"
        " ORDER BY a.started_at DESC LIMIT 50"
    ),
    "relatório (365 linhas)": (
        "SELECT created_at::date AS day, count(*) AS n, sum(total) AS total FROM tlv_orders"
        " GROUP BY 1 ORDER BY 1 DESC LIMIT 365"
    ),
    "cópia dos nomes (todas as entidades × 13 colunas)": (
        "SELECT id, kind, person_type, name, document, phone, mobile, email, city, state,"
        " active, search_name, version FROM entities"
    ),
}


def as_dicts(connection: Any, sql: str) -> pl.DataFrame:
    cursor = connection.cursor(row_factory=dict_row)
    rows = cursor.execute(sql).fetchall()
    names = [column.name for column in cursor.description]
    return pl.DataFrame({name: [row[name] for row in rows] for name in names}, strict=False)


def as_tuples(connection: Any, sql: str) -> pl.DataFrame:
    cursor = connection.cursor(row_factory=tuple_row)
    rows = cursor.execute(sql).fetchall()
    names = [column.name for column in cursor.description]
    return pl.DataFrame(rows, schema=names, orient="row", strict=False, infer_schema_length=None)


def as_arrow(connection: Any, sql: str) -> pl.DataFrame:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        frame = pl.from_arrow(cursor.fetch_arrow_table())
    assert isinstance(frame, pl.DataFrame)
    return frame


def main() -> None:
    url = sys.argv[1]
    ways: list[tuple[str, Callable[[Any, str], pl.DataFrame], Any]] = [
        ("psycopg, linhas em dict", as_dicts, psycopg.connect(url, autocommit=True)),
        ("psycopg, linhas em tupla (PgTx)", as_tuples, psycopg.connect(url, autocommit=True)),
    ]
    try:  # imported by name: not installed with the product, and mypy must not look for it
        adbc = importlib.import_module("adbc_driver_postgresql.dbapi")
        ways.append(("ADBC, Arrow", as_arrow, adbc.connect(url)))
    except ImportError:
        print("ADBC não instalado: pip install adbc-driver-postgresql==1.13.0")
    for label, sql in QUERIES.items():
        for way, read, connection in ways:
            runs = 3 if "todas" in label else 30
            shape = read(connection, sql).shape  # warm
            samples = []
            for _ in range(runs):
                started = time.perf_counter()
                read(connection, sql)
                samples.append((time.perf_counter() - started) * 1000)
            print(f"{label:50} {way:32} mediana {statistics.median(samples):8.1f} ms  {shape}")


if __name__ == "__main__":
    main()
