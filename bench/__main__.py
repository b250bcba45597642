"""`python -m bench [--scale 0.1] [--db bench/data/bench.duckdb] [--runs 200]`

Builds a database at the given scale in its own file (bulk loads, not row by row), then times
the hot paths and prints min / median / p95 per figure against the targets, and the process's
peak memory. Scale 1 is the "S" installation: 1,000,000 audit rows.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from bench import audit_bench
from bench.timing import peak_rss_mb, print_table
from core.db import open_database

AUDIT_ROWS_AT_S = 1_000_000


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--scale", type=float, default=1.0, help="1 = escala S")
    parser.add_argument("--db", default="bench/data/bench.duckdb")
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()

    path = Path(args.db)
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in (path, Path(f"{path}.wal")):
        stale.unlink(missing_ok=True)
    db = open_database(str(path))
    started = time.perf_counter()
    seconds = audit_bench.fill(db, int(AUDIT_ROWS_AT_S * args.scale))
    print(f"Geração: {time.perf_counter() - started:.1f} s (auditoria {seconds:.1f} s)")
    figures = audit_bench.figures(db, args.runs)
    db.close()
    print(f"Arquivo: {path} · {os.path.getsize(path) / 2**20:.0f} MB")
    print_table(figures)
    print(f"Pico de memória (RSS): {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
