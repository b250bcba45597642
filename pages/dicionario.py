"""Dicionário de dados [Dados Protegidos]: every field that identifies a person, with its
classification (pessoal: access 192, sensível: 193, or not protected), the reason and whether it
is in use. The admin reclassifies a field; masking follows at once and the change is audited."""

import streamlit as st

from core import privacy
from ui.guard import enter_page
from ui.kit.feedback import attempt
from ui.kit.forms import selected_index
from ui.lgpd import views

user, db = enter_page(__file__)

st.caption(
    "Campos que identificam uma pessoa e como são protegidos: **pessoal** exige o acesso 192 "
    "e **sensível** o acesso 193; sem o acesso, o valor aparece mascarado em todas as telas, "
    "listas e exportações. Uma nova classificação vale imediatamente, sem reiniciar o sistema, "
    "e cada alteração fica registrada na auditoria com os valores antigos e novos."
)
listing = attempt(lambda: privacy.list_dictionary(db, user))
if listing is None:
    st.stop()

table_filter, level_filter = views.dictionary_filters(listing)
rows = views.filter_dictionary(listing, table_filter, level_filter)
if rows.is_empty():
    st.info("Nenhum campo com esses filtros.", icon="🔎")
    st.stop()

table = st.dataframe(
    views.dictionary_frame(rows),
    key=views.dictionary_table_key(rows),
    hide_index=True,
    on_select="rerun",
    selection_mode="single-row",
    column_order=views.DICTIONARY_ORDER,
    column_config=views.DICTIONARY_COLUMNS,
)
st.caption(f"{rows.height} campo(s) · Selecione um campo para alterar sua classificação.")

index = selected_index(table)
if index is not None:
    with st.container(border=True, key="dictionary_selected"):
        views.dictionary_editor(db, user, rows.row(index, named=True))
