"""Form helpers every screen uses: the selected row, form keys that start over, the version a
record was opened at, confirmation before destructive actions, and the filters' signature."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import streamlit as st

from core.money import typed_text
from ui.kit.feedback import EDITING, succeeded

CHOOSE = "Escolha…"  # a multiselect's placeholder (Streamlit's default is English)
PERCENT_HELP = "Percentual com vírgula decimal, ex.: 12,5 (de 0 a 100)."


def signature(*parts: object) -> str:
    """A short stable tag of the filters: widgets keyed by it start over when they change
    (page 1, no selected row)."""
    return hashlib.sha1(repr(parts).encode()).hexdigest()[:10]


def selected_index(event: Any) -> int | None:
    """The row picked in a single-row `st.dataframe(on_select="rerun")`, if any."""
    rows = event.selection.rows
    return rows[0] if rows else None


def editing_version(slot: str, record_id: object, current: int) -> int:
    """The record's version when this person began editing it (kept across reruns).

    Saving with it makes a change someone else saved meanwhile a Conflict with its message,
    instead of a form that silently refreshes under the person's typing. Picking another
    record, any successful action of this person, or "Recarregar dados" starts over from the
    current version.
    """
    editing = st.session_state.setdefault(EDITING, {})
    seen = editing.get(slot)
    if seen is None or seen[0] != record_id:
        seen = editing[slot] = (record_id, current)
    if seen[1] != current:
        st.warning(
            "Outro usuário alterou este registro depois que você começou a editá-lo.", icon="⚠️"
        )
        st.button("Recarregar dados", key=f"{slot}_reload", on_click=_reload, args=(slot,))
    return seen[1]


def _reload(slot: str) -> None:
    st.session_state.get(EDITING, {}).pop(slot, None)


def form_key(name: str) -> str:
    """A form key that changes after `reset_form`, so the next form starts blank."""
    return f"{name}_{st.session_state.get(f'{name}_nonce', 0)}"


def reset_form(name: str) -> None:
    st.session_state[f"{name}_nonce"] = st.session_state.get(f"{name}_nonce", 0) + 1


def confirm_button(slot: str, record_id: object, label: str, **button: Any) -> None:
    """A button that opens the confirmation dialog of `slot` for this record."""
    st.button(label, key=f"{slot}_ask_{record_id}", on_click=_ask, args=(slot, record_id), **button)


def confirmation(
    slot: str,
    record_id: object,
    title: str,
    message: str,
    confirm_label: str,
    action: Callable[[], object],
    success: str,
) -> None:
    """Render the pending confirmation dialog of `slot` when it was asked for this record.

    The request is kept in session state (not in the button's one-run value), so the dialog
    survives reruns until the user confirms, cancels or closes it.
    """
    pending = st.session_state.get(slot)
    if pending is None:
        return
    if pending != record_id:  # asked for a row that is no longer selected
        _forget(slot)
        return

    @st.dialog(title, on_dismiss=lambda: _forget(slot))
    def dialog() -> None:
        st.markdown(message)
        left, right = st.columns(2)
        confirmed = left.button(
            confirm_label, type="primary", key=f"{slot}_confirm", width="stretch"
        )
        if confirmed and succeeded(action, success):
            _forget(slot)
            st.rerun()
        if right.button("Cancelar", key=f"{slot}_cancel", width="stretch"):
            _forget(slot)
            st.rerun()

    dialog()


def _ask(slot: str, record_id: object) -> None:
    st.session_state[slot] = record_id


def _forget(slot: str) -> None:
    st.session_state.pop(slot, None)


def clock_text(seconds: int | None) -> str:
    """A duration as mm:ss (minutes may pass 59: 65:00)."""
    if seconds is None:
        return ""
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def percent_input(
    container: Any, label: str, value: object, key: str, *, disabled: bool = False
) -> str:
    """A percentage as a person in Brazil types it (12,5), kept as text for the core to read
    and check: Streamlit's number field would show and take 12.50."""
    shown = typed_text(Decimal(str(value or 0)), 2, trim=True)
    return str(container.text_input(label, shown, key=key, disabled=disabled, help=PERCENT_HELP))


def percent(value: object) -> str:
    """10.5 -> '10,50%' (pt-BR decimal comma)."""
    if value is None:
        return ""
    return f"{float(str(value)):.2f}%".replace(".", ",")


@dataclass(frozen=True)
class RecordDialog:
    """A button that opens a dialog about one record; which record is kept across reruns in
    `slot`, so the dialog survives the reruns its own widgets cause."""

    slot: str

    def ask(self, label: str, record_id: object, *, key: str, icon: str) -> bool:
        """Draw the asking button; True while the dialog for `record_id` is open."""
        st.button(label, key=key, icon=icon, on_click=self.open, args=(record_id,))
        asked = st.session_state.get(self.slot)
        if asked is None:
            return False
        if asked != record_id:  # asked for a record that is no longer selected
            self.close()
            return False
        return True

    def open(self, record_id: object) -> None:
        st.session_state[self.slot] = record_id

    def close(self) -> None:
        st.session_state.pop(self.slot, None)

    def buttons(self, confirm: tuple[str, str], back: tuple[str, str]) -> bool:
        """The dialog's confirm and back buttons side by side, each a (label, key); back
        closes the dialog. True when confirm was pressed."""
        left, right = st.columns(2)
        confirmed = left.button(confirm[0], type="primary", key=confirm[1], width="stretch")
        if right.button(back[0], key=back[1], width="stretch"):
            self.close()
            st.rerun()
        return confirmed
