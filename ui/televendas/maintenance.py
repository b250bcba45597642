"""The Televendas maintenance list's parts: the filter row, the table columns with the Protheus
legend, the selected order's summary (items, totals, titles) and "Abrir no atendimento"."""

from __future__ import annotations

import polars as pl
import streamlit as st

from core import calls
from core.access import Routine, User
from core.errors import Conflict
from core.televendas import maintenance as tlv_maintenance
from core.televendas.maintenance import COLUMN_LABELS, OrderFilter
from core.televendas.service import Order
from ui import runtime
from ui.kit.feedback import attempt
from ui.kit.formats import LOCAL_TZ, local_date, local_datetime, money, plain
from ui.kit.paged_table import ListView
from ui.kit.workspace import TLV_ORDER
from ui.televendas.tab import LEGEND, titles_frame

STATUS_FILTERS = {
    "orcamento": "Orçamentos",
    "pedido": "Pedidos a faturar",
    "faturado": "Faturados",
    "cancelado": "Cancelados",
    "atendimento": "Atendimentos",
    "todos": "Todos",
}
DATE_FORMAT = "DD/MM/YYYY"
LIST_ORDER = [
    "id", "status", "created_at", "entity_name", "document", "operation_label", "total",
    "quote_valid_until", "invoice_number", "invoice_date", "operator_code", "group_name",
]  # fmt: skip
LIST_COLUMNS = {
    **{column: label for column, label in COLUMN_LABELS.items() if column in LIST_ORDER},
    "id": st.column_config.NumberColumn("Nº", format="%d", width="small"),
    "status": LEGEND.column(130),
    "created_at": st.column_config.DatetimeColumn("Data", format="DD/MM/YYYY HH:mm"),
    "total": st.column_config.TextColumn("Total"),
    "quote_valid_until": st.column_config.DateColumn("Validade", format=DATE_FORMAT),
    "invoice_date": st.column_config.DateColumn("Emissão", format=DATE_FORMAT),
}


def filter_bar() -> OrderFilter:
    status = st.segmented_control(
        "Status", list(STATUS_FILTERS), format_func=STATUS_FILTERS.__getitem__,
        default="todos", required=True, key="tlv_status", label_visibility="collapsed",
    )  # fmt: skip
    a, b, c = st.columns([1, 1, 2])
    start = a.date_input("De", value=None, format=DATE_FORMAT, key="tlv_start")
    end = b.date_input("Até", value=None, format=DATE_FORMAT, key="tlv_end")
    text = c.text_input("Entidade", key="tlv_entity", placeholder="nome ou CPF/CNPJ")
    return OrderFilter(
        status=None if status in (None, "todos") else status, start=start, end=end,
        entity_text=text,
    )  # fmt: skip


def list_frame(rows: pl.DataFrame) -> pl.DataFrame:
    """São Paulo time, money as pt-BR text (R$ 1.234,56), the status as one coloured tag."""
    return rows.with_columns(
        pl.col("created_at").dt.convert_time_zone(LOCAL_TZ.key),
        pl.col("total").map_elements(money, return_dtype=pl.String),
        pl.concat_list(pl.col("status")),
    )


LIST_VIEW = ListView(
    "tlv", tlv_maintenance.MAINTENANCE, LIST_ORDER, LIST_COLUMNS, list_frame, LEGEND
)


def summary(order: Order) -> None:
    st.subheader(f"Atendimento Televendas nº {order.id}")
    st.markdown(LEGEND.badge(order.status), unsafe_allow_html=True)
    left, middle, right = st.columns(3)
    left.markdown(f"**Entidade:** {plain(order.entity_name)}")
    left.caption(f"Operação: {order.operation_label}")
    middle.markdown(f"**Data:** {local_datetime(order.created_at)}")
    middle.caption(f"Operador: {plain(order.operator_code)}")
    if order.quote_valid_until is not None and order.status == "orcamento":
        right.markdown(f"**Validade:** {local_date(order.quote_valid_until)}")
    if order.invoice_number:
        right.markdown(
            f"**NF:** {plain(order.invoice_number)}/{plain(order.invoice_series)} · "
            f"{local_date(order.invoice_date)}"
        )
    if order.cancellation_reason:
        right.caption(f"Motivo do cancelamento: {plain(order.cancellation_reason)}")
    if order.items:
        st.dataframe(
            [
                {"Item": item["line"], "Produto": f"{item['product_code']} – {item['product']}",
                 "Quantidade": float(item["quantity"]), "Preço unitário": money(item["unit_price"]),
                 "Desc. %": float(item["discount_pct"]), "Total": money(item["total"])}
                for item in order.items
            ],
            hide_index=True, key=f"tlv_items_{order.id}",
        )  # fmt: skip
    st.caption(
        f"Produtos {money(order.products_total)} · Desconto {money(order.discount_total)} · "
        f"Frete {money(order.freight)} · **Total {money(order.total)}**"
    )
    if order.titles:
        st.markdown("**Títulos a receber**")
        st.dataframe(titles_frame(order), hide_index=True, key=f"tlv_list_titles_{order.id}")


def open_in_call(user: User, order: Order) -> None:
    """Start the call with the order's entity and load the order into the Televendas tab; a
    read-only order (cancelled, or invoiced with MV_ALTPED = N) is only looked at: no call."""
    if order.read_only:
        st.caption(f"{order.status_label}: só consulta (o resumo acima é o atendimento).")
        return
    if st.button(
        "Abrir no atendimento", type="primary", key=f"tlv_open_{order.id}",
        icon=":material/call:",
    ):  # fmt: skip
        attempt(lambda: _open(user, order))


def _open(user: User, order: Order) -> None:
    from ui import sidebar

    db = runtime.database()
    current = calls.current_call(db, user)
    if current is not None and current.entity_id != order.entity_id:
        raise Conflict(
            f"Você já tem uma ligação em andamento com {current.entity_name}. Encerre-a ou use "
            "“Limpa Atendimento” em Chamadas antes de abrir outro atendimento."
        )
    if current is None:
        calls.start_call(db, user, Routine.TELEVENDAS, order.entity_id,
                         group_id=sidebar.active_group_id(user))  # fmt: skip
    st.session_state[TLV_ORDER] = order.id
    st.switch_page("pages/chamadas.py")
