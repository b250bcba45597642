"""Telecobrança: the maintenance screen [ACF] — the collection attendances by status (the
Protheus legend, orange for Cobrança), the queue per overdue range with its debtors, and the
collector's balance for a period."""

import streamlit as st

from ui.guard import enter_page
from ui.telecobranca.maintenance import attendance_list, balance_view, queue_view

user, db = enter_page(__file__)

# Only the open section runs its queries (each one sweeps broken promises in a write).
attendances, queue, balance = st.tabs(
    ["Atendimentos", "Fila por faixa", "Saldo do cobrador"], key="tlc_section", on_change="rerun"
)
if attendances.open:
    with attendances:
        attendance_list(db, user)
if queue.open:
    with queue:
        queue_view(db, user)
if balance.open:
    with balance:
        balance_view(db, user)
