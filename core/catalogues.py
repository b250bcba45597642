"""Catalogues of the attendance forms: occurrences, actions, reasons, media, campaigns.

All six share one table and one set of services; `CATALOGUES` says which extra fields each uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from core.access import Action, Routine
from core.db import Database, Tx
from core.errors import Invalid, NotFound
from core.service import Work, command, query
from core.validation import Problems


@dataclass(frozen=True)
class Catalogue:
    key: str
    title: str
    has_routine: bool = False  # occurrences: routine + subject
    has_period: bool = False  # campaigns: start and end dates


CATALOGUES = {
    c.key: c
    for c in (
        Catalogue("ocorrencia", "Ocorrências", has_routine=True),
        Catalogue("acao", "Ações"),
        Catalogue("motivo_encerramento", "Motivos de encerramento"),
        Catalogue("motivo_cancelamento", "Motivos de cancelamento"),
        Catalogue("midia", "Mídias"),
        Catalogue("campanha", "Campanhas", has_period=True),
    )
}
_CODE = re.compile(r"^[A-Z0-9_-]{1,12}$")


@dataclass
class EntryInput:
    code: str
    description: str
    routine: str | None = None
    subject: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    active: bool = True


def _catalogue(key: str) -> Catalogue:
    if key not in CATALOGUES:
        raise Invalid("Cadastro inexistente.")
    return CATALOGUES[key]


@query(Action.MANAGE_CATALOGUES)
def list_entries(work: Work, catalogue: str) -> pl.DataFrame:
    _catalogue(catalogue)
    return work.tx.frame(
        """
        SELECT id, code, description, routine, subject, starts_on, ends_on, active, version
        FROM catalogue_items
        WHERE catalogue = ?
        ORDER BY code
        """,
        [catalogue],
    )


def choices(
    db: Database, catalogue: str, routine: Routine | None = None, today: date | None = None
) -> dict[int, str]:
    """id -> label of the entries an attendance form may pick now (active; campaigns running).

    Reading a catalogue needs no grant: it holds no personal data and every form uses it.
    """
    _catalogue(catalogue)
    clauses, params = ["catalogue = ?", "active"], list[Any]([catalogue])
    if routine is not None:
        clauses.append("routine = ?")
        params.append(routine.value)
    if today is not None:
        clauses.append(
            "(starts_on IS NULL OR starts_on <= ?) AND (ends_on IS NULL OR ends_on >= ?)"
        )
        params += [today, today]
    rows = db.read(
        lambda tx: tx.all(
            "SELECT id, code, description, subject FROM catalogue_items"
            f" WHERE {' AND '.join(clauses)} ORDER BY subject NULLS FIRST, description",
            params,
        )
    )
    return {
        row["id"]: f"{row['subject']} › {row['description']}"
        if row["subject"]
        else row["description"]
        for row in rows
    }


def labels(tx: Tx, ids: list[int]) -> dict[int, str]:
    """Descriptions of any entries, active or not: old records keep showing what they chose."""
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    rows = tx.all(
        f"SELECT id, description, subject FROM catalogue_items WHERE id IN ({marks})", ids
    )
    return {
        row["id"]: f"{row['subject']} › {row['description']}"
        if row["subject"]
        else row["description"]
        for row in rows
    }


def _clean(catalogue: Catalogue, data: EntryInput) -> dict[str, object]:
    problems = Problems()
    code = data.code.strip().upper()
    if not _CODE.match(code):
        problems.add("code", "código deve ter até 12 letras maiúsculas, números, - ou _")
    description = " ".join(data.description.split())
    if len(description) < 3:
        problems.add("description", "informe a descrição")
    routine = subject = None
    if catalogue.has_routine:
        if data.routine not in {r.value for r in Routine}:
            problems.add("routine", "informe a rotina da ocorrência")
        routine = data.routine
        subject = " ".join((data.subject or "").split())
        if len(subject) < 3:
            problems.add("subject", "informe o assunto da ocorrência")
    starts_on = ends_on = None
    if catalogue.has_period:
        starts_on, ends_on = data.starts_on, data.ends_on
        if starts_on is None or ends_on is None:
            problems.add("starts_on", "informe o período da campanha")
        elif ends_on < starts_on:
            problems.add("ends_on", "a campanha termina antes de começar")
    problems.raise_if_any()
    return {
        "code": code,
        "description": description,
        "routine": routine,
        "subject": subject,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "active": data.active,
    }


@command(Action.MANAGE_CATALOGUES)
def create_entry(work: Work, catalogue: str, data: EntryInput) -> int:
    clean = _clean(_catalogue(catalogue), data)
    _refuse_taken_code(work.tx, catalogue, clean["code"])
    entry_id = int(
        work.tx.scalar(
            """
            INSERT INTO catalogue_items
                (catalogue, code, description, routine, subject, starts_on, ends_on, active)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            RETURNING id
            """,
            [catalogue, *clean.values()],
        )
    )
    work.audit("cadastro.incluido", subject_type=catalogue, subject_id=entry_id, detail=clean)
    return entry_id


@command(Action.MANAGE_CATALOGUES)
def update_entry(work: Work, catalogue: str, entry_id: int, version: int, data: EntryInput) -> None:
    clean = _clean(_catalogue(catalogue), data)
    if (
        work.tx.scalar("SELECT catalogue FROM catalogue_items WHERE id = ?", [entry_id])
        != catalogue
    ):
        raise NotFound("Item não encontrado.")
    _refuse_taken_code(work.tx, catalogue, clean["code"], entry_id)
    work.update(
        "catalogue_items",
        entry_id,
        version,
        clean,
        event="cadastro.alterado",
        subject_type=catalogue,
        missing="Item não encontrado.",
    )


def _refuse_taken_code(tx: Tx, catalogue: str, code: object, entry_id: int = 0) -> None:
    taken = tx.scalar(
        "SELECT id FROM catalogue_items WHERE catalogue = ? AND code = ? AND id <> ?",
        [catalogue, code, entry_id],
    )
    if taken:
        raise Invalid("Já existe um item com este código.", {"code": "já existe"})
