"""The entity's "não ligar" preference, beside its card (Entidades)."""

from __future__ import annotations

import streamlit as st

from core import campaigns
from core.access import User
from core.db import Database
from ui.kit.feedback import attempt, succeeded


def do_not_call_toggle(db: Database, user: User, entity_id: int) -> None:
    current = attempt(lambda: campaigns.is_do_not_call(db, user, entity_id))
    if current is None:
        return
    wanted = st.toggle(
        "Não ligar em campanhas (pedido da pessoa)",
        value=current,
        key=f"dnc_{entity_id}",
        help="“Próximo contato” nunca a oferece; as listas por filtro a deixam de fora.",
    )
    if wanted != current and succeeded(
        lambda: campaigns.set_do_not_call(db, user, entity_id, wanted), "Preferência gravada."
    ):
        st.rerun()
