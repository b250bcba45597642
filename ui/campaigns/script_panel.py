"""The call script beside a campaign's call: what was answered on the path so far and the
question to ask now, with the widget its answer type needs."""

from __future__ import annotations

import streamlit as st

from core import scripts
from core.access import User
from core.db import Database
from core.scripts import Question
from ui.kit.feedback import attempt, succeeded
from ui.kit.formats import plain


def script_panel(db: Database, user: User) -> None:
    run = attempt(lambda: scripts.current_run(db, user))
    if run is None:
        return
    with st.container(key="cmp_script", border=True):
        st.markdown(f"**Roteiro: {plain(run.script_name)}** · versão {run.version_number}")
        for question, answer in run.answered:
            st.caption(f"{question.position}. {plain(question.text)} → **{plain(answer)}**")
        if run.current is None:
            st.success("Roteiro concluído.", icon="✅")
            return
        value = _ask(run.current)
        if st.button("Responder", key="cmp_script_answer", disabled=value in (None, "")):
            position = run.current.position
            if succeeded(lambda: scripts.answer(db, user, position, str(value))):
                st.rerun()


def _ask(question: Question) -> str | None:
    label = f"{question.position}. {question.text}"
    key = f"cmp_script_value_{question.position}"
    if question.answer_type in ("sim_nao", "escolha"):
        labels = {"sim": "Sim", "não": "Não"} if question.answer_type == "sim_nao" else {}
        return st.radio(
            label,
            question.options,
            index=None,
            key=key,
            horizontal=True,
            format_func=lambda option: labels.get(option, option),
        )
    help_text = "Número, ex.: 12 ou 1.250,50" if question.answer_type == "numero" else None
    return st.text_input(label, key=key, help=help_text, max_chars=scripts.MAX_ANSWER)
