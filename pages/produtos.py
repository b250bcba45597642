"""Produtos e preços: the Televendas catalogues — products with stock, price tables with their
prices, payment conditions (admin)."""

import polars as pl
import streamlit as st

from core.money import typed_text
from core.televendas import catalogue as tlv_catalogue
from ui.guard import enter_page
from ui.kit.feedback import attempt, succeeded
from ui.kit.formats import plain
from ui.kit.forms import editing_version, form_key, reset_form, selected_index
from ui.televendas.catalogue_forms import condition_form, price_table_form, product_form

user, db = enter_page(__file__)

FORMS = {"products": product_form, "price_tables": price_table_form,
         "payment_conditions": condition_form}  # fmt: skip
SAVE = {"products": tlv_catalogue.save_product, "price_tables": tlv_catalogue.save_price_table,
        "payment_conditions": tlv_catalogue.save_payment_condition}  # fmt: skip
HIDDEN = ["id", "version", "created_at", "updated_at"]


def catalogue_tab(table: str, noun: str) -> dict | None:
    """List + edit the selected row + include; returns the selected row."""
    rows = attempt(lambda: tlv_catalogue.list_catalogue(db, user, table))
    if rows is None:
        st.stop()
    selected = None
    if rows.is_empty():
        st.info(f"Nenhum(a) {noun} cadastrado(a).")
    else:
        shown = rows.drop([c for c in HIDDEN if c in rows.columns])
        event = st.dataframe(shown, key=f"{table}_list", hide_index=True, on_select="rerun",
                             selection_mode="single-row")  # fmt: skip
        index = selected_index(event)
        if index is not None:
            selected = rows.row(index, named=True)
            with st.expander(f"Alterar {plain(selected['code'])}", expanded=True):
                version = editing_version(f"{table}_editing", selected["id"], selected["version"])
                changed = FORMS[table](f"{table}_edit_{selected['id']}_{version}", selected)
                if changed is not None and succeeded(
                    lambda: SAVE[table](db, user, changed, selected["id"], version),
                    f"{noun.capitalize()} {plain(changed.code.strip().upper())} alterado(a).",
                ):
                    st.rerun()
    with st.expander(f"Incluir {noun}"):
        new = FORMS[table](form_key(f"{table}_new"), None)
        if new is not None and succeeded(
            lambda: SAVE[table](db, user, new), f"{noun.capitalize()} incluído(a)."
        ):
            reset_form(f"{table}_new")
            st.rerun()
    return selected


products, tables, conditions = st.tabs(["Produtos", "Tabelas de preço", "Condições de pagamento"])
with products:
    catalogue_tab("products", "produto")
with conditions:
    catalogue_tab("payment_conditions", "condição de pagamento")
with tables:
    chosen = catalogue_tab("price_tables", "tabela de preço")
    if chosen is not None:
        st.subheader(f"Preços da tabela {plain(chosen['code'])}")
        prices = tlv_catalogue.table_prices(db, user, chosen["id"])
        # prices as pt-BR text (1.500,00), read back by the core with core.money
        shown = prices.with_columns(
            pl.col("price").map_elements(typed_text, return_dtype=pl.String)
        ).to_pandas()
        edited = st.data_editor(
            shown, key=f"prices_{chosen['id']}", hide_index=True,
            disabled=["id", "code", "description", "unit"], column_order=["code", "description",
            "unit", "price"], column_config={"code": "Código", "description": "Descrição",
            "unit": "Unid.", "price": st.column_config.TextColumn(
                "Preço (R$)", help="Formato 1.234,56; vazio tira o produto da tabela.")},
        )  # fmt: skip
        if st.button("Gravar preços", key=f"save_prices_{chosen['id']}") and succeeded(
            lambda: tlv_catalogue.set_prices(
                db, user, chosen["id"],
                {int(r.id): (r.price if isinstance(r.price, str) and r.price.strip() else None)
                 for r in edited.itertuples()},
            ),
            "Preços gravados.",
        ):  # fmt: skip
            st.rerun()
