"""Cadastros de atendimento: the catalogues the attendance forms pick from — occurrences,
actions, closing and cancellation reasons, media and campaigns (admin)."""

import streamlit as st

from core import catalogues
from core.catalogues import CATALOGUES
from ui.admin.catalogue_forms import INACTIVE, entries_table, entry_form
from ui.guard import enter_page
from ui.kit.feedback import attempt, succeeded
from ui.kit.formats import plain
from ui.kit.forms import CHOOSE, editing_version, form_key, reset_form, selected_index

user, db = enter_page(__file__)

kind = st.selectbox(
    "Cadastro", list(CATALOGUES), format_func=lambda key: CATALOGUES[key].title,
    key="catalogue_kind", placeholder=CHOOSE,
)  # fmt: skip
catalogue = CATALOGUES[kind]
entries = attempt(lambda: catalogues.list_entries(db, user, kind))
if entries is None:
    st.stop()

consult, include = st.tabs(["Consultar", "Incluir"])

with consult:
    if entries.is_empty():
        st.info(f"Nenhum item cadastrado em {catalogue.title}. Use a aba Incluir.")
    else:
        shown, columns = entries_table(entries, catalogue)
        table = st.dataframe(
            shown,
            key=f"catalogue_table_{kind}",
            hide_index=True,
            on_select="rerun",
            selection_mode="single-row",
            column_config=columns,
        )
        inactive = int((~entries["active"]).sum())
        st.caption(
            f"{entries.height} item(ns)"
            + (f" · {inactive} {INACTIVE.lower()}(s), em cinza" if inactive else "")
            + ". Selecione um para alterar."
        )
        index = selected_index(table)
        if index is not None:
            row = entries.row(index, named=True)
            entry_id = row["id"]
            st.subheader(f"{plain(row['code'])} – {plain(row['description'])}")
            version = editing_version("catalogue_editing", (kind, entry_id), row["version"])
            changed = entry_form(f"catalogue_edit_{kind}_{entry_id}_{version}", catalogue, row)
            if changed is not None and succeeded(
                lambda: catalogues.update_entry(db, user, kind, entry_id, version, changed),
                f"Item {plain(changed.code.strip().upper())} alterado.",
            ):
                st.rerun()

with include:
    name = f"catalogue_new_{kind}"
    new = entry_form(form_key(name), catalogue)
    if new is not None and succeeded(
        lambda: catalogues.create_entry(db, user, kind, new),
        f"Item {plain(new.code.strip().upper())} incluído em {catalogue.title}.",
    ):
        reset_form(name)
        st.rerun()
