"""Telemarketing: the maintenance list of attendances [SUC] — filters, pages of 50, the Protheus
status legend, CSV export, open an attendance in the workspace, reopen (supervisor)."""

import streamlit as st

from core import telemarketing
from ui import runtime
from ui.admin_forms import selected_index
from ui.feedback import attempt
from ui.guard import enter_page
from ui.tmk_list import (
    LEGEND,
    LIST_COLUMNS,
    LIST_ORDER,
    filter_bar,
    list_frame,
    open_in_call,
    reopen_action,
    signature,
    summary,
)

user = enter_page(__file__)
db = runtime.database()

st.title("Telemarketing")
filters = filter_bar(db, user)
view = signature(filters)
page_key = f"tmk_page_{view}"  # new filters: back to page 1


def fetch(page: int) -> telemarketing.AttendancePage | None:
    return attempt(lambda: telemarketing.list_attendances(db, user, filters, page))


result = fetch(int(st.session_state.get(page_key, 1)))
if result is not None and result.page > result.pages:  # the list shrank meanwhile
    st.session_state.pop(page_key, None)
    result = fetch(1)
if result is None:
    st.stop()
if result.total == 0:
    st.info("Nenhum atendimento encontrado com esses filtros.", icon="🔎")
    st.stop()

table = st.dataframe(
    list_frame(result.rows),
    key=f"tmk_table_{view}_{result.page}",
    hide_index=True,
    on_select="rerun",
    selection_mode="single-row",
    column_order=LIST_ORDER,
    column_config=LIST_COLUMNS,
    placeholder="",
)
pager, counter, export = st.columns([3, 3, 1], vertical_alignment="center")
with pager:
    if result.pages > 1:
        st.pagination(result.pages, key=page_key)
counter.caption(f"{result.total} atendimento(s) · página {result.page} de {result.pages}")
export.download_button(
    "Exportar CSV",
    data=lambda: telemarketing.export_attendances_csv(db, user, filters),
    file_name="telemarketing.csv",
    mime="text/csv",
    key="tmk_export",
    icon=":material/download:",
    on_click="ignore",
)
st.caption(LEGEND + " · Selecione uma linha para ver o atendimento.")

index = selected_index(table)
if index is not None:
    attendance_id = int(result.rows["id"][index])
    attendance = attempt(lambda: telemarketing.get_attendance(db, user, attendance_id))
    if attendance is not None:
        with st.container(border=True, key="tmk_selected"):
            summary(attendance)
            left, right, _ = st.columns([2, 1, 4])
            with left:
                open_in_call(
                    db, user, attendance.entity_id, attendance.id,
                    key=f"tmk_open_{attendance.id}", label="Abrir no atendimento",
                )  # fmt: skip
            with right:
                reopen_action(db, user, attendance)
