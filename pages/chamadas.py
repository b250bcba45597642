"""Chamadas / Incluir: the attendance workspace — pick the caller, work the call per routine.

An operator with several routines gets one tab per routine ("Chamadas"); with a single routine,
only that one ("Incluir"), as in the seed. Selecting the caller starts the call and its timer;
a collector may instead ask for the "Próximo devedor", which starts the call itself.
"""

import streamlit as st

from core import calls, campaigns, entities
from core.access import Routine
from core.telemarketing import maintenance as tmk_maintenance
from ui import sidebar
from ui.campaigns import workspace as campaign_workspace
from ui.campaigns.script_panel import script_panel
from ui.guard import enter_page
from ui.kit.contact import contact_links, greeting
from ui.kit.entity_forms import caller_card
from ui.kit.feedback import attempt, succeeded
from ui.kit.workspace import (
    OPEN_ATTENDANCE,
    call_actions,
    first_routine,
    footer,
    new_caller,
    state_bar,
)
from ui.telecobranca import tab as telecobranca_tab
from ui.telemarketing import tab as telemarketing_tab
from ui.televendas import tab as televendas_tab

user, db = enter_page(__file__)
routines = [routine for routine in Routine if routine in user.routines]
group_id = sidebar.active_group_id(user)

call = calls.current_call(db, user)
attendance = None
order = None
collection = None
state = None

if call is None:
    state = state_bar(db, user)
    campaign_workspace.next_contact_button(db, user, group_id)
    if Routine.TELECOBRANCA in routines:
        telecobranca_tab.next_debtor_button(db, user, group_id)
    with st.container(key="entity_search"):
        text = st.text_input(
            "Quem está na linha? Busque por nome, CPF/CNPJ ou telefone", key="ws_search_text"
        )
    found = (
        attempt(lambda: entities.search_entities(db, user, text, page_size=10)) if text else None
    )
    if found is not None and found.total == 0:
        st.info("Ninguém encontrado com essa busca: cadastre quem está na linha.", icon="🔎")
        new_caller(db, user, text, group_id)
    elif found is not None:
        st.caption("Selecione a linha do cliente para iniciar a ligação (o cronômetro dispara).")
        table = st.dataframe(
            found.rows,
            key="ws_results",
            hide_index=True,
            on_select="rerun",
            selection_mode="single-row",
            column_order=["id", "kind", "name", "document", "phone", "mobile", "city", "state"],
            column_config={"id": "Código", "kind": "Tipo", "name": "Nome",
                           "document": "CPF/CNPJ", "phone": "Telefone", "mobile": "Celular",
                           "city": "Cidade", "state": "UF"},
        )  # fmt: skip
        if table.selection.rows:
            entity_id = int(found.rows["id"][table.selection.rows[0]])
            st.session_state.pop(OPEN_ATTENDANCE, None)
            telecobranca_tab.forget()
            if succeeded(
                lambda: calls.start_call(db, user, first_routine(user), entity_id, group_id)
            ):
                st.rerun()
else:
    contact = attempt(lambda: campaigns.current_contact(db, user))
    if contact is not None:
        script_panel(db, user)
        campaign_workspace.disposition_panel(db, user, contact)
    entity = attempt(lambda: entities.get_entity(db, user, call.entity_id))
    if entity is None:
        call_actions(db, user, *st.columns([1, 1, 3])[:2])
    else:
        caller_card(entity, lambda end, clear: call_actions(db, user, end, clear))
        contact_links(db, user, entity, greeting(entity, user), key="ws_contact")
        if Routine.TELEMARKETING in routines:
            history = tmk_maintenance.entity_history(db, user, call.entity_id)
            if history.height:
                with st.expander(f"Últimos atendimentos ({history.height})"):
                    st.dataframe(
                        history.select("id", "started_at", "status_label", "operator_code"),
                        hide_index=True,
                        column_config={"id": "Nº", "started_at": "Início",
                                       "status_label": "Status", "operator_code": "Operador"},
                    )  # fmt: skip
    attendance = telemarketing_tab.loaded_attendance(db, user)
    if Routine.TELEVENDAS in routines:
        order = televendas_tab.loaded_order(db, user, call)
    if Routine.TELECOBRANCA in routines:
        collection = telecobranca_tab.loaded_attendance(db, user, call)
    # A call started for a collection ("Próximo devedor", a promise on the agenda) opens there.
    # Only the open tab is drawn (the three together were ~180 elements per run); the tab
    # chosen is kept per call.
    # A single routine ("Incluir") needs no tab row: the page is that routine's.
    first_tab = Routine.TELECOBRANCA.label if call.routine is Routine.TELECOBRANCA else None
    tabs = [st.container()] if len(routines) == 1 else st.tabs(
        [routine.label for routine in routines], default=first_tab, key=f"ws_tabs_{call.id}",
        on_change="rerun",
    )  # fmt: skip
    for routine, tab in zip(routines, tabs, strict=True):
        if not getattr(tab, "open", True):
            continue
        with tab, st.container(key=f"tab_{routine.value}"):
            if routine is Routine.TELEMARKETING:
                telemarketing_tab.render(db, user, call, entity, attendance, group_id)
            elif routine is Routine.TELEVENDAS:
                televendas_tab.render(db, user, call, entity, group_id, order)
            else:
                telecobranca_tab.render(db, user, call, entity, group_id, collection)

idle = state.label if state else "Livre"
status = attendance.status_label if attendance else ("Em ligação" if call else idle)
if order is not None and attendance is None:
    status = order.status_label
collecting = call is not None and call.routine is Routine.TELECOBRANCA
if collection is not None and (collecting or (attendance is None and order is None)):
    status = collection.status_label
footer(user, call, status=status, operation=order.operation_label if order else "", state=state)
