"""Outbound campaigns in the workspace: "Próximo contato" while no call runs, and the attempt's
result (the disposition) while a campaign's call runs, which also ends the call."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import streamlit as st

from core import campaigns
from core.access import User
from core.campaigns import Contact
from core.db import Database, utc_now
from core.localtime import LOCAL_TZ
from ui.kit.feedback import attempt, flash, succeeded
from ui.kit.formats import DATE_FORMAT, plain
from ui.kit.forms import CHOOSE

NO_CONTACT = "Ninguém a ligar agora nas campanhas do seu grupo."


def next_contact_button(db: Database, user: User, group_id: int | None) -> None:
    """Shown only when the operator's group works a campaign today."""
    waiting = attempt(lambda: campaigns.waiting_contacts(db, user, group_id))
    if waiting is None:
        return
    button, note = st.columns([1, 3], vertical_alignment="center")
    clicked = button.button(
        "Próximo contato",
        type="primary",
        key="cmp_next_contact",
        icon=":material/contact_phone:",
        width="stretch",
    )
    note.caption(f"Campanhas do seu grupo: {waiting} contato(s) para ligar agora.")
    if not clicked:
        return
    found = attempt(lambda: campaigns.next_contact(db, user, group_id))
    if found is None:
        st.info(NO_CONTACT, icon="📭")
        return
    kind = "Retorno agendado" if found.callback else "Próximo contato"
    flash(f"{kind}: {plain(found.entity_name)} (campanha {plain(found.campaign_name)}).")
    st.rerun()


def disposition_panel(db: Database, user: User, contact: Contact) -> None:
    """The campaign call's result: pick the disposition (a callback needs its date and time),
    optionally mark the person not to be called again; recording it ends the call."""
    options = attempt(lambda: campaigns.dispositions(db, user)) or []
    by_code = {option.code: option for option in options}
    with st.container(key="cmp_disposition", border=True):
        st.markdown(
            f"**Campanha {plain(contact.campaign_name)}** · tentativa {contact.attempts + 1}"
            f" de {contact.max_attempts}" + (" · retorno agendado" if contact.callback else "")
        )
        code = st.selectbox(
            "Resultado do contato",
            list(by_code),
            index=None,
            key="cmp_code",
            format_func=lambda c: by_code[c].label,
            placeholder=CHOOSE,
        )
        callback = None
        if code is not None and by_code[code].outcome == "agendar":
            tomorrow = (utc_now().astimezone(LOCAL_TZ) + timedelta(days=1)).date()
            day_cell, hour_cell = st.columns(2)
            day = day_cell.date_input(
                "Retornar em", value=tomorrow, format=DATE_FORMAT, key="cmp_callback_day"
            )
            hour = hour_cell.time_input("às", value=time(10, 0), step=900, key="cmp_callback_time")
            callback = datetime.combine(day, hour, tzinfo=LOCAL_TZ)
        never = st.checkbox("Não ligar mais para esta pessoa (pedido dela)", key="cmp_never")
        if st.button(
            "Registrar resultado e encerrar",
            type="primary",
            key="cmp_record",
            disabled=code is None,
        ) and succeeded(
            lambda: campaigns.record_disposition(
                db, user, contact.entry_id, str(code), callback_at=callback, do_not_call=never
            ),
            "Resultado registrado; ligação encerrada.",
        ):
            for key in ("cmp_code", "cmp_never"):
                st.session_state.pop(key, None)
            st.rerun()
