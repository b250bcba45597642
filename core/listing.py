"""The maintenance lists: each routine declares a `ListSpec` (table, filters, columns, labels,
display); this module pages it, filters it to the rows the user may see, masks it, audits the
view and exports it. Periods are São Paulo calendar days."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import polars as pl

from core import audit, privacy
from core.access import Action, User, visible_rows_sql
from core.db import Tx
from core.errors import Invalid
from core.exports import export_bytes
from core.localtime import LOCAL_TZ
from core.service import Work, command, query
from core.validation import digits, format_document, like_escape, search_key

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
        clauses.append(f"{column} < ? + INTERVAL '1 day'")
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
            tx,
            user,
            subject_type=subject_type,
            detail={"tela": screen, "registros": frame.height, "mascarado": "document" in hidden},
            subjects=subjects_of(frame, subject_column, user),
        )
    return ListPage(frame, int(total), page, page_size)


# --- a routine's maintenance list, declared once -------------------------------------------


@dataclass
class ListFilter:
    """What every routine's list filters by; a routine's filter adds the fields its
    `ListSpec.equal` names."""

    status: str | None = None
    start: date | None = None
    end: date | None = None
    entity_text: str = ""


@dataclass(frozen=True)
class ListSpec:
    """A routine's maintenance list. The rows are the table's (alias `a`) joined to their
    entity (alias `e`); every name here is a code literal."""

    table: str
    statuses: Mapping[str, str]  # status -> pt-BR label
    date_column: str  # the period filter; newest first
    equal: tuple[str, ...]  # filter fields matched exactly, named as the table's columns
    rows_sql: str  # the columns for the ids in the CTE `{ids}`, newest first
    labels: Mapping[str, str]  # column -> pt-BR header, on the screen and in the CSV
    screen: str  # the view's name in the audit log
    subject_type: str
    display: tuple[pl.Expr, ...] = ()  # the routine's own display columns
    before: Callable[[Tx], object] | None = None  # brings the rows up to date first

    @property
    def newest_first(self) -> str:
        return f"ORDER BY a.{self.date_column} DESC, a.id DESC"


def _where(spec: ListSpec, user: User, filters: ListFilter) -> tuple[str, str, list[Any]]:
    """The FROM … WHERE of the filtered rows (joined to entities only when the filter needs
    them: the count runs on every page) and its parameters."""
    where, params = list_filter(
        user,
        "a",
        status=filters.status,
        statuses=spec.statuses,
        period=(spec.date_column, filters.start, filters.end),
        equal={column: getattr(filters, column) for column in spec.equal},
        entity_text=filters.entity_text,
    )
    joined = " JOIN entities e ON e.id = a.entity_id" if filters.entity_text.strip() else ""
    return f"FROM {spec.table} a{joined}", where, params


def _display(spec: ListSpec, frame: pl.DataFrame, hidden: set[str]) -> pl.DataFrame:
    frame = privacy.mask_frame(frame, hidden)
    return frame.with_columns(
        pl.col("document").map_elements(format_document, return_dtype=pl.String).fill_null(""),
        pl.col("status")
        .replace_strict(spec.statuses, return_dtype=pl.String)
        .alias("status_label"),
        *spec.display,
    )


def list_page(
    work: Work, spec: ListSpec, filters: ListFilter, page: int, page_size: int
) -> ListPage:
    """One page of the list the user may see, newest first, masked, with the total; the view
    is audited."""
    source, where, params = _where(spec, work.user, filters)
    if spec.before is not None:
        spec.before(work.tx)
    return read_page(
        work.tx,
        work.user,
        count_sql=f"SELECT count(*) {source}{where}",
        ids_sql=f"SELECT a.id {source}{where} {spec.newest_first}",
        rows_sql=spec.rows_sql.format(ids="page"),
        params=params,
        page=max(1, page),
        page_size=page_size,
        display=lambda frame, hidden: _display(spec, frame, hidden),
        screen=spec.screen,
        subject_type=spec.subject_type,
    )


def export_file(work: Work, spec: ListSpec, filters: ListFilter, fmt: str = "csv") -> bytes:
    """Every row the filters select, masked like the screen, as CSV or XLSX; audited."""
    source, where, params = _where(spec, work.user, filters)
    if spec.before is not None:
        spec.before(work.tx)
    frame = _display(
        spec,
        work.tx.frame(
            f"WITH chosen AS (SELECT a.id {source}{where}) {spec.rows_sql.format(ids='chosen')}",
            params,
        ),
        privacy.hidden_columns(work.tx, work.user, "entities"),
    )
    work.audit(
        "dados.exportados",
        subject_type=spec.subject_type,
        detail={"registros": frame.height, "formato": fmt},
        subjects=subjects_of(frame, "entity_id", work.user),
    )
    return export_bytes(frame, spec.labels, fmt)


def entity_rows(work: Work, spec: ListSpec, entity_id: int, limit: int) -> pl.DataFrame:
    """The entity's latest rows the user may see, masked like the list."""
    clause, params = visible_rows_sql(work.user, "a")
    latest = f"""
        WITH latest AS (
            SELECT a.id FROM {spec.table} a
            WHERE a.entity_id = ? AND {clause}
            {spec.newest_first}
            LIMIT ?
        )
        """
    return _display(
        spec,
        work.tx.frame(latest + spec.rows_sql.format(ids="latest"), [entity_id, *params, limit]),
        privacy.hidden_columns(work.tx, work.user, "entities"),
    )


@dataclass(frozen=True)
class ListServices:
    """A list's two services and the words its screen and its file use."""

    list: Callable[..., ListPage]  # (db, user, filters=None, page=1)
    export: Callable[..., bytes]  # (db, user, filters=None, fmt="csv" | "xlsx")
    file_name: str  # without the extension
    noun: str = "atendimento(s)"
    empty: str = "Nenhum atendimento encontrado com esses filtros."


def maintenance_services(
    spec: ListSpec,
    filter_type: Callable[[], ListFilter],
    action: Action,
    routine: str,
    file_name: str,
    empty: str = ListServices.empty,
) -> ListServices:
    """A routine's list and export services on the service path; a list whose `before`
    writes runs as a command."""

    @(command if spec.before is not None else query)(action, f"manutenção de {routine}")
    def list_service(
        work: Work, filters: ListFilter | None = None, page: int = 1, page_size: int = PAGE_SIZE
    ) -> ListPage:
        """One page, newest first, with the total for the pager."""
        return list_page(work, spec, filters or filter_type(), page, page_size)

    @command(action, f"exportar {routine}")
    def export_service(work: Work, filters: ListFilter | None = None, fmt: str = "csv") -> bytes:
        """Everything the filters select, masked like the screen, dates in São Paulo time."""
        return export_file(work, spec, filters or filter_type(), fmt)

    return ListServices(list_service, export_service, file_name, empty=empty)
