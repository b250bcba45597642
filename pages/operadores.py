"""Operadores [SU7]: which login user works which routines, in which attendance groups."""

import streamlit as st

from core import operators
from core.operators import ROLES, routines_label
from ui.admin.forms import operator_form, routines_of
from ui.guard import enter_page
from ui.kit.feedback import attempt, succeeded
from ui.kit.formats import plain
from ui.kit.forms import editing_version, form_key, reset_form, selected_index

user, db = enter_page(__file__)

listing = attempt(lambda: operators.list_operators(db, user))
user_names = attempt(lambda: operators.user_choices(db, user))
group_names = attempt(lambda: operators.group_choices(db, user))
if listing is None or user_names is None or group_names is None:
    st.stop()
taken = set(listing["user_id"])

consult, include = st.tabs(["Consultar", "Incluir"])

with consult:
    table = st.dataframe(
        [
            {
                "Código": r["code"],
                "Login": r["username"],
                "Nome": r["name"],
                "Papel": ROLES.get(r["role"], r["role"]),
                "Grupo principal": r["main_group"],
                "Rotinas": routines_label(routines_of(r)),
                "Grupos adicionais": r["extra_groups"],
                "Ativo": r["active"],
            }
            for r in listing.iter_rows(named=True)
        ],
        key="operators_table",
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
    )
    index = selected_index(table)
    if index is not None:
        row = listing.row(index, named=True)
        st.subheader(f"{plain(row['code'])} – {plain(row['name'])}")
        version = editing_version("operator_editing", row["id"], row["version"])
        key = f"operator_edit_{row['id']}_{version}"
        changed = operator_form(key, user_names, group_names, taken, row)
        if changed is not None and succeeded(
            lambda: operators.update_operator(db, user, row["id"], version, changed),
            "Operador alterado.",
        ):
            st.rerun()
    else:
        st.caption(f"{listing.height} operador(es). Selecione um para alterá-lo.")

with include:
    new = operator_form(form_key("operator_new"), user_names, group_names, taken)
    if new is not None and succeeded(
        lambda: operators.create_operator(db, user, new),
        f"Operador {plain(new.code.strip().upper())} incluído.",
    ):
        reset_form("operator_new")
        st.rerun()
