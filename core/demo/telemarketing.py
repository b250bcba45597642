"""Telemarketing history: months of attendances in every status, with their items, calls
and the agenda of returns."""

from __future__ import annotations

import random
from datetime import timedelta

import polars as pl

from core.db import Tx
from core.demo.common import DEMO_HISTORY_DAYS, SEED

ITEM_NOTES = ("", "Cliente pediu retorno à tarde.", "Enviado protocolo por e-mail.")


def _seed_telemarketing_history(tx: Tx, size: int) -> None:
    """Months of attendances in every status, with their calls and the agenda of returns.

    Built as frames and bulk-inserted: row by row it took seconds on every fresh database.
    """
    rng = random.Random(SEED + 3)
    operators = tx.all(
        "SELECT o.id, o.user_id, o.main_group_id FROM operators o WHERE o.telemarketing"
        " ORDER BY o.id"
    )
    entities = [row["id"] for row in tx.all("SELECT id FROM entities ORDER BY id")]
    if not operators or not entities or size <= 0:
        return
    ids = {
        catalogue: [row["id"] for row in tx.all(
            "SELECT id FROM catalogue_items WHERE catalogue = ? AND active ORDER BY id",
            [catalogue],
        )]
        for catalogue in ("ocorrencia", "acao", "motivo_encerramento", "motivo_cancelamento",
                          "midia", "campanha")
    }  # fmt: skip
    now = tx.now
    call_ids = tx.next_ids("calls_seq", size)
    attendance_ids = tx.next_ids("tmk_attendances_seq", size)
    calls, attendances, items, follow_ups = [], [], [], []
    for index in range(size):
        operator = operators[index % len(operators)]
        started = now - timedelta(
            days=rng.randint(0, DEMO_HISTORY_DAYS),
            hours=rng.randint(1, 9), minutes=rng.randint(0, 59),
        )  # fmt: skip
        ended = started + timedelta(seconds=rng.randint(60, 900))
        status = rng.choices(
            ("encerrado", "pendente", "planejado", "cancelado"), weights=(60, 15, 12, 13)
        )[0]
        closed, cancelled = status == "encerrado", status == "cancelado"
        # Returns mostly ahead; a few already overdue, to show the agenda's highlight.
        return_at = now + timedelta(hours=rng.randint(-6, 72)) if status == "planejado" else None
        entity_id = entities[rng.randrange(len(entities))]
        call_id, attendance_id = call_ids[index], attendance_ids[index]
        calls.append({
            "id": call_id, "user_id": operator["user_id"], "operator_id": operator["id"],
            "group_id": operator["main_group_id"], "routine": "telemarketing",
            "entity_id": entity_id, "started_at": started, "ended_at": ended,
            "result": f"Telemarketing nº {attendance_id}: {status.capitalize()}",
        })  # fmt: skip
        attendances.append({
            "id": attendance_id, "entity_id": entity_id, "user_id": operator["user_id"],
            "operator_id": operator["id"], "group_id": operator["main_group_id"],
            "call_id": call_id, "direction": rng.choice(("receptivo", "receptivo", "ativo")),
            "media_id": rng.choice(ids["midia"]),
            "campaign_id": rng.choice(ids["campanha"]) if rng.random() < 0.3 else None,
            "status": status, "started_at": started, "ended_at": ended, "return_at": return_at,
            "closing_reason_id": rng.choice(ids["motivo_encerramento"]) if closed else None,
            "closing_text": "Cliente orientado e de acordo com a solução." if closed else None,
            "closed_at": ended + timedelta(hours=rng.randint(0, 48)) if closed else None,
            "cancellation_reason_id": rng.choice(ids["motivo_cancelamento"]) if cancelled else None,
            "cancelled_at": ended if cancelled else None,
            "created_at": started, "updated_at": ended,
        })  # fmt: skip
        for line in range(1, rng.randint(1, 3) + 1):
            items.append({
                "attendance_id": attendance_id, "line": line,
                "occurrence_id": rng.choice(ids["ocorrencia"]),
                "action_id": rng.choice(ids["acao"]),
                "status": "encerrado" if closed or rng.random() < 0.3 else "pendente",
                "notes": rng.choice(ITEM_NOTES),
            })  # fmt: skip
        if return_at is not None:
            follow_ups.append({
                "user_id": operator["user_id"], "routine": "telemarketing",
                "source_type": "tmk_attendance", "source_id": attendance_id,
                "entity_id": entity_id, "due_from": return_at,
                "due_until": return_at + timedelta(hours=1), "status": "aberto",
                "note": f"Retorno do atendimento {attendance_id}",
                "created_at": started, "updated_at": started,
            })  # fmt: skip
    tx.insert_frame("calls", pl.DataFrame(calls, infer_schema_length=None))
    tx.insert_frame("tmk_attendances", pl.DataFrame(attendances, infer_schema_length=None))
    tx.insert_frame("tmk_items", pl.DataFrame(items, infer_schema_length=None))
    if follow_ups:
        tx.insert_frame("agenda_items", pl.DataFrame(follow_ups, infer_schema_length=None))
