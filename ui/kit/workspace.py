"""The attendance workspace's shared parts: the live call timer and the footer bar."""

from __future__ import annotations

from typing import Any

import streamlit as st

from core import agenda, calls, operator_states
from core.access import Routine, User
from core.calls import OpenCall
from core.db import Database, utc_now
from core.errors import DomainError
from core.operator_states import AVAILABLE, PAUSED, StateReading
from core.timer import format_elapsed, read_timer
from ui import runtime
from ui.kit.entity_forms import caller_form
from ui.kit.feedback import attempt, flash, show_error, succeeded
from ui.kit.formats import local_datetime, plain

TIMER_SECONDS = 10  # the call timer's refresh


@st.fragment(run_every=TIMER_SECONDS)
def call_timer(call: OpenCall | None, state: StateReading | None = None) -> None:
    """Elapsed time from the stored start: blue under the group's ideal time, red over it.
    Between calls, the time in a wrap-up or a pause against its maximum.

    Only this fragment reruns every 10 s, and it runs no query: the call's start and limit are
    passed in and refreshed only when the page itself reruns (a real event).
    """
    with st.container(key="call_timer"):
        if call is not None:
            reading = read_timer(call.started_at, utc_now(), call.ideal_seconds)
            colour = "red" if reading.over_limit else "blue"
            st.markdown(f"⏱ **:{colour}[{reading.text}]**")
        elif state is not None and state.limit_seconds and state.since is not None:
            reading = read_timer(state.since, utc_now(), state.limit_seconds)
            colour = "red" if reading.over_limit else "orange"
            st.markdown(f"⏱ **:{colour}[{reading.text}]**", help=plain(state.label))
        else:
            st.markdown("⏱ 00:00")


def state_bar(db: Database, user: User) -> StateReading | None:
    """Between calls: the operator's state and the buttons to pause (with a reason from the
    catalogue) or to become available again; returns the state for the footer's timer."""
    state = attempt(lambda: operator_states.my_state(db, user))
    if state is None:
        return None
    with st.container(key="ws_state", border=True):
        cells = st.columns([2.2, 2.6, 1.2, 1.4], vertical_alignment="bottom")
        cells[0].markdown(f"Seu estado: **{plain(state.label)}**")
        reasons = attempt(lambda: operator_states.pause_choices(db, user)) or {}
        if state.state != PAUSED and reasons:
            reason = cells[1].selectbox(
                "Motivo da pausa",
                list(reasons),
                format_func=reasons.__getitem__,
                index=None,
                key="ws_pause_reason",
                placeholder="Escolha o motivo",
            )
            pause = cells[2].button("Pausar", key="ws_pause", disabled=reason is None)
            if pause and succeeded(lambda: operator_states.pause(db, user, int(reason or 0))):
                st.rerun()
        if state.state != AVAILABLE:
            ready = cells[3].button("Ficar disponível", key="ws_available", type="primary")
            if ready and succeeded(lambda: operator_states.become_available(db, user)):
                st.rerun()
    return state


def footer(
    user: User,
    call: OpenCall | None,
    status: str = "—",
    operation: str = "",
    state: StateReading | None = None,
) -> None:
    """Bottom bar (seed: last call, operator, attendance status, operation, next call)."""
    last = calls.last_call(runtime.database(), user)
    upcoming = agenda.next_call(runtime.database(), user)
    # One row: the footer stays on screen, so every line it takes is lost to the work above.
    with st.bottom, st.container(key="call_footer", border=True):
        cells = st.columns([1.1, 4.4, 1.5, 1.8, 2.2], vertical_alignment="center")
        with cells[0]:
            call_timer(call, state)
        if last is None:
            cells[1].caption("Última ligação: —")
        else:
            cells[1].caption(
                f"Última ligação: {plain(last.entity_name)} · {local_datetime(last.started_at)} · "
                f"{format_elapsed(last.duration_seconds)} · {plain(last.result)}"
            )
        operator = user.operator  # the name is in the sidebar
        cells[2].caption(f"Operador: {plain(operator.code) if operator else '—'}")
        cells[3].caption(f"Status: {status}" + (f" · Operação: {operation}" if operation else ""))
        if upcoming is None:
            cells[4].caption("Próxima ligação: —")
        else:
            late = " ⚠️ atrasada" if upcoming.overdue(utc_now()) else ""
            cells[4].caption(
                f"Próxima ligação: {local_datetime(upcoming.due_from)} · "
                f"{plain(upcoming.entity_name)}{late}"
            )


OPEN_ATTENDANCE = "ws_tmk_attendance_id"  # the Telemarketing attendance loaded in the workspace
TLV_ORDER = "ws_tlv_order_id"  # the Televendas order loaded in the workspace
TLC_ATTENDANCE = "ws_tlc_attendance_id"  # the collection attendance loaded in the workspace
TLC_TAKE = "ws_tlc_take_entity"  # entity whose debtor the Telecobrança tab takes on arrival


SAME_PHONE = "ws_same_phone_warning"  # the warning shown for a phone already on file


def new_caller(db: Database, user: User, searched: str, group_id: int | None) -> None:
    """The search found nobody: register the caller in place and start the call on them."""
    warning = st.session_state.get(SAME_PHONE)
    if warning:
        st.warning(plain(warning), icon="⚠️")
    typed = caller_form("ws_new_caller", searched, confirm_same_phone=bool(warning))
    if typed is None:
        return
    data, confirmed = typed
    try:
        routine = first_routine(user)
        calls.register_caller(db, user, routine, data, group_id, same_phone_confirmed=confirmed)
    except calls.SamePhone as clash:
        st.session_state[SAME_PHONE] = clash.message
        st.rerun()
    except DomainError as error:
        show_error(error)
        return
    st.session_state.pop(SAME_PHONE, None)
    forget_attendances()
    flash(f"{data.name.strip()} cadastrado(a): ligação iniciada.")
    st.rerun()


def forget_attendances() -> None:
    """The call ended: no attendance of any routine stays loaded in the workspace."""
    for key in (OPEN_ATTENDANCE, TLV_ORDER, TLC_ATTENDANCE, TLC_TAKE):
        st.session_state.pop(key, None)


def call_actions(db: Database, user: User, end: Any, clear: Any) -> None:
    """The running call's two ends, in the cells given: "Encerrar ligação" records what was
    saved in it (quote, order, invoice, collection…); "Limpa Atendimento" (the seed's)
    discards what was not."""
    if end.button(
        "Encerrar ligação",
        type="primary",
        key="ws_end_call",
        icon=":material/call_end:",
        help="Grava o resultado da ligação: o que foi gravado nela",
        width="stretch",
    ):
        _end_call(db, user, cleared=False)
    if clear.button(
        "Limpa Atendimento",
        key="ws_clear",
        width="stretch",
        help="Descarta o que não foi gravado e zera o cronômetro",
    ):
        _end_call(db, user, cleared=True)


def _end_call(db: Database, user: User, cleared: bool) -> None:
    result = attempt(lambda: calls.end_call(db, user, cleared))
    if result is not None:
        forget_attendances()
        flash(f"Ligação encerrada: {result}.")
        st.rerun()


def open_in_workspace(
    user: User,
    entity_id: int,
    attendance_id: int | None = None,
    *,
    routine: Routine | None = None,
) -> None:
    """From the agenda or a maintenance list: the call with the entity (the running one, or a
    new one under `routine`, by default the operator's first), the attendance loaded into the
    Telemarketing tab, and the workspace. A call with someone else is the core's Conflict."""
    from ui import sidebar

    calls.call_with(
        runtime.database(),
        user,
        routine or first_routine(user),
        entity_id,
        group_id=sidebar.active_group_id(user),
    )
    st.session_state[OPEN_ATTENDANCE] = attendance_id
    st.switch_page("pages/chamadas.py")


def open_routine_attendance(
    user: User, routine: Routine, entity_id: int, attendance_id: int
) -> None:
    """From the Atendimentos list: the call with the entity under the attendance's routine and
    the attendance loaded into that routine's tab (Telecobrança resumes it by taking the debtor:
    only its own collector can)."""
    from ui import sidebar

    calls.call_with(
        runtime.database(), user, routine, entity_id, group_id=sidebar.active_group_id(user)
    )
    if routine is Routine.TELEMARKETING:
        st.session_state[OPEN_ATTENDANCE] = attendance_id
    elif routine is Routine.TELEVENDAS:
        st.session_state[TLV_ORDER] = attendance_id
    else:
        st.session_state[TLC_TAKE] = entity_id
    st.switch_page("pages/chamadas.py")


def first_routine(user: User) -> Routine:
    """The routine a call is recorded under when the operator picks a caller."""
    return next(routine for routine in Routine if routine in user.routines)


def open_in_call(
    db: Database, user: User, entity_id: int, attendance_id: int | None, key: str, label: str
) -> None:
    """A button that starts the call with the entity and opens the workspace."""
    if st.button(label, type="primary", key=key, icon=":material/call:"):
        attempt(lambda: open_in_workspace(user, entity_id, attendance_id))
