"""Televendas: the maintenance list of quotes, orders, invoices, calls and cancellations
[SUA] — filters, pages of 50, the Protheus legend, CSV export, the selected order's summary."""

import streamlit as st

from core.televendas import maintenance as tlv_maintenance
from core.televendas import service as tlv_service
from ui.guard import enter_page
from ui.kit.feedback import attempt
from ui.kit.forms import signature
from ui.kit.paged_table import Export, paged_table
from ui.televendas.maintenance import (
    LEGEND,
    LIST_COLUMNS,
    LIST_ORDER,
    filter_bar,
    list_frame,
    open_in_call,
    summary,
)

user, db = enter_page(__file__)

filters = filter_bar()
shown = paged_table(
    "tlv",
    signature(filters),
    lambda page: attempt(lambda: tlv_maintenance.list_orders(db, user, filters, page)),
    display=list_frame,
    column_order=LIST_ORDER,
    column_config=LIST_COLUMNS,
    noun="atendimento(s)",
    empty="Nenhum atendimento de Televendas encontrado com esses filtros.",
    export=Export(lambda: tlv_maintenance.export_orders_csv(db, user, filters), "televendas.csv"),
)
if shown is None:
    st.stop()
result, index = shown
st.caption(LEGEND + " · Selecione uma linha para ver o atendimento.", unsafe_allow_html=True)

if index is not None:
    order_id = int(result.rows["id"][index])
    order = attempt(lambda: tlv_service.get_order(db, user, order_id))
    if order is not None:
        with st.container(border=True, key="tlv_selected"):
            summary(order)
            open_in_call(user, order)
