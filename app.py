"""Entry point: page config -> current user -> navigation built from the user's grants -> run."""

import streamlit as st

from ui import chrome, registry, session, sidebar

st.set_page_config(page_title="Call Center", page_icon="☎️", layout="wide")
chrome.pt_br()

user = session.current_user()
if user is None:
    # Logged out: the login form is already rendered. Navigating to nothing keeps Streamlit
    # from serving pages/ files on its own.
    st.navigation([st.Page(lambda: None, title="Entrar", url_path="entrar")], position="hidden")
    st.stop()

sidebar.render(user)
# expanded: every page listed (collapsed, Streamlit adds an English "View N more").
page = st.navigation(registry.navigation_for(user), expanded=True)
session.hand_to_page(user)
page.run()
