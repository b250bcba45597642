"""Chamadas / Incluir: the attendance workspace — pick the caller, work the call per routine.

An operator with several routines gets one tab per routine ("Chamadas"); with a single routine,
only that one ("Incluir"), as in the seed. Each routine's form plugs into its tab.
"""

import streamlit as st

from core import calls, entities
from core.access import Routine
from ui import runtime, sidebar
from ui.entity_forms import entity_card
from ui.feedback import attempt
from ui.guard import enter_page
from ui.workspace import footer

user = enter_page(__file__)
db = runtime.database()
routines = [routine for routine in Routine if routine in user.routines]

st.title("Incluir" if len(routines) == 1 else "Chamadas")
call = calls.current_call(db, user)

if call is None:
    with st.container(key="entity_search"):
        text = st.text_input(
            "Quem está na linha? Busque por nome, CPF/CNPJ ou telefone", key="ws_search_text"
        )
    found = (
        attempt(lambda: entities.search_entities(db, user, text, page_size=10)) if text else None
    )
    if found is not None and found.total == 0:
        st.info("Nenhuma entidade encontrada. Cadastre-a em Cadastros › Entidades.")
    elif found is not None:
        table = st.dataframe(
            found.rows,
            key="ws_results",
            hide_index=True,
            on_select="rerun",
            selection_mode="single-row",
            column_order=["id", "kind", "name", "document", "phone", "mobile", "city", "state"],
            column_config={"id": "Código", "kind": "Tipo", "name": "Nome",
                           "document": "CPF/CNPJ", "phone": "Telefone", "mobile": "Celular",
                           "city": "Cidade", "state": "UF"},
        )  # fmt: skip
        if table.selection.rows:
            entity_id = int(found.rows["id"][table.selection.rows[0]])
            routine = st.radio(
                "Rotina", routines, format_func=lambda r: r.label, horizontal=True,
                key="ws_routine",
            )  # fmt: skip
            if st.button("Iniciar ligação", type="primary", key="ws_start") and attempt(
                lambda: calls.start_call(
                    db, user, routine, entity_id, group_id=sidebar.active_group_id(user)
                )
            ):
                st.rerun()
else:
    detail = attempt(lambda: entities.get_entity(db, user, call.entity_id))
    if detail is not None:
        entity_card(detail)
    tabs = st.tabs([routine.label for routine in routines])
    for routine, tab in zip(routines, tabs, strict=True):
        with tab, st.container(key=f"tab_{routine.value}"):
            st.info(
                f"O registro do atendimento de {routine.label} chega na próxima entrega.",
                icon="🚧",
            )
    result = st.text_input("Resultado da ligação", key="ws_result")
    finish, clear = st.columns(2)
    if finish.button("Encerrar ligação", type="primary", key="ws_end") and attempt(
        lambda: calls.end_call(db, user, result), success="Ligação encerrada."
    ):
        st.rerun()
    if clear.button("Limpa Atendimento", key="ws_clear") and attempt(
        lambda: calls.end_call(db, user, "Limpo sem gravar")
    ):
        st.rerun()

footer(user, call, status="Em ligação" if call else "Livre")
