"""Chamadas (placeholder until its issue lands; the guard and the navigation already hold)."""

import streamlit as st

from ui.guard import enter_page

user = enter_page(__file__)

st.title("Incluir" if len(user.routines) == 1 else "Chamadas")
st.info(
    "O atendimento (abas por rotina, cronômetro e rodapé) chega com a rotina Telemarketing.",
    icon="🚧",
)
