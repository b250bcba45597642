"""Televendas catalogues: products [SB1], price tables [DA0/DA1], payment conditions [SE4].

Operators read what they may sell (ATTEND_TELEVENDAS); the admin maintains the catalogues
(MANAGE_CATALOGUES, the same grant as the other attendance catalogues).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import polars as pl

from core import audit
from core.access import Action, User, require
from core.db import Database, Tx
from core.errors import STALE_RECORD, Conflict, Invalid
from core.localtime import local_day
from core.money import parse_into
from core.service import Work, command, query
from core.televendas import rules
from core.validation import ACCENTED, PLAIN, Problems, like_escape, search_key

_CODE = re.compile(r"^[A-Z0-9_.-]{1,15}$")


# --- what an operator may sell --------------------------------------------------------------


def _today(tx: Tx) -> date:
    return local_day(tx.now)


@query(Action.ATTEND_TELEVENDAS, "tabelas de preços")
def current_price_tables(work: Work) -> pl.DataFrame:
    """Active price tables in force today."""
    tx = work.tx
    today = _today(tx)
    return tx.frame(
        "SELECT id, code, description, valid_from, valid_until FROM price_tables"
        " WHERE active AND (valid_from IS NULL OR valid_from <= ?)"
        " AND (valid_until IS NULL OR valid_until >= ?) ORDER BY code",
        [today, today],
    )


@query(Action.ATTEND_TELEVENDAS, "condições de pagamento")
def active_payment_conditions(work: Work) -> pl.DataFrame:
    tx = work.tx
    return tx.frame(
        "SELECT id, code, description, installments FROM payment_conditions"
        " WHERE active ORDER BY code"
    )


@query(Action.ATTEND_TELEVENDAS, "produtos")
def products_for_sale(
    work: Work, price_table_id: int, text: str = "", limit: int = 200
) -> pl.DataFrame:
    """Active products priced in the table, with their stock, searched by code or description."""
    tx = work.tx
    pattern = f"%{like_escape(search_key(text))}%"
    return tx.frame(
        "SELECT p.id, p.code, p.description, p.unit, p.stock, t.price FROM products p"
        " JOIN price_table_items t ON t.product_id = p.id AND t.price_table_id = ?"
        " WHERE p.active AND (lower(p.code) LIKE ? ESCAPE '\\'"
        f" OR translate(lower(p.description), '{ACCENTED}', '{PLAIN}') LIKE ? ESCAPE '\\')"
        " ORDER BY p.code LIMIT ?",
        [price_table_id, pattern, pattern, limit],
    )


# --- administration -------------------------------------------------------------------------


@dataclass
class ProductInput:
    code: str
    description: str
    unit: str = "UN"
    stock: Decimal | int | str = 0
    active: bool = True


@dataclass
class PriceTableInput:
    code: str
    description: str
    valid_from: date | None = None
    valid_until: date | None = None
    active: bool = True


@dataclass
class PaymentConditionInput:
    code: str
    description: str
    installments: str  # '0' à vista, '30,60,90'
    active: bool = True


def _code(value: str, problems: Problems) -> str:
    code = value.strip().upper()
    if not _CODE.match(code):
        problems.add("code", "código: até 15 letras maiúsculas, dígitos, ponto, - ou _")
    return code


def _description(value: str, problems: Problems) -> str:
    text = value.strip()
    if len(text) < 2:
        problems.add("description", "informe a descrição")
    return text


def _upsert(
    tx: Tx,
    actor: User,
    table: str,
    values: dict[str, object],
    record_id: int | None,
    version: int | None,
) -> int:
    """Insert, or update at the version read; a duplicated code is Invalid, stale a Conflict."""
    duplicate = tx.scalar(
        f"SELECT id FROM {table} WHERE code = ? AND id IS DISTINCT FROM ?",
        [values["code"], record_id],
    )
    if duplicate is not None:
        raise Invalid("Já existe um cadastro com este código.", {"code": "código em uso"})
    if record_id is None:
        columns = list(values)
        new_id = int(
            tx.scalar(
                f"INSERT INTO {table} ({', '.join(columns)})"
                f" VALUES ({', '.join('?' for _ in columns)}) RETURNING id",
                list(values.values()),
            )
        )
        audit.record(tx, actor, f"{table}.incluido", subject_type=table, subject_id=new_id,
                     detail={"codigo": values["code"]})  # fmt: skip
        return new_id
    before = tx.one(f"SELECT * FROM {table} WHERE id = ?", [record_id]) or {}
    assignments = ", ".join(f"{column} = ?" for column in values)
    updated = tx.scalar(
        f"UPDATE {table} SET {assignments}, version = version + 1"
        " WHERE id = ? AND version = ? RETURNING id",
        [*values.values(), record_id, version],
    )
    if updated is None:
        raise Conflict(STALE_RECORD)
    audit.record(tx, actor, f"{table}.alterado", subject_type=table, subject_id=record_id,
                 detail=audit.changes(before, values))  # fmt: skip
    return record_id


@command(Action.MANAGE_CATALOGUES, "produtos")
def save_product(
    work: Work, data: ProductInput, product_id: int | None = None, version: int | None = None
) -> int:
    tx, actor = work.tx, work.user
    problems = Problems()
    values: dict[str, object] = {
        "code": _code(data.code, problems),
        "description": _description(data.description, problems),
        "unit": data.unit.strip().upper() or "UN",
        # DECIMAL(14, 3); the reader refuses a negative stock too
        "stock": parse_into(problems, "stock", data.stock, "Estoque", places=3, max_digits=14,
                            default=Decimal(0)),
        "active": data.active,
    }  # fmt: skip
    problems.raise_if_any()
    return _upsert(tx, actor, "products", values, product_id, version)


@command(Action.MANAGE_CATALOGUES, "tabelas de preços")
def save_price_table(
    work: Work, data: PriceTableInput, table_id: int | None = None, version: int | None = None
) -> int:
    tx, actor = work.tx, work.user
    problems = Problems()
    values: dict[str, object] = {
        "code": _code(data.code, problems),
        "description": _description(data.description, problems),
        "valid_from": data.valid_from,
        "valid_until": data.valid_until,
        "active": data.active,
    }
    if data.valid_from and data.valid_until and data.valid_until < data.valid_from:
        problems.add("valid_until", "a vigência termina antes de começar")
    problems.raise_if_any()
    return _upsert(tx, actor, "price_tables", values, table_id, version)


def set_prices(
    db: Database, actor: User, table_id: int, prices: dict[int, Decimal | str | None]
) -> None:
    """Set (or, with None, remove) the price of products in a table."""
    require(db, actor, Action.MANAGE_CATALOGUES, "tabelas de preços")
    codes = db.read(lambda tx: _product_codes(tx, list(prices)))  # a refusal names the code
    problems = Problems()
    clean = {
        product_id: None if price is None
        else parse_into(problems, f"price_{product_id}", price,
                        f"Preço ({codes.get(product_id, product_id)})")
        for product_id, price in prices.items()
    }  # fmt: skip
    problems.raise_if_any()

    def work(tx: Tx) -> None:
        for product_id, price in clean.items():
            tx.execute(
                "DELETE FROM price_table_items WHERE price_table_id = ? AND product_id = ?",
                [table_id, product_id],
            )
            if price is not None:
                tx.execute(
                    "INSERT INTO price_table_items (price_table_id, product_id, price)"
                    " VALUES (?, ?, ?)",
                    [table_id, product_id, price],
                )
        audit.record(tx, actor, "price_tables.precos", subject_type="price_tables",
                     subject_id=table_id, detail={"precos": clean})  # fmt: skip

    db.write(work)


@command(Action.MANAGE_CATALOGUES, "condições de pagamento")
def save_payment_condition(
    work: Work,
    data: PaymentConditionInput,
    condition_id: int | None = None,
    version: int | None = None,
) -> int:
    tx, actor = work.tx, work.user
    problems = Problems()
    values: dict[str, object] = {
        "code": _code(data.code, problems),
        "description": _description(data.description, problems),
        "installments": data.installments,
        "active": data.active,
    }
    try:
        days = rules.parse_installments(data.installments)
        values["installments"] = ",".join(str(day) for day in days)
    except Invalid as error:
        problems.add("installments", error.message)
    problems.raise_if_any()
    return _upsert(tx, actor, "payment_conditions", values, condition_id, version)


@query(Action.MANAGE_CATALOGUES, "cadastros de Televendas")
def list_catalogue(work: Work, table: str) -> pl.DataFrame:
    """Every row of one Televendas catalogue, for its admin screen."""
    tx = work.tx
    if table not in {"products", "price_tables", "payment_conditions"}:
        raise Invalid("Cadastro inexistente.")
    return tx.frame(f"SELECT * FROM {table} ORDER BY code")


@query(Action.MANAGE_CATALOGUES, "tabelas de preços")
def table_prices(work: Work, table_id: int) -> pl.DataFrame:
    """Every product with its price in one table (null where it has none), for the admin."""
    tx = work.tx
    return tx.frame(
        "SELECT p.id, p.code, p.description, p.unit, i.price FROM products p"
        " LEFT JOIN price_table_items i ON i.product_id = p.id AND i.price_table_id = ?"
        " ORDER BY p.code",
        [table_id],
    )


def _product_codes(tx: Tx, product_ids: list[int]) -> dict[int, str]:
    if not product_ids:
        return {}
    marks = ", ".join("?" for _ in product_ids)
    rows = tx.all(f"SELECT id, code FROM products WHERE id IN ({marks})", product_ids)
    return {row["id"]: row["code"] for row in rows}
