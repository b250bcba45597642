"""Agenda: the operator's open follow-ups, "Próxima ligação", late returns flagged; open one in
the workspace, reschedule it or mark it done."""

import streamlit as st

from core import agenda
from ui.guard import enter_page
from ui.kit.agenda_view import TABLE_COLUMNS, TABLE_ORDER, entry_actions, headline, table_frame
from ui.kit.feedback import attempt
from ui.kit.forms import selected_index, signature

user, db = enter_page(__file__)

frame = attempt(lambda: agenda.agenda_frame(db, user))
entries = attempt(lambda: {entry.id: entry for entry in agenda.open_items(db, user)})
if frame is None or entries is None:
    st.stop()

headline(attempt(lambda: agenda.next_call(db, user)), frame, db.clock())
if frame.is_empty():
    st.info("Nenhum compromisso em aberto.", icon="📅")
    st.stop()

# Keyed by the agenda's state: after a change the rows shift, so the old selection is dropped.
table = st.dataframe(
    table_frame(frame),
    key=f"agenda_table_{signature(sorted((e.id, e.version) for e in entries.values()))}",
    hide_index=True,
    on_select="rerun",
    selection_mode="single-row",
    column_order=TABLE_ORDER,
    column_config=TABLE_COLUMNS,
)
st.caption("Horários de Brasília. Selecione um compromisso para abrir, reagendar ou concluir.")

index = selected_index(table)
if index is not None:
    entry = entries.get(int(frame["id"][index]))
    if entry is None:
        st.info("Este compromisso não está mais em aberto. A lista foi atualizada.", icon="🔎")
    else:
        with st.container(border=True, key="agenda_selected"):
            entry_actions(db, user, entry)
