"""Cadastros de atendimento (placeholder being built: catalogues admin)."""

import streamlit as st

from ui.guard import enter_page

user = enter_page(__file__)

st.title("Cadastros de atendimento")
