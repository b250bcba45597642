"""Perfis e acessos: user groups carrying the accesses 192 (personal) and 193 (sensitive)."""

import streamlit as st

from core import users
from ui.admin.forms import profile_form
from ui.guard import enter_page
from ui.kit.feedback import attempt, succeeded
from ui.kit.formats import plain
from ui.kit.forms import editing_version, form_key, reset_form, selected_index

user, db = enter_page(__file__)
PROFILE_COLUMNS = [
    "name", "description", "personal_access", "sensitive_access", "audit_access", "members",
]  # fmt: skip

st.caption(
    "Um perfil concede acessos a todos os seus membros: **192** mostra dados pessoais "
    "(CPF/CNPJ, telefones, endereço, e-mail), **193** mostra dados sensíveis e **Auditoria** "
    "abre a consulta do log de auditoria. Os membros são definidos em Usuários."
)
listing = attempt(lambda: users.list_profiles(db, user))
if listing is None:
    st.stop()

consult, include = st.tabs(["Consultar", "Incluir"])

with consult:
    if listing.is_empty():
        st.info("Nenhum perfil cadastrado.")
    table = st.dataframe(
        listing,
        key="profiles_table",
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        column_order=PROFILE_COLUMNS,
        column_config={
            "name": "Nome",
            "description": "Descrição",
            "personal_access": st.column_config.CheckboxColumn("192", help="Dados pessoais"),
            "sensitive_access": st.column_config.CheckboxColumn("193", help="Dados sensíveis"),
            "audit_access": st.column_config.CheckboxColumn(
                "Auditoria", help="Consulta o log de auditoria"
            ),
            "members": st.column_config.NumberColumn("Membros", format="%d"),
        },
    )
    index = selected_index(table)
    if index is not None:
        row = listing.row(index, named=True)
        st.subheader(plain(row["name"]))
        version = editing_version("profile_editing", row["id"], row["version"])
        changed = profile_form(f"profile_edit_{row['id']}_{version}", row)
        if changed is not None and succeeded(
            lambda: users.update_profile(db, user, row["id"], version, changed),
            "Perfil alterado.",
        ):
            st.rerun()
    else:
        st.caption("Selecione um perfil para alterá-lo.")

with include:
    new = profile_form(form_key("profile_new"))
    if new is not None and succeeded(
        lambda: users.create_profile(db, user, new), f"Perfil {plain(new.name.strip())} incluído."
    ):
        reset_form("profile_new")
        st.rerun()
