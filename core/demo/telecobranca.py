"""Telecobrança: the ranges F1–F4, their wiring to the collection groups with the groups'
negotiation rules, the closing reasons a collector needs, and the legacy portfolio imported
into the ledger; the weeks of collection calls are replayed by collection_desk.py."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from core.db import Tx
from core.demo.collection_desk import _CollectionDesk
from core.demo.common import SEED
from core.localtime import local_day

DEMO_RANGES = (
    ("F1", "Até 30 dias", 30), ("F2", "31 a 60 dias", 60),
    ("F3", "61 a 120 dias", 120), ("F4", "Acima de 120 dias", None),
)  # fmt: skip
# group: max days to postpone, max discount % on the principal and on the charges, installments
DEMO_NEGOTIATION = {"Cobrança": (15, "5", "50", 6), "Multi": (10, "3", "30", 4)}
# Closing reasons a collector needs; the catalogue is shared by every routine (as in SUN).
TLC_CLOSING_REASONS = (
    ("PAG", "Pagamento efetuado"), ("ACO", "Acordo de parcelamento"),
    ("CAR", "Título enviado a cartório"), ("NLO", "Devedor não localizado"),
)  # fmt: skip
# Days overdue of a debtor's oldest title, (fewest, most), and how often: most debt is recent.
LEGACY_AGES = ((1, 30), (31, 60), (61, 120), (121, 540))
LEGACY_AGE_WEIGHTS = (36, 28, 18, 18)
LEGACY_FIRST_NUMBER = 700001  # clear of the numbers in the import sample


def _seed_telecobranca(tx: Tx, size: int) -> None:
    """Ranges F1–F4 wired to the collection groups with their negotiation rules, a legacy
    portfolio imported into the ledger, and about `size` past collection calls."""
    range_ids = [
        tx.scalar(
            "INSERT INTO collection_ranges (code, description, position, max_days)"
            " VALUES (?, ?, ?, ?) RETURNING id",
            [code, description, position, max_days],
        )
        for position, (code, description, max_days) in enumerate(DEMO_RANGES, start=1)
    ]
    groups = {row["name"]: row["id"] for row in tx.all("SELECT id, name FROM attendance_groups")}
    for name, (days, principal, charges, installments) in DEMO_NEGOTIATION.items():
        if name not in groups:
            continue
        tx.execute(
            "INSERT INTO group_negotiation_rules (group_id, max_postpone_days,"
            " max_principal_discount_pct, max_charges_discount_pct, max_installments)"
            " VALUES (?, ?, ?, ?, ?)",
            [groups[name], days, principal, charges, installments],
        )
        for range_id in range_ids:
            tx.execute(
                "INSERT INTO group_collection_ranges (group_id, range_id) VALUES (?, ?)",
                [groups[name], range_id],
            )
    for code, description in TLC_CLOSING_REASONS:
        tx.execute(
            "INSERT INTO catalogue_items (catalogue, code, description)"
            " VALUES ('motivo_encerramento', ?, ?) ON CONFLICT DO NOTHING",
            [code, description],
        )
    desk = _CollectionDesk(tx, random.Random(SEED + 6))
    desk.add_titles(_legacy_portfolio(tx, random.Random(SEED + 5)))
    desk.replay(size)
    desk.save()


def _legacy_amount(rng: random.Random) -> Decimal:
    """R$ 80 to R$ 5.000, most a few hundred reais."""
    return Decimal(f"{min(5000.0, max(80.0, rng.lognormvariate(6.3, 0.85))):.2f}")


def _legacy_portfolio(tx: Tx, rng: random.Random) -> list[dict[str, Any]]:
    """Titles imported from the previous system (prefix LEG; duplicatas and boletos): about
    three customers in four owe something overdue, spread over the ranges (more of it recent),
    some in installments, some partly paid; the others pay on time."""
    from core.telecobranca.rules import money

    today = local_day(tx.now)
    customers = [
        row["id"] for row in tx.all("SELECT id FROM entities WHERE kind = 'cliente' ORDER BY id")
    ]
    numbers = itertools.count(LEGACY_FIRST_NUMBER)
    titles: list[dict[str, Any]] = []

    def document(entity_id: int, first_due: date, count: int, paid: int, partial: float) -> None:
        """`count` monthly installments from `first_due`: the first `paid` paid, the overdue
        ones open (partly paid by chance `partial`), the later ones not yet due."""
        number, kind = f"{next(numbers):06d}", rng.choice(("DP", "DP", "BOL"))
        amount = _legacy_amount(rng)
        issue = min(first_due - timedelta(days=rng.choice((15, 28, 30, 30, 45))), today)
        created = min(datetime.combine(issue, time(12), tzinfo=UTC), tx.now)
        for index in range(count):
            due = first_due + timedelta(days=30 * index)
            status, balance = "aberto", amount
            if index < paid:
                status, balance = "pago", Decimal("0.00")
            elif due < today and rng.random() < partial:
                balance = money(amount * rng.randint(25, 75) / 100)
            titles.append({
                "prefix": "LEG", "number": number, "installment": index + 1, "type": kind,
                "entity_id": entity_id, "order_id": None, "issue_date": issue, "due_date": due,
                "amount": amount, "balance": balance, "status": status, "charges_from": None,
                "renegotiation_id": None, "created_at": created, "updated_at": created,
                "version": 1,
            })  # fmt: skip

    for entity_id in customers:
        roll = rng.random()
        if roll < 0.74:  # a debtor: its oldest open title places it in a range
            fewest, most = rng.choices(LEGACY_AGES, weights=LEGACY_AGE_WEIGHTS)[0]
            oldest = today - timedelta(days=rng.randint(fewest, most))
            paid = rng.choice((0, 0, 0, 1, 2))
            count = paid + rng.choice((1, 1, 1, 2, 3, 4))
            document(entity_id, oldest - timedelta(days=30 * paid), count, paid, 0.2)
            if rng.random() < 0.25:  # and a more recent document
                later = oldest + timedelta(days=rng.randint(1, (today - oldest).days + 60))
                document(entity_id, later, rng.randint(1, 3), 0, 0.1)
        elif roll < 0.88:  # pays on time: paid installments, maybe some not yet due
            first = today + timedelta(days=rng.randint(-300, 40))
            count = rng.randint(1, 4)
            paid = sum(first + timedelta(days=30 * index) < today for index in range(count))
            document(entity_id, first, count, paid, 0.0)
    for title, title_id in zip(titles, tx.next_ids("receivables_seq", len(titles)), strict=True):
        title["id"] = title_id
    return titles
