"""The one path every core action takes: the permission gate, one unit of work, the audit row
in the same transaction, and the versioned update that refuses a stale record.

A service is written as `def name(work: Work, ...)` under `@command(action)` (it writes) or
`@query(action)` (it reads); callers still call `name(db, user, ...)`. `perform` is the same
path for the few services that must do something before the transaction (hash a password).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Concatenate, ParamSpec, TypeVar

from core import audit
from core.access import RESTRICTED, Action, User, has_full_data_access, require
from core.db import Database, Tx
from core.errors import STALE_RECORD, Conflict, Forbidden, NotFound

P = ParamSpec("P")
T = TypeVar("T")

# What the gate is told: a fixed action, or one chosen from the user and the call's arguments.
Gate = Action | Callable[..., Action]
# What a refusal names: text, where "{name}" stands for the service's argument of that name.
Subject = str | Callable[..., str]


@dataclass(frozen=True)
class Work:
    """One action's unit of work: who acts, in which transaction, on which database."""

    db: Database
    tx: Tx
    user: User

    def audit(
        self,
        event: str,
        *,
        subject_type: str = "",
        subject_id: object = "",
        detail: dict[str, Any] | None = None,
        subjects: Iterable[int] = (),
    ) -> None:
        """The action's audit row, committed with the change or not at all."""
        audit.record(
            self.tx,
            self.user,
            event,
            subject_type=subject_type,
            subject_id=subject_id,
            detail=detail,
            subjects=subjects,
        )

    def update(
        self,
        table: str,
        row_id: int,
        version: int,
        values: Mapping[str, Any],
        *,
        event: str | None = None,
        subject_type: str = "",
        missing: str = "Registro não encontrado.",
    ) -> dict[str, Any]:
        """Change one row if it still has `version`, bump the version, and audit the old and new
        values (unless `event` is None: the caller audits). Conflict when someone else changed it
        first, NotFound when it is gone. `table` and `values`' keys are code literals."""
        before = self.tx.one(f"SELECT * FROM {table} WHERE id = ?", [row_id])
        if before is None:
            raise NotFound(missing)
        assignments = "".join(f"{column} = ?, " for column in values)
        after = self.tx.one(
            f"""
            UPDATE {table} SET {assignments}version = version + 1
            WHERE id = ? AND version = ?
            RETURNING *
            """,
            [*values.values(), row_id, version],
        )
        if after is None:
            raise Conflict(STALE_RECORD)
        if event is not None:
            self.audit(
                event,
                subject_type=subject_type,
                subject_id=row_id,
                detail=audit.changes(before, dict(values)),
            )
        return after


def _gate(
    db: Database,
    user: User | None,
    gate: Gate,
    subject: Subject,
    full_data: bool,
    args: Any,
    kwargs: Any,
    signature: inspect.Signature | None = None,
) -> User:
    action = gate if isinstance(gate, Action) else gate(user, *args, **kwargs)
    if not isinstance(subject, str):
        what = subject(*args, **kwargs)
    elif signature is not None and "{" in subject:
        bound = signature.bind(None, *args, **kwargs)
        bound.apply_defaults()
        what = subject.format(**bound.arguments)
    else:
        what = subject
    actor = require(db, user, action, what)
    if full_data and not has_full_data_access(actor):
        db.write(
            lambda tx: audit.record(
                tx,
                actor,
                "acesso.negado",
                subject_type="acao",
                subject_id=action.value,
                detail={"recurso": what, "motivo": "sem acesso 192/193"},
            )
        )
        raise Forbidden(RESTRICTED)
    return actor


Service = Callable[Concatenate[Work, P], T]
Public = Callable[Concatenate[Database, User | None, P], T]


def _path(
    kind: str,
    gate: Gate,
    subject: Subject = "",
    *,
    full_data: bool = False,
    prepare: Callable[[Database], object] | None = None,
) -> Callable[[Service[P, T]], Public[P, T]]:
    def wrap(service: Service[P, T]) -> Public[P, T]:
        signature = inspect.signature(service)

        @functools.wraps(service)
        def run(db: Database, user: User | None, /, *args: P.args, **kwargs: P.kwargs) -> T:
            actor = _gate(db, user, gate, subject, full_data, args, kwargs, signature)
            if prepare is not None:
                prepare(db)
            unit = db.write if kind == "command" else db.read
            return unit(lambda tx: service(Work(db, tx, actor), *args, **kwargs))

        run.__dict__["service_path"] = kind
        return run

    return wrap


# `@command(gate, subject)`: a service that writes: the gate (refusals audited), then `work` in
# one transaction. `@query(...)`: the same on a read cursor. Options: `full_data=True`, the
# action also needs access 192 and 193 (every field in clear); `prepare(db)` runs between the
# gate and the transaction (audit.flush: the buffered views).
command = functools.partial(_path, "command")
query = functools.partial(_path, "query")


def perform(
    db: Database,
    user: User | None,
    action: Action,
    work: Callable[[Work], T],
    subject: str = "",
    *,
    full_data: bool = False,
) -> T:
    """The same path written out, for a service that prepares something first."""
    actor = _gate(db, user, action, subject, full_data, (), {})
    return db.write(lambda tx: work(Work(db, tx, actor)))
