"""What every maintenance list shares: one page of rows with its total, and period filters
given as São Paulo calendar days."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import polars as pl

from core import audit, privacy
from core.access import User, visible_rows_sql
from core.db import Tx
from core.errors import Invalid
from core.localtime import LOCAL_TZ
from core.validation import digits, like_escape, search_key

PAGE_SIZE = 50


@dataclass(frozen=True)
class ListPage:
    rows: pl.DataFrame
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def local_midnight(day: date) -> datetime:
    """The start of a São Paulo calendar day (timestamps are stored in UTC)."""
    return datetime.combine(day, datetime.min.time(), tzinfo=LOCAL_TZ)


def period_clauses(
    column: str, start: date | None, end: date | None
) -> tuple[list[str], list[Any]]:
    """`column` within [start, end] São Paulo days (both optional). `column` is a code literal."""
    clauses: list[str] = []
    params: list[Any] = []
    if start is not None and end is not None and end < start:
        raise Invalid("O período termina antes de começar.")
    if start is not None:
        clauses.append(f"{column} >= ?")
        params.append(local_midnight(start))
    if end is not None:
        clauses.append(f"{column} < ? + INTERVAL 1 DAY")
        params.append(local_midnight(end))
    return clauses, params


def entity_clauses(text: str, whole_numbers_only: bool) -> tuple[list[str], list[Any]]:
    """Filter by the entity's name (any part) or CPF/CNPJ (alias `e`).

    A user who sees documents masked must type the whole number: a prefix filter would let them
    recover a masked CPF digit by digit.
    """
    text = text.strip()
    if not text:
        return [], []
    number = digits(text)
    if number and number == text.replace(".", "").replace("-", "").replace("/", ""):
        if whole_numbers_only:
            return ["e.document = ?"], [number]
        return ["e.document LIKE ?"], [f"{number}%"]
    return ["e.search_name LIKE ? ESCAPE '\\'"], [f"%{like_escape(search_key(text))}%"]


def list_filter(
    user: User,
    alias: str,
    *,
    status: str | None,
    statuses: Mapping[str, str],
    period: tuple[str, date | None, date | None],
    equal: Mapping[str, object],
    entity_text: str,
) -> tuple[str, list[Any]]:
    """The WHERE of a routine's maintenance list: the rows this user may see, then each filter
    given (`alias`, the period's column and `equal`'s keys are code literals)."""
    clause, params = visible_rows_sql(user, alias)
    clauses = [clause]
    if status is not None:
        if status not in statuses:
            raise Invalid("Status inválido.")
        clauses.append(f"{alias}.status = ?")
        params.append(status)
    column, start, end = period
    dated, dated_params = period_clauses(f"{alias}.{column}", start, end)
    clauses += dated
    params += dated_params
    for column, value in equal.items():
        if value is not None:
            clauses.append(f"{alias}.{column} = ?")
            params.append(value)
    entity, entity_params = entity_clauses(entity_text, not user.personal_access)
    return " WHERE " + " AND ".join(clauses + entity), params + entity_params


def subjects_of(frame: pl.DataFrame, column: str, user: User) -> list[int]:
    """The data subjects a view showed in clear (none when everything protected was masked)."""
    if not privacy.sees_protected(user) or column not in frame.columns:
        return []
    return [int(value) for value in frame[column].drop_nulls().unique().to_list()]


def read_page(
    tx: Tx,
    user: User,
    *,
    count_sql: str,
    rows_sql: str,
    params: list[Any],
    page: int,
    page_size: int,
    display: Callable[[pl.DataFrame, set[str]], pl.DataFrame],
    screen: str,
    subject_type: str,
    subject_column: str = "entity_id",
    ids_sql: str | None = None,
) -> ListPage:
    """One page of a maintenance list, masked for the user (entities' columns), with its total,
    and the view of protected data audited in the same unit of work, naming the data subjects
    (`subject_column` of the rows) when the user saw their protected data in clear.

    With `ids_sql` (the filtered, ordered ids, carrying every parameter), the page's ids are
    chosen first and `rows_sql` joins the rest onto `page` only: with a year of attendances,
    joining and computing extras for 50 rows instead of a million is what keeps it fast."""
    total = tx.scalar(count_sql, params)
    window = [*params, page_size, (page - 1) * page_size]
    if ids_sql is None:
        frame = tx.frame(rows_sql + " LIMIT ? OFFSET ?", window)
    else:
        frame = tx.frame(f"WITH page AS ({ids_sql} LIMIT ? OFFSET ?) {rows_sql}", window)
    hidden = privacy.hidden_columns(tx, user, "entities")
    frame = display(frame, hidden)
    if frame.height:
        audit.record_view(
            tx, user, subject_type=subject_type,
            detail={"tela": screen, "registros": frame.height, "mascarado": "document" in hidden},
            subjects=subjects_of(frame, subject_column, user),
        )  # fmt: skip
    return ListPage(frame, int(total), page, page_size)
