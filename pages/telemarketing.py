"""Telemarketing: the maintenance list of attendances [SUC] — filters, pages of 50, the Protheus
status legend, CSV export, open an attendance in the workspace, reopen (supervisor)."""

import streamlit as st

from core.telemarketing import maintenance as tmk_maintenance
from core.telemarketing import service as tmk_service
from ui.guard import enter_page
from ui.kit.feedback import attempt
from ui.kit.forms import signature
from ui.kit.paged_table import Export, paged_table
from ui.kit.workspace import open_in_call
from ui.telemarketing.maintenance import (
    LEGEND,
    LIST_COLUMNS,
    LIST_ORDER,
    filter_bar,
    list_frame,
    reopen_action,
    summary,
)

user, db = enter_page(__file__)

filters = filter_bar(db, user)
shown = paged_table(
    "tmk",
    signature(filters),
    lambda page: attempt(lambda: tmk_maintenance.list_attendances(db, user, filters, page)),
    display=list_frame,
    column_order=LIST_ORDER,
    column_config=LIST_COLUMNS,
    noun="atendimento(s)",
    empty="Nenhum atendimento encontrado com esses filtros.",
    export=Export(
        lambda: tmk_maintenance.export_attendances_csv(db, user, filters), "telemarketing.csv"
    ),
)
if shown is None:
    st.stop()
result, index = shown
st.caption(LEGEND + " · Selecione uma linha para ver o atendimento.")

if index is not None:
    attendance_id = int(result.rows["id"][index])
    attendance = attempt(lambda: tmk_service.get_attendance(db, user, attendance_id))
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
