"""Telecobrança configuration [SK1/SK0/SK2]: the overdue ranges, which ranges each group works,
and each group's negotiation limits. Administered by the admin; read by the queue."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from core.access import Action
from core.db import Tx
from core.errors import STALE_RECORD, Conflict, Invalid, NotFound
from core.money import PERCENT, parse_into
from core.service import Work, command, query
from core.telecobranca import rules
from core.telecobranca.rules import ChargeRates, NegotiationRules, Range
from core.validation import Problems

_CODE = re.compile(r"^[A-Z0-9_-]{1,12}$")
_TYPE = re.compile(r"^[A-Z0-9]{1,3}$")


def active_ranges(tx: Tx) -> list[Range]:
    """The active ranges in order, each with its cumulative bounds."""
    rows = tx.all(
        "SELECT id, code, description, max_days, title_types FROM collection_ranges"
        " WHERE active ORDER BY position, id"
    )
    return rules.cumulative_ranges(
        [
            (r["id"], r["code"], r["description"], r["max_days"], tuple(r["title_types"]))
            for r in rows
        ]
    )


def wiring(tx: Tx, group_ids: list[int]) -> dict[int, tuple[int, ...]]:
    """The ranges each group works (sorted ids; empty when the group works none)."""
    rows = tx.all(
        "SELECT g.id,"
        " array_agg(w.range_id ORDER BY w.range_id) FILTER (WHERE w.range_id IS NOT NULL)"
        " AS ranges FROM (SELECT unnest(?::BIGINT[]) AS id) g"
        " LEFT JOIN group_collection_ranges w ON w.group_id = g.id GROUP BY g.id",
        [group_ids],
    )
    return {row["id"]: tuple(row["ranges"] or ()) for row in rows}


def group_range_ids(tx: Tx, group_id: int) -> list[int]:
    return [
        row["range_id"]
        for row in tx.all(
            "SELECT range_id FROM group_collection_ranges WHERE group_id = ?", [group_id]
        )
    ]


def negotiation_rules(tx: Tx, group_id: int) -> NegotiationRules:
    row = tx.one(
        "SELECT max_postpone_days, max_principal_discount_pct, max_charges_discount_pct,"
        " max_installments FROM group_negotiation_rules WHERE group_id = ?",
        [group_id],
    )
    return NegotiationRules(**row) if row else NegotiationRules()


def charge_rates(tx: Tx) -> ChargeRates:
    values = {
        row["name"]: Decimal(row["value"])
        for row in tx.all(
            "SELECT name, value FROM parameters WHERE name IN ('MV_TLCMULT', 'MV_TLCJURO')"
        )
    }
    return ChargeRates(
        fine_pct=values.get("MV_TLCMULT", rules.DEFAULT_FINE_PCT),
        interest_pct_month=values.get("MV_TLCJURO", rules.DEFAULT_INTEREST_PCT_MONTH),
    )


def parameter(tx: Tx, name: str, default: str) -> str:
    value = tx.scalar("SELECT value FROM parameters WHERE name = ?", [name])
    return default if value is None else str(value)


# --- ranges ---------------------------------------------------------------------------------


@dataclass
class RangeInput:
    code: str
    description: str
    position: int
    max_days: int | None
    title_types: tuple[str, ...] = ()
    active: bool = True


@query(Action.VIEW_LEDGER, "faixas de cobrança")
def list_ranges(work: Work) -> pl.DataFrame:
    """Every range (inactive too) with its bounds as the queue computes them."""
    tx = work.tx
    bounds = {r.id: r for r in active_ranges(tx)}
    rows = tx.all(
        "SELECT id, code, description, position, max_days, title_types, active, version"
        " FROM collection_ranges ORDER BY position, id"
    )
    return pl.DataFrame(
        [
            {
                **row,
                "title_types": ", ".join(row["title_types"]),
                "span": bounds[row["id"]].span if row["id"] in bounds else "—",
            }
            for row in rows
        ],
        schema={
            "id": pl.Int64, "code": pl.String, "description": pl.String,
            "position": pl.Int64, "max_days": pl.Int64, "title_types": pl.String,
            "active": pl.Boolean, "version": pl.Int64, "span": pl.String,
        },
    )  # fmt: skip


def _clean_range(data: RangeInput) -> RangeInput:
    problems = Problems()
    code = data.code.strip().upper()
    if not _CODE.match(code):
        problems.add("code", "código: até 12 letras maiúsculas, números, - ou _")
    description = " ".join(data.description.split())
    if not description:
        problems.add("description", "informe a descrição")
    if data.max_days is not None and data.max_days < 1:
        problems.add("max_days", "o limite de dias deve ser 1 ou mais (vazio: sem limite)")
    types = tuple(sorted({t.strip().upper() for t in data.title_types if t.strip()}))
    if any(not _TYPE.match(t) for t in types):
        problems.add("title_types", "tipos de título: siglas de até 3 letras (ex.: NF, DP)")
    problems.raise_if_any()
    return RangeInput(code, description, data.position, data.max_days, types, data.active)


@command(Action.MANAGE_CATALOGUES, "regras de cobrança")
def save_range(work: Work, data: RangeInput, range_id: int | None = None, version: int = 0) -> int:
    """Create or change a range; the whole set must still be cumulative afterwards."""
    tx = work.tx
    clean = _clean_range(data)
    if tx.scalar(
        "SELECT id FROM collection_ranges WHERE code = ? AND id IS DISTINCT FROM ?",
        [clean.code, range_id],
    ):
        raise Invalid(f"Já existe uma faixa com o código {clean.code}.")
    values = [
        clean.code, clean.description, clean.position, clean.max_days,
        list(clean.title_types), clean.active,
    ]  # fmt: skip
    if range_id is None:
        saved = tx.scalar(
            "INSERT INTO collection_ranges (code, description, position, max_days,"
            " title_types, active) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            values,
        )
        before = None
    else:
        before = tx.one("SELECT * FROM collection_ranges WHERE id = ?", [range_id])
        if before is None:
            raise NotFound("Faixa de cobrança não encontrada.")
        saved = tx.scalar(
            "UPDATE collection_ranges SET code = ?, description = ?, position = ?,"
            " max_days = ?, title_types = ?, active = ?, version = version + 1"
            " WHERE id = ? AND version = ? RETURNING id",
            [*values, range_id, version],
        )
        if saved is None:
            raise Conflict(STALE_RECORD)
    active_ranges(tx)  # refuses a set that is no longer cumulative
    work.audit("cobranca.faixa_" + ("incluida" if before is None else "alterada"),
        subject_type="faixa_cobranca", subject_id=saved,
        detail={"de": _audit_view(before), "para": _audit_view(clean.__dict__)},
    )  # fmt: skip
    return int(saved)


def _audit_view(row: dict | None) -> dict | None:
    if row is None:
        return None
    return {key: (list(value) if isinstance(value, tuple) else value)
            for key, value in row.items() if key not in {"id", "version"}}  # fmt: skip


# --- group wiring and negotiation rules -----------------------------------------------------


@dataclass(frozen=True)
class GroupCollection:
    group_id: int
    group_name: str
    range_ids: tuple[int, ...]
    rules: NegotiationRules
    version: int  # of the negotiation rules row (0: none yet)


@query(Action.MANAGE_CATALOGUES, "regras de cobrança")
def group_settings(work: Work) -> list[GroupCollection]:
    tx = work.tx
    groups = tx.all("SELECT id, name FROM attendance_groups WHERE active ORDER BY name")
    versions = {
        row["group_id"]: row["version"]
        for row in tx.all("SELECT group_id, version FROM group_negotiation_rules")
    }
    return [
        GroupCollection(
            g["id"], g["name"], tuple(group_range_ids(tx, g["id"])),
            negotiation_rules(tx, g["id"]), versions.get(g["id"], 0),
        )
        for g in groups
    ]  # fmt: skip


@command(Action.MANAGE_CATALOGUES, "regras de cobrança")
def save_group_settings(
    work: Work, group_id: int, version: int, range_ids: list[int], negotiation: NegotiationRules
) -> None:
    """Wire the group to its ranges and set its negotiation limits (one audited change)."""
    tx = work.tx
    problems = Problems()
    if negotiation.max_postpone_days < 0 or negotiation.max_postpone_days > 365:
        problems.add("max_postpone_days", "prazo máximo: de 0 a 365 dias")
    percentages: dict[str, Decimal | None] = {}
    for name, value, label in (
        ("max_principal_discount_pct", negotiation.max_principal_discount_pct,
         "Desconto máximo no principal (%)"),
        ("max_charges_discount_pct", negotiation.max_charges_discount_pct,
         "Desconto máximo em multa e juros (%)"),
    ):  # fmt: skip
        percentages[name] = pct = parse_into(problems, name, value, label, **PERCENT)
        if pct is not None and not 0 <= pct <= 100:
            problems.add(name, "desconto máximo: de 0 a 100 %")
    if not 1 <= negotiation.max_installments <= 60:
        problems.add("max_installments", "parcelas: de 1 a 60")
    problems.raise_if_any()
    if tx.scalar("SELECT id FROM attendance_groups WHERE id = ?", [group_id]) is None:
        raise NotFound("Grupo de atendimento não encontrado.")
    known = {row["id"] for row in tx.all("SELECT id FROM collection_ranges")}
    if set(range_ids) - known:
        raise Invalid("Faixa de cobrança inexistente.")
    before = {
        "faixas": sorted(group_range_ids(tx, group_id)),
        "regras": negotiation_rules(tx, group_id).__dict__,
    }
    values = [
        negotiation.max_postpone_days, percentages["max_principal_discount_pct"],
        percentages["max_charges_discount_pct"], negotiation.max_installments,
    ]  # fmt: skip
    if version == 0:
        if tx.scalar("SELECT 1 FROM group_negotiation_rules WHERE group_id = ?", [group_id]):
            raise Conflict(STALE_RECORD)
        tx.execute(
            "INSERT INTO group_negotiation_rules (group_id, max_postpone_days,"
            " max_principal_discount_pct, max_charges_discount_pct, max_installments)"
            " VALUES (?, ?, ?, ?, ?)",
            [group_id, *values],
        )
    elif (
        tx.scalar(
            "UPDATE group_negotiation_rules SET max_postpone_days = ?,"
            " max_principal_discount_pct = ?, max_charges_discount_pct = ?,"
            " max_installments = ?, version = version + 1"
            " WHERE group_id = ? AND version = ? RETURNING group_id",
            [*values, group_id, version],
        )
        is None
    ):
        raise Conflict(STALE_RECORD)
    tx.execute("DELETE FROM group_collection_ranges WHERE group_id = ?", [group_id])
    for range_id in sorted(set(range_ids)):
        tx.execute(
            "INSERT INTO group_collection_ranges (group_id, range_id) VALUES (?, ?)",
            [group_id, range_id],
        )
    work.audit("cobranca.grupo_alterado", subject_type="grupo", subject_id=group_id,
        detail={"de": before, "para": {"faixas": sorted(set(range_ids)),
                                       "regras": {**negotiation.__dict__, **percentages}}},
    )  # fmt: skip
