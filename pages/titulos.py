"""Títulos a receber [SE1]: a customer's financial position (open, overdue, updated with fine
and interest, paid, range, days overdue), aging by range and the titles; finance registers a
payment outside a call and imports titles from a CSV file."""

import streamlit as st

from core.access import Action, allowed
from ui.guard import enter_page
from ui.telecobranca.ledger import customer_picker, import_section, position_view

user, db = enter_page(__file__)
can_manage = allowed(user, Action.MANAGE_LEDGER)

if can_manage:
    position_tab, import_tab = st.tabs(["Posição do cliente", "Importar títulos (CSV)"])
else:
    position_tab, import_tab = st.container(), None

with position_tab:
    entity_id = customer_picker(db, user)
    if entity_id is not None:
        position_view(db, user, entity_id, "ledger", can_pay=can_manage)

if import_tab is not None:
    with import_tab:
        import_section(db, user)
