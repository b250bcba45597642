"""Televendas: the maintenance list of quotes, orders, invoices, calls and cancellations
[SUA] — filters, pages of 50, the Protheus legend, CSV export, the selected order's summary."""

import streamlit as st

from core import televendas
from ui import runtime
from ui.admin_forms import selected_index
from ui.feedback import attempt
from ui.guard import enter_page
from ui.tlv_list import (
    LEGEND,
    LIST_COLUMNS,
    LIST_ORDER,
    filter_bar,
    list_frame,
    open_in_call,
    summary,
)
from ui.tmk_list import signature

user = enter_page(__file__)
db = runtime.database()

st.title("Televendas")
filters = filter_bar()
view = signature(filters)
page_key = f"tlv_page_{view}"  # new filters: back to page 1


def fetch(page: int) -> televendas.OrderPage | None:
    return attempt(lambda: televendas.list_orders(db, user, filters, page))


result = fetch(int(st.session_state.get(page_key, 1)))
if result is not None and result.page > result.pages:  # the list shrank meanwhile
    st.session_state.pop(page_key, None)
    result = fetch(1)
if result is None:
    st.stop()
if result.total == 0:
    st.info("Nenhum atendimento de Televendas encontrado com esses filtros.", icon="🔎")
    st.stop()

table = st.dataframe(
    list_frame(result.rows),
    key=f"tlv_table_{view}_{result.page}",
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
    data=lambda: televendas.export_orders_csv(db, user, filters),
    file_name="televendas.csv",
    mime="text/csv",
    key="tlv_export",
    icon=":material/download:",
    on_click="ignore",
)
st.caption(LEGEND + " · Selecione uma linha para ver o atendimento.", unsafe_allow_html=True)

index = selected_index(table)
if index is not None:
    order_id = int(result.rows["id"][index])
    order = attempt(lambda: televendas.get_order(db, user, order_id))
    if order is not None:
        with st.container(border=True, key="tlv_selected"):
            summary(order)
            open_in_call(user, order)
