"""Estações: which station holds each operator; release one that is stuck."""

from datetime import UTC, datetime, timedelta

import streamlit as st

from core import auth
from ui import runtime
from ui.guard import enter_page
from ui.kit.feedback import attempt
from ui.kit.formats import local_datetime, plain
from ui.kit.forms import confirm_button, confirmation, selected_index

user, db = enter_page(__file__)

st.caption(
    "Cada operador usa uma estação por vez. Se a estação travou ou foi fechada sem sair, "
    "libere-a aqui para o operador entrar em outra máquina imediatamente."
)
leases = attempt(lambda: auth.station_leases(db, user))
if leases is None:
    st.stop()
if not leases:
    st.info("Nenhuma estação conectada.")
    st.stop()

# A station silent for longer than the lease no longer holds its operator (core.auth).
silent_since = datetime.now(UTC) - timedelta(seconds=runtime.settings().station_lease_seconds)
table = st.dataframe(
    [
        {
            "Usuário": lease["username"],
            "Nome": lease["name"],
            "Desde": local_datetime(lease["claimed_at"]),
            "Último sinal": local_datetime(lease["heartbeat_at"]),
            "Situação": "Conectada" if lease["heartbeat_at"] >= silent_since else "Sem sinal",
        }
        for lease in leases
    ],
    key="stations_table",
    hide_index=True,
    on_select="rerun",
    selection_mode="single-row",
)

index = selected_index(table)
if index is None:
    st.caption(f"{len(leases)} estação(ões). Selecione uma para liberá-la.")
    st.stop()

lease = leases[index]
user_id, username = lease["user_id"], lease["username"]
confirm_button("station_release", user_id, "Liberar estação", icon=":material/link_off:")
confirmation(
    "station_release",
    user_id,
    "Liberar estação",
    f"Liberar a estação de **{plain(lease['name'])}** ({plain(username)})? O operador poderá "
    "entrar em outra máquina imediatamente; a estação antiga, se ainda aberta, fica bloqueada.",
    "Liberar",
    lambda: auth.release_station(db, user, user_id),
    f"Estação de {plain(username)} liberada.",
)
