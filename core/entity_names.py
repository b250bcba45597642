"""Entity search by a piece of the name, served from an in-memory copy of the entity list.

Why a copy: a piece of a name can be anywhere in it, so DuckDB must scan every name (it has no
index for substrings), sort the matches, count them for the pager and fetch the page's columns.
At 200,000 entities that is 25–35 ms, and the fetch alone is ~10 ms however it is written
(DuckDB decompresses a column segment for each row it picks). polars finds the same matches in
an in-memory copy in ~3 ms.

Why it is never stale: before each use the copy looks for rows written since it last looked,
in the database, so a change made by another process (another app server) counts too. Writers
do not have to tell this module anything. Each engine finds them its own way:
- DuckDB: the copy's fingerprint, (count, max id, sum of versions) of its own rows, is compared
  with the table's. Entities are never deleted and every UPDATE of an entity bumps its version
  (tests/test_architecture.py checks the source), so any insert or change moves the table's
  fingerprint; and since the copy holds past states of existing rows, equal fingerprints mean
  equal rows. When they differ, one narrow scan of (id, version) tells which rows changed, and
  only those are fetched.
- PostgreSQL: those scans cost 30 ms and 350 ms at 300,000 entities (rows cross the wire). A
  trigger stamps each written row with its transaction id (`changed_xact`, migrations 021-022)
  and the copy keeps its snapshot's horizon (xmin: every transaction before it had finished).
  Rows stamped at or after the horizon are fetched through an index; a transaction still
  running then is at or after the next horizon, so its rows are fetched once it commits.

The copy holds clear values: callers mask it like any other read (core.privacy).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace

import polars as pl

from core.db import Database, Tx

COLUMNS = "id, kind, person_type, name, document, phone, mobile, email, city, state, active"
_COPY_COLUMNS = f"{COLUMNS}, search_name, version"
_MEMO = "entity_names"  # key of the copy in Database.memo
_MEMO_LOCK = "entity_names_lock"
# Past this many changed rows one full load (~0.2 s at 200,000 entities) beats fetching by id.
MAX_CHANGED = 2_000

Fingerprint = tuple[int, int, int]


@dataclass(frozen=True)
class _Copy:
    """A full load (`base`, sorted by id) plus the rows changed or added since (`patch`): a
    catch-up then costs its changed rows, not a rewrite of the whole copy."""

    base: pl.DataFrame  # _COPY_COLUMNS, sorted by id, never modified
    superseded: pl.Series  # per base row: True when `patch` holds a newer state of it
    patch: pl.DataFrame  # _COPY_COLUMNS, one row per id
    versions: pl.DataFrame  # (id, version) of every row held, sorted by id
    fingerprint: Fingerprint
    horizon: int = 0  # PostgreSQL: rows stamped from this transaction id on may be unseen


def matching_page(
    tx: Tx, key: str, kind: str | None, limit: int, offset: int
) -> tuple[pl.DataFrame, int]:
    """The entities whose search_name contains `key` (already a search_key), ordered by name
    then id: one page of them (COLUMNS) and how many there are."""
    copy = _current(tx)
    held = (
        (copy.base, _hits(copy.base, key, kind) & ~copy.superseded),
        (copy.patch, _hits(copy.patch, key, kind)),
    )
    # Sort only the matches' names and ids, then gather the page's rows by position.
    matches = pl.concat([
        rows.select("search_name", "id").with_row_index("row").filter(hits).with_columns(
            part=pl.lit(part, pl.UInt8))
        for part, (rows, hits) in enumerate(held)
    ])  # fmt: skip
    page = matches.sort("search_name", "id").slice(offset, limit)
    gathered = pl.concat([
        rows[page.filter(pl.col("part") == part)["row"].to_list()]
        for part, (rows, _) in enumerate(held)
    ])  # fmt: skip
    return gathered.sort("search_name", "id").select(COLUMNS.split(", ")), matches.height


def _hits(rows: pl.DataFrame, key: str, kind: str | None) -> pl.Series:
    hits = rows["search_name"].str.contains(key, literal=True)
    return hits & (rows["kind"] == kind) if kind else hits


def load_in_background(db: Database) -> None:
    """Load the copy on a thread at start-up, so the first name search does not wait for it."""

    def load() -> None:
        if not db.closed:
            db.read(_current)

    thread = threading.Thread(target=load, name="entity-names", daemon=True)
    db.add_worker(thread)
    thread.start()


def _current(tx: Tx) -> _Copy:
    """The copy, brought up to the table's present state when it is behind."""
    if tx.engine == "postgresql":
        return _current_by_stamps(tx)
    wanted = _table_fingerprint(tx)
    copy: _Copy | None = tx.memo.get(_MEMO)
    if copy is not None and copy.fingerprint == wanted:
        return copy
    # One catch-up at a time: the others then find the copy current and skip theirs.
    with tx.memo.setdefault(_MEMO_LOCK, threading.Lock()):
        copy = tx.memo.get(_MEMO)
        if copy is None or copy.fingerprint != wanted:
            copy = _caught_up(tx, copy)
            if tx.writable:  # a transaction's own uncommitted rows must not be shared
                return copy
            tx.memo[_MEMO] = copy
    return copy


def _table_fingerprint(tx: Tx) -> Fingerprint:
    row = tx.one(
        "SELECT count(*) AS n, coalesce(max(id), 0) AS top, coalesce(sum(version), 0) AS versions"
        " FROM entities"
    )
    assert row is not None
    return int(row["n"]), int(row["top"]), int(row["versions"])


def _caught_up(tx: Tx, copy: _Copy | None) -> _Copy:
    if copy is None:
        return _loaded(tx)
    present = tx.frame("SELECT id, version FROM entities")
    if not present["id"].is_sorted():
        present = present.sort("id")
    known = copy.versions
    # Rows are only ever added (never deleted): the known ids must be the present ones' start.
    if present.height < known.height or not present["id"].head(known.height).equals(known["id"]):
        return _loaded(tx)
    same_ids = present.head(known.height)
    changed = same_ids.filter(same_ids["version"] != known["version"])["id"]
    changed = changed.append(present["id"].tail(present.height - known.height))
    if copy.patch.height + changed.len() > MAX_CHANGED:
        return _loaded(tx)
    # A row may change again between the scan above and this fetch: the copy then keeps its
    # newer state, its fingerprint still differs from the table's, and the next use catches up.
    fetched = tx.frame(
        f"SELECT {_COPY_COLUMNS} FROM entities WHERE id = ANY(?)", [changed.to_list()]
    ).cast(copy.base.schema)
    if fetched.height != changed.len():  # a row vanished after all: start again from scratch
        return _loaded(tx)
    # The versions held: the scan's, except for the rows just fetched (maybe newer still).
    held = present["version"].scatter(
        present["id"].search_sorted(fetched["id"]), fetched["version"]
    )
    versions = pl.DataFrame({"id": present["id"], "version": held})
    return _patched(copy, fetched, versions, _fingerprint(versions), copy.horizon)


def _patched(
    copy: _Copy, fetched: pl.DataFrame, versions: pl.DataFrame, fingerprint: Fingerprint,
    horizon: int,
) -> _Copy:  # fmt: skip
    patch = pl.concat([copy.patch.filter(~pl.col("id").is_in(fetched["id"].implode())), fetched])
    superseded = copy.base["id"].is_in(patch["id"].implode())
    return _Copy(copy.base, superseded, patch, versions, fingerprint, horizon)


def _current_by_stamps(tx: Tx) -> _Copy:
    """PostgreSQL's catch-up (see the module's docstring): the rows stamped since the copy's
    horizon, read in the same snapshot as the new horizon."""
    horizon = int(tx.scalar("SELECT pg_snapshot_xmin(pg_current_snapshot())::text"))
    copy: _Copy | None = tx.memo.get(_MEMO)
    if copy is None:
        with tx.memo.setdefault(_MEMO_LOCK, threading.Lock()):
            copy = tx.memo.get(_MEMO)
            if copy is None:  # else another session loaded it meanwhile: catch up from it
                loaded = replace(_loaded(tx), horizon=horizon)
                if not tx.writable:
                    tx.memo[_MEMO] = loaded
                return loaded
    fetched = tx.frame(
        f"SELECT {_COPY_COLUMNS} FROM entities WHERE changed_xact >= ?",
        [copy.horizon],
    ).cast(copy.base.schema)
    if fetched.is_empty() and horizon == copy.horizon:
        return copy
    if copy.patch.height + fetched.height > MAX_CHANGED:
        caught_up = replace(_loaded(tx), horizon=horizon)
    else:
        caught_up = _patched(copy, fetched, copy.versions, copy.fingerprint, horizon)
    with tx.memo.setdefault(_MEMO_LOCK, threading.Lock()):
        # Only forward, and not a transaction's own uncommitted rows: another session may have
        # stored a copy from a later snapshot meanwhile.
        if not tx.writable and tx.memo[_MEMO].horizon <= horizon:
            tx.memo[_MEMO] = caught_up
    return caught_up


def _loaded(tx: Tx) -> _Copy:
    # Sorted here only if the scan's order is not already by id (it is, for rows inserted in id
    # order): an ORDER BY in DuckDB made the load's peak memory ~55 MB higher at 200,000 rows.
    base = tx.frame(f"SELECT {_COPY_COLUMNS} FROM entities")
    if not base["id"].is_sorted():
        base = base.sort("id")
    versions = base.select("id", "version")
    none = pl.repeat(False, base.height, dtype=pl.Boolean, eager=True)
    return _Copy(base, none, base.clear(), versions, _fingerprint(versions))


def _fingerprint(versions: pl.DataFrame) -> Fingerprint:
    if versions.is_empty():
        return 0, 0, 0
    return versions.height, int(versions["id"].max()), int(versions["version"].sum())  # type: ignore[arg-type]
