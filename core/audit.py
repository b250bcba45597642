"""Append-only, tamper-evident audit log. A change and its audit row are written in the same
transaction.

Appending is a plain INSERT, so audited actions never contend with each other, and audit_log is
never updated. A sealer then chains the new rows in batches into `audit_seals`, in id order:
each gets a gapless `seq`, the previous row's hash and its own hash
    row_hash = sha256(prev_hash + canonical content, data subjects included)
and `audit_chain` keeps the head (last seq and hash). The app seals every few seconds
(`start_sealer`) and `verify_chain` seals before it checks, so only the last seconds' rows are
ever unsealed. Verification walks the rows in order and reports the first broken link: an
edited row no longer matches its hash, a deleted row leaves a gap, a deleted tail no longer
reaches the head. Someone able to rewrite the whole file could rebuild the chain too: the
head's hash, shown by the verification, is what an administrator notes outside the system to
anchor it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC
from typing import TYPE_CHECKING, Any

import polars as pl

from core.db import Database, Tx

if TYPE_CHECKING:
    from core.access import User

GENESIS = "0" * 64
_log = logging.getLogger(__name__)
SEAL_SECONDS = 5.0
_BATCH = 20_000


def record(
    tx: Tx,
    user: User | None,
    event: str,
    *,
    subject_type: str = "",
    subject_id: object = "",
    detail: dict[str, Any] | None = None,
    username: str | None = None,
    subjects: Iterable[int] = (),
) -> None:
    """Append one audit row. `username` names the actor when there is no User (a login try);
    `subjects` are the data subjects (entity ids) whose protected data the event showed."""
    assert tx.writable, "audit rows are written inside Database.write, with the change"
    audit_id = tx.scalar(
        f"INSERT INTO audit_log ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        _values(tx, Change(user, event, subject_type, subject_id, detail), username),
    )
    people = sorted(set(subjects))
    if people:
        tx.execute(
            "INSERT INTO audit_subjects (audit_id, entity_id) SELECT ?, unnest(?)",
            [audit_id, people],
        )


@dataclass(frozen=True)
class Change:
    """One audited change, for record_many."""

    user: User | None
    event: str
    subject_type: str = ""
    subject_id: object = ""
    detail: dict[str, Any] | None = None


def record_many(tx: Tx, changes: list[Change]) -> None:
    """Several changes' rows in one statement (a batch of claims served together)."""
    assert tx.writable, "audit rows are written inside Database.write, with the change"
    if not changes:
        return
    columns = list(zip(*(_values(tx, change) for change in changes), strict=True))
    tx.execute(
        f"INSERT INTO audit_log ({_COLUMNS}) SELECT ?, unnest(?), unnest(?), unnest(?),"
        " unnest(?), unnest(?), unnest(?)",
        [tx.now, *(list(column) for column in columns[1:])],
    )


_COLUMNS = "occurred_at, user_id, username, event, subject_type, subject_id, detail"


def _values(tx: Tx, change: Change, username: str | None = None) -> list[Any]:
    user = change.user
    return [
        tx.now,
        user.id if user else None,
        user.username if user else (username or "(anônimo)"),
        change.event,
        change.subject_type,
        str(change.subject_id),
        json.dumps(change.detail or {}, ensure_ascii=False, default=str, sort_keys=True),
    ]


# --- views: buffered, written in bulk ---------------------------------------------------------
#
# A screen that shows protected data is a read; making it commit an audit row would cost each
# view a write (~2-4 ms on this hardware). So views are queued in the process and written in
# bulk by the sealer every few seconds, before anything reads the log (the audit screens and
# the verification flush first) and when the database closes. The risk accepted: a crash loses
# the last few seconds of *view* records. Changes are never buffered: their audit row commits
# with the change.

_VIEWS = "audit_views"


def record_view(
    tx: Tx,
    user: User | None,
    *,
    subject_type: str = "",
    subject_id: object = "",
    detail: dict[str, Any] | None = None,
    subjects: Iterable[int] = (),
) -> None:
    """Queue a "dados.visualizados" row (see above); works in a read as well as a write."""
    row = {
        "occurred_at": tx.now,
        "user_id": user.id if user else None,
        "username": user.username if user else "(anônimo)",
        "event": "dados.visualizados",
        "subject_type": subject_type,
        "subject_id": str(subject_id),
        "detail": json.dumps(detail or {}, ensure_ascii=False, default=str, sort_keys=True),
        "subjects": sorted(set(subjects)),
    }
    with _views_lock(tx.memo):
        tx.memo.setdefault(_VIEWS, []).append(row)


def _views_lock(memo: dict[str, Any]) -> threading.Lock:
    return memo.setdefault("audit_views_lock", threading.Lock())  # setdefault is atomic


def flush(db: Database) -> int:
    """Write the queued views in one transaction; returns how many."""
    with _views_lock(db.memo):
        taken: list[dict[str, Any]] = db.memo.pop(_VIEWS, [])
    if not taken:
        return 0

    def work(tx: Tx) -> None:
        ids = tx.next_ids("audit_log_seq", len(taken))
        tx.insert_frame("audit_log", pl.DataFrame(
            [{**{k: v for k, v in row.items() if k != "subjects"}, "id": audit_id}
             for row, audit_id in zip(taken, ids, strict=True)],
            schema={"occurred_at": pl.Datetime("us", "UTC"), "user_id": pl.Int64,
                    "username": pl.String, "event": pl.String, "subject_type": pl.String,
                    "subject_id": pl.String, "detail": pl.String, "id": pl.Int64},
        ))  # fmt: skip
        people = [
            {"audit_id": audit_id, "entity_id": entity}
            for row, audit_id in zip(taken, ids, strict=True)
            for entity in row["subjects"]
        ]
        if people:
            tx.insert_frame("audit_subjects", pl.DataFrame(people))

    try:
        db.write(work)
    except BaseException:
        with _views_lock(db.memo):  # not written: first in line for the next flush
            db.memo[_VIEWS] = taken + db.memo.get(_VIEWS, [])
        raise
    return len(taken)


def chain_hash(prev_hash: str, row: dict[str, Any], subjects: list[int]) -> str:
    """The row's hash: the previous hash, then every field in a fixed order and format."""
    moment = row["occurred_at"].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    content = "\x1f".join(
        [
            str(row["seq"]), moment, "" if row["user_id"] is None else str(row["user_id"]),
            row["username"], row["event"], row["subject_type"], row["subject_id"],
            row["detail"], ",".join(str(entity) for entity in subjects),
        ]
    )  # fmt: skip
    return hashlib.sha256((prev_hash + content).encode("utf-8")).hexdigest()


_ROW_SQL = (
    "SELECT a.id, a.occurred_at, a.user_id, a.username, a.event, a.subject_type, a.subject_id,"
    " a.detail, (SELECT list(x.entity_id ORDER BY x.entity_id) FROM audit_subjects x"
    "   WHERE x.audit_id = a.id) AS people"
)
# A unit of work commits its audit rows a little after drawing their ids; rows this far behind
# the newest sealed one are still looked for, so a late commit is sealed too.
LATE_WINDOW = 10_000


def seal(db: Database) -> int:
    """Chain every row not sealed yet, in id order; returns how many were sealed."""

    def work(tx: Tx) -> int:
        head = tx.one("SELECT seq, last_hash, last_audit_id FROM audit_chain WHERE id = 1")
        assert head is not None, "migration 006 creates the chain head"
        seq, prev, newest = int(head["seq"]), str(head["last_hash"]), int(head["last_audit_id"])
        since = max(0, newest - LATE_WINDOW)
        sealed = 0
        while rows := tx.all(
            _ROW_SQL + " FROM audit_log a WHERE a.id > ? AND NOT EXISTS (SELECT 1 FROM"
            " audit_seals s WHERE s.audit_id = a.id) ORDER BY a.id LIMIT ?",
            [since, _BATCH],
        ):
            seals = []
            for row in rows:
                seq += 1
                row_hash = chain_hash(prev, {**row, "seq": seq}, list(row["people"] or []))
                seals.append({"audit_id": row["id"], "seq": seq, "prev_hash": prev,
                              "row_hash": row_hash})  # fmt: skip
                prev = row_hash
            tx.insert_frame("audit_seals", pl.DataFrame(seals))
            newest = max(newest, rows[-1]["id"])
            sealed += len(rows)
        if sealed:
            tx.execute(
                "UPDATE audit_chain SET seq = ?, last_hash = ?, last_audit_id = ? WHERE id = 1",
                [seq, prev, newest],
            )
        return sealed

    return db.write(work)


def start_sealer(db: Database, every: float = SEAL_SECONDS) -> threading.Thread:
    """Seal in the background until the database closes (one thread per process)."""

    def loop() -> None:
        while not db.closed:
            try:
                flush(db)
                seal(db)
            except Exception:
                if db.closed:  # closing under a running seal: nothing to report
                    return
                # Logged, not swallowed: the rows stay unsealed and the next round retries.
                _log.exception("audit sealing failed")
            db.wait_closed(every)

    thread = threading.Thread(target=loop, name="audit-sealer", daemon=True)
    db.add_worker(thread)
    db.before_close(lambda: flush(db))
    thread.start()
    return thread


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Old and new values of the fields that changed, for an audit detail."""
    return {
        key: {"de": before.get(key), "para": value}
        for key, value in after.items()
        if before.get(key) != value
    }


# --- verification ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainReport:
    checked: int  # rows verified
    head_seq: int
    head_hash: str
    broken_seq: int | None = None  # the first broken link
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_seq is None and not self.problem


def verify_chain(db: Database, progress: Callable[[int, int], None] | None = None) -> ChainReport:
    """Seal what is pending, then recompute every hash in order and report the first broken
    link in pt-BR. Reads in batches so a long log does not sit in memory; `progress(done,
    total)` is called after each batch (the screen shows a progress bar)."""
    flush(db)
    seal(db)

    def work(tx: Tx) -> ChainReport:
        head = tx.one("SELECT seq, last_hash, last_audit_id FROM audit_chain WHERE id = 1")
        assert head is not None
        total = int(tx.scalar("SELECT count(*) FROM audit_seals"))
        expected_seq, prev = 1, GENESIS
        # Seal numbers in slices: each slice joins only its own rows (bounded memory).
        while rows := tx.all(
            "WITH slice AS (SELECT * FROM audit_seals WHERE seq >= ? AND seq < ? + ?)"
            + _ROW_SQL
            + ", s.seq, s.audit_id, s.prev_hash, s.row_hash, a.id IS NULL AS missing"
            " FROM slice s LEFT JOIN audit_log a ON a.id = s.audit_id ORDER BY s.seq",
            [expected_seq, expected_seq, _BATCH],
        ):
            for row in rows:
                problem = _check_row(row, expected_seq, prev)
                if problem:
                    return ChainReport(
                        expected_seq - 1, head["seq"], head["last_hash"],
                        broken_seq=expected_seq, problem=problem,
                    )  # fmt: skip
                prev = row["row_hash"]
                expected_seq += 1
            if progress:
                progress(expected_seq - 1, total)
        checked = expected_seq - 1
        if checked != head["seq"] or prev != head["last_hash"]:
            return ChainReport(
                checked, head["seq"], head["last_hash"], broken_seq=checked + 1,
                problem=f"o log termina no registro {checked}, mas a cadeia registra "
                f"{head['seq']}: registros finais foram apagados.",
            )  # fmt: skip
        outside = tx.scalar(
            "SELECT count(*) FROM audit_log a WHERE NOT EXISTS (SELECT 1 FROM audit_seals s"
            " WHERE s.audit_id = a.id)"
        )
        if outside:
            return ChainReport(
                checked, head["seq"], head["last_hash"], broken_seq=checked + 1,
                problem=f"{outside} registro(s) fora da cadeia: gravados diretamente no banco.",
            )  # fmt: skip
        return ChainReport(checked, head["seq"], head["last_hash"])

    return db.read(work)


def _check_row(row: dict[str, Any], expected_seq: int, prev: str) -> str:
    if row["seq"] != expected_seq:
        return (
            f"falta o registro {expected_seq} (a sequência salta para {row['seq']}):"
            " registro apagado."
        )
    if row["missing"]:
        return f"o registro {expected_seq} foi apagado do log."
    if row["prev_hash"] != prev:
        return f"o registro {expected_seq} não aponta para o anterior: encadeamento alterado."
    if chain_hash(prev, row, list(row["people"] or [])) != row["row_hash"]:
        return f"o conteúdo do registro {expected_seq} não confere com seu hash: alterado."
    return ""
