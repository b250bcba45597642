"""The Telemarketing tab of the workspace: header, items grid, Gravar / Encerrar / Cancelar."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

import streamlit as st

from core import catalogues
from core.access import Action, Routine, User, allowed
from core.calls import OpenCall
from core.db import Database
from core.entities import EntityDetail
from core.errors import DomainError
from core.telemarketing import service as tmk_service
from core.telemarketing.service import (
    DIRECTIONS,
    ITEM_STATUSES,
    STATUS_LABELS,
    Attendance,
    AttendanceInput,
    ItemInput,
    Outcome,
)
from ui.kit.feedback import attempt, flash, show_error, succeeded
from ui.kit.formats import LOCAL_TZ, local_datetime, plain
from ui.kit.forms import CHOOSE
from ui.kit.workspace import OPEN_ATTENDANCE

STATUS_BADGES = {"planejado": "🔵", "pendente": "🔴", "encerrado": "🟢", "cancelado": "⚫"}


def loaded_attendance(db: Database, user: User) -> Attendance | None:
    """The attendance opened from the agenda or the maintenance list, if any."""
    attendance_id = st.session_state.get(OPEN_ATTENDANCE)
    if attendance_id is None:
        return None
    return attempt(lambda: tmk_service.get_attendance(db, user, attendance_id))


def render(
    db: Database, user: User, call: OpenCall, entity: EntityDetail | None,
    attendance: Attendance | None, group_id: int | None,
) -> None:  # fmt: skip
    if attendance is not None:
        badge = STATUS_BADGES[attendance.status]
        st.markdown(f"**Atendimento nº {attendance.id}** · {badge} {attendance.status_label}")
        if attendance.is_final:
            _final(db, user, attendance)
            return
    media = _with_current(catalogues.choices(db, "midia"), attendance, "media_id")
    campaigns = _with_current(
        catalogues.choices(db, "campanha", today=datetime.now(LOCAL_TZ).date()),
        attendance, "campaign_id",
    )  # fmt: skip
    occurrences = catalogues.choices(db, "ocorrencia", routine=Routine.TELEMARKETING)
    actions = catalogues.choices(db, "acao")
    if attendance is not None:  # inactive entries already on the record stay choosable
        for item in attendance.items:
            occurrences.setdefault(item["occurrence_id"], attendance.labels[item["occurrence_id"]])
            if item["action_id"] is not None:
                actions.setdefault(item["action_id"], attendance.labels[item["action_id"]])
    contacts = {c["id"]: c["name"] for c in (entity.contacts if entity else [])}
    key = f"tmk_{attendance.id if attendance else 'new'}_{attendance.version if attendance else 0}"

    lines = _line_count(key, attendance)
    with st.form(key):
        a, b, c, d = st.columns(4)
        contact_id = a.selectbox(
            "Contato", [None, *contacts], key=f"{key}_contact",
            format_func=lambda i: "—" if i is None else contacts[i],
            index=_index([None, *contacts], attendance.contact_id if attendance else None),
            placeholder=CHOOSE,
        )  # fmt: skip
        direction = b.radio(
            "Direção", list(DIRECTIONS), format_func=DIRECTIONS.__getitem__, horizontal=True,
            index=list(DIRECTIONS).index(attendance.direction if attendance else "receptivo"),
            key=f"{key}_direction",
        )  # fmt: skip
        media_id = _select(c, "Mídia", media, attendance.media_id if attendance else None, key)
        campaign_id = _select(
            d, "Campanha", campaigns, attendance.campaign_id if attendance else None, key
        )
        st.markdown("**Itens**")
        items = [
            _item_row(f"{key}_item{line}", line, row, occurrences, actions)
            for line, row in enumerate(_item_rows(attendance, lines), start=1)
        ]
        r1, r2, r3 = st.columns([1, 1, 2])
        return_day = r1.date_input(
            "Retorno em", value=_local(attendance.return_at).date() if attendance and
            attendance.return_at else None, format="DD/MM/YYYY", key=f"{key}_return_day",
        )  # fmt: skip
        return_time = r2.time_input(
            "às", value=_local(attendance.return_at).time() if attendance and
            attendance.return_at else time(9, 0), key=f"{key}_return_time",
        )  # fmt: skip
        r3.caption("Com data de retorno o atendimento fica **Planejado** e entra na sua agenda.")
        with st.expander("Encerramento / cancelamento"):
            closing = catalogues.choices(db, "motivo_encerramento")
            closing_reason = _select(st, "Motivo de encerramento", closing, None, f"{key}_c")
            closing_text = st.text_area("Texto de encerramento (solução)", key=f"{key}_ctext")
            cancelling = catalogues.choices(db, "motivo_cancelamento")
            cancel_reason = _select(st, "Motivo de cancelamento", cancelling, None, f"{key}_x")
        save, close, cancel = st.columns(3)
        outcome = None
        if save.form_submit_button("Gravar", type="primary", width="stretch"):
            outcome = Outcome.SAVE
        if close.form_submit_button("Encerrar", width="stretch"):
            outcome = Outcome.CLOSE
        if cancel.form_submit_button(
            "Cancelar atendimento", width="stretch", disabled=attendance is None
        ):
            outcome = Outcome.CANCEL
    if outcome is None:
        return
    return_at = datetime.combine(return_day, return_time, tzinfo=LOCAL_TZ) if return_day else None
    data = AttendanceInput(
        entity_id=call.entity_id, contact_id=contact_id, direction=direction,
        media_id=media_id, campaign_id=campaign_id, return_at=return_at,
        items=[item for item in items if item is not None],
    )  # fmt: skip
    try:
        saved = tmk_service.save_attendance(
            db, user, data, outcome=outcome,
            attendance_id=attendance.id if attendance else None,
            version=attendance.version if attendance else None,
            group_id=group_id, call_id=call.id,
            closing_reason_id=closing_reason, closing_text=closing_text,
            cancellation_reason_id=cancel_reason,
        )  # fmt: skip
    except DomainError as error:
        show_error(error)
        return
    st.session_state[OPEN_ATTENDANCE] = saved.id  # the call goes on with it on screen
    flash(f"Atendimento nº {saved.id} gravado: {STATUS_LABELS[saved.status]}.")
    st.rerun()


def _final(db: Database, user: User, attendance: Attendance) -> None:
    closed = attendance.closed_at or attendance.cancelled_at
    st.info(
        f"Atendimento {attendance.status_label.lower()} em {local_datetime(closed)}: "
        "não pode ser alterado.",
        icon="🔒",
    )
    if attendance.closing_text:
        st.caption(f"Solução: {plain(attendance.closing_text)}")
    if attendance.status == "encerrado" and allowed(user, Action.REOPEN_ATTENDANCE):
        reason = st.text_input("Motivo da reabertura", key=f"reopen_{attendance.id}")
        if st.button("Reabrir atendimento", key=f"reopen_btn_{attendance.id}") and succeeded(
            lambda: tmk_service.reopen_attendance(
                db, user, attendance.id, attendance.version, reason
            ),
            "Atendimento reaberto.",
        ):
            st.rerun()


def _with_current(
    options: dict[int, str], attendance: Attendance | None, column: str
) -> dict[int, str]:
    """Keep the record's own choice selectable even if it was deactivated since."""
    if attendance is not None:
        current = getattr(attendance, column)
        if current is not None and current not in options:
            options[current] = f"{attendance.labels.get(current, current)} (inativo)"
    return options


def _select(
    container: Any, label: str, options: dict[int, str], current: int | None, key: str
) -> int | None:
    values = [None, *options]
    return container.selectbox(
        label, values, index=_index(values, current), key=f"{key}_{label}",
        format_func=lambda i: "—" if i is None else options[i], placeholder=CHOOSE,
    )  # fmt: skip


def _index(values: list[Any], current: object) -> int:
    return values.index(current) if current in values else 0


def _local(value: datetime) -> datetime:
    return value.astimezone(LOCAL_TZ)


def _line_count(key: str, attendance: Attendance | None) -> int:
    """How many item lines the form shows; "+ Item" adds one (outside the form, it reruns)."""
    counter = f"{key}_lines"
    if counter not in st.session_state:
        st.session_state[counter] = max(1, len(attendance.items) if attendance else 1)
    add, remove, _ = st.columns([1, 1, 6])
    if add.button("+ Item", key=f"{key}_add"):
        st.session_state[counter] += 1
    if remove.button("− Item", key=f"{key}_remove", disabled=st.session_state[counter] <= 1):
        st.session_state[counter] -= 1
    return int(st.session_state[counter])


def _item_rows(attendance: Attendance | None, lines: int) -> list[dict[str, Any]]:
    stored = list(attendance.items) if attendance else []
    blank = {"occurrence_id": None, "action_id": None, "product_code": "", "status": "pendente",
             "notes": "", "execute_on": None}  # fmt: skip
    return (stored + [blank] * lines)[:lines]


def _item_row(
    key: str, line: int, row: dict[str, Any], occurrences: dict[int, str], actions: dict[int, str]
) -> ItemInput | None:
    """One item line; None when left blank (a blank line is not an item)."""
    a, b, c, d, e = st.columns([3, 2, 1.2, 1.6, 3])
    occurrence = _select(a, f"Assunto › ocorrência {line}", occurrences, row["occurrence_id"], key)
    action = _select(b, f"Ação {line}", actions, row["action_id"], key)
    product = c.text_input(f"Produto {line}", value=row["product_code"] or "", key=f"{key}_p")
    status = d.selectbox(
        f"Status {line}", list(ITEM_STATUSES), format_func=ITEM_STATUSES.__getitem__,
        index=list(ITEM_STATUSES).index(row["status"]), key=f"{key}_s", placeholder=CHOOSE,
    )  # fmt: skip
    notes = e.text_input(f"Observação {line}", value=row["notes"], key=f"{key}_n")
    if occurrence is None and action is None and not product.strip() and not notes.strip():
        return None
    return ItemInput(
        occurrence_id=occurrence, action_id=action, product_code=product, status=status,
        notes=notes, execute_on=row["execute_on"],
    )  # fmt: skip
