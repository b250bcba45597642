"""Entidades: search customers, prospects and contacts; include and alter them."""

import streamlit as st

from core import entities
from core.access import Action, allowed
from core.entities import KINDS
from ui.campaigns.entity import do_not_call_toggle
from ui.guard import enter_page
from ui.kit.entity_forms import entity_form, entity_section
from ui.kit.feedback import attempt
from ui.kit.forms import CHOOSE
from ui.kit.paged_table import Export, export_buttons

user, db = enter_page(__file__)
can_edit = allowed(user, Action.EDIT_ENTITIES)

consult, include = st.tabs(["Consultar", "Incluir"])

with consult:
    with st.container(key="entity_search"):
        text_col, kind_col, page_col = st.columns([4, 1.3, 1])
        text = text_col.text_input(
            "Buscar por nome, CPF/CNPJ ou telefone", key="entity_search_text",
            placeholder="ex.: Maria, 123.456.789, 11 98765",
        )  # fmt: skip
        kind = kind_col.selectbox(
            "Tipo", [None, *KINDS], format_func=lambda k: "Todos" if k is None else KINDS[k],
            key="entity_search_kind", placeholder=CHOOSE,
        )  # fmt: skip
        page_number = page_col.number_input("Página", min_value=1, value=1, key="entity_page")
    result = attempt(lambda: entities.search_entities(db, user, text, kind, int(page_number)))
    if result is not None:
        if result.total == 0:
            st.info("Nenhuma entidade encontrada com esses filtros.")
        else:
            st.caption(
                f"{result.total} entidade(s) · página {result.page} de {result.pages}"
                + (" · 🔒 dados pessoais mascarados" if result.masked else "")
            )
            table = st.dataframe(
                result.rows,
                key="entity_results",
                hide_index=True,
                on_select="rerun",
                selection_mode="single-row",
                column_order=["id", "kind", "name", "document", "phone", "mobile", "email",
                              "city", "state"],
                column_config={
                    "id": st.column_config.NumberColumn("Código", format="%d"),
                    "kind": "Tipo", "name": "Nome", "document": "CPF/CNPJ",
                    "phone": "Telefone", "mobile": "Celular", "email": "E-mail",
                    "city": "Cidade", "state": "UF",
                },
            )  # fmt: skip
            with st.columns([2, 1])[1]:
                export_buttons(
                    Export(
                        lambda fmt: entities.export_entities(db, user, text, kind, fmt), "entidades"
                    ),
                    "entity_export",
                )
            if table.selection.rows:
                entity_id = int(result.rows["id"][table.selection.rows[0]])
                entity_section(db, user, entity_id, can_edit)
                if can_edit:
                    do_not_call_toggle(db, user, entity_id)

with include:
    if not can_edit:
        st.info("Você pode consultar, mas não incluir entidades.")
    else:
        new = entity_form("entity_new")
        created = attempt(lambda: entities.create_entity(db, user, new)) if new else None
        if created is not None:
            st.success(f"Entidade incluída com o código {created}.")
