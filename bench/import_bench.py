"""The Telecobrança CSV import at scale: a 50,000-row file as Excel saves it (Windows-1252,
CRLF, pt-BR money), a quarter of its rows for customers already registered, imported into the
generated installation; then a file past the row limit, which must be refused early."""

from __future__ import annotations

import io
import time

from bench.timing import Figure, figure
from core.access import User
from core.db import Database
from core.telecobranca import importer
from core.telecobranca import importer as tlc_importer

ROWS = 50_000
TARGET_MS = 10_000


def _cpf(seed: int) -> str:
    base = [int(ch) for ch in f"{(987_654_321 + seed * 7_919) % 1_000_000_000:09d}"]
    for weights in (range(10, 1, -1), range(11, 1, -1)):
        total = sum(n * w for n, w in zip(base, weights, strict=False)) % 11
        base.append(0 if total < 2 else 11 - total)
    return "".join(map(str, base))


def build_file(existing: list[str], rows: int, stamp: int) -> bytes:
    """`rows` titles: one in four for an existing customer, the rest two per new customer
    (new on every run: their CPFs and the title numbers start from `stamp`)."""
    lines = [";".join(importer.COLUMNS)]
    for n in range(rows):
        if n % 4 == 0 and existing:
            document, name = existing[(n // 4) % len(existing)], ""
        else:
            document, name = _cpf(stamp * 100_000 + n // 2), f"João Araújo da Conceição {n // 2}"
        amount = f"{n % 9_000 + 1:,}".replace(",", ".") + f",{n % 100:02d}"  # up to 9.000,99
        paid = n % 10 == 3
        lines.append(
            f"{document};{name};(11) 9{n % 10_000:04d}-{n % 9_999:04d};;IMP;{stamp}-{n // 3};"
            f"{n % 3 + 1};DP;05/01/2026;05/02/2026;{amount};{'0' if paid else ''}"
        )
    return "\r\n".join(lines).encode("cp1252")


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 2**20


def figures(db: Database, user: User) -> list[Figure]:
    sql = (
        "SELECT document FROM entities WHERE kind = 'cliente' AND document IS NOT NULL"
        " ORDER BY id LIMIT ?"
    )
    existing = [row["document"] for row in db.read(lambda tx: tx.all(sql, [ROWS // 4]))]
    stamp = int(time.time()) % 10**5  # new customers and titles on every run (--keep)
    content = build_file(existing, ROWS, stamp)
    before = _rss_mb()
    started = time.perf_counter()
    report = tlc_importer.import_receivables(db, user, io.BytesIO(content))
    elapsed = (time.perf_counter() - started) * 1000
    if not report.ok:
        raise RuntimeError(f"importação recusada: {report.problems[:5]}")
    print(
        f"Importação: {report.titles_created} títulos, {report.customers_created} clientes novos,"
        f" {len(content) / 2**20:.1f} MB ({report.encoding});"
        f" RSS {before:.0f} -> {_rss_mb():.0f} MB"
    )
    imported = figure(f"importar CSV de {ROWS:,} títulos".replace(",", "."), [elapsed], TARGET_MS)

    too_long = build_file(existing, importer.MAX_ROWS * 2, stamp + 1)
    started = time.perf_counter()
    refused = tlc_importer.import_receivables(db, user, io.BytesIO(too_long))
    refusal = (time.perf_counter() - started) * 1000
    assert not refused.ok and refused.problems[0][0] == 1, refused.problems[:3]
    return [
        imported,
        figure(
            f"recusar CSV de {importer.MAX_ROWS * 2:,} linhas (acima do limite)".replace(",", "."),
            [refusal],
            TARGET_MS,
        ),
    ]
