"""Televendas: the maintenance list of quotes, orders, invoices, calls and cancellations
[SUA] — filters, pages of 50, the Protheus legend, CSV export, the selected order's summary."""

import streamlit as st

from core.televendas import service as tlv_service
from ui.guard import enter_page
from ui.kit.feedback import attempt
from ui.kit.paged_table import maintenance_list
from ui.televendas.maintenance import LIST_VIEW, filter_bar, open_in_call, summary

user, db = enter_page(__file__)

selected = maintenance_list(LIST_VIEW, db, user, filter_bar())
if selected is not None:
    order_id = int(selected["id"])
    order = attempt(lambda: tlv_service.get_order(db, user, order_id))
    if order is not None:
        with st.container(border=True, key="tlv_selected"):
            summary(order)
            open_in_call(user, order)
