"""Append-only, tamper-evident audit log. A change and its audit row are written in the same
transaction.

Appending is a plain INSERT, so audited actions never contend with each other, and audit_log is
never updated. Each row carries `mac`, an HMAC over its id and content (data subjects included)
with the per-install audit key (core/audit_key.py), which is not in the database file: a row
typed straight into the file cannot carry a valid one. A sealer then chains the new rows in
batches into `audit_seals`, in id order, and only rows whose MAC checks: each gets a gapless
`seq`, the previous row's hash and its own hash
    row_hash = sha256(prev_hash + canonical content, data subjects included)
and `audit_chain` keeps the head (last seq and hash). The app seals every few seconds
(`start_sealer`) and `verify_chain` seals before it checks, so only the last seconds' rows are
ever unsealed. Verification walks the rows in order and reports the first broken link: an
edited row no longer matches its hash, a deleted row leaves a gap, a deleted tail no longer
reaches the head, a row without a valid MAC was written outside the application.

What this proves, and what not: whoever can write the database file but does not hold the key
can neither add a row nor change or remove one unnoticed, except by rebuilding the chain after
deleting rows; the head's hash, shown by the verification, is what an administrator notes
outside the system to catch that. Whoever holds both the key and the file can forge anything.
Rows written before migration 011 have no MAC: the chain alone protects them (see
`MAC_START_EVENT`).
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import hashlib
import hmac
import json
import logging
import os
import re
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from core.audit_key import installation_key
from core.config import DATA_DIR
from core.db import Database, Tx

if TYPE_CHECKING:
    from core.access import User

GENESIS = "0" * 64
_log = logging.getLogger(__name__)
SEAL_SECONDS = 5.0
_BATCH = 20_000
# The one authenticated row the first seal after migration 011 writes: its detail names the last
# sequence number sealed without MACs (the rows from before the upgrade).
MAC_START_EVENT = "auditoria.autenticacao_iniciada"
_MAC_START_DETAIL = "sem_autenticacao_ate"
SYSTEM_USERNAME = "(sistema)"


# --- the key and the MAC ----------------------------------------------------------------------

_KEY = "audit_key"


def use_key(db: Database, key: bytes) -> None:
    """The key this process signs and checks audit rows with (bootstrap passes the install's)."""
    db.memo[_KEY] = key


def _key(memo: dict[str, Any]) -> bytes:
    key = memo.get(_KEY)
    if key is None:  # a database opened without bootstrap (a script, a test): the install's key
        key = memo.setdefault(_KEY, installation_key())
    return bytes(key)


def _content(number: int, row: dict[str, Any], subjects: list[int]) -> str:
    """Every field in a fixed order and format; `number` is the seq (chain) or the id (MAC)."""
    moment = row["occurred_at"].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return "\x1f".join(
        [
            str(number), moment, "" if row["user_id"] is None else str(row["user_id"]),
            row["username"], row["event"], row["subject_type"], row["subject_id"],
            row["detail"], ",".join(str(entity) for entity in subjects),
        ]
    )  # fmt: skip


def row_mac(key: bytes, row: dict[str, Any], subjects: list[int]) -> str:
    """The row's MAC: its id binds it to one place, so a copy under another id fails."""
    content = "audit-row-v1\x1f" + _content(row["id"], row, subjects)
    return hmac.new(key, content.encode("utf-8"), hashlib.sha256).hexdigest()


def _mac_ok(key: bytes, row: dict[str, Any], subjects: list[int]) -> bool:
    mac = row.get("mac")
    return isinstance(mac, str) and hmac.compare_digest(mac, row_mac(key, row, subjects))


# --- changes: written in the change's transaction -----------------------------------------------


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
    # The id is drawn first because the MAC covers it, and the MAC goes in the same INSERT.
    audit_id = int(tx.scalar("SELECT nextval('audit_log_seq')"))
    row = {"id": audit_id, **_row(tx, Change(user, event, subject_type, subject_id, detail),
                                  username)}  # fmt: skip
    people = sorted(set(subjects))
    row["mac"] = row_mac(_key(tx.memo), row, people)
    tx.execute(f"INSERT INTO audit_log ({_COLUMNS}) VALUES ({_MARKS})", list(row.values()))
    if people:
        tx.execute(
            "INSERT INTO audit_subjects (audit_id, entity_id) SELECT ?, unnest(?::BIGINT[])",
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
    key = _key(tx.memo)
    rows = []
    for audit_id, change in zip(tx.next_ids("audit_log_seq", len(changes)), changes, strict=True):
        row = {"id": audit_id, **_row(tx, change)}
        row["mac"] = row_mac(key, row, [])
        rows.append(row)
    tx.insert_frame("audit_log", pl.DataFrame(rows, schema=_SCHEMA))


_COLUMNS = "id, occurred_at, user_id, username, event, subject_type, subject_id, detail, mac"
_MARKS = ", ".join("?" for _ in _COLUMNS.split(", "))
_SCHEMA: dict[str, Any] = {
    "id": pl.Int64, "occurred_at": pl.Datetime("us", "UTC"), "user_id": pl.Int64,
    "username": pl.String, "event": pl.String, "subject_type": pl.String,
    "subject_id": pl.String, "detail": pl.String, "mac": pl.String,
}  # fmt: skip


def _row(tx: Tx, change: Change, username: str | None = None) -> dict[str, Any]:
    user = change.user
    return {
        "occurred_at": tx.now,
        "user_id": user.id if user else None,
        "username": user.username if user else (username or "(anônimo)"),
        "event": change.event,
        "subject_type": change.subject_type,
        "subject_id": str(change.subject_id),
        "detail": json.dumps(change.detail or {}, ensure_ascii=False, default=str,
                             sort_keys=True),
    }  # fmt: skip


# --- views: journaled, written in bulk --------------------------------------------------------
#
# A screen that shows protected data is a read; making it commit an audit row would cost each
# view a write (~2-4 ms on this hardware). So a view is appended as one line to a journal file
# before the screen gets its data, and the sealer writes the journal to the database in bulk
# every few seconds, before anything reads the log (the audit screens and the verification
# flush first) and when the database closes. The line is handed to the kernel with one
# write(2): it survives the process being killed (kill -9, an OOM kill), and the journal is
# replayed at the next start. It is not fsync'd per view: that costs more than the view's 2 ms
# budget on this machine (bench/audit_bench.py), so a power loss or kernel crash may still lose
# the last seconds of *view* records; the flush fsyncs nothing either, since the database
# commit makes the rows durable. Changes are never journaled: their audit row commits with the
# change.
#
# Each process journals to its own file (`<base>.<token>.audit-journal`, next to a DuckDB file;
# under data/ for PostgreSQL, where several app servers and command-line tools share one
# database) and holds an exclusive lock on its `<base>.<token>.audit-lock` while it lives. A
# journal or batch whose lock is free was left by a process that died: the next flush of any
# process on that machine writes it.
#
# Flushing renames the journal to a batch file first, so views that arrive meanwhile go to a
# fresh journal; a batch is deleted once its rows have committed. Each line carries a random
# key stored with its row, so a batch left behind by a crash between that commit and the
# deletion is never written twice. A database without a file (":memory:") or one the app did
# not `attach` (a bare test database) keeps its views in memory until the next flush, as the
# journal would add nothing there.

_VIEWS = "audit_views"
_JOURNAL = "audit_journal"
_FLUSH_LOCK = "audit_flush_lock"


_TOKEN = re.compile(r"[0-9a-f]{16}")


class _Journal:
    """This process's append-only file of views not yet written to the database."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.token = uuid.uuid4().hex[:16]  # _TOKEN
        self.path = self._named(self.token, "audit-journal")
        self.lock = threading.Lock()
        self._fd: int | None = None
        self._fresh: set[Path] = set()  # batches this process made and has not tried to write
        # Locked before it takes its name, so no process ever finds it unlocked while we live;
        # the kernel releases the lock when the process dies, however it dies.
        starting = self._named(self.token, "audit-starting")
        self._alive = os.open(starting, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._alive, fcntl.LOCK_EX)
        os.rename(starting, self._named(self.token, "audit-lock"))

    def _named(self, token: str, suffix: str) -> Path:
        return self.base.with_name(f"{self.base.name}.{token}.{suffix}")

    def append(self, line: bytes) -> None:
        with self.lock:  # held across the write so a rotation never closes a file mid-write
            if self._fd is None:
                self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            os.write(self._fd, line)

    def rotate(self) -> None:
        """Turn the current journal into a batch to be written."""
        with self.lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
            if self.path.exists():
                self._fresh.add(self._to_batch(self.path))

    def _to_batch(self, journal: Path) -> Path:
        batch = self._named(f"{self.token}.{uuid.uuid4().hex}", "audit-batch")
        os.rename(journal, batch)
        return batch

    def batches(self) -> list[tuple[Path, bool]]:
        """Every batch to write, oldest first, and whether it may have been written already:
        this process's, and what dead processes left (their journals become batches here)."""
        prefix = glob.escape(self.base.name)
        for lock in self.base.parent.glob(f"{prefix}.*.audit-lock"):
            token = lock.name[len(self.base.name) + 1 : -len(".audit-lock")]
            if not _TOKEN.fullmatch(token):  # another file's, e.g. "callcenter.duckdb.bak"
                continue
            if token != self.token and _dead(lock):
                orphans = [self._named(token, "audit-journal")]
                orphans += self.base.parent.glob(f"{prefix}.{token}.*.audit-batch")
                for orphan in orphans:
                    self._adopt(orphan)
                lock.unlink(missing_ok=True)
        legacy = self.base.with_name(f"{self.base.name}.audit-journal")  # one file per database
        self._adopt(legacy)
        found = sorted(
            self.base.parent.glob(f"{prefix}.{self.token}.*.audit-batch"),
            key=lambda p: p.stat().st_mtime,
        )
        legacy_batches = self.base.parent.glob(f"{glob.escape(legacy.name)}.*.batch")
        return [(batch, batch not in self._fresh) for batch in [*legacy_batches, *found]]

    def _adopt(self, orphan: Path) -> None:
        with contextlib.suppress(FileNotFoundError):  # none, or another process adopted it
            self._to_batch(orphan)

    def done(self, batch: Path) -> None:
        batch.unlink(missing_ok=True)
        self._fresh.discard(batch)

    def tried(self, batch: Path) -> None:
        self._fresh.discard(batch)  # its transaction may have committed before failing

    def close(self) -> None:
        """At a clean close, after the last flush: nothing is left for another process."""
        with self.lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
        self._named(self.token, "audit-lock").unlink(missing_ok=True)  # before the lock ends
        os.close(self._alive)


def _dead(lock: Path) -> bool:
    """Whether the process that held this lock file is gone (its lock is free to take)."""
    try:
        fd = os.open(lock, os.O_RDWR)
    except FileNotFoundError:
        return False  # its owner closed cleanly just now, or another process adopted it
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # also releases the lock just taken: the files are adopted next
    return True


def journal_base(db: Database, data_dir: Path) -> Path | None:
    """Where this database's journals live: beside a DuckDB file; under `data_dir` for a
    PostgreSQL database, named after its host, port and name (never its password)."""
    if db.engine == "postgresql":
        where = re.sub(r"^[a-z]+://([^@/]*@)?", "", db.path)
        return data_dir / ("postgresql-" + re.sub(r"[^A-Za-z0-9_.-]+", "-", where).strip("-"))
    if db.path and db.path != ":memory:":
        return Path(db.path)
    return None


def attach(db: Database, data_dir: Path | None = None) -> None:
    """Journal this database's views (see above) and write any journal a dead process left
    behind. Called at start-up, before any view."""
    base = journal_base(db, data_dir or DATA_DIR)
    if base is not None and _JOURNAL not in db.memo:
        base.parent.mkdir(parents=True, exist_ok=True)
        db.memo.setdefault(_JOURNAL, _Journal(base))
        db.before_close(db.memo.setdefault("audit_flush_at_close", lambda: _last_flush(db)))
    else:
        db.before_close(db.memo.setdefault("audit_flush_at_close", lambda: flush(db)))
    flush(db)


def _last_flush(db: Database) -> None:
    flush(db)
    journal: _Journal = db.memo[_JOURNAL]
    journal.close()


def record_view(
    tx: Tx,
    user: User | None,
    *,
    subject_type: str = "",
    subject_id: object = "",
    detail: dict[str, Any] | None = None,
    subjects: Iterable[int] = (),
) -> None:
    """Journal a "dados.visualizados" row (see above); works in a read as well as a write."""
    row = {
        "view_key": uuid.uuid4().hex,
        "occurred_at": tx.now.astimezone(UTC).isoformat(),
        "user_id": user.id if user else None,
        "username": user.username if user else "(anônimo)",
        "event": "dados.visualizados",
        "subject_type": subject_type,
        "subject_id": str(subject_id),
        "detail": json.dumps(detail or {}, ensure_ascii=False, default=str, sort_keys=True),
        "subjects": sorted(set(subjects)),
    }
    journal: _Journal | None = tx.memo.get(_JOURNAL)
    if journal is not None:
        journal.append(json.dumps(row, ensure_ascii=False).encode("utf-8") + b"\n")
        return
    with _lock(tx.memo, _VIEWS):
        tx.memo.setdefault(_VIEWS, []).append(row)


def _lock(memo: dict[str, Any], name: str) -> threading.Lock:
    return memo.setdefault(f"{name}_lock", threading.Lock())  # setdefault is atomic


def flush(db: Database) -> int:
    """Write the journaled (or buffered) views; returns how many were written."""
    journal: _Journal | None = db.memo.get(_JOURNAL)
    if journal is None:
        with _lock(db.memo, _VIEWS):
            taken: list[dict[str, Any]] = db.memo.pop(_VIEWS, [])
        try:
            return _write_views(db, taken, maybe_written=False)
        except BaseException:
            with _lock(db.memo, _VIEWS):  # not written: first in line for the next flush
                db.memo[_VIEWS] = taken + db.memo.get(_VIEWS, [])
            raise
    written = 0
    with _lock(db.memo, _FLUSH_LOCK):  # one flush at a time: a batch is written once
        journal.rotate()
        for batch, maybe_written in journal.batches():
            try:
                written += _write_views(db, _read_batch(batch), maybe_written)
            except BaseException:
                journal.tried(batch)  # left on disk: the next flush tries again
                raise
            journal.done(batch)
    return written


def _read_batch(batch: Path) -> list[dict[str, Any]]:
    rows = []
    for number, line in enumerate(batch.read_bytes().splitlines(), start=1):
        try:
            rows.append(json.loads(line))
        except ValueError:  # a line cut short by a crash mid-write: nothing to recover
            _log.warning("audit journal %s: line %d unreadable, skipped", batch, number)
    return rows


def _write_views(db: Database, taken: list[dict[str, Any]], maybe_written: bool) -> int:
    if not taken:
        return 0
    key = _key(db.memo)

    def work(tx: Tx) -> int:
        rows = taken
        if maybe_written:  # a batch left by a crash: its commit may have happened
            present = {
                row["view_key"]
                for row in tx.all(
                    "SELECT view_key FROM audit_log"
                    " WHERE view_key IN (SELECT unnest(?::VARCHAR[]))",
                    [[row["view_key"] for row in rows]],
                )
            }
            rows = [row for row in rows if row["view_key"] not in present]
            if not rows:
                return 0
        ids = tx.next_ids("audit_log_seq", len(rows))
        log_rows, people = [], []
        for row, audit_id in zip(rows, ids, strict=True):
            moment = row["occurred_at"]
            entry = {
                "id": audit_id,
                **{k: v for k, v in row.items() if k not in ("subjects", "view_key")},
                "occurred_at": datetime.fromisoformat(moment) if isinstance(moment, str)
                else moment,
            }  # fmt: skip
            entry["mac"] = row_mac(key, entry, row["subjects"])
            log_rows.append({**entry, "view_key": row["view_key"]})
            people += [{"audit_id": audit_id, "entity_id": entity} for entity in row["subjects"]]
        tx.insert_frame(
            "audit_log", pl.DataFrame(log_rows, schema={**_SCHEMA, "view_key": pl.String})
        )
        if people:
            tx.insert_frame("audit_subjects", pl.DataFrame(people))
        return len(rows)

    return int(db.write(work))


# --- the chain --------------------------------------------------------------------------------


def chain_hash(prev_hash: str, row: dict[str, Any], subjects: list[int]) -> str:
    """The row's hash: the previous hash, then every field in a fixed order and format."""
    return hashlib.sha256((prev_hash + _content(row["seq"], row, subjects)).encode()).hexdigest()


_ROW_SQL = (
    "SELECT a.id, a.occurred_at, a.user_id, a.username, a.event, a.subject_type, a.subject_id,"
    " a.detail, a.mac, (SELECT array_agg(x.entity_id ORDER BY x.entity_id) FROM audit_subjects x"
    "   WHERE x.audit_id = a.id) AS people"
)
# Parameters: after, up to, limit. The seals are bounded by `after` too (named $1, the same
# value): without it DuckDB builds its anti-join over every seal (1M rows at S, ~35 MB per
# round of the sealer, every few seconds); with it only the window's seals are read.
_UNSEALED_SQL = (
    _ROW_SQL + " FROM audit_log a WHERE a.id > $1 AND a.id <= $2 AND NOT EXISTS (SELECT 1 FROM"
    " audit_seals s WHERE s.audit_id = a.id AND s.audit_id > $1) ORDER BY a.id LIMIT $3"
)
_NO_LIMIT = 2**62
# A unit of work commits its audit rows a little after drawing their ids; rows this far behind
# the newest sealed one are still looked for, so a late commit is sealed too.
LATE_WINDOW = 10_000
SEALER_LOCK = 0x6361_6C6C_7365_616C  # PostgreSQL advisory lock key ("callseal")


def seal(db: Database) -> int:
    """Chain every row not sealed yet whose MAC checks, in id order; returns how many were
    sealed. A row without a valid MAC is left out (and logged): the verification reports it."""
    key = _key(db.memo)

    def work(tx: Tx) -> int:
        # One sealer at a time across app servers: the others skip this round rather than
        # chain the same rows and lose on the head row's update (the key, not the lock, is
        # what keeps the chain right). DuckDB has one process.
        if tx.engine == "postgresql" and not tx.scalar(
            "SELECT pg_try_advisory_xact_lock(?)", [SEALER_LOCK]
        ):
            return 0
        head = tx.one(
            "SELECT seq, last_hash, last_audit_id, unauthenticated_up_to_id FROM audit_chain"
            " WHERE id = 1"
        )
        assert head is not None, "migration 006 creates the chain head"
        seq, prev, newest = int(head["seq"]), str(head["last_hash"]), int(head["last_audit_id"])
        since = max(0, newest - LATE_WINDOW)
        sealed, refused = 0, list[dict[str, Any]]()

        def chain(rows: list[dict[str, Any]]) -> None:
            nonlocal seq, prev, newest, sealed
            if not rows:
                return
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

        upgrade = int(head["unauthenticated_up_to_id"] or 0)
        if upgrade:  # the first seal after migration 011 (see MAC_START_EVENT)
            if _mac_start(tx, key) is None:
                after = since
                while rows := tx.all(_UNSEALED_SQL, [after, upgrade, _BATCH]):
                    chain(rows)
                    after = rows[-1]["id"]
                record(tx, None, MAC_START_EVENT, subject_type="auditoria",
                       detail={_MAC_START_DETAIL: seq}, username=SYSTEM_USERNAME)  # fmt: skip
            tx.execute("UPDATE audit_chain SET unauthenticated_up_to_id = 0 WHERE id = 1")
        after = since
        while rows := tx.all(_UNSEALED_SQL, [after, _NO_LIMIT, _BATCH]):
            after = rows[-1]["id"]
            good: list[dict[str, Any]] = []
            for row in rows:
                (good if _mac_ok(key, row, list(row["people"] or [])) else refused).append(row)
            chain(good)
        if refused:
            _log.warning(
                "audit rows without a valid MAC left out of the chain (written outside the"
                " application?): ids %s", [row["id"] for row in refused[:20]],
            )  # fmt: skip
        if sealed:
            tx.execute(
                "UPDATE audit_chain SET seq = ?, last_hash = ?, last_audit_id = ? WHERE id = 1",
                [seq, prev, newest],
            )
        return sealed

    return int(db.write(work))


def _mac_start(tx: Tx, key: bytes) -> int | None:
    """The last seq sealed without MACs, as the authenticated upgrade row names it; None when
    there is no such row (a fresh install: every row needs its MAC)."""
    for row in tx.all(_ROW_SQL + " FROM audit_log a WHERE a.event = ? ORDER BY a.id",
                      [MAC_START_EVENT]):  # fmt: skip
        if _mac_ok(key, row, list(row["people"] or [])):
            return int(json.loads(row["detail"])[_MAC_START_DETAIL])
    return None


def start_sealer(
    db: Database, every: float = SEAL_SECONDS, data_dir: Path | None = None
) -> threading.Thread:
    """Seal in the background until the database closes (one thread per process); the views a
    crashed process left in its journal are written first."""
    attach(db, data_dir)

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
    unauthenticated_up_to: int = 0  # rows up to this seq predate the MACs (chain only)

    @property
    def ok(self) -> bool:
        return self.broken_seq is None and not self.problem


def verify_chain(db: Database, progress: Callable[[int, int], None] | None = None) -> ChainReport:
    """Seal what is pending (the sealer leaves out rows without a valid MAC), then recompute
    every hash and MAC in order and report the first broken link in pt-BR. Reads in batches so
    a long log does not sit in memory; `progress(done, total)` is called after each batch (the
    screen shows a progress bar)."""
    flush(db)
    seal(db)
    key = _key(db.memo)

    def work(tx: Tx) -> ChainReport:
        head = tx.one("SELECT seq, last_hash, last_audit_id FROM audit_chain WHERE id = 1")
        assert head is not None
        legacy = _mac_start(tx, key) or 0

        def report(checked: int, broken: int | None = None, problem: str = "") -> ChainReport:
            return ChainReport(checked, head["seq"], head["last_hash"], broken, problem, legacy)

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
                problem = _check_row(row, expected_seq, prev, key, legacy)
                if problem:
                    return report(expected_seq - 1, expected_seq, problem)
                prev = row["row_hash"]
                expected_seq += 1
            if progress:
                progress(expected_seq - 1, total)
        checked = expected_seq - 1
        if checked != head["seq"] or prev != head["last_hash"]:
            return report(
                checked, checked + 1, f"o log termina no registro {checked}, mas a cadeia"
                f" registra {head['seq']}: registros finais foram apagados.",
            )  # fmt: skip
        forged, stray = [], []
        for row in tx.all(
            _ROW_SQL + " FROM audit_log a WHERE NOT EXISTS (SELECT 1 FROM audit_seals s"
            " WHERE s.audit_id = a.id) ORDER BY a.id"
        ):
            if not _mac_ok(key, row, list(row["people"] or [])):
                forged.append(row["id"])
            elif row["id"] <= int(head["last_audit_id"]) - LATE_WINDOW:
                stray.append(row["id"])  # the app's, but too far back for the sealer
            # else: the app's, committed after the seal above; the next seal chains it
        if forged:
            return report(
                checked, checked + 1, f"{len(forged)} registro(s) fora da cadeia, gravado(s)"
                f" fora do aplicativo (sem autenticação válida): id {_ids(forged)}.",
            )  # fmt: skip
        if stray:
            return report(
                checked, checked + 1, f"{len(stray)} registro(s) fora da cadeia (id"
                f" {_ids(stray)}): gravados diretamente no banco.",
            )  # fmt: skip
        return report(checked)

    return db.read(work)


def _ids(ids: list[int]) -> str:
    shown = ", ".join(str(audit_id) for audit_id in ids[:10])
    return shown + (" …" if len(ids) > 10 else "")


def _check_row(row: dict[str, Any], expected_seq: int, prev: str, key: bytes, legacy: int) -> str:
    if row["seq"] != expected_seq:
        return (
            f"falta o registro {expected_seq} (a sequência salta para {row['seq']}):"
            " registro apagado."
        )
    if row["missing"]:
        return f"o registro {expected_seq} foi apagado do log."
    if row["prev_hash"] != prev:
        return f"o registro {expected_seq} não aponta para o anterior: encadeamento alterado."
    people = list(row["people"] or [])
    if chain_hash(prev, row, people) != row["row_hash"]:
        return f"o conteúdo do registro {expected_seq} não confere com seu hash: alterado."
    if expected_seq > legacy and not _mac_ok(key, row, people):
        return (
            f"o registro {expected_seq} foi gravado fora do aplicativo (sem autenticação"
            " válida): inserido no banco e encadeado por fora."
        )
    return ""
