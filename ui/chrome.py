"""What Streamlit draws on every page that the product adjusts by CSS, the login included:
English strings it offers no setting for, hidden or given their pt-BR text (README: "What
Streamlit does not translate"), and paddings that cost a laptop screen its work area."""

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
/* Room for work on a 1366x768 laptop: Streamlit's default 6rem above every page and the
   padding around the footer bar. */
[data-testid="stMainBlockContainer"] { padding-top: 2rem; }
[data-testid="stMainBlockContainer"] h1 { font-size: 2.1rem; padding: 0.25rem 0 0.5rem; }
[data-testid="stBottomBlockContainer"] { padding-top: 0.25rem; padding-bottom: 0.5rem; }
/* The keyboard users' skip link. */
[data-testid="stSkipToContent"] { font-size: 0; }
[data-testid="stSkipToContent"]::after { content: "Ir para o conteúdo"; font-size: 1rem; }
</style>"""


def pt_br() -> None:
    st.html(_STYLE)
