"""The audit log's cost at scale: one audited view (an INSERT with its data subjects) with a
million rows already in the log, the background seal of new rows, and a full verification."""

from __future__ import annotations

import time

from bench.timing import Figure, measure
from core import audit
from core.db import Database


def fill(db: Database, rows: int) -> float:
    """Bulk-load `rows` audit rows (as months of use would leave) and seal them; seconds."""
    started = time.perf_counter()
    db.write(
        lambda tx: tx.execute(
            "INSERT INTO audit_log (occurred_at, user_id, username, event, subject_type,"
            " subject_id, detail)"
            " SELECT TIMESTAMPTZ '2025-11-01 00:00:00+00' + to_seconds(i * 25), i % 100 + 1,"
            " 'op' || lpad((i % 100 + 1)::VARCHAR, 3, '0'), 'dados.visualizados', 'entidade',"
            " (i % 200000 + 1)::VARCHAR,"
            ' \'{"mascarado": false, "registros": 50, "tela": "telemarketing.lista"}\''
            " FROM range(?) t(i)",
            [rows],
        )
    )
    audit.seal(db)
    return time.perf_counter() - started


def figures(db: Database, runs: int) -> list[Figure]:
    """A view queues its audit row (what the screen waits for); the sealer writes the queue in
    bulk (reported per view, amortised); a change writes its row in its own transaction."""
    subjects = list(range(1, 51))  # a list page shows 50 data subjects

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
