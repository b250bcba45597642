"""Agenda (placeholder until its issue lands; the guard and the navigation already hold)."""

import streamlit as st

from ui.guard import enter_page

user = enter_page(__file__)

st.title("Agenda")
st.info(
    "A agenda do operador (retornos e próxima ligação) chega com a rotina Telemarketing.", icon="🚧"
)
