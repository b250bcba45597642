"""Turn domain errors into pt-BR messages on screen. Anything else propagates (and is logged)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from ui.kit.formats import without_links

T = TypeVar("T")


def show_error(error: DomainError) -> None:
    message = without_links(error.message)  # messages may quote what a person typed
    if isinstance(error, Conflict):
        st.warning(message, icon="⚠️")
    elif isinstance(error, Forbidden):
        st.error(message, icon="🔒")
    elif isinstance(error, NotFound):
        st.info(message, icon="🔎")
    else:
        st.error(message, icon="❌")


def attempt(action: Callable[[], T], success: str | None = None) -> T | None:
    """Run a core call; show its DomainError in pt-BR and return None instead of raising."""
    try:
        result = action()
    except DomainError as error:
        show_error(error)
        return None
    if success:
        st.toast(success, icon="✅")
    return result


def field_problems(error: Invalid) -> str:
    return "\n".join(f"- {message}" for message in error.problems.values())


_FLASH = "cc_flash"
EDITING = "cc_editing"  # slot -> (record id, version the person began editing): see admin_forms


def succeeded(action: Callable[[], object], success: str | None = None) -> bool:
    """Run a core call that is followed by a rerun. On a DomainError show it and return False;
    on success queue `success` as a toast for the next run and return True."""
    try:
        action()
    except DomainError as error:
        show_error(error)
        return False
    if success:
        flash(success)
    st.session_state.pop(EDITING, None)  # own changes are not someone else's
    return True


def flash(message: str) -> None:
    """Queue a toast for the next run (a toast sent right before st.rerun may be lost)."""
    st.session_state[_FLASH] = message


def show_flash() -> None:
    """Show the toast queued by the action that caused this rerun (app.py calls it)."""
    message = st.session_state.pop(_FLASH, None)
    if message:
        st.toast(message, icon="✅")


def line_problems(problems: list[tuple[int, str]], key: str) -> None:
    """An import refused as a whole: how many problems, and each with its line."""
    st.error(
        f"Nada foi gravado: {len(problems)} problema(s) no arquivo. Corrija as linhas abaixo e "
        "importe o arquivo de novo.",
        icon="❌",
    )
    st.dataframe(
        [{"Linha": line, "Problema": message} for line, message in problems],
        key=key,
        hide_index=True,
        column_config={
            "Linha": st.column_config.NumberColumn(format="%d", width="small"),
            "Problema": st.column_config.TextColumn(width="large"),
        },
    )
