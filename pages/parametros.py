"""Parâmetros [SX6]: the named switches the routines read (MV_ALTPED…), changed by the admin."""

import streamlit as st

from core import parameters
from core.parameters import KINDS
from ui.guard import enter_page
from ui.kit.feedback import attempt, succeeded
from ui.kit.formats import local_datetime
from ui.kit.forms import editing_version, selected_index

user, db = enter_page(__file__)

text = st.text_input(
    "Buscar por nome ou descrição", key="parameter_search", placeholder="ex.: MV_ALTPED, pedido"
)
listing = attempt(lambda: parameters.list_parameters(db, user, text))
if listing is None:
    st.stop()
if listing.is_empty():
    st.info("Nenhum parâmetro encontrado com essa busca.")
    st.stop()

table = st.dataframe(
    [
        {
            "Parâmetro": r["name"],
            "Tipo": KINDS.get(r["kind"], r["kind"]),
            "Valor": r["value"],
            "Descrição": r["description"],
            "Alterado em": local_datetime(r["updated_at"]),
            "Alterado por": r["updated_by"] or "",
        }
        for r in listing.iter_rows(named=True)
    ],
    # The key follows the search: a row index from another result list would pick the wrong one.
    key=f"parameters_table_{text.strip().upper()}",
    hide_index=True,
    on_select="rerun",
    selection_mode="single-row",
    column_config={"Descrição": st.column_config.TextColumn(width="large")},
)

index = selected_index(table)
if index is None:
    st.caption(f"{listing.height} parâmetro(s). Selecione um para alterar o valor.")
    st.stop()

row = listing.row(index, named=True)
name, kind = row["name"], row["kind"]
st.subheader(name)
st.write(row["description"])
version = editing_version("parameter_editing", name, row["version"])
key = f"parameter_edit_{name}_{version}"
with st.form(key):
    if kind == "sim_nao":
        options = ["S", "N"]
        value = st.radio(
            "Valor",
            options,
            format_func={"S": "S – Sim", "N": "N – Não"}.__getitem__,
            index=options.index(row["value"]) if row["value"] in options else 1,
            horizontal=True,
            key=f"{key}_value",
        )
    else:
        number = kind == "numero"  # stored with a dot, typed the pt-BR way (core.money)
        value = st.text_input(
            "Valor",
            value=row["value"].replace(".", ",") if number else row["value"],
            key=f"{key}_value",
            help="Apenas números, vírgula para decimais (ex. 2,5)." if number else None,
        )
    submitted = st.form_submit_button("Gravar", type="primary", key=f"{key}_submit")
if submitted and succeeded(
    lambda: parameters.set_parameter(db, user, name, version, value),
    f"Parâmetro {name} alterado.",
):
    st.rerun()
