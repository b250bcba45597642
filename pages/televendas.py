"""Televendas (placeholder until its issue lands; the guard and the navigation already hold)."""

import streamlit as st

from ui.guard import enter_page

user = enter_page(__file__)

st.title("Televendas")
st.info("Orçamentos, pedidos e faturamento chegam com a rotina Televendas.", icon="🚧")
