"""Telemarketing: the maintenance list of attendances [SUC] — filters, pages of 50, the Protheus
status legend, CSV export, open an attendance in the workspace, reopen (supervisor)."""

import streamlit as st

from core.telemarketing import service as tmk_service
from ui.guard import enter_page
from ui.kit.feedback import attempt
from ui.kit.paged_table import maintenance_list
from ui.kit.workspace import open_in_call
from ui.telemarketing.maintenance import LIST_VIEW, filter_bar, reopen_action, summary

user, db = enter_page(__file__)

selected = maintenance_list(LIST_VIEW, db, user, filter_bar(db, user))
if selected is not None:
    attendance_id = int(selected["id"])
    attendance = attempt(lambda: tmk_service.get_attendance(db, user, attendance_id))
    if attendance is not None:
        with st.container(border=True, key="tmk_selected"):
            summary(attendance)
            left, right, _ = st.columns([2, 1, 4])
            with left:
                label, key = "Abrir no atendimento", f"tmk_open_{attendance.id}"
                if attendance.is_final:  # looking at it starts no call
                    st.caption(f"{attendance.status_label}: só consulta.")
                else:
                    open_in_call(db, user, attendance.entity_id, attendance.id, key, label)
            with right:
                reopen_action(db, user, attendance)
