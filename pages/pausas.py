"""Motivos de pausa: the catalogue an operator picks a pause from (café, almoço, treinamento…),
each with its maximum (the wallboard alerts past it) and whether it counts as productive time
(the shift report's adherence)."""

import streamlit as st

from core import operator_states
from core.operator_states import PauseReasonInput
from ui.guard import enter_page
from ui.kit.feedback import attempt, succeeded
from ui.kit.formats import plain
from ui.kit.forms import editing_version, form_key, reset_form, selected_index

user, db = enter_page(__file__)

reasons = attempt(lambda: operator_states.list_pause_reasons(db, user))
if reasons is None:
    st.stop()


def reason_form(key: str, row: dict | None = None) -> PauseReasonInput | None:
    row = row or {}
    with st.form(key):
        left, right = st.columns([2, 1])
        name = left.text_input("Motivo", value=row.get("name", ""), max_chars=40, key=f"{key}_n")
        minutes = right.number_input(
            "Tempo máximo (min)",
            min_value=1,
            max_value=480,
            step=1,
            value=int(row.get("max_seconds", 600)) // 60,
            key=f"{key}_max",
            help="Acima deste tempo o painel do supervisor alerta.",
        )
        productive = st.checkbox(
            "Conta como tempo produtivo (treinamento, feedback…)",
            value=bool(row.get("productive", False)),
            key=f"{key}_productive",
        )
        active = st.checkbox("Ativo", value=bool(row.get("active", True)), key=f"{key}_active")
        if not st.form_submit_button("Gravar", type="primary", key=f"{key}_submit"):
            return None
    return PauseReasonInput(name, int(minutes), productive, active)


consult, include = st.tabs(["Consultar", "Incluir"])

with consult:
    if not reasons:
        st.info("Nenhum motivo de pausa cadastrado: inclua o primeiro na aba Incluir.", icon="☕")
    table = st.dataframe(
        [
            {
                "Motivo": r["name"],
                "Máximo (min)": r["max_seconds"] // 60,
                "Produtiva": r["productive"],
                "Ativo": r["active"],
            }
            for r in reasons
        ],
        key="pause_reasons_table",
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
    )
    index = selected_index(table)
    if index is not None:
        row = reasons[index]
        st.subheader(plain(row["name"]))
        version = editing_version("pause_editing", row["id"], row["version"])
        changed = reason_form(f"pause_edit_{row['id']}_{version}", row)
        if changed is not None and succeeded(
            lambda: operator_states.update_pause_reason(db, user, row["id"], version, changed),
            "Motivo de pausa alterado.",
        ):
            st.rerun()
    elif reasons:
        st.caption(f"{len(reasons)} motivo(s). Selecione um para alterá-lo.")

with include:
    new = reason_form(form_key("pause_new"))
    if new is not None and succeeded(
        lambda: operator_states.create_pause_reason(db, user, new),
        f"Motivo {plain(' '.join(new.name.split()))} incluído.",
    ):
        reset_form("pause_new")
        st.rerun()
