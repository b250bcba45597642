"""The Televendas tab of the workspace: header (operation, price table, payment condition),
item lines, live totals, and Gravar / Converter em pedido / Faturar / Cancelar."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

import streamlit as st

from core import entities
from core.access import User
from core.calls import OpenCall
from core.db import Database
from core.entities import EntityDetail
from core.errors import DomainError
from core.money import PERCENT, parse_decimal, typed_text
from core.televendas import catalogue as tlv_catalogue
from core.televendas import rules
from core.televendas import service as tlv_service
from core.televendas.service import (
    OPERATIONS,
    STATUS_COLOURS,
    STATUS_LABELS,
    ItemInput,
    Order,
    OrderInput,
)
from ui.kit.feedback import attempt, flash, show_error, succeeded
from ui.kit.formats import LOCAL_TZ, literal, local_date, money
from ui.kit.forms import CHOOSE, percent_input
from ui.kit.legend import StatusLegend
from ui.kit.workspace import TLV_ORDER

MONEY_HELP = "Formato 1.234,56: o ponto separa os milhares (1.500 é mil e quinhentos)."
READ_ONLY_INFO = "Pedido faturado: alteração bloqueada (MV_ALTPED = N)"
_QUOTE_DAYS = 15
# The Protheus legend: blue orçamento, green pedido (faturamento pendente), red faturado,
# brown atendimento, black cancelado.
LEGEND = StatusLegend(
    STATUS_LABELS, STATUS_COLOURS, ("orcamento", "pedido", "faturado", "atendimento", "cancelado")
)


def loaded_order(db: Database, user: User, call: OpenCall | None) -> Order | None:
    """The order saved in this call or opened from the list; dropped for another caller."""
    order_id = st.session_state.get(TLV_ORDER)
    if order_id is None or call is None:
        return None
    order = attempt(lambda: tlv_service.get_order(db, user, order_id))
    if order is not None and order.entity_id != call.entity_id:
        st.session_state.pop(TLV_ORDER, None)
        return None
    return order


def render(
    db: Database, user: User, call: OpenCall, entity: EntityDetail | None,
    group_id: int | None, order: Order | None = None,
) -> None:  # fmt: skip
    if order is not None:
        st.markdown(
            f"**Atendimento Televendas nº {order.id}** · {LEGEND.badge(order.status)}",
            unsafe_allow_html=True,
        )
        if order.read_only:
            text = READ_ONLY_INFO if order.status == "faturado" else "Atendimento cancelado."
            st.info(text, icon="🔒")
    off = bool(order and order.read_only)
    key = f"tlv_{order.id if order else 'new'}_{order.version if order else 0}"
    tables = _choices(attempt(lambda: tlv_catalogue.current_price_tables(db, user)))
    conditions = _choices(attempt(lambda: tlv_catalogue.active_payment_conditions(db, user)))
    a, b, c = st.columns([2, 2, 2])
    operation = a.radio(
        "Operação", list(OPERATIONS), format_func=OPERATIONS.__getitem__, horizontal=True,
        index=list(OPERATIONS).index(order.operation if order else "orcamento"),
        key=f"{key}_operation", disabled=off,
    )  # fmt: skip
    if order is not None and order.price_table_id and order.price_table_id not in tables:
        tables[order.price_table_id] = f"Tabela {order.price_table_id} (fora da vigência)"
    table_id = _select(b, "Tabela de preços", tables, order.price_table_id if order else None,
                       f"{key}_table", off, first=True)  # fmt: skip
    condition_id = _select(
        c, "Condição de pagamento", conditions, order.payment_condition_id if order else None,
        f"{key}_condition", off, first=True,
    )  # fmt: skip
    d, e, f, g = st.columns([2, 2, 1, 2])
    contacts = {c["id"]: c["name"] for c in (entity.contacts if entity else [])}
    contact_id = _select(g, "Contato", contacts, order.contact_id if order else None,
                         f"{key}_contact", off)  # fmt: skip
    today = datetime.now(LOCAL_TZ).date()
    valid_until = d.date_input(
        "Validade do orçamento", format="DD/MM/YYYY", key=f"{key}_valid", disabled=off
        or operation != "orcamento", value=(order.quote_valid_until if order and
        order.quote_valid_until else today + timedelta(days=_QUOTE_DAYS)),
    )  # fmt: skip
    next_at = order.next_call_at.astimezone(LOCAL_TZ) if order and order.next_call_at else None
    next_day = e.date_input("Próxima ligação", value=next_at.date() if next_at else None,
                            format="DD/MM/YYYY", key=f"{key}_next_day", disabled=off)  # fmt: skip
    next_time = f.time_input("às", value=next_at.time() if next_at else time(9, 0),
                             key=f"{key}_next_time", disabled=off)  # fmt: skip
    products = _products(db, user, table_id, order)
    st.markdown("**Itens**")
    lines = _line_count(key, order, off)
    stored = list(order.items) if order else []
    rows = [_item_row(f"{key}_item{n}", n, stored[n - 1] if n <= len(stored) else None,
                      products, off) for n in range(1, lines + 1)]  # fmt: skip
    j, h, _ = st.columns([1, 1, 2])
    discount = percent_input(
        j,
        "Desconto % no total",
        order.discount_pct if order else 0,
        f"{key}_discount",
        disabled=off,
    )
    discount_value = _read(j, discount, "Desconto % no total", default=Decimal(0), **PERCENT)
    freight = h.text_input("Frete (R$)", typed_text(order.freight if order else 0),
                           key=f"{key}_freight", disabled=off, help=MONEY_HELP)  # fmt: skip
    freight_value = _read(h, freight, "Frete", places=2, default=Decimal(0))
    items = [item for item, _ in rows if item is not None]
    totals = rules.order_totals(
        (total for _, total in rows), discount_value or Decimal(0), freight_value or Decimal(0)
    )
    m = st.columns(4)
    m[0].metric("Produtos", money(totals.products))
    m[1].metric("Desconto", money(totals.discount))
    m[2].metric("Frete", money(totals.freight))
    m[3].metric("Total", money(totals.total))
    if order is not None and order.titles:
        _titles(order)
    if off:
        return
    next_call = datetime.combine(next_day, next_time, tzinfo=LOCAL_TZ) if next_day else None
    data = OrderInput(
        entity_id=call.entity_id, operation=operation, contact_id=contact_id,
        price_table_id=table_id,
        payment_condition_id=condition_id, next_call_at=next_call,
        quote_valid_until=valid_until if operation == "orcamento" else None,
        # unreadable text goes as typed: the core refuses it naming the field
        discount_pct=discount if discount_value is None else discount_value,
        freight=freight if freight_value is None else
        freight_value, items=items,
    )  # fmt: skip
    _actions(db, user, call, group_id, order, data, entity)


def _actions(
    db: Database, user: User, call: OpenCall, group_id: int | None, order: Order | None,
    data: OrderInput, entity: EntityDetail | None,
) -> None:  # fmt: skip
    save, convert, invoice, _ = st.columns([1, 1.4, 1, 2.6])
    if save.button("Gravar", type="primary", key="tlv_save", width="stretch"):
        try:
            saved = tlv_service.save_order(
                db, user, data, order_id=order.id if order else None,
                version=order.version if order else None, group_id=group_id, call_id=call.id,
            )  # fmt: skip
        except DomainError as error:
            show_error(error)
            return
        st.session_state[TLV_ORDER] = saved.id
        flash(f"Atendimento Televendas nº {saved.id} gravado: {saved.status_label}.")
        st.rerun()
    if order is None:
        return
    if order.status in ("orcamento", "pedido"):
        st.caption("Converter e Faturar usam o que está gravado: grave as alterações antes.")
    if (
        order.status == "orcamento"
        and entity is not None
        and entity.values["kind"] == "prospect"
        and st.button("Converter prospect em cliente", key="tlv_prospect")
        and succeeded(
            lambda: entities.convert_prospect_to_customer(db, user, entity.id),
            "Prospect convertido em cliente: o orçamento já pode virar pedido.",
        )
    ):
        st.rerun()
    if (
        order.status == "orcamento"
        and convert.button("Converter em pedido", key="tlv_convert", width="stretch")
        and succeeded(
            lambda: tlv_service.convert_quote_to_order(db, user, order.id, order.version),
            f"Orçamento nº {order.id} convertido em pedido.",
        )
    ):
        st.rerun()
    if (
        order.status == "pedido"
        and invoice.button("Faturar", key="tlv_invoice", width="stretch")
        and succeeded(
            lambda: tlv_service.invoice_order(db, user, order.id, order.version),
            f"Pedido nº {order.id} faturado.",
        )
    ):
        st.rerun()
    with st.expander("Cancelar atendimento"):
        reason = st.text_input("Motivo do cancelamento", key=f"tlv_reason_{order.id}")
        if st.button("Confirmar cancelamento", key="tlv_cancel") and succeeded(
            lambda: tlv_service.cancel_order(db, user, order.id, order.version, reason),
            f"Atendimento Televendas nº {order.id} cancelado.",
        ):
            st.rerun()


def titles_frame(order: Order) -> list[dict[str, Any]]:
    return [
        {"Número": f"{title['prefix'] or ''}{title['number']}".strip(),
         "Parcela": title["installment"], "Vencimento": local_date(title["due_date"]),
         "Valor": money(title["amount"]), "Saldo": money(title["balance"]),
         "Status": title["status"]}
        for title in order.titles
    ]  # fmt: skip


def _titles(order: Order) -> None:
    st.markdown(
        f"**Títulos a receber** · NF "
        f"{literal(order.invoice_number)}/{literal(order.invoice_series)}"
    )
    st.dataframe(titles_frame(order), hide_index=True, key=f"tlv_titles_{order.id}")


def _read(container: Any, text: str, field: str, **options: Any) -> Decimal | None:
    """Typed text read by core.money, as the core will; a refusal shows under the field."""
    try:
        return parse_decimal(text, field, **options)
    except DomainError as error:
        container.caption(f":red[{literal(error.message)}]")  # the typed text stays text
        return None


def _choices(frame: Any) -> dict[int, str]:
    if frame is None:
        return {}
    return {
        row["id"]: f"{row['code']} – {row['description']}" for row in frame.iter_rows(named=True)
    }


def _select(
    container: Any, label: str, options: dict[int, str], current: int | None, key: str,
    disabled: bool, first: bool = False,
) -> int | None:  # fmt: skip
    values = [None, *options]
    index = values.index(current) if current in options else (1 if first and options else 0)
    return container.selectbox(
        label, values, index=index, key=key, disabled=disabled,
        format_func=lambda i: "—" if i is None else options[i], placeholder=CHOOSE,
    )  # fmt: skip


def _products(
    db: Database, user: User, table_id: int | None, order: Order | None
) -> dict[int, tuple[str, Decimal]]:
    """product id -> (label, table price); the order's own products stay choosable."""
    found: dict[int, tuple[str, Decimal]] = {}
    if table_id is not None:
        frame = attempt(lambda: tlv_catalogue.products_for_sale(db, user, table_id))
        for row in frame.iter_rows(named=True) if frame is not None else []:
            price = Decimal(row["price"])
            found[row["id"]] = (f"{row['code']} – {row['description']} · {money(price)}", price)
    for item in order.items if order else []:
        found.setdefault(
            item["product_id"],
            (f"{item['product_code']} – {item['product']}", Decimal(item["list_price"])),
        )
    return found


def _line_count(key: str, order: Order | None, disabled: bool) -> int:
    counter = f"{key}_lines"
    if counter not in st.session_state:
        st.session_state[counter] = max(1, len(order.items) if order else 1)
    add, remove, _ = st.columns([1, 1, 6])
    if add.button("+ Item", key=f"{key}_add", disabled=disabled):
        st.session_state[counter] += 1
    if remove.button(
        "− Item", key=f"{key}_remove", disabled=disabled or st.session_state[counter] <= 1
    ):
        st.session_state[counter] -= 1
    return int(st.session_state[counter])


def _item_row(
    key: str, line: int, row: dict[str, Any] | None,
    products: dict[int, tuple[str, Decimal]], disabled: bool,
) -> tuple[ItemInput | None, Decimal]:  # fmt: skip
    """One item line: the input for core and its total for the live summary (blank: None)."""
    a, b, c, d, e = st.columns([4, 1.2, 1.5, 1.2, 1.6])
    values = [None, *products]
    current = row["product_id"] if row else None
    product = a.selectbox(
        f"Produto {line}", values, index=values.index(current) if current in values else 0,
        format_func=lambda i: "—" if i is None else products[i][0], key=f"{key}_product",
        disabled=disabled, placeholder=CHOOSE,
    )  # fmt: skip
    quantity = b.text_input(f"Quantidade {line}", typed_text(row["quantity"] if row else 1, 3,
                            trim=True), key=f"{key}_qty", disabled=disabled)  # fmt: skip
    if product is None:
        e.caption("—")
        return None, Decimal(0)
    list_price = products[product][1]
    stored_price = row["unit_price"] if row and row["product_id"] == product else list_price
    price = c.text_input(f"Preço unitário {line}", typed_text(stored_price),
                         key=f"{key}_price_{product}", disabled=disabled,
                         help=MONEY_HELP)  # fmt: skip
    discount = percent_input(
        d, f"Desc. % {line}", row["discount_pct"] if row else 0, f"{key}_disc", disabled=disabled
    )
    amount = _read(b, quantity, f"Quantidade (item {line})", places=3, max_digits=14)
    unit = _read(c, price, f"Preço unitário (item {line})")
    off = _read(d, discount, f"Desc. % (item {line})", default=Decimal(0), **PERCENT)
    if amount is None or unit is None or off is None:  # the core refuses the text as typed
        e.caption("—")
        return ItemInput(product, quantity, price, discount), Decimal(0)
    total = rules.item_total(amount, unit, off)
    e.markdown(f"**{money(total)}**")
    item = ItemInput(product, amount, None if unit == list_price else unit, off)
    return item, total
