"""A demo outbound campaign: "Reativação de clientes" (Televendas, worked by the group
Televendas Ativo), its list of the customers without a purchase in 60 days, and a few days of
attempts with their dispositions, so the screen and the report have something to show."""

from __future__ import annotations

import random
from datetime import timedelta

from core.db import Tx
from core.demo.common import SEED
from core.localtime import LOCAL_TZ

NAME = "Reativação de clientes"
DISPOSITIONS = ("nao_atende", "nao_atende", "ocupado", "atendeu", "venda_acordo", "recusou")
FINAL = {"atendeu", "venda_acordo", "recusou"}


def _seed_campaigns(tx: Tx) -> None:
    rng = random.Random(SEED + 7)
    today = tx.now.astimezone(LOCAL_TZ).date()
    group = tx.scalar("SELECT id FROM attendance_groups WHERE name = 'Televendas Ativo'")
    bruno = tx.scalar("SELECT id FROM users WHERE username = 'bruno'")
    sofia = tx.scalar("SELECT id FROM users WHERE username = 'sofia'")
    if None in (group, bruno, sofia):  # not the demo's people: nothing to show them
        return
    campaign = tx.scalar(
        "INSERT INTO campaigns (name, routine, starts_on, ends_on, max_attempts, retry_minutes,"
        " created_at) VALUES (?, 'televendas', ?, ?, 3, 120, ?) RETURNING id",
        [NAME, today - timedelta(days=7), today + timedelta(days=30), tx.now],
    )
    tx.execute("INSERT INTO campaign_groups VALUES (?, ?)", [campaign, group])
    customers = [
        row["id"]
        for row in tx.all(
            "SELECT e.id FROM entities e WHERE e.kind = 'cliente' AND NOT EXISTS (SELECT 1"
            " FROM tlv_orders o WHERE o.entity_id = e.id AND o.status = 'faturado'"
            " AND o.invoiced_at >= ?) ORDER BY e.id LIMIT 120",
            [tx.now - timedelta(days=60)],
        )
    ]
    list_id = tx.scalar(
        "INSERT INTO call_lists (campaign_id, name, source, entries, created_at, user_id)"
        " VALUES (?, 'Sem compra há 60 dias', 'sem compra há 60 dias', ?, ?, ?) RETURNING id",
        [campaign, len(customers), tx.now - timedelta(days=7), sofia],
    )
    for index, entity_id in enumerate(customers):
        attempts, status, last, at = 0, "pendente", None, tx.now
        if index < 40:  # the first 40 were tried over the last days
            for _ in range(rng.randint(1, 3)):
                attempts += 1
                last = rng.choice(DISPOSITIONS)
                at = tx.now - timedelta(days=rng.randint(0, 6), minutes=rng.randint(0, 480))
                tx.execute(
                    "INSERT INTO contact_attempts (entry_id, campaign_id, entity_id, user_id,"
                    " disposition, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                    [-1, campaign, entity_id, bruno, last, at],
                )
                if last in FINAL:
                    break
            status = "concluido" if last in FINAL else ("esgotado" if attempts >= 3 else "pendente")
        entry = tx.scalar(
            "INSERT INTO call_list_entries (campaign_id, list_id, entity_id, status, attempts,"
            " next_at, last_disposition) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [campaign, list_id, entity_id, status, attempts, tx.now, last],
        )
        tx.execute("UPDATE contact_attempts SET entry_id = ? WHERE entry_id = -1", [entry])
