"""The first line of every page: log in, hold the page's action, or stop with a refusal; then
the page's title from the registry, so the sidebar and the heading never disagree."""

from __future__ import annotations

import streamlit as st

from core.access import User, require
from core.db import Database
from core.errors import Forbidden
from ui import registry, runtime, session
from ui.kit import feedback


def enter_page(file: str, *, heading: bool = True) -> tuple[User, Database]:
    """Return the user allowed on this page and the database; otherwise render the login or a
    refusal and stop. `heading=False` leaves the title to the page (Início greets by name).

    Each page calls this itself because Streamlit may serve pages/ files without app.py.
    The refusal is audited by the core's gate, exactly like a refused core call.
    """
    spec = registry.spec_for(file)
    user = session.current_user()
    if user is None:
        st.stop()
    try:
        require(runtime.database(), user, spec.action, subject=spec.title)
    except Forbidden as refusal:
        st.error(refusal.message, icon="🔒")
        st.stop()
    feedback.show_flash()  # the toast of the action that caused this rerun
    if heading:
        st.title(registry.title_for(spec, user))
    return user, runtime.database()
