"""Named parameters [SX6], e.g. MV_ALTPED. Read by the routines, changed by the admin."""

from __future__ import annotations

import polars as pl

from core import pix
from core.access import Action
from core.db import Database
from core.errors import STALE_RECORD, Conflict, Invalid, NotFound
from core.money import parse_decimal
from core.service import Work, command, query

KINDS = {"sim_nao": "Sim/Não (S/N)", "numero": "Número", "texto": "Texto"}


@query(Action.MANAGE_PARAMETERS)
def list_parameters(work: Work, text: str = "") -> pl.DataFrame:
    pattern = f"%{text.strip().upper()}%"
    return work.tx.frame(
        """
        SELECT name, kind, value, description, updated_at, updated_by, version
        FROM parameters
        WHERE upper(name) LIKE ? OR upper(description) LIKE ?
        ORDER BY name
        """,
        [pattern, pattern],
    )


def get_value(db: Database, name: str) -> str:
    """A parameter's value, for the routines (no grant needed: reading a rule is not an action)."""
    value = db.read(lambda tx: tx.scalar("SELECT value FROM parameters WHERE name = ?", [name]))
    if value is None:
        raise NotFound(f"Parâmetro {name} não cadastrado.")
    return str(value)


def is_yes(db: Database, name: str) -> bool:
    return get_value(db, name) == "S"


def _clean_value(name: str, kind: str, value: str) -> str:
    text = value.strip()
    if name in pix.PARAMETERS:
        return pix.clean_parameter(name, text)
    if kind == "sim_nao":
        text = text.upper()
        if text not in {"S", "N"}:
            raise Invalid("Este parâmetro aceita apenas S (sim) ou N (não).")
    elif kind == "numero":
        # read the pt-BR way ('1.500' is 1500; NaN, inf and '1,234.56' refused), stored with a
        # dot because the routines read it with Decimal(...)
        try:
            number = parse_decimal(
                text, f"Parâmetro {name}", places=4, max_digits=18, allow_negative=True
            )
        except Invalid as error:
            raise Invalid(f"Este parâmetro aceita apenas números. {error.message}") from None
        text = format(number.normalize(), "f")
    elif not text:
        raise Invalid("Informe um valor para o parâmetro.")
    return text


@command(Action.MANAGE_PARAMETERS)
def set_parameter(work: Work, name: str, version: int, value: str) -> None:
    row = work.tx.one("SELECT kind, value FROM parameters WHERE name = ?", [name])
    if row is None:
        raise NotFound(f"Parâmetro {name} não cadastrado.")
    clean = _clean_value(name, row["kind"], value)
    updated = work.tx.scalar(
        """
        UPDATE parameters SET value = ?, updated_at = ?, updated_by = ?, version = version + 1
        WHERE name = ? AND version = ?
        RETURNING name
        """,
        [clean, work.tx.now, work.user.username, name, version],
    )
    if updated is None:
        raise Conflict(STALE_RECORD)
    work.audit(
        "parametro.alterado",
        subject_type="parametro",
        subject_id=name,
        detail={"valor": {"de": row["value"], "para": clean}},
    )
