"""Atendimentos: every attendance of the three routines on one list, for an operator who works
all of them and for supervisors — filters by routine, status, period and entity, pages of 50,
each routine's legend colours, CSV/XLSX export, open the chosen one in its routine's tab."""

import streamlit as st

from ui.guard import enter_page
from ui.kit.formats import local_datetime, plain
from ui.kit.paged_table import maintenance_list
from ui.supervision.attendances import LIST_VIEW, filter_bar, open_action

user, db = enter_page(__file__)

st.caption(
    "Os atendimentos de Telemarketing, Televendas e Telecobrança que você pode ver (os dos seus "
    "grupos; supervisores veem todos). Selecione uma linha para abri-lo na rotina dele."
)
selected = maintenance_list(LIST_VIEW, db, user, filter_bar())
if selected is not None:
    with st.container(border=True, key="all_selected"):
        st.markdown(
            f"**{selected['routine_label']} nº {selected['id']}** · {selected['status_label']} · "
            f"{plain(selected['entity_name'])} · início {local_datetime(selected['started_at'])}"
        )
        open_action(user, selected)
