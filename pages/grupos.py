"""Grupos de Atendimento [SU0]: direction, ideal call time, maximum discount, hierarchy."""

import streamlit as st

from core import operators
from core.operators import DIRECTIONS
from ui.admin.forms import group_form, routines_of
from ui.guard import enter_page
from ui.kit.feedback import attempt, succeeded
from ui.kit.formats import plain
from ui.kit.forms import clock_text, editing_version, form_key, percent, reset_form, selected_index

user, db = enter_page(__file__)

listing = attempt(lambda: operators.list_groups(db, user))
if listing is None:
    st.stop()
names = dict(zip(listing["id"], listing["name"], strict=True))

consult, include = st.tabs(["Consultar", "Incluir"])

with consult:
    table = st.dataframe(
        [
            {
                "Nome": r["name"],
                "Direção": DIRECTIONS.get(r["direction"], r["direction"]),
                "Rotinas": ", ".join(routine.label for routine in sorted(routines_of(r))),
                "Tempo ideal": clock_text(r["ideal_seconds"]),
                "Pós-atendimento máx.": clock_text(r["wrapup_seconds"]),
                "Desconto máx.": percent(r["max_discount_pct"]),
                "Grupo superior": r["parent_name"] or "",
                "Ativo": r["active"],
            }
            for r in listing.iter_rows(named=True)
        ],
        key="groups_table",
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        column_config={
            "Tempo ideal": st.column_config.TextColumn(help="mm:ss"),
            "Pós-atendimento máx.": st.column_config.TextColumn(help="mm:ss"),
        },
    )
    index = selected_index(table)
    if index is not None:
        row = listing.row(index, named=True)
        st.subheader(plain(row["name"]))
        version = editing_version("group_editing", row["id"], row["version"])
        changed = group_form(f"group_edit_{row['id']}_{version}", names, row)
        if changed is not None and succeeded(
            lambda: operators.update_group(db, user, row["id"], version, changed),
            "Grupo alterado.",
        ):
            st.rerun()
    else:
        st.caption(f"{listing.height} grupo(s). Selecione um para alterá-lo.")

with include:
    new = group_form(form_key("group_new"), names)
    if new is not None and succeeded(
        lambda: operators.create_group(db, user, new), f"Grupo {plain(new.name.strip())} incluído."
    ):
        reset_form("group_new")
        st.rerun()
