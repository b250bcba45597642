"""One-click contact from the workspace: a phone shown in clear gets a tel: link and a WhatsApp
link (wa.me with a pt-BR message prefilled); opening one records the channel on the running
call. Masked phones (no access 192) get no link."""

from __future__ import annotations

import re
from urllib.parse import quote

import streamlit as st

from core import calls
from core.access import User
from core.db import Database
from core.entities import EntityDetail
from ui.kit.feedback import attempt


def phone_digits(value: object) -> str | None:
    """The national number (DDD + 8 or 9 digits) of a phone shown in clear, else None."""
    if not isinstance(value, str) or "*" in value:
        return None
    digits = re.sub(r"\D", "", value)
    return digits if len(digits) in (10, 11) else None


def whatsapp_url(digits: str, message: str) -> str:
    return f"https://wa.me/55{digits}?text={quote(message)}"


def greeting(detail: EntityDetail, user: User) -> str:
    first = str(detail.values.get("name") or "").split(" ")[0]
    return f"Olá, {first}! Aqui é {user.name.split(' ')[0]}, da central de atendimento."


def contact_links(
    db: Database, user: User, detail: EntityDetail, message: str, *, key: str
) -> None:
    """tel: for the landline and the mobile, WhatsApp for the mobile (or the phone when it is
    the only one); nothing when the numbers are masked or missing."""
    phone = phone_digits(detail.values.get("phone"))
    mobile = phone_digits(detail.values.get("mobile"))
    numbers = list(dict.fromkeys(number for number in (mobile, phone) if number))
    links = [
        (f"Ligar {number[:2]} {number[2:]}", f"tel:+55{number}", "telefone", number)
        for number in numbers
    ]
    if numbers:  # WhatsApp on the mobile, or on the only number there is
        links.append(("WhatsApp", whatsapp_url(numbers[0], message), "whatsapp", numbers[0]))
    for cell, (label, url, channel, number) in zip(st.columns(4), links, strict=False):
        cell.link_button(
            label,
            url,
            # The whole number: a landline and a mobile may end in the same four digits.
            key=f"{key}_{channel}_{number}",
            icon=":material/chat:" if channel == "whatsapp" else ":material/call:",
            on_click=_record,
            args=(db, user, channel),
        )


def _record(db: Database, user: User, channel: str) -> None:
    attempt(lambda: calls.record_channel(db, user, channel))
