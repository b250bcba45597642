"""Telecobrança (placeholder until its issue lands; the guard and the navigation already hold)."""

import streamlit as st

from ui.guard import enter_page

user = enter_page(__file__)

st.title("Telecobrança")
st.info("A cobrança (fila de devedores, negociação) chega com a rotina Telecobrança.", icon="🚧")
