"""Início: who I am, what I may do here."""

import streamlit as st

from core.access import Action, allowed
from ui.guard import enter_page
from ui.kit.formats import plain
from ui.registry import PAGES, title_for

user, _ = enter_page(__file__, heading=False)

st.title(f"Olá, {plain(user.name.split()[0])}!")
if user.operator is not None:
    routines = ", ".join(r.label for r in sorted(user.routines)) or "nenhuma rotina"
    st.write(
        f"Operador **{plain(user.operator.code)}** · "
        f"grupo **{plain(user.operator.main_group_name)}** · rotinas: {routines}."
    )
elif user.is_admin:
    st.write("Você está conectado como **administrador**.")

accesses = []
accesses.append(
    "vê dados pessoais (acesso 192)" if user.personal_access else "dados pessoais mascarados"
)
accesses.append(
    "vê dados sensíveis (acesso 193)" if user.sensitive_access else "dados sensíveis mascarados"
)
st.caption("LGPD: " + " · ".join(accesses) + ".")

st.subheader("Acesso rápido")
shortcuts = [
    spec for spec in PAGES if spec.action is not Action.HOME and allowed(user, spec.action)
]
columns = st.columns(3)
for index, spec in enumerate(shortcuts):
    columns[index % 3].page_link(spec.path, label=title_for(spec, user), icon=spec.icon)
