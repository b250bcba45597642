"""Strings Streamlit draws in English and offers no setting for: hidden or given their pt-BR
text by CSS on every page, the login included (README: "What Streamlit does not translate")."""

from __future__ import annotations

import streamlit as st

_STYLE = """<style>
/* "Press Enter to apply" / "Press Enter to submit form" under text fields (Enter still works). */
[data-testid="InputInstructions"] { display: none; }
/* The date field's locale is fixed to en-US: its empty year reads "yyyy". */
[data-testid="stDateInputField"] [data-type="year"][data-placeholder="true"] { font-size: 0; }
[data-testid="stDateInputField"] [data-type="year"][data-placeholder="true"]::after {
  content: "aaaa"; font-size: 1rem;
}
/* The keyboard users' skip link. */
[data-testid="stSkipToContent"] { font-size: 0; }
[data-testid="stSkipToContent"]::after { content: "Ir para o conteúdo"; font-size: 1rem; }
</style>"""


def pt_br() -> None:
    st.html(_STYLE)
