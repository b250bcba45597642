"""Titulares: the data subject's rights (Lei 13.709, art. 18) — export everything the product
holds about one person (JSON) and anonymise the person, irreversibly. Both need access 192 and
193: without them the page only shows "Dados protegidos – acesso restrito" (audited)."""

import streamlit as st

from core import entities
from ui.guard import enter_page
from ui.kit.entity_forms import entity_card
from ui.kit.feedback import attempt
from ui.lgpd.views import anonymize_action, export_button, full_access, subject_picker

user, db = enter_page(__file__, heading=False)

if not full_access(db, user):
    st.stop()

st.title("Titulares")  # after the 192+193 check: a refusal shows only itself
st.caption(
    "Direitos do titular (Lei 13.709, art. 18): exporte tudo o que o sistema guarda sobre uma "
    "pessoa ou anonimize-a. As duas ações ficam registradas na auditoria."
)
entity_id = subject_picker(db, user, "subject")
if entity_id is None:
    st.stop()

detail = attempt(lambda: entities.get_entity(db, user, entity_id))
if detail is None:
    st.stop()
entity_card(detail)
export, anonymize = st.columns(2)
with export:
    export_button(db, user, entity_id)
with anonymize:
    anonymize_action(db, user, detail)
