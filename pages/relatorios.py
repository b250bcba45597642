"""Relatórios: the management reports of the three routines [TMKR*] over a period, with a
chart each and CSV/XLSX exports (audited)."""

import streamlit as st

from ui import runtime
from ui.guard import enter_page
from ui.supervision.reports import period_picker, report_picker, report_view

user = enter_page(__file__)
db = runtime.database()

st.title("Relatórios")
choice = report_picker()
period = period_picker()
if period is not None:
    report_view(db, user, choice, period)
