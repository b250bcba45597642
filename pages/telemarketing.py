"""Telemarketing (placeholder until its issue lands; the guard and the navigation already hold)."""

import streamlit as st

from ui.guard import enter_page

user = enter_page(__file__)

st.title("Telemarketing")
st.info("A manutenção de atendimentos de Telemarketing chega na próxima entrega.", icon="🚧")
