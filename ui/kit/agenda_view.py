"""The agenda screen's parts: the next-call metrics, the table with overdue rows flagged and the
selected follow-up's actions (Abrir, Reagendar, Concluir).

"Abrir" on a promise to pay (Telecobrança) starts the call under Telecobrança and asks the
workspace's Telecobrança tab to take the debtor on arrival, resuming the attendance that holds
the promise."""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl
import streamlit as st

from core import agenda
from core.access import Routine, User
from core.agenda import SOURCE_LABELS, AgendaEntry
from core.db import Database
from core.telecobranca import attendance as tlc_attendance
from core.telemarketing import service as tmk_service
from ui.kit.feedback import attempt, succeeded
from ui.kit.formats import DATE_FORMAT, DATETIME_FORMAT, LOCAL_TZ, local_datetime, plain
from ui.kit.forms import confirm_button, confirmation
from ui.kit.workspace import TLC_TAKE, open_in_call, open_in_workspace

SITUATIONS = {"atrasado": "Atrasado", "agendado": "Agendado"}
TABLE_ORDER = ["situation", "due_from", "entity_name", "kind", "note"]
TABLE_COLUMNS = {
    "situation": st.column_config.MultiselectColumn(
        "Situação",
        options=list(SITUATIONS),
        color=["#d32f2f", "#6e7781"],
        format_func=SITUATIONS.__getitem__,
        width="small",
    ),
    "due_from": st.column_config.DatetimeColumn("Retornar em", format=DATETIME_FORMAT),
    "entity_name": "Entidade",
    "kind": "Tipo",
    "note": "Observação",
}
_CLOSE = "agenda_close"


def headline(next_call: AgendaEntry | None, frame: pl.DataFrame, now: datetime) -> None:
    """Próxima ligação, how many are open and how many are late."""
    overdue = int(frame["overdue"].sum())
    first, second, third = st.columns([2, 1, 1])
    if next_call is None:
        first.metric("Próxima ligação", "—")
    else:
        late = next_call.overdue(now)
        first.metric(
            "Próxima ligação", local_datetime(next_call.due_from),
            delta="Atrasada" if late else None, delta_color="inverse", delta_arrow="off",
        )  # fmt: skip
        first.caption(f"{plain(next_call.entity_name)} · {_kind(next_call)}")
    second.metric("Em aberto", frame.height)
    third.metric("Atrasados", overdue)
    if overdue:
        st.warning(
            f"{overdue} compromisso(s) atrasado(s): o horário de retorno já passou.", icon="⚠️"
        )


def table_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Due time in São Paulo; the overdue flag as a red tag the eye catches."""
    return frame.with_columns(
        pl.col("due_from").dt.convert_time_zone(LOCAL_TZ.key),
        pl.concat_list(
            pl.when(pl.col("overdue")).then(pl.lit("atrasado")).otherwise(pl.lit("agendado"))
        ).alias("situation"),
    )


def entry_actions(db: Database, user: User, entry: AgendaEntry) -> None:
    """The selected follow-up: open it in the workspace, move it, or mark it done."""
    st.subheader(plain(entry.entity_name))
    st.caption(
        f"{_kind(entry)} · retornar em {local_datetime(entry.due_from)}"
        + (f" · {plain(entry.note)}" if entry.note else "")
    )
    source = entry.source_id if entry.source_type == tmk_service.SOURCE else None
    open_cell, close_cell, _ = st.columns([1, 1, 3])
    with open_cell:
        if entry.source_type == tlc_attendance.SOURCE:
            _open_promise(user, entry)
        else:
            open_in_call(
                db, user, entry.entity_id, source, key=f"agenda_open_{entry.id}", label="Abrir"
            )
    with close_cell:
        confirm_button(_CLOSE, entry.id, "Concluir", icon=":material/task_alt:")
    confirmation(
        _CLOSE, entry.id, "Concluir compromisso",
        f"Concluir o retorno para **{plain(entry.entity_name)}** de "
        f"{local_datetime(entry.due_from)}? Ele sai da agenda.",
        "Concluir", lambda: agenda.close_item(db, user, entry.id, entry.version),
        "Compromisso concluído.",
    )  # fmt: skip
    with st.expander("Reagendar", icon=":material/event_repeat:"):
        _reschedule_form(db, user, entry)


def _reschedule_form(db: Database, user: User, entry: AgendaEntry) -> None:
    key = f"agenda_move_{entry.id}_{entry.version}"
    due = entry.due_from.astimezone(LOCAL_TZ)
    suggested = max(due, datetime.now(LOCAL_TZ) + timedelta(hours=1))
    with st.form(key):
        day_cell, time_cell = st.columns(2)
        day = day_cell.date_input(
            "Nova data", value=suggested.date(), format=DATE_FORMAT, key=f"{key}_day"
        )
        hour = time_cell.time_input(
            "Hora", value=suggested.time().replace(second=0, microsecond=0), key=f"{key}_time"
        )
        if not st.form_submit_button("Reagendar", type="primary", key=f"{key}_submit"):
            return
    if day is None or hour is None:
        st.error("Informe a data e a hora do retorno.", icon="❌")
        return
    when = datetime.combine(day, hour, tzinfo=LOCAL_TZ)  # São Paulo wall clock
    if succeeded(
        lambda: agenda.reschedule(db, user, entry.id, entry.version, when),
        f"Retorno reagendado para {local_datetime(when)}.",
    ):
        st.rerun()


def _open_promise(user: User, entry: AgendaEntry) -> None:
    """Start the call under Telecobrança; the workspace then takes the debtor (take_debtor
    resumes the attendance holding the promise)."""
    if st.button("Abrir", type="primary", key=f"agenda_open_{entry.id}", icon=":material/call:"):
        st.session_state[TLC_TAKE] = entry.entity_id
        attempt(lambda: open_in_workspace(user, entry.entity_id, routine=Routine.TELECOBRANCA))
        st.session_state.pop(TLC_TAKE, None)  # only reached when the call could not start


def _kind(entry: AgendaEntry) -> str:
    return SOURCE_LABELS.get(entry.source_type, entry.source_type)
