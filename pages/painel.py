"""Painel ao vivo: the supervisor's wallboard — operators with their live call timers, the
KPIs of the three routines, charts and alerts. Only the board refreshes itself."""

import streamlit as st

from ui import runtime
from ui.guard import enter_page
from ui.supervision.wallboard import filter_bar, live_board

user = enter_page(__file__)
db = runtime.database()

st.title("Painel ao vivo")
filters, interval = filter_bar(db, user)
live_board(db, user, filters, interval)
