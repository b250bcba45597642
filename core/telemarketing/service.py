"""Telemarketing (SAC/0800) attendances [SUC] and items [SUD]: the status machine and saving.

Statuses: planejado (a future return is set), pendente (open), encerrado (closing reason and
text, closing date stamped, every item closed), cancelado (cancellation reason). Encerrado and
cancelado are final for operators; a supervisor may reopen an encerrado one (audited).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from core import agenda, calls, catalogues
from core.access import Action, Routine, User, active_group, visible_rows_sql
from core.db import Tx
from core.errors import STALE_RECORD, Conflict, Invalid, NotFound
from core.records import AttendanceRecord
from core.service import Work, command, query
from core.validation import Problems

SOURCE = "tmk_attendance"

STATUS_LABELS = {
    "planejado": "Planejado",
    "pendente": "Pendente",
    "encerrado": "Encerrado",
    "cancelado": "Cancelado",
}
# The Protheus legend of the maintenance list.
STATUS_COLOURS = {
    "planejado": "blue",
    "pendente": "red",
    "encerrado": "green",
    "cancelado": "black",
}
DIRECTIONS = {"receptivo": "Receptivo", "ativo": "Ativo"}
ITEM_STATUSES = {"pendente": "Pendente", "encerrado": "Encerrado"}


class Outcome(StrEnum):
    SAVE = "gravar"  # planejado with a return date, pendente without
    CLOSE = "encerrar"
    CANCEL = "cancelar"


@dataclass
class ItemInput:
    occurrence_id: int | None
    action_id: int | None = None
    product_code: str | None = None
    status: str = "pendente"
    notes: str = ""
    execute_on: date | None = None


@dataclass
class AttendanceInput:
    entity_id: int
    contact_id: int | None = None
    direction: str = "receptivo"
    media_id: int | None = None
    campaign_id: int | None = None
    return_at: datetime | None = None
    items: list[ItemInput] = field(default_factory=list)


@dataclass(frozen=True)
class Attendance(AttendanceRecord):
    STATUSES = STATUS_LABELS

    contact_id: int | None
    user_id: int
    operator_code: str
    group_id: int
    direction: str
    media_id: int | None
    campaign_id: int | None
    started_at: datetime
    ended_at: datetime | None
    return_at: datetime | None
    closing_reason_id: int | None
    closing_text: str | None
    closed_at: datetime | None
    cancellation_reason_id: int | None
    cancelled_at: datetime | None
    items: list[dict[str, Any]]
    labels: dict[int, str]  # catalogue id -> description, inactive entries included


# --- the status machine (pure) --------------------------------------------------------------


def next_status(
    current: str | None,
    outcome: Outcome,
    *,
    return_at: datetime | None,
    now: datetime,
    closing_reason_id: int | None = None,
    closing_text: str = "",
    cancellation_reason_id: int | None = None,
) -> str:
    """The status an outcome leads to from `current` (None: a new attendance), or Invalid."""
    if current == "encerrado":
        raise Invalid("Atendimento encerrado não pode ser alterado; um supervisor pode reabri-lo.")
    if current == "cancelado":
        raise Invalid("Atendimento cancelado não pode ser alterado.")
    if outcome is Outcome.CANCEL:
        if current is None:
            raise Invalid(
                "Um atendimento ainda não gravado não é cancelado: use Limpa Atendimento."
            )
        if cancellation_reason_id is None:
            raise Invalid("Informe o motivo do cancelamento.")
        return "cancelado"
    if outcome is Outcome.CLOSE:
        problems = Problems()
        if closing_reason_id is None:
            problems.add("closing_reason_id", "informe o motivo de encerramento")
        if len(closing_text.strip()) < 3:
            problems.add("closing_text", "descreva a solução no texto de encerramento")
        problems.raise_if_any()
        return "encerrado"
    if return_at is not None:
        if return_at <= now:
            raise Invalid("A data/hora de retorno deve estar no futuro.")
        return "planejado"
    return "pendente"


# --- saving ---------------------------------------------------------------------------------


@command(Action.ATTEND_TELEMARKETING, "gravar atendimento")
def save_attendance(
    work: Work,
    data: AttendanceInput,
    *,
    outcome: Outcome = Outcome.SAVE,
    attendance_id: int | None = None,
    version: int | None = None,
    group_id: int | None = None,
    call_id: int | None = None,
    closing_reason_id: int | None = None,
    closing_text: str = "",
    cancellation_reason_id: int | None = None,
) -> Attendance:
    """Gravar / Encerrar / Cancelar, in one transaction with the agenda and the audit row.

    A new attendance is stamped with the operator, the active group and the open call; an
    existing one needs the version it was read at (a stale one is a Conflict).
    """
    tx, user = work.tx, work.user
    group = active_group(user, group_id)
    stored = None
    if attendance_id is not None:
        stored = _visible_row(tx, user, attendance_id)
        if stored["version"] != version:
            raise Conflict(STALE_RECORD)
    status = next_status(
        stored["status"] if stored else None,
        outcome,
        return_at=data.return_at,
        now=tx.now,
        closing_reason_id=closing_reason_id,
        closing_text=closing_text,
        cancellation_reason_id=cancellation_reason_id,
    )
    _check_input(tx, data, attendance_id, closing_reason_id, cancellation_reason_id)
    if stored is None:
        new_id = _insert(tx, user, group, data, call_id)
    else:
        new_id = stored["id"]
        _update_header(tx, new_id, version or 0, data)
    fresh = stored is None  # a new attendance has no items, follow-up or status to undo
    _write_items(tx, new_id, data.items, close_all=status == "encerrado", fresh=fresh)
    if not (fresh and status == "pendente"):  # inserted as pendente
        _apply_status(tx, new_id, status, closing_reason_id, closing_text, cancellation_reason_id)
    if not (fresh and status != "planejado"):
        _sync_agenda(tx, user, new_id, data, status)
    calls.record_in(tx, user, Routine.TELEMARKETING, new_id, data.entity_id, STATUS_LABELS[status])
    work.audit("telemarketing." + ("incluido" if stored is None else outcome.value),
        subject_type="atendimento_tmk", subject_id=new_id,
        detail={"status": status, "de": stored["status"] if stored else None},
    )  # fmt: skip
    return _load(tx, new_id)


def _check_input(
    tx: Tx,
    data: AttendanceInput,
    attendance_id: int | None,
    closing_reason_id: int | None,
    cancellation_reason_id: int | None,
) -> None:
    """References must exist and be choosable; entries already on the record stay allowed."""
    problems = Problems()
    if tx.scalar("SELECT id FROM entities WHERE id = ?", [data.entity_id]) is None:
        problems.add("entity_id", "entidade inexistente")
    if data.contact_id is not None and not tx.scalar(
        "SELECT 1 FROM entity_contacts WHERE entity_id = ? AND contact_id = ?",
        [data.entity_id, data.contact_id],
    ):
        problems.add("contact_id", "o contato não pertence a esta entidade")
    if data.direction not in DIRECTIONS:
        problems.add("direction", "direção deve ser ativo ou receptivo")
    if not data.items:
        problems.add("items", "inclua ao menos um item (assunto/ocorrência)")
    kept = _ids_on_record(tx, attendance_id)
    today = tx.now.date()

    def allowed(catalogue: str, entry_id: int | None, field_name: str, label: str) -> None:
        if entry_id is None or entry_id in kept:
            return
        clauses = "catalogue = ? AND id = ? AND active"
        params: list[Any] = [catalogue, entry_id]
        if catalogue == "ocorrencia":
            clauses += " AND routine = 'telemarketing'"
        if catalogue == "campanha":
            clauses += " AND (starts_on IS NULL OR starts_on <= ?)"
            clauses += " AND (ends_on IS NULL OR ends_on >= ?)"
            params += [today, today]
        if not tx.scalar(f"SELECT id FROM catalogue_items WHERE {clauses}", params):
            problems.add(field_name, f"{label} inexistente ou inativo(a)")

    allowed("midia", data.media_id, "media_id", "mídia")
    allowed("campanha", data.campaign_id, "campaign_id", "campanha")
    allowed("motivo_encerramento", closing_reason_id, "closing_reason_id", "motivo")
    allowed("motivo_cancelamento", cancellation_reason_id, "cancellation_reason_id", "motivo")
    for line, item in enumerate(data.items, start=1):
        if item.occurrence_id is None:
            problems.add(f"item_{line}", f"item {line}: escolha a ocorrência")
        allowed("ocorrencia", item.occurrence_id, f"item_{line}", f"item {line}: ocorrência")
        allowed("acao", item.action_id, f"item_{line}_action", f"item {line}: ação")
        if item.status not in ITEM_STATUSES:
            problems.add(f"item_{line}", f"item {line}: status inválido")
    problems.raise_if_any()


def _ids_on_record(tx: Tx, attendance_id: int | None) -> set[int]:
    if attendance_id is None:
        return set()
    row = tx.one(
        "SELECT media_id, campaign_id, closing_reason_id, cancellation_reason_id"
        " FROM tmk_attendances WHERE id = ?",
        [attendance_id],
    )
    ids = {value for value in (row or {}).values() if value is not None}
    for item in tx.all(
        "SELECT occurrence_id, action_id FROM tmk_items WHERE attendance_id = ?", [attendance_id]
    ):
        ids |= {value for value in item.values() if value is not None}
    return ids


def _insert(tx: Tx, user: User, group: int, data: AttendanceInput, call_id: int | None) -> int:
    assert user.operator is not None
    started = tx.now
    if call_id is not None:
        started = (
            tx.scalar(
                "SELECT started_at FROM calls WHERE id = ? AND user_id = ?", [call_id, user.id]
            )
            or started
        )
    params = [
        data.entity_id, data.contact_id, user.id, user.operator.id, group, call_id,
        data.direction, data.media_id, data.campaign_id, started, data.return_at, tx.now, tx.now,
    ]  # fmt: skip
    return int(
        tx.scalar(
            "INSERT INTO tmk_attendances (entity_id, contact_id, user_id, operator_id, group_id,"
            " call_id, direction, media_id, campaign_id, status, started_at, return_at,"
            " created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pendente', ?, ?, ?, ?) RETURNING id",
            params,
        )
    )


def _update_header(tx: Tx, attendance_id: int, version: int, data: AttendanceInput) -> None:
    updated = tx.scalar(
        "UPDATE tmk_attendances SET contact_id = ?, direction = ?, media_id = ?,"
        " campaign_id = ?, return_at = ?, updated_at = ?, version = version + 1"
        " WHERE id = ? AND version = ? RETURNING id",
        [
            data.contact_id, data.direction, data.media_id, data.campaign_id, data.return_at,
            tx.now, attendance_id, version,
        ],
    )  # fmt: skip
    if updated is None:
        raise Conflict(STALE_RECORD)


def _write_items(
    tx: Tx, attendance_id: int, items: list[ItemInput], close_all: bool, fresh: bool = False
) -> None:
    if not fresh:
        tx.execute("DELETE FROM tmk_items WHERE attendance_id = ?", [attendance_id])
    for line, item in enumerate(items, start=1):
        tx.execute(
            "INSERT INTO tmk_items (attendance_id, line, occurrence_id, action_id, product_code,"
            " status, notes, execute_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                attendance_id, line, item.occurrence_id, item.action_id,
                (item.product_code or "").strip() or None,
                "encerrado" if close_all else item.status, item.notes.strip(), item.execute_on,
            ],
        )  # fmt: skip


def _apply_status(
    tx: Tx,
    attendance_id: int,
    status: str,
    closing_reason_id: int | None,
    closing_text: str,
    cancellation_reason_id: int | None,
) -> None:
    if status == "encerrado":
        tx.execute(
            "UPDATE tmk_attendances SET status = ?, closing_reason_id = ?, closing_text = ?,"
            " closed_at = ?, ended_at = coalesce(ended_at, ?) WHERE id = ?",
            [status, closing_reason_id, closing_text.strip(), tx.now, tx.now, attendance_id],
        )
    elif status == "cancelado":
        tx.execute(
            "UPDATE tmk_attendances SET status = ?, cancellation_reason_id = ?, cancelled_at = ?,"
            " ended_at = coalesce(ended_at, ?) WHERE id = ?",
            [status, cancellation_reason_id, tx.now, tx.now, attendance_id],
        )
    else:
        tx.execute("UPDATE tmk_attendances SET status = ? WHERE id = ?", [status, attendance_id])


def _sync_agenda(
    tx: Tx, user: User, attendance_id: int, data: AttendanceInput, status: str
) -> None:
    if status == "planejado" and data.return_at is not None:
        agenda.schedule(
            tx, user.id, Routine.TELEMARKETING, SOURCE, attendance_id, data.entity_id,
            data.return_at, note=f"Retorno do atendimento {attendance_id}",
        )  # fmt: skip
    else:
        agenda.settle(
            tx, SOURCE, attendance_id, "cancelado" if status == "cancelado" else "concluido"
        )


@command(Action.REOPEN_ATTENDANCE, "reabrir atendimento {attendance_id}")
def reopen_attendance(work: Work, attendance_id: int, version: int, reason: str) -> Attendance:
    """A supervisor reopens an encerrado attendance as pendente; the reason is audited."""
    tx, user = work.tx, work.user
    if len(reason.strip()) < 3:
        raise Invalid("Informe por que o atendimento está sendo reaberto.")
    stored = _visible_row(tx, user, attendance_id)
    if stored["status"] != "encerrado":
        raise Invalid("Só atendimentos encerrados podem ser reabertos.")
    updated = tx.scalar(
        "UPDATE tmk_attendances SET status = 'pendente', closed_at = NULL,"
        " updated_at = ?, version = version + 1 WHERE id = ? AND version = ? RETURNING id",
        [tx.now, attendance_id, version],
    )
    if updated is None:
        raise Conflict(STALE_RECORD)
    work.audit("telemarketing.reaberto", subject_type="atendimento_tmk",
        subject_id=attendance_id, detail={"motivo": reason.strip()},
    )  # fmt: skip
    return _load(tx, attendance_id)


# --- reading --------------------------------------------------------------------------------


def _visible_row(tx: Tx, user: User, attendance_id: int) -> dict[str, Any]:
    clause, params = visible_rows_sql(user, "a")
    row = tx.one(
        f"SELECT * FROM tmk_attendances a WHERE a.id = ? AND {clause}", [attendance_id, *params]
    )
    if row is None:
        raise NotFound("Atendimento não encontrado (ou fora dos seus grupos).")
    return row


@query(Action.ATTEND_TELEMARKETING, "atendimento {attendance_id}")
def get_attendance(work: Work, attendance_id: int) -> Attendance:
    tx, user = work.tx, work.user
    _visible_row(tx, user, attendance_id)
    return _load(tx, attendance_id)


def _load(tx: Tx, attendance_id: int) -> Attendance:
    row = tx.one(
        """
        SELECT a.*, e.name AS entity_name, o.code AS operator_code
        FROM tmk_attendances a
        JOIN entities e ON e.id = a.entity_id
        JOIN operators o ON o.id = a.operator_id
        WHERE a.id = ?
        """,
        [attendance_id],
    )
    assert row is not None
    items = tx.all(
        """
        SELECT line, occurrence_id, action_id, product_code, status, notes, execute_on
        FROM tmk_items
        WHERE attendance_id = ?
        ORDER BY line
        """,
        [attendance_id],
    )
    ids = [
        value
        for value in (
            row["media_id"], row["campaign_id"], row["closing_reason_id"],
            row["cancellation_reason_id"],
            *(item["occurrence_id"] for item in items), *(item["action_id"] for item in items),
        )
        if value is not None
    ]  # fmt: skip
    fields = {name: row[name] for name in Attendance.__dataclass_fields__ if name in row}
    return Attendance(**fields, items=items, labels=catalogues.labels(tx, ids))
