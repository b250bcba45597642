"""Append-only audit log. A change and its audit row are written in the same transaction."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from core.db import Tx

if TYPE_CHECKING:
    from core.access import User


def record(
    tx: Tx,
    user: User | None,
    event: str,
    *,
    subject_type: str = "",
    subject_id: object = "",
    detail: dict[str, Any] | None = None,
    username: str | None = None,
) -> None:
    """Append one audit row. `username` names the actor when there is no User (a login try)."""
    tx.execute(
        "INSERT INTO audit_log (occurred_at, user_id, username, event, subject_type, subject_id,"
        " detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            tx.now,
            user.id if user else None,
            user.username if user else (username or "(anônimo)"),
            event,
            subject_type,
            str(subject_id),
            json.dumps(detail or {}, ensure_ascii=False, default=str, sort_keys=True),
        ],
    )


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Old and new values of the fields that changed, for an audit detail."""
    return {
        key: {"de": before.get(key), "para": value}
        for key, value in after.items()
        if before.get(key) != value
    }
