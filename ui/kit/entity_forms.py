"""Entity and contact forms and the entity card, shared by the Entidades page and the
attendance workspace (the caller's card, a new caller registered in place)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import streamlit as st

from core import entities
from core.access import RESTRICTED, User
from core.db import Database
from core.entities import KINDS, PERSON_TYPES, ContactInput, EntityDetail, EntityInput
from ui.kit.feedback import attempt, succeeded
from ui.kit.formats import local_date, local_datetime, plain
from ui.kit.forms import CHOOSE

_LABELS = {
    "document": "CPF/CNPJ",
    "phone": "Telefone",
    "mobile": "Celular",
    "email": "E-mail",
    "street": "Endereço",
    "street_number": "Número",
    "district": "Bairro",
    "city": "Cidade",
    "state": "UF",
    "zip_code": "CEP",
    "birth_date": "Nascimento",
    "sensitive_note": "Anotação sensível",
}


def entity_form(key: str, detail: EntityDetail | None = None) -> EntityInput | None:
    """The include/alter form. Fields hidden from the user are shown masked and read-only:
    the core keeps their stored values."""
    values: dict[str, Any] = detail.values if detail else {}
    hidden = detail.hidden if detail else frozenset()

    def text(column: str, label: str, container: Any = st) -> str | None:
        if column in hidden:
            container.text_input(label, value=values.get(column) or "", disabled=True,
                                 key=f"{key}_{column}", help=RESTRICTED)  # fmt: skip
            return None
        return container.text_input(label, value=values.get(column) or "", key=f"{key}_{column}")

    with st.form(key, clear_on_submit=detail is None):
        left, right = st.columns(2)
        kind = left.selectbox("Tipo", list(KINDS), format_func=KINDS.__getitem__,
                              index=list(KINDS).index(values.get("kind", "cliente")),
                              key=f"{key}_kind", placeholder=CHOOSE)  # fmt: skip
        person_type = right.selectbox(
            "Pessoa", list(PERSON_TYPES), format_func=PERSON_TYPES.__getitem__,
            index=list(PERSON_TYPES).index(values.get("person_type", "F")),
            key=f"{key}_person_type", placeholder=CHOOSE,
        )  # fmt: skip
        name = st.text_input("Nome / razão social", value=values.get("name", ""), key=f"{key}_name")
        trade_name = st.text_input(
            "Nome fantasia", value=values.get("trade_name", ""), key=f"{key}_trade_name"
        )
        a, b, c = st.columns(3)
        document = text("document", "CPF/CNPJ", a)
        phone = text("phone", "Telefone", b)
        mobile = text("mobile", "Celular", c)
        email = text("email", "E-mail")
        a, b, c = st.columns([3, 1, 2])
        street = text("street", "Endereço", a)
        number = text("street_number", "Número", b)
        district = text("district", "Bairro", c)
        a, b, c = st.columns([3, 1, 2])
        city = a.text_input("Cidade", value=values.get("city") or "", key=f"{key}_city")
        state = b.text_input("UF", value=values.get("state") or "", max_chars=2, key=f"{key}_uf")
        zip_code = text("zip_code", "CEP", c)
        birth: date | None = None
        if "birth_date" in hidden:
            st.text_input("Nascimento", value="*****", disabled=True, key=f"{key}_birth")
        else:
            birth = st.date_input("Nascimento (pessoa física)", value=values.get("birth_date"),
                                  min_value=date(1900, 1, 1), format="DD/MM/YYYY",
                                  key=f"{key}_birth")  # fmt: skip
        note = (
            None
            if "sensitive_note" in hidden
            else st.text_area("Anotação sensível (saúde, sindicato…)",
                              value=values.get("sensitive_note") or "", key=f"{key}_note")
        )  # fmt: skip
        if not st.form_submit_button("Gravar", type="primary"):
            return None
    return EntityInput(
        kind=kind, person_type=person_type, name=name, trade_name=trade_name, document=document,
        phone=phone, mobile=mobile, email=email, street=street, street_number=number,
        district=district, city=city, state=state, zip_code=zip_code, birth_date=birth,
        sensitive_note=note,
    )  # fmt: skip


def caller_form(
    key: str, searched: str, confirm_same_phone: bool
) -> tuple[EntityInput, bool] | None:
    """A caller the search did not find, in the few fields a call allows: a prospect by default
    (a customer needs a CPF/CNPJ). What was searched fills the phone or the name. Returns the
    input and whether the operator confirmed a phone already on file is another person's."""
    number = "".join(ch for ch in searched if ch.isdigit())
    by_phone = len(number) >= 8
    with st.form(key, border=True):
        st.markdown("**Cadastrar quem está na linha**")
        a, b, c = st.columns([1, 1, 3])
        kind = a.selectbox(
            "Tipo",
            ["prospect", "cliente"],
            format_func=KINDS.__getitem__,
            key=f"{key}_k",
            placeholder=CHOOSE,
        )
        person = b.selectbox(
            "Pessoa",
            ["F", "J"],
            format_func=PERSON_TYPES.__getitem__,
            key=f"{key}_p",
            placeholder=CHOOSE,
        )
        name = c.text_input("Nome / razão social", "" if by_phone else searched, key=f"{key}_n")
        a, b, c, d = st.columns(4)
        landline = by_phone and len(number) == 10
        phone = a.text_input("Telefone", number if landline else "", key=f"{key}_phone")
        cell = number if by_phone and not landline else ""
        mobile = b.text_input("Celular", cell, key=f"{key}_mobile")
        document = c.text_input("CPF/CNPJ (opcional para prospect)", key=f"{key}_document")
        email = d.text_input("E-mail", key=f"{key}_email")
        confirmed = confirm_same_phone and st.checkbox(
            "É outra pessoa: cadastrar mesmo com o telefone repetido", key=f"{key}_same_phone"
        )
        submitted = st.form_submit_button(
            "Cadastrar e iniciar a ligação", type="primary", icon=":material/person_add:"
        )
    if not submitted:
        return None
    data = EntityInput(
        kind=kind,
        person_type=person,
        name=name,
        document=document,
        phone=phone,
        mobile=mobile,
        email=email,
    )
    return data, confirmed


def contact_form(key: str) -> ContactInput | None:
    with st.form(key, clear_on_submit=True):
        a, b = st.columns(2)
        name = a.text_input("Nome do contato", key=f"{key}_name")
        job = b.text_input("Cargo / área", key=f"{key}_job")
        a, b, c = st.columns(3)
        document = a.text_input("CPF", key=f"{key}_doc")
        phone = b.text_input("Telefone", key=f"{key}_phone")
        mobile = c.text_input("Celular", key=f"{key}_mobile")
        email = st.text_input("E-mail", key=f"{key}_email")
        if not st.form_submit_button("Incluir contato"):
            return None
    return ContactInput(name=name, job_title=job, document=document, phone=phone,
                        mobile=mobile, email=email)  # fmt: skip


def entity_card(detail: EntityDetail) -> None:
    """The entity's data as the user may see it (masked per 192/193)."""
    values = detail.values
    with st.container(key="entity_card", border=True):
        st.subheader(plain(values["name"]))
        st.caption(
            f"{KINDS[values['kind']]} · {PERSON_TYPES[values['person_type']]} · código "
            f"{detail.id} · alterado em {local_datetime(values['updated_at'])}"
        )
        _fields(detail)


def _fields(detail: EntityDetail) -> None:
    """Every field of the record as the user may see it, then its contacts."""
    shown = {label: _shown(column, detail.values.get(column)) for column, label in _LABELS.items()}
    columns = st.columns(3)
    for index, (label, value) in enumerate(shown.items()):
        columns[index % 3].markdown(f"**{label}**  \n{plain(value) if value else '—'}")
    if detail.hidden:
        st.caption(f"🔒 Campos mascarados: {RESTRICTED}.")
    if not detail.contacts:
        return
    st.markdown("**Contatos**")
    contacts = [
        {"Nome": c["name"], "Cargo": c["job_title"], "CPF": c["document"],
         "Telefone": c["phone"], "Celular": c["mobile"], "E-mail": c["email"]}
        for c in detail.contacts
    ]  # fmt: skip
    st.dataframe(contacts, hide_index=True)


def caller_card(detail: EntityDetail, actions: Callable[[Any, Any], None]) -> None:
    """The caller in the workspace, in the few lines a call needs (document, phones, city) with
    the call's `actions` drawn in two cells of its first row; the full record is one click away,
    so the work below stays on a laptop's screen."""
    values = detail.values
    with st.container(key="entity_card", border=True):
        name, more, *cells = st.columns([4, 1.5, 1.5, 1.5], vertical_alignment="center")
        name.subheader(plain(values["name"]))
        with more.popover("Cadastro completo", width="stretch"):
            _fields(detail)
        actions(*cells)
        city = " / ".join(str(values[c]) for c in ("city", "state") if values.get(c))
        found = {
            "CPF/CNPJ": values.get("document"),
            "Telefone": values.get("phone"),
            "Celular": values.get("mobile"),
            "Cidade": city,
        }
        facts = [f"{KINDS[values['kind']]} · código {detail.id}"]
        facts += [f"{label}: {plain(shown)}" for label, shown in found.items() if shown]
        st.caption(" · ".join(facts) + (" · 🔒 dados mascarados" if detail.hidden else ""))


def _shown(column: str, value: Any) -> str:
    if isinstance(value, date):
        return local_date(value)
    return "" if value is None else str(value)


def entity_section(db: Database, user: User, entity_id: int, can_edit: bool) -> None:
    """The selected entity: its card, then (for editors) alter it and add a contact."""
    detail = attempt(lambda: entities.get_entity(db, user, entity_id))
    if detail is None:
        return
    entity_card(detail)
    if not can_edit:
        return
    with st.expander("Alterar dados"):
        changed = entity_form(f"edit_{entity_id}_{detail.version}", detail)
        if changed is not None and succeeded(
            lambda: entities.update_entity(db, user, entity_id, detail.version, changed),
            "Entidade alterada.",
        ):
            st.rerun()
    with st.expander("Novo contato"):
        contact = contact_form(f"contact_{entity_id}")
        if contact is not None and succeeded(
            lambda: entities.add_contact(db, user, entity_id, contact), "Contato incluído."
        ):
            st.rerun()
