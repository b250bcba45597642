"""Append-only, tamper-evident audit log. A change and its audit row are written in the same
transaction.

Each row carries a gapless `seq`, the previous row's hash and its own hash:
    row_hash = sha256(prev_hash + canonical content)
and the chain head (`audit_chain`) is updated in the same transaction, which serialises appends
in the database (concurrent writers conflict on the head row and the unit of work runs again).
`verify_chain` walks the rows in order and reports the first broken link: an edited row no
longer matches its hash, a deleted row leaves a gap in `seq`, a deleted tail no longer reaches
the head. Someone able to rewrite the whole file could rebuild the chain too: the head's hash,
shown by the verification, is what an administrator notes outside the system to anchor it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC
from typing import TYPE_CHECKING, Any

from core.db import Database, Tx

if TYPE_CHECKING:
    from core.access import User

GENESIS = "0" * 64


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
    # Taking the head first makes a concurrent append fail fast on this row (a write-write
    # conflict the unit of work retries), before anything else is written.
    head = tx.one("UPDATE audit_chain SET seq = seq + 1 WHERE id = 1 RETURNING seq, last_hash")
    assert head is not None, "migration 006 creates the chain head"
    seq = int(head["seq"])
    row = {
        "seq": seq,
        "occurred_at": tx.now,
        "user_id": user.id if user else None,
        "username": user.username if user else (username or "(anônimo)"),
        "event": event,
        "subject_type": subject_type,
        "subject_id": str(subject_id),
        "detail": json.dumps(detail or {}, ensure_ascii=False, default=str, sort_keys=True),
    }
    people = sorted(set(subjects))
    row_hash = chain_hash(head["last_hash"], row, people)
    audit_id = tx.scalar(
        "INSERT INTO audit_log (seq, occurred_at, user_id, username, event, subject_type,"
        " subject_id, detail, prev_hash, row_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " RETURNING id",
        [*row.values(), head["last_hash"], row_hash],
    )
    if people:
        tx.execute(
            "INSERT INTO audit_subjects (audit_id, entity_id) SELECT ?, unnest(?)",
            [audit_id, people],
        )
    tx.execute("UPDATE audit_chain SET last_hash = ? WHERE id = 1", [row_hash])


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
    checked: int  # chained rows verified
    legacy: int  # rows written before the chain existed (not verifiable)
    head_seq: int
    head_hash: str
    broken_seq: int | None = None  # the first broken link
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_seq is None and not self.problem


_BATCH = 20_000


def verify_chain(db: Database, progress: Callable[[int, int], None] | None = None) -> ChainReport:
    """Recompute every hash in order; report the first broken link in pt-BR.

    Reads in batches so a long log does not sit in memory; `progress(done, total)` is called
    after each batch (a screen shows a progress bar, the CLI prints nothing)."""

    def work(tx: Tx) -> ChainReport:
        head = tx.one("SELECT seq, last_hash FROM audit_chain WHERE id = 1")
        assert head is not None
        total = int(tx.scalar("SELECT count(*) FROM audit_log WHERE seq IS NOT NULL"))
        legacy = int(tx.scalar("SELECT count(*) FROM audit_log WHERE seq IS NULL"))
        first_chained = tx.scalar("SELECT min(id) FROM audit_log WHERE seq IS NOT NULL")
        if first_chained is not None and tx.scalar(
            "SELECT count(*) FROM audit_log WHERE seq IS NULL AND id > ?", [first_chained]
        ):
            bad = tx.scalar(
                "SELECT min(id) FROM audit_log WHERE seq IS NULL AND id > ?", [first_chained]
            )
            return ChainReport(
                total, legacy, head["seq"], head["last_hash"], broken_seq=0,
                problem=f"o registro id {bad} perdeu o número de sequência (alterado).",
            )  # fmt: skip
        expected_seq, prev = 1, GENESIS
        last = 0
        while True:
            rows = tx.all(
                "SELECT a.id, a.seq, a.occurred_at, a.user_id, a.username, a.event,"
                " a.subject_type, a.subject_id, a.detail, a.prev_hash, a.row_hash,"
                " (SELECT list(s.entity_id ORDER BY s.entity_id) FROM audit_subjects s"
                "   WHERE s.audit_id = a.id) AS people"
                " FROM audit_log a WHERE a.seq > ? ORDER BY a.seq LIMIT ?",
                [last, _BATCH],
            )
            if not rows:
                break
            for row in rows:
                problem = _check_row(row, expected_seq, prev)
                if problem:
                    return ChainReport(
                        expected_seq - 1, legacy, head["seq"], head["last_hash"],
                        broken_seq=expected_seq, problem=problem,
                    )  # fmt: skip
                prev = row["row_hash"]
                expected_seq += 1
            last = rows[-1]["seq"]
            if progress:
                progress(expected_seq - 1, total)
        checked = expected_seq - 1
        if checked != head["seq"] or prev != head["last_hash"]:
            return ChainReport(
                checked, legacy, head["seq"], head["last_hash"], broken_seq=checked + 1,
                problem=f"o log termina no registro {checked}, mas a cadeia registra "
                f"{head['seq']}: registros finais foram apagados.",
            )  # fmt: skip
        return ChainReport(checked, legacy, head["seq"], head["last_hash"])

    return db.read(work)


def _check_row(row: dict[str, Any], expected_seq: int, prev: str) -> str:
    if row["seq"] != expected_seq:
        return (
            f"falta o registro {expected_seq} (a sequência salta para {row['seq']}):"
            " registro apagado."
        )
    if row["prev_hash"] != prev:
        return f"o registro {expected_seq} não aponta para o anterior: encadeamento alterado."
    if chain_hash(prev, row, list(row["people"] or [])) != row["row_hash"]:
        return f"o conteúdo do registro {expected_seq} não confere com seu hash: alterado."
    return ""
