"""Usuários: login users, their accesses 192/193 and profiles; password reset, deactivation."""

from datetime import UTC, datetime

import streamlit as st

from core import users
from ui.admin.forms import PASSWORDS_DIFFER, password_pair, user_form
from ui.guard import enter_page
from ui.kit import forms
from ui.kit.feedback import attempt, succeeded
from ui.kit.formats import local_datetime, plain

user, db = enter_page(__file__)

listing = attempt(lambda: users.list_users(db, user))
profile_frame = attempt(lambda: users.list_profiles(db, user))
if listing is None or profile_frame is None:
    st.stop()
profiles = dict(zip(profile_frame["id"], profile_frame["name"], strict=True))
now = datetime.now(UTC)

consult, include = st.tabs(["Consultar", "Incluir"])

with consult:
    table = st.dataframe(
        [
            {
                "Login": r["username"],
                "Nome": r["name"],
                "Admin": r["is_admin"],
                "192": r["personal_access"],
                "193": r["sensitive_access"],
                "Perfis": r["profiles"],
                "Ativo": r["active"],
                "Bloqueado (num endereço) até": local_datetime(r["locked_until"])
                if r["locked_until"] and r["locked_until"] > now
                else "",
                "Último acesso": local_datetime(r["last_login_at"]),
            }
            for r in listing.iter_rows(named=True)
        ],
        key="users_table",
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        column_config={
            "192": st.column_config.CheckboxColumn(help="Acesso 192 concedido diretamente"),
            "193": st.column_config.CheckboxColumn(help="Acesso 193 concedido diretamente"),
        },
    )
    st.caption(
        f"{listing.height} usuário(s). Selecione um para alterar, redefinir a senha ou desativar."
    )
    index = forms.selected_index(table)
    if index is not None:
        row = listing.row(index, named=True)
        user_id = row["id"]
        st.subheader(f"{plain(row['name'])} ({plain(row['username'])})")
        with st.expander("Alterar dados", expanded=True):
            version = forms.editing_version("user_editing", user_id, row["version"])
            changed = user_form(f"user_edit_{user_id}_{version}", profiles, row)
            if changed is not None and succeeded(
                lambda: users.update_user(db, user, user_id, version, changed[0]),
                "Usuário alterado.",
            ):
                st.rerun()
        with st.expander("Redefinir senha"), st.form(f"user_password_{user_id}"):
            st.caption("A nova senha desbloqueia o usuário e encerra as sessões abertas dele.")
            password, repeated = password_pair(f"user_password_{user_id}", "Nova senha")
            if st.form_submit_button("Redefinir senha", key=f"user_password_{user_id}_submit"):
                if password != repeated:
                    st.error(PASSWORDS_DIFFER, icon="❌")
                elif succeeded(
                    lambda: users.reset_password(db, user, user_id, password),
                    f"Senha de {plain(row['username'])} redefinida.",
                ):
                    st.rerun()
        if row["active"]:
            forms.confirm_button("user_deactivate", user_id, "Desativar", icon=":material/block:")
            forms.confirmation(
                "user_deactivate",
                user_id,
                "Desativar usuário",
                f"Desativar **{plain(row['name'])}** ({plain(row['username'])})? As sessões "
                "abertas são encerradas e a estação é liberada. O usuário poderá ser reativado "
                "depois.",
                "Desativar",
                lambda: users.set_user_active(db, user, user_id, False),
                f"Usuário {plain(row['username'])} desativado.",
            )
        elif st.button(
            "Reativar", key=f"user_reactivate_{user_id}", icon=":material/undo:"
        ) and succeeded(
            lambda: users.set_user_active(db, user, user_id, True),
            f"Usuário {plain(row['username'])} reativado.",
        ):
            st.rerun()

with include:
    new = user_form(forms.form_key("user_new"), profiles)
    if new is not None:
        data, password, repeated = new
        if password != repeated:
            st.error(PASSWORDS_DIFFER, icon="❌")
        elif succeeded(
            lambda: users.create_user(db, user, data, password),
            f"Usuário {plain(data.username.strip().lower())} incluído.",
        ):
            forms.reset_form("user_new")
            st.rerun()
