"""PIX copia-e-cola on the collection workspace: the code agreed on this call, with the copy
button and a QR code the debtor can scan from the collector's screen."""

from __future__ import annotations

import io

import segno
import streamlit as st

from core import pix
from core.access import User
from core.db import Database
from core.entities import EntityDetail
from core.telecobranca.attendance import CollectionAttendance
from ui.kit.contact import contact_links, greeting
from ui.kit.formats import money


def qr_png(payload: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(payload, error="m", micro=False).save(buffer, kind="png", scale=4, border=2)
    return buffer.getvalue()


def pix_codes(
    db: Database, user: User, attendance: CollectionAttendance, entity: EntityDetail | None
) -> None:
    """One entry per pending promise and renegotiation, newest first (open), with a WhatsApp
    link that sends the debtor the amount and the code."""
    if not attendance.pix_codes:
        return
    st.markdown("**PIX copia-e-cola**")
    for index, code in enumerate(attendance.pix_codes):
        label = f"{code['kind']} nº {code['id']} · {money(code['amount'])}"
        if code["payload"] is None:
            st.caption(f"{label} — sem código PIX. {pix.NO_KEY}")
            continue
        with st.expander(label, expanded=index == 0, icon=":material/qr_code_2:"):
            text, image = st.columns([3, 1])
            text.code(code["payload"], language=None, wrap_lines=True)
            text.caption(
                "Use o botão de copiar e envie ao cliente: ele cola o código no app do banco "
                "(Pix › Pix Copia e Cola) ou lê o QR code."
            )
            image.image(qr_png(code["payload"]), width=170)
            if entity is not None:
                message = (
                    f"{greeting(entity, user)} Segue o PIX de {money(code['amount'])} combinado "
                    f"({code['kind'].lower()} nº {code['id']}), copia e cola: {code['payload']}"
                )
                contact_links(db, user, entity, message, key=f"tlc_pix_contact_{code['id']}")
