"""Cadastros de atendimento: the entries table (inactive ones greyed) and the entry form, shaped
by each catalogue's extra fields (routine and subject for occurrences, period for campaigns)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import polars as pl
import streamlit as st

from core.access import Routine
from core.catalogues import Catalogue, EntryInput
from ui.kit.formats import DATE_FORMAT, LOCAL_TZ
from ui.kit.forms import CHOOSE

ACTIVE, INACTIVE = "Ativo", "Inativo"
_GREY = "color: #9e9e9e"


def entries_table(entries: pl.DataFrame, catalogue: Catalogue) -> tuple[Any, dict[str, Any]]:
    """The rows to show (a pandas Styler greying inactive entries) and their column config."""
    columns: dict[str, Any] = {
        "Código": st.column_config.TextColumn(width="small"),
        "Descrição": st.column_config.TextColumn(width="large"),
    }
    shown = [pl.col("code").alias("Código"), pl.col("description").alias("Descrição")]
    if catalogue.has_routine:
        labels = {routine.value: routine.label for routine in Routine}
        shown += [
            pl.col("routine").replace_strict(labels, default="", return_dtype=pl.String)
            .alias("Rotina"),
            pl.col("subject").fill_null("").alias("Assunto"),
        ]  # fmt: skip
    if catalogue.has_period:
        shown += [pl.col("starts_on").alias("Início"), pl.col("ends_on").alias("Fim")]
        columns |= {
            "Início": st.column_config.DateColumn(format=DATE_FORMAT),
            "Fim": st.column_config.DateColumn(format=DATE_FORMAT),
        }
    out_of_period = pl.lit(False)
    if catalogue.has_period:  # an active campaign outside its period is not offered either
        today = datetime.now(LOCAL_TZ).date()
        out_of_period = (pl.col("starts_on") > today) | (pl.col("ends_on") < today)
    situation = (
        pl.when(~pl.col("active"))
        .then(pl.lit(INACTIVE))
        .when(out_of_period)
        .then(pl.lit(f"{ACTIVE} · fora do período"))
        .otherwise(pl.lit(ACTIVE))
    )
    shown.append(situation.alias("Situação"))
    frame = entries.select(shown).to_pandas()
    styled = frame.style.apply(
        lambda row: [_GREY if row["Situação"] == INACTIVE else ""] * len(row), axis=1
    )
    return styled, columns


def entry_form(
    key: str, catalogue: Catalogue, row: dict[str, Any] | None = None
) -> EntryInput | None:
    """Include (no row) or alter an entry; None until "Gravar" is pressed."""
    row = row or {}
    with st.form(key):
        code_cell, description_cell = st.columns([1, 3])
        code = code_cell.text_input(
            "Código", value=row.get("code", ""), max_chars=12, key=f"{key}_code",
            help="Até 12 letras maiúsculas, números, - ou _ (ex.: RECL04).",
        )  # fmt: skip
        description = description_cell.text_input(
            "Descrição", value=row.get("description", ""), key=f"{key}_description"
        )
        routine = subject = None
        if catalogue.has_routine:
            routine_cell, subject_cell = st.columns([1, 3])
            routines = [r.value for r in Routine]
            current = row.get("routine") or Routine.TELEMARKETING.value
            routine = routine_cell.selectbox(
                "Rotina", routines, format_func=lambda value: Routine(value).label,
                index=routines.index(current) if current in routines else 0,
                key=f"{key}_routine", placeholder=CHOOSE,
            )  # fmt: skip
            subject = subject_cell.text_input(
                "Assunto", value=row.get("subject") or "", key=f"{key}_subject",
                help="Agrupa as ocorrências na escolha do atendimento (ex.: Reclamação).",
            )  # fmt: skip
        starts_on = ends_on = None
        if catalogue.has_period:
            start_cell, end_cell = st.columns(2)
            starts_on = start_cell.date_input(
                "Início", value=row.get("starts_on"), format=DATE_FORMAT, key=f"{key}_start"
            )
            ends_on = end_cell.date_input(
                "Fim", value=row.get("ends_on"), format=DATE_FORMAT, key=f"{key}_end"
            )
        active = st.checkbox(
            "Ativo", value=row.get("active", True), key=f"{key}_active",
            help="Inativos não aparecem para escolha nos atendimentos; os registros antigos "
            "continuam mostrando o que escolheram.",
        )  # fmt: skip
        if not st.form_submit_button("Gravar", type="primary", key=f"{key}_submit"):
            return None
    return EntryInput(
        code=code, description=description, routine=routine, subject=subject,
        starts_on=starts_on, ends_on=ends_on, active=active,
    )  # fmt: skip
