"""A demo outbound campaign: "Reativação de clientes" (Televendas, worked by the group
Televendas Ativo) with its call script, its list of the customers without a purchase in 60
days, and a few days of attempts with their dispositions and the script's answers, so the
screens and the reports have something to show."""

from __future__ import annotations

import json
import random
from datetime import timedelta

from core.db import Tx
from core.demo.common import SEED
from core.localtime import LOCAL_TZ

NAME = "Reativação de clientes"
DISPOSITIONS = ("nao_atende", "nao_atende", "ocupado", "atendeu", "venda_acordo", "recusou")
FINAL = {"atendeu", "venda_acordo", "recusou"}
SCRIPT = "Roteiro de reativação"
# (position, text, type, choices, branches, next)
QUESTIONS: tuple[tuple[int, str, str, str, dict[str, int], int | None], ...] = (
    (1, "Você ainda compra produtos como os nossos?", "sim_nao", "", {"sim": 2, "não": 4}, None),
    (2, "Qual produto mais interessa hoje?", "escolha", "Café;Açúcar;Arroz;Feijão", {}, 3),
    (3, "Quantas unidades por mês, em média?", "numero", "", {}, None),
    (4, "Por que deixou de comprar conosco?", "texto", "", {}, None),
)
REASONS = ("Achou mais barato em outro lugar", "Mudou de cidade", "Parou de usar")


def _seed_script(tx: Tx, author: int) -> tuple[int, int]:
    """The script and its first version; returns (script id, version id)."""
    script = tx.scalar(
        "INSERT INTO call_scripts (name, created_at) VALUES (?, ?) RETURNING id", [SCRIPT, tx.now]
    )
    version = tx.scalar(
        "INSERT INTO script_versions (script_id, number, created_at, user_id)"
        " VALUES (?, 1, ?, ?) RETURNING id",
        [script, tx.now - timedelta(days=8), author],
    )
    for position, text, kind, choices, branches, after in QUESTIONS:
        tx.execute(
            "INSERT INTO script_questions (version_id, position, text, answer_type, choices,"
            " next_position, branches) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                version,
                position,
                text,
                kind,
                choices,
                after,
                json.dumps(branches, ensure_ascii=False),
            ],
        )
    return script, version


def _answers(rng: random.Random, success: bool) -> list[tuple[int, str]]:
    if success or rng.random() < 0.5:
        product = rng.choice(("Café", "Açúcar", "Arroz", "Feijão"))
        return [(1, "sim"), (2, product), (3, str(rng.choice((2, 4, 6, 10, 12))))]
    return [(1, "não"), (4, rng.choice(REASONS))]


def _seed_campaigns(tx: Tx) -> None:
    rng = random.Random(SEED + 7)
    today = tx.now.astimezone(LOCAL_TZ).date()
    group = tx.scalar("SELECT id FROM attendance_groups WHERE name = 'Televendas Ativo'")
    bruno = tx.scalar("SELECT id FROM users WHERE username = 'bruno'")
    sofia = tx.scalar("SELECT id FROM users WHERE username = 'sofia'")
    if None in (group, bruno, sofia):  # not the demo's people: nothing to show them
        return
    script, version = _seed_script(tx, sofia)
    campaign = tx.scalar(
        "INSERT INTO campaigns (name, routine, starts_on, ends_on, max_attempts, retry_minutes,"
        " script_id, created_at) VALUES (?, 'televendas', ?, ?, 3, 120, ?, ?) RETURNING id",
        [NAME, today - timedelta(days=7), today + timedelta(days=30), script, tx.now],
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
                call = None
                if last in FINAL:  # someone answered: the call and the script's answers
                    call = tx.scalar(
                        "INSERT INTO calls (user_id, operator_id, group_id, routine, entity_id,"
                        " started_at, ended_at, result, direction) SELECT u.id, o.id, ?,"
                        " 'televendas', ?, ?, ?, ?, 'ativo' FROM users u"
                        " JOIN operators o ON o.user_id = u.id WHERE u.id = ? RETURNING id",
                        [
                            group,
                            entity_id,
                            at,
                            at + timedelta(minutes=rng.randint(2, 9)),
                            f"Campanha {NAME}",
                            bruno,
                        ],
                    )
                    for position, answer in _answers(rng, last == "venda_acordo"):
                        tx.execute(
                            "INSERT INTO script_answers (call_id, version_id, position, answer,"
                            " user_id, answered_at) VALUES (?, ?, ?, ?, ?, ?)",
                            [call, version, position, answer, bruno, at],
                        )
                tx.execute(
                    "INSERT INTO contact_attempts (entry_id, campaign_id, entity_id, user_id,"
                    " call_id, disposition, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [-1, campaign, entity_id, bruno, call, last, at],
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
