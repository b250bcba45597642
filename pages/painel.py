"""Painel ao vivo (placeholder until its issue lands; the guard and the navigation already hold)."""

import streamlit as st

from ui.guard import enter_page

user = enter_page(__file__)

st.title("Painel ao vivo")
st.info("O painel ao vivo da supervisão chega depois das rotinas.", icon="🚧")
