"""The audit log's cost at scale: one audited view (a line appended to the view journal, what
the screen waits for) and its bulk write with a million rows already in the log, a change's
row, the background seal of new rows, and a full verification (hashes and MACs)."""

from __future__ import annotations

import time

import polars as pl

from bench.timing import Figure, measure
from core import audit
from core.db import Database, Tx


def fill(db: Database, rows: int) -> float:
    """Bulk-load `rows` audit rows (as months of use would leave), each with the MAC the app
    would have given it, and seal them; seconds."""
    started = time.perf_counter()

    def work(tx: Tx) -> None:
        frame = tx.frame(
            "SELECT nextval('audit_log_seq') AS id,"
            " TIMESTAMPTZ '2025-11-01 00:00:00+00' + to_seconds(i * 25) AS occurred_at,"
            " i % 100 + 1 AS user_id, 'op' || lpad((i % 100 + 1)::VARCHAR, 3, '0') AS username,"
            " 'dados.visualizados' AS event, 'entidade' AS subject_type,"
            " (i % 200000 + 1)::VARCHAR AS subject_id,"
            ' \'{"mascarado": false, "registros": 50, "tela": "telemarketing.lista"}\' AS detail'
            " FROM range(?) t(i) ORDER BY i",
            [rows],
        )
        key = audit._key(tx.memo)  # the key this process seals with
        macs = [audit.row_mac(key, row, []) for row in frame.iter_rows(named=True)]
        tx.insert_frame("audit_log", frame.with_columns(mac=pl.Series(macs, dtype=pl.String)))

    db.write(work)
    audit.seal(db)
    return time.perf_counter() - started


def figures(db: Database, runs: int) -> list[Figure]:
    """A view journals its audit row (what the screen waits for); the sealer writes the journal in
    bulk (reported per view, amortised); a change writes its row in its own transaction."""
    subjects = list(range(1, 51))  # a list page shows 50 data subjects
    audit.attach(db)  # as the app does: views go to the journal file next to the database

    def queued_view() -> None:
        db.read(
            lambda tx: audit.record_view(
                tx, None, subject_type="atendimento_tmk",
                detail={"tela": "bench", "registros": 50, "mascarado": False},
                subjects=subjects,
            )
        )  # fmt: skip

    view = measure("auditoria: 1 visualização (50 titulares), na tela", queued_view, runs, 2.0)
    started = time.perf_counter()
    written = audit.flush(db)
    per_view = (time.perf_counter() - started) * 1000 / max(1, written)
    bulk = Figure("auditoria: gravação em lote, por visualização", written, per_view, per_view,
                  per_view, 2.0)  # fmt: skip
    change = measure(
        "auditoria: 1 alteração (na transação da mudança)",
        lambda: db.write(lambda tx: audit.record(tx, None, "bench.alteracao", username="bench")),
        runs,
    )
    seal = measure(f"auditoria: selar {written + runs} registros novos", lambda: audit.seal(db), 1)
    verify = measure("auditoria: verificar a cadeia inteira", lambda: audit.verify_chain(db), 1)
    return [view, bulk, change, seal, verify]
