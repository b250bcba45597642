"""The sidebar: who is logged in, the active group, the station heartbeat and "Sair"."""

from __future__ import annotations

import streamlit as st

from core.access import GROUP_DIRECTIONS, User
from ui import runtime, session
from ui.kit.formats import plain
from ui.kit.forms import CHOOSE

ACTIVE_GROUP = "cc_active_group"


_DIRECTION_HELP = (
    "Grupos receptivos atendem quem liga: busque o chamador em Chamadas. Grupos ativos ligam: "
    "Próximo devedor na Telecobrança, a Agenda e as listas de atendimentos. As ligações são "
    "contadas como receptivas ou ativas no painel e nos relatórios."
)


def render(user: User) -> None:
    with st.sidebar:
        st.markdown(f"**{plain(user.name)}**")
        operator = user.operator
        if operator is not None:
            role = "Supervisor" if operator.is_supervisor else "Operador"
            st.caption(f"{role} · código {plain(operator.code)}")
            groups = dict(operator.groups)
            if len(groups) > 1:
                st.selectbox(
                    "Grupo ativo",
                    options=list(groups),
                    format_func=groups.__getitem__,
                    key=ACTIVE_GROUP,
                    placeholder=CHOOSE,
                )
            else:
                st.caption(f"Grupo: {plain(operator.main_group_name)}")
            direction = operator.direction_of(active_group_id(user) or operator.main_group_id)
            st.caption(GROUP_DIRECTIONS.get(direction, direction), help=_DIRECTION_HELP)
        elif user.is_admin:
            st.caption("Administrador")
        st.button("Sair", key="sidebar_logout", on_click=session.request_logout, width="stretch")
        if operator is not None:
            _station_heartbeat(user)


def active_group_id(user: User) -> int | None:
    """The group the operator works in now (main group unless switched in the sidebar)."""
    if user.operator is None:
        return None
    chosen = st.session_state.get(ACTIVE_GROUP)
    return chosen if chosen in user.operator.group_ids else user.operator.main_group_id


@st.fragment(run_every=runtime.HEARTBEAT_SECONDS)
def _station_heartbeat(user: User) -> None:
    session.heartbeat(user)
