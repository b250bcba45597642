"""Customers, prospects and their contacts: search, view, create, edit, export.

Every read returns values already masked for the acting user (see core.privacy) and is audited
as a view of protected data.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import polars as pl

from core import audit, entity_names, privacy
from core.access import Action, User
from core.db import Tx
from core.errors import STALE_RECORD, Conflict, Invalid, NotFound
from core.exports import export_bytes
from core.listing import PAGE_SIZE, ListPage
from core.localtime import local_day
from core.service import Work, command, query
from core.validation import (
    Problems,
    clean_birth_date,
    clean_document,
    clean_email,
    clean_phone,
    clean_state,
    clean_zip,
    digits,
    format_document,
    format_phone,
    search_key,
)

KINDS = {"cliente": "Cliente", "prospect": "Prospect"}
PERSON_TYPES = {"F": "Pessoa física", "J": "Pessoa jurídica"}


@dataclass
class PersonalData:
    """What an entity and a contact both hold about a person (the dictionary classifies it)."""

    document: str | None = None
    phone: str | None = None
    mobile: str | None = None
    email: str | None = None
    birth_date: date | None = None
    sensitive_note: str | None = None


@dataclass
class EntityInput(PersonalData):
    kind: str = "cliente"
    person_type: str = "F"
    name: str = ""
    trade_name: str = ""
    street: str | None = None
    street_number: str | None = None
    district: str | None = None
    city: str | None = None
    state: str | None = None
    zip_code: str | None = None


@dataclass
class ContactInput(PersonalData):
    name: str = ""
    job_title: str = ""


@dataclass(frozen=True)
class EntityPage(ListPage):
    masked: bool = False


@dataclass(frozen=True)
class EntityDetail:
    id: int
    version: int
    values: dict[str, Any]  # display-ready, masked per the user's accesses
    hidden: frozenset[str]  # fields the user cannot see (kept as stored on save)
    contacts: list[dict[str, Any]] = field(default_factory=list)


# --- validation -----------------------------------------------------------------------------


def clean_entity(data: EntityInput, today: date) -> dict[str, Any]:
    problems = Problems()
    name = " ".join(data.name.split())
    if len(name) < 3:
        problems.add("name", "informe o nome (mínimo 3 letras)")
    if data.kind not in KINDS:
        problems.add("kind", "tipo de entidade inválido")
    if data.person_type not in PERSON_TYPES:
        problems.add("person_type", "informe pessoa física ou jurídica")
    clean = {
        "kind": data.kind,
        "person_type": data.person_type,
        "name": name,
        "search_name": search_key(name),
        "trade_name": " ".join((data.trade_name or "").split()),
        "document": clean_document(data.document, data.person_type, problems),
        "phone": clean_phone(data.phone, "phone", problems),
        "mobile": clean_phone(data.mobile, "mobile", problems),
        "email": clean_email(data.email, problems),
        "street": _text(data.street),
        "street_number": _text(data.street_number),
        "district": _text(data.district),
        "city": _text(data.city),
        "state": clean_state(data.state, problems),
        "zip_code": clean_zip(data.zip_code, problems),
        "birth_date": clean_birth_date(data.birth_date, today, problems),
        "sensitive_note": _text(data.sensitive_note),
    }
    if data.kind == "cliente" and not clean["document"]:
        problems.add("document", "cliente precisa de CPF/CNPJ")
    if not (clean["phone"] or clean["mobile"] or clean["email"]):
        problems.add("phone", "informe ao menos um telefone ou e-mail")
    problems.raise_if_any()
    return clean


def _clean_contact(data: ContactInput, today: date) -> dict[str, Any]:
    problems = Problems()
    name = " ".join(data.name.split())
    if len(name) < 3:
        problems.add("name", "informe o nome do contato (mínimo 3 letras)")
    clean = {
        "name": name,
        "search_name": search_key(name),
        "job_title": " ".join((data.job_title or "").split()),
        "document": clean_document(data.document, "F", problems),
        "phone": clean_phone(data.phone, "phone", problems),
        "mobile": clean_phone(data.mobile, "mobile", problems),
        "email": clean_email(data.email, problems),
        "birth_date": clean_birth_date(data.birth_date, today, problems),
        "sensitive_note": _text(data.sensitive_note),
    }
    if not (clean["phone"] or clean["mobile"] or clean["email"]):
        problems.add("phone", "informe ao menos um telefone ou e-mail do contato")
    problems.raise_if_any()
    return clean


def _text(value: str | None) -> str | None:
    text = " ".join((value or "").split())
    return text or None


def _local_today(tx: Tx) -> date:
    # tx.now is UTC: from 21:00 in São Paulo its date is already tomorrow's.
    return local_day(tx.now)


# --- reads ----------------------------------------------------------------------------------

_LIST_COLUMNS = entity_names.COLUMNS


_NUMERIC_QUERY = re.compile(r"[\d\s.\-/()+]+")


# A whole CPF, CNPJ or phone number (with DDD) is looked up exactly, through the indexes.
_WHOLE_NUMBER_LENGTHS = {10, 11, 14}


def _search_filter(text: str, kind: str | None, exact_numbers: bool) -> tuple[str, list[Any]]:
    """Name: any part. Numbers: CPF/CNPJ prefix or phone digits anywhere — or, for a user who
    sees them masked, the whole number only, so masked digits cannot be guessed one by one."""
    clauses: list[str] = []
    params: list[Any] = []
    number = _number_searched(text)
    if number and (exact_numbers or len(number) in _WHOLE_NUMBER_LENGTHS):
        # Three indexed lookups instead of one scan testing three columns.
        clauses.append(
            "id IN (SELECT id FROM entities WHERE document = ? UNION ALL"
            " SELECT id FROM entities WHERE phone = ? UNION ALL"
            " SELECT id FROM entities WHERE mobile = ?)"
        )
        params += [number, number, number]
    elif number:
        clauses.append("(document LIKE ? OR phone LIKE ? OR mobile LIKE ?)")
        params += [f"{number}%", f"%{number}%", f"%{number}%"]
    elif text.strip():
        clauses.append("strpos(search_name, ?) > 0")  # a literal substring: nothing to escape
        params.append(search_key(text))
    if kind:
        clauses.append("kind = ?")
        params.append(kind)
    where = " WHERE " + " AND ".join(clauses) if clauses else ""
    return where, params


def _number_searched(text: str) -> str:
    """The digits of a search for a CPF/CNPJ or phone number; '' for a name."""
    number = digits(text)
    return number if len(number) >= 3 and _NUMERIC_QUERY.fullmatch(text.strip()) else ""


def _by_name(text: str) -> bool:
    return bool(text.strip()) and not _number_searched(text)


def _sql_page(
    tx: Tx, text: str, kind: str | None, hidden: set[str], limit: int, offset: int
) -> tuple[pl.DataFrame, int]:
    """Numbers go through the indexes, and an empty search lists everyone by name."""
    where, params = _search_filter(text, kind, exact_numbers=_numbers_hidden(hidden))
    # One pass: the total comes with the page (counted over every match, not the page).
    frame = tx.frame(
        f"SELECT {_LIST_COLUMNS}, count(*) OVER () AS total FROM entities{where}"
        " ORDER BY search_name, id LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    if frame.height:
        total = int(frame["total"][0])
    else:  # a page past the end: the total still matters for the pager
        total = tx.scalar(f"SELECT count(*) FROM entities{where}", params)
    return frame.drop("total"), int(total)


def _numbers_hidden(hidden: set[str]) -> bool:
    return bool(hidden & {"document", "phone", "mobile"})


def _display_frame(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.col("document").map_elements(format_document, return_dtype=pl.String).fill_null(""),
        pl.col("phone").map_elements(format_phone, return_dtype=pl.String).fill_null(""),
        pl.col("mobile").map_elements(format_phone, return_dtype=pl.String).fill_null(""),
        pl.col("email").fill_null(""),
        pl.col("kind").replace_strict(KINDS, return_dtype=pl.String),
    )


@query(Action.VIEW_ENTITIES, "entidades")
def search_entities(
    work: Work, text: str = "", kind: str | None = None, page: int = 1, page_size: int = PAGE_SIZE
) -> EntityPage:
    """Find entities by name (any part, accents ignored), CPF/CNPJ or phone (see _search_filter)."""
    tx, user = work.tx, work.user
    if kind is not None and kind not in KINDS:
        raise Invalid("Tipo de entidade inválido.")
    page = max(1, page)
    hidden = privacy.hidden_columns(tx, user, "entities")
    offset = (page - 1) * page_size
    if _by_name(text):  # a scan of every name: see core/entity_names.py
        frame, total = entity_names.matching_page(tx, search_key(text), kind, page_size, offset)
    else:
        frame, total = _sql_page(tx, text, kind, hidden, page_size, offset)
    frame = _display_frame(privacy.mask_frame(frame, hidden))
    if frame.height:
        subjects = frame["id"].to_list()
        _audit_view(tx, user, "entidades.lista", "", hidden, frame.height, subjects)
    masked = bool(hidden & set(frame.columns))
    return EntityPage(frame, int(total), page, page_size, masked=masked)


@query(Action.VIEW_ENTITIES, "entidade {entity_id}")
def get_entity(work: Work, entity_id: int) -> EntityDetail:
    tx, user = work.tx, work.user
    row = tx.one("SELECT * FROM entities WHERE id = ?", [entity_id])
    if row is None:
        raise NotFound("Entidade não encontrada.")
    hidden = privacy.hidden_columns(tx, user, "entities")
    values = privacy.mask_record(row, hidden)
    values["document"] = format_document(values["document"])
    values["phone"] = format_phone(values["phone"])
    values["mobile"] = format_phone(values["mobile"])
    contact_hidden = privacy.hidden_columns(tx, user, "contacts")
    contacts = [
        _display_contact(privacy.mask_record(contact, contact_hidden))
        for contact in tx.all(
            "SELECT c.* FROM contacts c JOIN entity_contacts ec ON ec.contact_id = c.id"
            " WHERE ec.entity_id = ? ORDER BY c.search_name",
            [entity_id],
        )
    ]
    _audit_view(tx, user, "entidades.detalhe", entity_id, hidden | contact_hidden)
    return EntityDetail(
        id=row["id"],
        version=row["version"],
        values=values,
        hidden=frozenset(hidden),
        contacts=contacts,
    )


def _display_contact(contact: dict[str, Any]) -> dict[str, Any]:
    contact["document"] = format_document(contact["document"])
    contact["phone"] = format_phone(contact["phone"])
    contact["mobile"] = format_phone(contact["mobile"])
    return contact


def _audit_view(
    tx: Tx,
    user: User,
    screen: str,
    subject_id: object,
    hidden: set[str],
    rows: int = 1,
    subjects: list[int] | None = None,
) -> None:
    audit.record_view(
        tx,
        user,
        subject_type="entidade" if subject_id != "" else "",
        subject_id=subject_id,
        detail={"tela": screen, "mascarado": bool(hidden), "registros": rows},
        subjects=(subjects if subjects is not None else [int(str(subject_id))])
        if privacy.sees_protected(user)
        else (),
    )


@command(Action.VIEW_ENTITIES, "exportar entidades")
def export_entities(work: Work, text: str = "", kind: str | None = None, fmt: str = "csv") -> bytes:
    """Everything the filters select, masked exactly as on screen, as CSV (;) or XLSX."""
    tx, user = work.tx, work.user
    hidden = privacy.hidden_columns(tx, user, "entities")
    where, params = _search_filter(text, kind, exact_numbers=_numbers_hidden(hidden))
    frame = tx.frame(
        f"SELECT {_LIST_COLUMNS} FROM entities{where} ORDER BY search_name, id", params
    )
    frame = _display_frame(privacy.mask_frame(frame, hidden))
    work.audit(
        "dados.exportados",
        subject_type="entidades",
        # Whether a filter was used, never its text: it may be a CPF or a phone number.
        detail={
            "registros": frame.height,
            "mascarado": bool(hidden),
            "filtrado": bool(text),
            "formato": fmt,
        },
        subjects=frame["id"].to_list() if privacy.sees_protected(user) else (),
    )
    return export_bytes(frame, {name: _HEADERS.get(name, name) for name in frame.columns}, fmt)


_HEADERS = {
    "id": "Código",
    "kind": "Tipo",
    "person_type": "Pessoa",
    "name": "Nome",
    "document": "CPF/CNPJ",
    "phone": "Telefone",
    "mobile": "Celular",
    "email": "E-mail",
    "city": "Cidade",
    "state": "UF",
    "active": "Ativo",
}


# --- writes ---------------------------------------------------------------------------------


def _check_document_unique(tx: Tx, document: str | None, entity_id: int | None) -> None:
    if not document:
        return
    clash = tx.scalar(
        "SELECT id FROM entities WHERE document = ? AND id <> ? LIMIT 1",
        [document, entity_id or -1],
    )
    if clash is not None:
        raise Invalid(
            f"CPF/CNPJ já cadastrado na entidade código {clash}.",
            {"document": "já cadastrado"},
        )


@command(Action.EDIT_ENTITIES, "incluir entidade")
def create_entity(work: Work, data: EntityInput) -> int:
    return insert_entity(work.tx, work.user, data)


def insert_entity(tx: Tx, user: User, data: EntityInput) -> int:
    """Validate and insert an entity inside a caller's unit of work (e.g. a CSV import)."""
    clean = clean_entity(data, _local_today(tx))
    _check_document_unique(tx, clean["document"], None)
    columns = list(clean)
    entity_id = tx.scalar(
        f"INSERT INTO entities ({', '.join(columns)}, created_at, updated_at)"
        f" VALUES ({', '.join('?' for _ in columns)}, ?, ?) RETURNING id",
        [*clean.values(), tx.now, tx.now],
    )
    audit.record(tx, user, "entidade.incluida", subject_type="entidade", subject_id=entity_id)
    return int(entity_id)


@command(Action.EDIT_ENTITIES, "alterar entidade {entity_id}")
def update_entity(work: Work, entity_id: int, version: int, data: EntityInput) -> int:
    """Save an edit made on `version`. Fields hidden from the user keep their stored value.

    Returns the new version. A stale version (someone saved in between) raises Conflict.
    """
    tx, user = work.tx, work.user
    stored = tx.one("SELECT * FROM entities WHERE id = ?", [entity_id])
    if stored is None:
        raise NotFound("Entidade não encontrada.")
    if stored["anonymized_at"] is not None:
        raise Invalid("Titular anonimizado: o cadastro não pode mais ser alterado.")
    hidden = privacy.hidden_columns(tx, user, "entities")
    merged = asdict(data)
    for column in hidden:
        merged[column] = stored[column]
    clean = clean_entity(EntityInput(**merged), _local_today(tx))
    _check_document_unique(tx, clean["document"], entity_id)
    assignments = ", ".join(f"{column} = ?" for column in clean)
    new_version = tx.scalar(
        f"UPDATE entities SET {assignments}, updated_at = ?, version = version + 1"
        " WHERE id = ? AND version = ? RETURNING version",
        [*clean.values(), tx.now, entity_id, version],
    )
    if new_version is None:
        raise Conflict(STALE_RECORD)
    changed = sorted(key for key in clean if clean[key] != stored[key] and key != "search_name")
    # Field names only: the audit log must not become a second copy of personal data.
    work.audit(
        "entidade.alterada",
        subject_type="entidade",
        subject_id=entity_id,
        detail={"campos": changed},
    )
    return int(new_version)


@command(Action.EDIT_ENTITIES, "incluir contato na entidade {entity_id}")
def add_contact(work: Work, entity_id: int, data: ContactInput) -> int:
    tx = work.tx
    if tx.scalar("SELECT id FROM entities WHERE id = ?", [entity_id]) is None:
        raise NotFound("Entidade não encontrada.")
    clean = _clean_contact(data, _local_today(tx))
    columns = list(clean)
    contact_id = tx.scalar(
        f"INSERT INTO contacts ({', '.join(columns)}, created_at, updated_at)"
        f" VALUES ({', '.join('?' for _ in columns)}, ?, ?) RETURNING id",
        [*clean.values(), tx.now, tx.now],
    )
    _attach(work, entity_id, contact_id, "contato.incluido")
    return int(contact_id)


@command(Action.EDIT_ENTITIES, "vincular contato {contact_id}")
def link_contact(work: Work, entity_id: int, contact_id: int) -> None:
    """Attach an existing contact to another entity (one contact may serve several)."""
    tx = work.tx
    if tx.scalar("SELECT id FROM entities WHERE id = ?", [entity_id]) is None:
        raise NotFound("Entidade não encontrada.")
    if tx.scalar("SELECT id FROM contacts WHERE id = ?", [contact_id]) is None:
        raise NotFound("Contato não encontrado.")
    if tx.scalar(
        "SELECT 1 FROM entity_contacts WHERE entity_id = ? AND contact_id = ?",
        [entity_id, contact_id],
    ):
        raise Invalid("Este contato já está vinculado a esta entidade.")
    _attach(work, entity_id, contact_id, "contato.vinculado")


def _attach(work: Work, entity_id: int, contact_id: int, event: str) -> None:
    work.tx.execute(
        "INSERT INTO entity_contacts (entity_id, contact_id) VALUES (?, ?)",
        [entity_id, contact_id],
    )
    work.audit(event, subject_type="entidade", subject_id=entity_id, detail={"contato": contact_id})


@command(Action.EDIT_ENTITIES, "converter prospect {entity_id}")
def convert_prospect_to_customer(work: Work, entity_id: int) -> None:
    """A prospect becomes a customer in place (same code, contacts and history), so its quote
    can become a sales order. A customer needs a CPF/CNPJ."""
    tx = work.tx
    row = tx.one("SELECT kind, document FROM entities WHERE id = ?", [entity_id])
    if row is None:
        raise NotFound("Entidade não encontrada.")
    if row["kind"] != "prospect":
        raise Invalid("Esta entidade já é um cliente.")
    if not row["document"]:
        raise Invalid(
            "Para virar cliente o prospect precisa de CPF/CNPJ: informe-o no cadastro de "
            "Entidades e converta de novo.",
            {"document": "cliente precisa de CPF/CNPJ"},
        )
    tx.execute(
        "UPDATE entities SET kind = 'cliente', updated_at = ?, version = version + 1 WHERE id = ?",
        [tx.now, entity_id],
    )
    work.audit("entidade.prospect_convertido", subject_type="entidade",
        subject_id=entity_id,
    )  # fmt: skip
