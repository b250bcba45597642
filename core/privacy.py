"""LGPD masking. Values leave the core already masked for users without access 192/193.

Which columns are personal or sensitive comes from the data_dictionary table, read on each call,
so an admin's reclassification applies at once.

What stays visible without access 192: the name (the operator must greet the person), the trade
name, city and state (they do not single anyone out). CPF/CNPJ and phones keep their last two
digits, enough to confirm "is it the number ending in 34?" without revealing it.
"""

from __future__ import annotations

import functools
from typing import Any

import polars as pl

from core import audit
from core.access import Action, User
from core.db import Tx
from core.errors import STALE_RECORD, Conflict, Invalid, NotFound
from core.service import Work, command, query

MASK = "*****"
PERSONAL = "pessoal"
SENSITIVE = "sensivel"

_KEEP_LAST_TWO = {"document", "phone", "mobile"}


def classifications(tx: Tx, table: str) -> dict[str, str]:
    rows = tx.all(
        "SELECT column_name, classification FROM data_dictionary"
        " WHERE table_name = ? AND classification <> 'nenhum'",
        [table],
    )
    return {row["column_name"]: row["classification"] for row in rows}


def sees_protected(user: User) -> bool:
    """Whether a view shows this user any protected field in clear (what the audit's "who may
    have seen this data subject" report is built from)."""
    return user.personal_access or user.sensitive_access


def hidden_columns(tx: Tx, user: User, table: str) -> set[str]:
    """The columns of `table` this user may not see in clear."""
    return {
        column
        for column, level in classifications(tx, table).items()
        if (level == PERSONAL and not user.personal_access)
        or (level == SENSITIVE and not user.sensitive_access)
    }


def mask_value(column: str, value: Any) -> str | None:
    if value is None or value == "":
        return None
    text = str(value)
    if column in _KEEP_LAST_TWO and len(text) > 4:
        return "*" * (len(text) - 2) + text[-2:]
    return MASK


def mask_record(record: dict[str, Any], hidden: set[str]) -> dict[str, Any]:
    return {
        key: mask_value(key, value) if key in hidden else value for key, value in record.items()
    }


def mask_frame(frame: pl.DataFrame, hidden: set[str]) -> pl.DataFrame:
    """Mask the hidden columns of a frame; masked columns become text."""
    columns = [name for name in frame.columns if name in hidden]
    if not columns:
        return frame
    return frame.with_columns(
        pl.col(name)
        .map_elements(functools.partial(mask_value, name), return_dtype=pl.String)
        .alias(name)
        for name in columns
    )


# --- the data dictionary [Dados Protegidos], administered by the admin ----------------------

CLASSIFICATIONS = {
    PERSONAL: "Pessoal (acesso 192)",
    SENSITIVE: "Sensível (acesso 193)",
    "nenhum": "Não protegido",
}
TABLE_LABELS = {
    "entities": "Entidades (clientes e prospects)",
    "contacts": "Contatos",
    "users": "Usuários do sistema",
}


@query(Action.MANAGE_PRIVACY, "dicionário de dados")
def list_dictionary(work: Work) -> pl.DataFrame:
    """Every documented field, with its classification, reason and whether it is in use."""
    return work.tx.frame(
        """
        SELECT table_name, column_name, classification, justification, in_use
        FROM data_dictionary
        ORDER BY table_name, column_name
        """
    )


@command(Action.MANAGE_PRIVACY, "dicionário de dados")
def classify_field(
    work: Work,
    table: str,
    column: str,
    *,
    classification: str,
    justification: str,
    in_use: bool,
    seen: dict[str, Any],
) -> None:
    """Change a field's classification; masking follows at the next read, everywhere.

    `seen` is the row as the admin read it: if someone changed it meanwhile, this is a
    Conflict instead of a silent overwrite. Old and new values go to the audit log."""
    reason = " ".join(justification.split())
    if classification not in CLASSIFICATIONS:
        raise Invalid("Classificação inválida: use pessoal, sensível ou não protegido.")
    if len(reason) < 10:
        raise Invalid("Justifique a classificação (mínimo 10 caracteres).")
    before = work.tx.one(
        """
        SELECT classification, justification, in_use
        FROM data_dictionary
        WHERE table_name = ? AND column_name = ?
        """,
        [table, column],
    )
    if before is None:
        raise NotFound("Campo não encontrado no dicionário de dados.")
    if any(before[key] != seen.get(key) for key in before):
        raise Conflict(STALE_RECORD)
    after = {"classification": classification, "justification": reason, "in_use": in_use}
    work.tx.execute(
        """
        UPDATE data_dictionary SET classification = ?, justification = ?, in_use = ?
        WHERE table_name = ? AND column_name = ?
        """,
        [classification, reason, in_use, table, column],
    )
    work.audit(
        "dicionario.atualizado",
        subject_type="campo",
        subject_id=f"{table}.{column}",
        detail=audit.changes(before, after),
    )
