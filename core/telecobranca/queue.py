"""The collection queue, computed live from the ledger: each debtor's range (the range of its
oldest overdue title) and who is waiting in a group's ranges.

Nothing here is copied in batch: a payment, a new invoice or a new day changes the queue at
the next read.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from core.db import Tx
from core.listing import local_midnight
from core.localtime import local_day
from core.telecobranca import setup
from core.telecobranca.attendance import sweep_broken_promises
from core.telecobranca.rules import Range


def _today(tx: Tx) -> date:
    return local_day(tx.now)


def debtors_sql(ranges: list[Range], today: date) -> tuple[str, list[Any]]:
    """A query of every debtor: entity_id, range_id, days (its oldest overdue title), balance
    and titles (all overdue open titles). Ranges are matched in order: the first whose oldest
    title among the types it looks at falls within its bounds."""
    if not ranges:
        return (
            "SELECT NULL::BIGINT AS entity_id, NULL::BIGINT AS range_id, NULL::BIGINT AS days,"
            " NULL::DECIMAL(18, 2) AS balance, NULL::BIGINT AS titles WHERE FALSE",
            [],
        )
    if not any(r.title_types for r in ranges):
        return _debtors_by_age_sql(ranges, today)
    values = ", ".join("(?, ?, ?, ?, ?::VARCHAR[])" for _ in ranges)
    params: list[Any] = []
    for position, candidate in enumerate(ranges):
        params += [
            candidate.id, position, candidate.min_days, candidate.max_days,
            list(candidate.title_types),
        ]  # fmt: skip
    sql = (
        f"WITH bounds (range_id, position, min_days, max_days, types) AS (VALUES {values}),"
        " overdue AS ("
        "  SELECT entity_id, type, min(due_date) AS oldest_due, sum(balance) AS balance,"
        "  count(*) AS titles FROM receivables"
        "  WHERE status = 'aberto' AND balance > 0 AND due_date < ?"
        "  GROUP BY entity_id, type),"
        " matched AS ("
        "  SELECT o.entity_id, b.range_id, b.position, b.min_days, b.max_days,"
        "  ? - min(o.oldest_due) AS days"
        "  FROM overdue o JOIN bounds b ON b.types = ARRAY[]::VARCHAR[] OR o.type = ANY(b.types)"
        "  GROUP BY o.entity_id, b.range_id, b.position, b.min_days, b.max_days),"
        " placed AS ("  # the first range (by position) whose days hold
        "  SELECT DISTINCT ON (entity_id) entity_id, range_id FROM matched"
        "  WHERE days >= min_days AND (max_days IS NULL OR days <= max_days)"
        "  ORDER BY entity_id, position),"
        " totals AS ("
        "  SELECT entity_id, min(oldest_due) AS oldest_due, sum(balance) AS balance,"
        "  sum(titles) AS titles FROM overdue GROUP BY entity_id)"
        " SELECT p.entity_id, p.range_id, ? - t.oldest_due AS days, t.balance, t.titles"
        " FROM placed p JOIN totals t ON t.entity_id = p.entity_id"
    )
    return sql, [*params, today, today, today]


def _debtors_by_age_sql(ranges: list[Range], today: date) -> tuple[str, list[Any]]:
    """The common case, no range filtering title types: one aggregation per debtor and its
    range straight from the age of its oldest overdue title (no join per type)."""
    cases, params = [], []
    for candidate in ranges:
        if candidate.max_days is None:
            cases.append("WHEN TRUE THEN ?")
            params.append(candidate.id)
        else:
            cases.append("WHEN days <= ? THEN ?")
            params += [candidate.max_days, candidate.id]
    sql = (
        "SELECT * FROM (SELECT entity_id, CASE WHEN days < ? THEN NULL " + " ".join(cases)
        + " END AS range_id, days, balance, titles FROM ("
        "  SELECT entity_id, ? - min(due_date) AS days, sum(balance) AS balance,"
        "  count(*) AS titles FROM receivables"
        "  WHERE status = 'aberto' AND balance > 0 AND due_date < ? GROUP BY entity_id) AS aged)"
        " AS placed WHERE range_id IS NOT NULL"
    )  # fmt: skip
    return sql, [ranges[0].min_days, *params, today, today]


@dataclass(frozen=True)
class Candidate:
    entity_id: int
    range_id: int
    days: int
    balance: Decimal
    broken: bool
    name: str  # the debtor's, for the collector's screen


def queue_head(tx: Tx, wired: Iterable[int], limit: int) -> list[Candidate]:
    """The next `limit` debtors of these ranges (a group's), in the order collectors get them:
    not reserved by anyone (an expired reservation does not count), no promise pending, not
    already worked today; broken promises first, then the oldest debt (or the largest)."""
    wired = set(wired)
    ranges = [r for r in setup.active_ranges(tx) if r.id in wired]
    if not ranges:
        return []
    sql, params = debtors_sql(setup.active_ranges(tx), _today(tx))
    by_balance = setup.parameter(tx, "MV_TLCSALD", "N") == "S"
    order = "d.balance DESC, d.days DESC" if by_balance else "d.days DESC, d.balance DESC"
    marks = ", ".join("?" for _ in ranges)
    rows = tx.all(
        f"WITH debtors AS ({sql})"
        " SELECT d.entity_id, d.range_id, d.days, d.balance,"
        " EXISTS (SELECT 1 FROM tlc_promises p WHERE p.entity_id = d.entity_id"
        "   AND p.status = 'quebrada' AND p.requeued) AS broken"
        " FROM debtors d"
        f" WHERE d.range_id IN ({marks})"
        " AND NOT EXISTS (SELECT 1 FROM collection_reservations r"
        "   WHERE r.entity_id = d.entity_id AND r.expires_at > ?)"
        " AND NOT EXISTS (SELECT 1 FROM tlc_promises p WHERE p.entity_id = d.entity_id"
        "   AND p.status = 'pendente')"
        # Worked today and left without a promise: not offered again until tomorrow.
        " AND NOT EXISTS (SELECT 1 FROM tlc_attendances a WHERE a.entity_id = d.entity_id"
        "   AND a.status IN ('encerrado', 'cancelado') AND a.ended_at >= ?)"
        f" ORDER BY broken DESC, {order}, d.entity_id LIMIT ?",
        [*params, *(r.id for r in ranges), tx.now, local_midnight(_today(tx)), limit],
    )
    names = {
        row["id"]: row["name"]
        for row in tx.all(
            "SELECT id, name FROM entities WHERE id = ANY(?::BIGINT[])",
            [[row["entity_id"] for row in rows]],
        )
    }
    return [Candidate(**row, name=names[row["entity_id"]]) for row in rows]


# --- the next debtors, shared by the collectors pressing at once ----------------------------
#
# Computing the queue reads the whole ledger; twenty collectors pressing "Próximo devedor"
# together must not compute it twenty times. So the process keeps, per set of ranges worked
# (groups wired alike share one) and São Paulo day, the next BATCH debtors for a few seconds
# and hands each out once. Claims are served one batch at a time (taking.py's desk), which is
# what makes handing out without a lock safe.
# The batch only decides who is *offered*: each claim re-checks the debtor in its own
# transaction, and the reservation's primary key still decides who *gets* it.

BATCH = 100
BATCH_SECONDS = 5.0


@dataclass
class _Batch:
    day: date
    built: float  # time.monotonic()
    candidates: list[Candidate]


def draw(tx: Tx, wired: tuple[int, ...], count: int) -> list[Candidate]:
    """Up to `count` of the next debtors of these ranges (setup.wiring), each handed out once
    (until the batch is rebuilt). An empty queue is not kept: the next draw looks again."""
    today = _today(tx)
    batches: dict[tuple[int, ...], _Batch] = tx.memo.setdefault("tlc_queue", {})
    batch = batches.get(wired)
    if not (
        batch is not None and batch.day == today and batch.candidates
        and time.monotonic() - batch.built < BATCH_SECONDS
    ):  # fmt: skip
        sweep_broken_promises(tx)  # a promise broken since the last batch goes first in this one
        batch = batches[wired] = _Batch(today, time.monotonic(), queue_head(tx, wired, BATCH))
    drawn, batch.candidates = batch.candidates[:count], batch.candidates[count:]
    return drawn


def position_of(tx: Tx, entity_id: int) -> Candidate | None:
    """One debtor's place: its range, days and overdue balance (None: nothing overdue)."""
    sql, params = debtors_sql(setup.active_ranges(tx), _today(tx))
    row = tx.one(
        f"WITH debtors AS ({sql}) SELECT d.entity_id, d.range_id, d.days, d.balance,"
        " FALSE AS broken, e.name FROM debtors d JOIN entities e ON e.id = d.entity_id"
        " WHERE d.entity_id = ?",
        [*params, entity_id],
    )
    return Candidate(**row) if row else None
