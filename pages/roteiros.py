"""Roteiros: the call scripts campaigns follow. Each question has an answer type, options for a
choice, branches (an answer leads to a later question) and the next question otherwise; every
save is a new version (calls keep the version they followed)."""

import polars as pl
import streamlit as st

from core import scripts
from core.scripts import TYPES, QuestionInput
from ui.guard import enter_page
from ui.kit.feedback import attempt, succeeded
from ui.kit.forms import CHOOSE

user, db = enter_page(__file__)
NEW = 0
SCHEMA = {
    "Nº": pl.Int64,
    "Pergunta": pl.String,
    "Tipo": pl.String,
    "Opções": pl.String,
    "Desvios": pl.String,
    "Próxima": pl.Int64,
    "Dado pessoal": pl.Boolean,
}

listing = attempt(lambda: scripts.list_scripts(db, user))
if listing is None:
    st.stop()
names = {row["id"]: f"{row['name']} (versão {row['versions']})" for row in listing}
chosen = st.selectbox(
    "Roteiro",
    [NEW, *names],
    key="script_pick",
    placeholder=CHOOSE,
    format_func=lambda s: "➕ Novo roteiro" if s == NEW else names[s],
)
current = attempt(lambda: scripts.latest_questions(db, user, chosen)) if chosen else []
name = next((row["name"] for row in listing if row["id"] == chosen), "")
labels = {value: key for key, value in TYPES.items()}
rows = [
    {
        "Nº": q.position,
        "Pergunta": q.text,
        "Tipo": TYPES[q.answer_type],
        "Opções": "; ".join(q.choices),
        "Desvios": "; ".join(f"{answer}={target}" for answer, target in q.branches.items()),
        "Próxima": q.next_position,
        "Dado pessoal": q.personal,
    }
    for q in current or []
] or [
    {
        "Nº": 1,
        "Pergunta": "",
        "Tipo": "Texto",
        "Opções": "",
        "Desvios": "",
        "Próxima": None,
        "Dado pessoal": False,
    }
]
st.caption(
    "Uma linha por pergunta. Escolha: opções separadas por ponto e vírgula. Desvios: "
    "“resposta=nº” separados por ponto e vírgula (sim/não numa pergunta Sim/Não), só para "
    "perguntas adiante. Próxima: a pergunta seguinte sem desvio (vazia: o roteiro termina)."
)
with st.form(f"script_form_{chosen}"):
    title = st.text_input("Nome do roteiro", value=name, key=f"script_name_{chosen}")
    edited = st.data_editor(
        pl.DataFrame(rows),
        key=f"script_editor_{chosen}",
        num_rows="dynamic",
        hide_index=True,
        column_config={
            "Nº": st.column_config.NumberColumn(min_value=1, max_value=99, step=1, required=True),
            "Pergunta": st.column_config.TextColumn(width="large", max_chars=300),
            "Tipo": st.column_config.SelectboxColumn(options=list(TYPES.values()), required=True),
            "Próxima": st.column_config.NumberColumn(min_value=1, max_value=99, step=1),
            "Dado pessoal": st.column_config.CheckboxColumn(
                help="A resposta é mascarada para quem não tem o acesso 192."
            ),
        },
        width="stretch",
    )
    saved = st.form_submit_button("Gravar nova versão", type="primary", key="script_submit")
if saved:
    questions = [
        QuestionInput(
            int(row["Nº"] or 0),
            str(row["Pergunta"] or ""),
            labels.get(row["Tipo"], ""),
            str(row["Opções"] or ""),
            str(row["Desvios"] or ""),
            int(row["Próxima"]) if row["Próxima"] is not None else None,
            bool(row["Dado pessoal"]),
        )
        for row in pl.DataFrame(edited).iter_rows(named=True)
        if row["Nº"] is not None or row["Pergunta"]
    ]
    if succeeded(
        lambda: scripts.save_script(db, user, chosen or None, title, questions),
        "Nova versão do roteiro gravada.",
    ):
        st.rerun()
