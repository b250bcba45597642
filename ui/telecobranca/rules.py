"""Regras de cobrança's parts (admin): the ranges table and form, the group wiring and
negotiation limits, and the collection parameters shown read-only."""

from __future__ import annotations

import re
from typing import Any

import polars as pl
import streamlit as st

from core import parameters
from core.db import Database
from core.errors import DomainError
from core.money import PERCENT, parse_decimal
from core.telecobranca.rules import NegotiationRules
from core.telecobranca.setup import GroupCollection, RangeInput
from ui.kit.feedback import show_error
from ui.kit.forms import CHOOSE, percent, percent_input

# --- Regras de cobrança (admin) -------------------------------------------------------------

RANGE_ORDER = ["code", "description", "position", "until", "types", "active", "span"]
RANGE_COLUMNS: dict[str, Any] = {
    "code": st.column_config.TextColumn("Código", width="small"),
    "description": st.column_config.TextColumn("Descrição", width="medium"),
    "position": st.column_config.NumberColumn("Ordem", format="%d", width="small"),
    "until": "Até (dias)",
    "types": "Tipos de título",
    "active": st.column_config.CheckboxColumn("Ativa"),
    "span": "Faixa calculada",
}
CUMULATIVE_RULE = (
    "As faixas são cumulativas pela ordem: cada faixa ativa começa um dia depois do fim da "
    "anterior (a primeira em 1 dia de atraso) e só a última pode ficar sem limite. O devedor "
    "entra na faixa do seu título vencido mais antigo (entre os tipos que a faixa olha)."
)


def ranges_frame(ranges: pl.DataFrame) -> pl.DataFrame:
    return ranges.with_columns(
        pl.col("max_days").cast(pl.String).fill_null("sem limite").alias("until"),
        pl.when(pl.col("title_types") == "")
        .then(pl.lit("todos"))
        .otherwise(pl.col("title_types"))
        .alias("types"),
    )


def range_form(key: str, row: dict[str, Any] | None = None, position: int = 1) -> RangeInput | None:
    """Include (no row) or alter a range; None until "Gravar" is pressed."""
    row = row or {}
    with st.form(key):
        code_cell, description_cell = st.columns([1, 3])
        code = code_cell.text_input(
            "Código", value=row.get("code", ""), max_chars=12, key=f"{key}_code",
            help="Até 12 letras maiúsculas, números, - ou _ (ex.: F1).",
        )  # fmt: skip
        description = description_cell.text_input(
            "Descrição", value=row.get("description", ""), key=f"{key}_description"
        )
        a, b, c = st.columns(3)
        order = a.number_input(
            "Ordem", min_value=1, max_value=999, step=1, key=f"{key}_position",
            value=int(row.get("position", position)),
        )  # fmt: skip
        max_days = b.number_input(
            "Até (dias de atraso)", min_value=1, max_value=99_999, step=1, key=f"{key}_max_days",
            value=row.get("max_days"), placeholder="sem limite",
            help="Vazio: sem limite (só a última faixa).",
        )  # fmt: skip
        types = c.text_input(
            "Tipos de título", value=row.get("title_types", ""), key=f"{key}_types",
            placeholder="todos", help="Siglas separadas por vírgula (ex.: NF, DP). Vazio: todos.",
        )  # fmt: skip
        active = st.checkbox("Ativa", value=row.get("active", True), key=f"{key}_active")
        if not st.form_submit_button("Gravar", type="primary", key=f"{key}_submit"):
            return None
    return RangeInput(
        code=code, description=description, position=int(order),
        max_days=None if max_days is None else int(max_days),
        title_types=tuple(t for t in re.split(r"[,;\s]+", types) if t), active=active,
    )  # fmt: skip


def range_labels(ranges: pl.DataFrame) -> dict[int, str]:
    return {
        row["id"]: f"{row['code']} · {row['description']} ({row['span']})"
        + ("" if row["active"] else " – inativa")
        for row in ranges.iter_rows(named=True)
    }


def groups_frame(groups: list[GroupCollection], ranges: pl.DataFrame) -> list[dict[str, Any]]:
    codes = dict(zip(ranges["id"], ranges["code"], strict=True))
    return [
        {
            "Grupo": group.group_name,
            "Faixas": ", ".join(codes[i] for i in group.range_ids if i in codes) or "—",
            "Adiamento máx. (dias)": group.rules.max_postpone_days,
            "Desc. máx. principal": percent(group.rules.max_principal_discount_pct),
            "Desc. máx. multa/juros": percent(group.rules.max_charges_discount_pct),
            "Parcelas máx.": group.rules.max_installments,
        }
        for group in groups
    ]


def group_form(
    key: str, group: GroupCollection, labels: dict[int, str]
) -> tuple[list[int], NegotiationRules] | None:
    """The ranges a group works and its negotiation limits; None until "Gravar"."""
    rules = group.rules
    with st.form(key):
        chosen = st.multiselect(
            "Faixas que o grupo trabalha", list(labels), format_func=labels.__getitem__,
            default=[i for i in group.range_ids if i in labels], key=f"{key}_ranges",
            placeholder=CHOOSE,
            help="Os cobradores do grupo recebem da fila só os devedores dessas faixas.",
        )  # fmt: skip
        a, b, c, d = st.columns(4)
        postpone = a.number_input(
            "Prazo máximo de adiamento (dias)", min_value=0, max_value=365, step=1,
            value=int(rules.max_postpone_days), key=f"{key}_postpone",
            help="Até quantos dias à frente o cobrador pode aceitar uma promessa de pagamento.",
        )  # fmt: skip
        principal = percent_input(
            b, "Desconto máx. principal (%)", rules.max_principal_discount_pct, f"{key}_principal"
        )
        charges = percent_input(
            c, "Desconto máx. multa/juros (%)", rules.max_charges_discount_pct, f"{key}_charges"
        )
        installments = d.number_input(
            "Parcelas máx.", min_value=1, max_value=60, step=1,
            value=int(rules.max_installments), key=f"{key}_installments",
            help="Na renegociação dos títulos.",
        )  # fmt: skip
        if not st.form_submit_button("Gravar", type="primary", key=f"{key}_submit"):
            return None
    try:  # typed the pt-BR way; the core checks the 0-100 range
        principal_pct = parse_decimal(principal, "Desconto máx. principal (%)", **PERCENT)
        charges_pct = parse_decimal(charges, "Desconto máx. multa/juros (%)", **PERCENT)
    except DomainError as error:
        show_error(error)
        return None
    return list(chosen), NegotiationRules(
        int(postpone), principal_pct, charges_pct, int(installments)
    )


PARAMETERS = (
    ("MV_TLCMULT", "Multa por atraso", "{} % do saldo do título"),
    ("MV_TLCJURO", "Juros de mora", "{} % ao mês, pro rata die"),
    ("MV_TLCSALD", "Próximo devedor pelo maior saldo vencido", "{}"),
    ("MV_TLCRESV", "Reserva do devedor sem atividade", "{} minuto(s)"),
)
_YES_NO = {"S": "S – sim (maior saldo primeiro)", "N": "N – não (título mais antigo primeiro)"}


def _parameter(db: Database, name: str) -> str:
    try:
        return parameters.get_value(db, name)
    except DomainError:
        return "—"


def parameters_info(db: Database) -> None:
    """The collection parameters, read-only here: they are changed in Sistema › Parâmetros."""
    rows = []
    for name, label, shown in PARAMETERS:
        value = _parameter(db, name)
        value = _YES_NO.get(value, value) if name == "MV_TLCSALD" else value.replace(".", ",")
        rows.append({"Parâmetro": name, "Regra": label, "Valor": shown.format(value)})
    st.dataframe(rows, key="tlc_parameters", hide_index=True)
    st.info(
        "Estes parâmetros valem para todos os grupos e são alterados pelo administrador em "
        "**Sistema › Parâmetros**.",
        icon="ℹ️",
    )
