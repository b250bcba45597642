"""The receivables ledger [SE1] as Telecobrança reads it: a customer's financial position
(open, overdue, paid, by aging range, with days overdue and updated values), the queue per
range, the debtors list, and the CSV import of customers and titles.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from core import audit, privacy
from core.access import Action
from core.errors import NotFound
from core.listing import PAGE_SIZE, ListPage, entity_clauses, read_page
from core.service import Work, command, query
from core.telecobranca import queue, rules, setup
from core.telecobranca.attendance import (
    TITLE_STATUS_LABELS,
    Title,
    local_today,
    sweep_broken_promises,
    titles_where,
)
from core.validation import format_document

NOT_DUE = "A vencer"


@dataclass(frozen=True)
class Position:
    entity_id: int
    entity_name: str
    document: str  # formatted, masked without access 192
    range_label: str  # the debtor's range in the queue ("—": nothing overdue)
    days_overdue: int  # of the oldest overdue open title
    open_total: Decimal  # balance of every open title
    overdue_total: Decimal  # balance of the overdue ones
    updated_total: Decimal  # overdue balance + fine + interest as of today
    paid_total: Decimal
    buckets: pl.DataFrame  # faixa, títulos, saldo
    titles: list[Title]


@query(Action.VIEW_LEDGER, "posição financeira da entidade {entity_id}")
def financial_position(work: Work, entity_id: int) -> Position:
    tx, user = work.tx, work.user
    row = tx.one("SELECT id, name, document FROM entities WHERE id = ?", [entity_id])
    if row is None:
        raise NotFound("Entidade não encontrada.")
    hidden = privacy.hidden_columns(tx, user, "entities")
    shown = privacy.mask_record(row, hidden)
    titles = titles_where(tx, "r.entity_id = ?", [entity_id])
    ranges = setup.active_ranges(tx)
    place = queue.position_of(tx, entity_id)
    labels = {r.id: f"{r.code} · {r.description}" for r in ranges}
    open_titles = [t for t in titles if t.is_open]
    overdue = [t for t in open_titles if t.updated.days_overdue > 0]
    rebates = Decimal(
        tx.scalar(
            "SELECT coalesce(sum(o.principal), 0) FROM tlc_outcomes o JOIN receivables r"
            " ON r.id = o.receivable_id WHERE r.entity_id = ? AND o.outcome = 'abatimento'"
            " AND r.status IN ('aberto', 'pago')",
            [entity_id],
        )
    )
    paid = sum((t.amount - t.balance for t in titles if t.status in {"aberto", "pago"}), Decimal(0))
    audit.record_view(
        tx, user, subject_type="entidade", subject_id=entity_id,
        detail={"tela": "telecobranca.posicao", "mascarado": "document" in hidden},
        subjects=[entity_id] if privacy.sees_protected(user) else (),
    )  # fmt: skip
    return Position(
        entity_id=entity_id,
        entity_name=row["name"],
        document=format_document(shown["document"]) if shown["document"] else "",
        range_label=labels.get(place.range_id, "—") if place else "—",
        days_overdue=max((t.updated.days_overdue for t in overdue), default=0),
        open_total=sum((t.balance for t in open_titles), Decimal(0)),
        overdue_total=sum((t.balance for t in overdue), Decimal(0)),
        updated_total=sum((t.updated.total for t in overdue), Decimal(0)),
        paid_total=paid - rebates,
        buckets=aging(open_titles, ranges),
        titles=titles,
    )


def aging(open_titles: list[Title], ranges: list[rules.Range]) -> pl.DataFrame:
    """Open titles by aging bucket: not yet due, then each range (by the title's own days)."""
    names = [NOT_DUE, *(f"{r.code} · {r.span}" for r in ranges), "Fora das faixas"]
    counts = dict.fromkeys(names, 0)
    sums = dict.fromkeys(names, Decimal(0))
    for title in open_titles:
        days = title.updated.days_overdue
        bucket = NOT_DUE
        if days > 0:
            bucket = next(
                (
                    f"{r.code} · {r.span}"
                    for r in ranges
                    if r.holds(days) and (not r.title_types or title.type in r.title_types)
                ),
                "Fora das faixas",
            )
        counts[bucket] += 1
        sums[bucket] += title.balance
    used = [name for name in names if counts[name] or name != "Fora das faixas"]
    return pl.DataFrame(
        {"faixa": used, "titulos": [counts[n] for n in used], "saldo": [sums[n] for n in used]},
        schema={"faixa": pl.String, "titulos": pl.Int64, "saldo": pl.Decimal(14, 2)},
    )


def titles_frame(titles: list[Title]) -> pl.DataFrame:
    """The titles as a table for screens and exports (updated values as of today)."""
    return pl.DataFrame(
        [
            {
                "id": t.id, "title": t.key, "type": t.type, "origin": t.origin,
                "issue_date": t.issue_date, "due_date": t.due_date, "amount": t.amount,
                "balance": t.balance, "days_overdue": t.updated.days_overdue,
                "fine": t.updated.fine, "interest": t.updated.interest,
                "updated_total": t.updated.total,
                "status": TITLE_STATUS_LABELS.get(t.status, t.status), "promised": t.promised,
                "version": t.version,
            }
            for t in titles
        ],
        schema={
            "id": pl.Int64, "title": pl.String, "type": pl.String, "origin": pl.String,
            "issue_date": pl.Date, "due_date": pl.Date, "amount": pl.Decimal(14, 2),
            "balance": pl.Decimal(14, 2), "days_overdue": pl.Int64, "fine": pl.Decimal(14, 2),
            "interest": pl.Decimal(14, 2), "updated_total": pl.Decimal(14, 2),
            "status": pl.String, "promised": pl.Boolean, "version": pl.Int64,
        },
    )  # fmt: skip


# --- the queue per range and the debtors list -----------------------------------------------


@query(Action.VIEW_LEDGER, "fila de cobrança")
def queue_overview(work: Work) -> pl.DataFrame:
    """Per range: debtors, overdue balance, how many wait (not reserved, no promise pending),
    are reserved or have a promise, and the largest days overdue."""
    tx = work.tx
    ranges = setup.active_ranges(tx)
    sql, params = queue.debtors_sql(ranges, local_today(tx))
    frame = tx.frame(
        f"WITH debtors AS ({sql}), marked AS ("
        " SELECT d.*, EXISTS (SELECT 1 FROM collection_reservations r"
        "   WHERE r.entity_id = d.entity_id AND r.expires_at > ?) AS reserved,"
        " EXISTS (SELECT 1 FROM tlc_promises p WHERE p.entity_id = d.entity_id"
        "   AND p.status = 'pendente') AS promised FROM debtors d)"
        " SELECT range_id, count(*) AS debtors, sum(titles) AS titles,"
        " sum(balance) AS balance,"
        " count(*) FILTER (WHERE NOT reserved AND NOT promised) AS waiting,"
        " count(*) FILTER (WHERE reserved) AS reserved,"
        " count(*) FILTER (WHERE promised) AS promised, max(days) AS max_days"
        " FROM marked GROUP BY range_id",
        [*params, tx.now],
    )
    found = {row["range_id"]: row for row in frame.iter_rows(named=True)}
    empty = {"debtors": 0, "titles": 0, "balance": Decimal(0), "waiting": 0,
             "reserved": 0, "promised": 0, "max_days": 0}  # fmt: skip
    return pl.DataFrame(
        [
            {"range_id": r.id, "range": f"{r.code} · {r.description}", "span": r.span,
             **{k: (found.get(r.id) or empty)[k] for k in empty}}
            for r in ranges
        ],
        schema={
            "range_id": pl.Int64, "range": pl.String, "span": pl.String,
            "debtors": pl.Int64, "titles": pl.Int64, "balance": pl.Decimal(18, 2),
            "waiting": pl.Int64, "reserved": pl.Int64, "promised": pl.Int64,
            "max_days": pl.Int64,
        },
    )  # fmt: skip


DEBTOR_STATES = {"fila": "Na fila", "reservado": "Reservado", "promessa": "Promessa pendente"}


@command(Action.VIEW_LEDGER, "devedores")
def list_debtors(
    work: Work,
    range_id: int | None = None,
    entity_text: str = "",
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> ListPage:
    """Every debtor (oldest first) with its range, days, overdue balance and state; masked."""
    tx, user = work.tx, work.user
    sweep_broken_promises(tx)
    ranges = setup.active_ranges(tx)
    sql, params = queue.debtors_sql(ranges, local_today(tx))
    clauses, extra = entity_clauses(entity_text, not user.personal_access)
    if range_id is not None:
        clauses.append("d.range_id = ?")
        extra.append(range_id)
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    # Both queries share the CTEs, so they take the same parameters in the same order.
    base = (
        f"WITH debtors AS ({sql}), reserved AS (SELECT entity_id FROM"
        " collection_reservations WHERE expires_at > ?) "
    )
    rows_sql = (
        base + "SELECT d.entity_id AS id, e.name AS entity_name, e.document, e.phone,"
        " e.mobile, cr.code AS range_code, d.days, d.titles, d.balance,"
        " CASE WHEN EXISTS (SELECT 1 FROM tlc_promises p WHERE p.entity_id = d.entity_id"
        "   AND p.status = 'pendente') THEN 'promessa'"
        " WHEN d.entity_id IN (SELECT entity_id FROM reserved) THEN 'reservado'"
        " ELSE 'fila' END AS state"
        " FROM debtors d JOIN entities e ON e.id = d.entity_id"
        " JOIN collection_ranges cr ON cr.id = d.range_id" + where +
        " ORDER BY d.days DESC, d.balance DESC, d.entity_id"
    )  # fmt: skip
    return read_page(
        tx, user,
        count_sql=base + "SELECT count(*) FROM debtors d"
        " JOIN entities e ON e.id = d.entity_id" + where,
        rows_sql=rows_sql, params=[*params, tx.now, *extra], page=max(1, page),
        page_size=page_size, display=_display_debtors, screen="telecobranca.devedores",
        subject_type="entidade", subject_column="id",
    )  # fmt: skip


def _display_debtors(frame: pl.DataFrame, hidden: set[str]) -> pl.DataFrame:
    frame = privacy.mask_frame(frame, hidden)
    return frame.with_columns(
        pl.col("document").map_elements(format_document, return_dtype=pl.String).fill_null(""),
        pl.col("state").replace_strict(DEBTOR_STATES, return_dtype=pl.String).alias("state_label"),
    )
