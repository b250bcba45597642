"""Atendimentos: the three routines' attendances on one list (see core/attendances.py), with
the Protheus legend of each routine and "Abrir no atendimento" in the attendance's own tab."""

from __future__ import annotations

from typing import Any

import polars as pl
import streamlit as st

from core import attendances
from core.access import Routine, User
from core.attendances import SOURCES, STATUSES, AttendanceFilter
from ui.kit.feedback import attempt
from ui.kit.formats import DATE_FORMAT, DATETIME_FORMAT, LOCAL_TZ
from ui.kit.forms import CHOOSE
from ui.kit.legend import StatusLegend
from ui.kit.paged_table import ListView
from ui.kit.workspace import open_routine_attendance

# One legend entry per routine and status ("televendas:faturado"), each in its routine's colour.
_KEYS = [
    f"{routine.value}:{status}" for routine, source in SOURCES.items() for status in source.statuses
]
_LEGEND = StatusLegend(
    {key: SOURCES[Routine(key.split(":")[0])].statuses[key.split(":")[1]] for key in _KEYS},
    {key: SOURCES[Routine(key.split(":")[0])].colours[key.split(":")[1]] for key in _KEYS},
    tuple(_KEYS),
)
ROUTINES: dict[Routine | None, str] = {None: "Todas", **{r: r.label for r in Routine}}
LIST_ORDER = ["routine_label", "id", "legend", "started_at", "entity_name", "document",
              "operator_code", "group_name", "ended_at"]  # fmt: skip
LIST_COLUMNS: dict[str, Any] = {
    **{c: label for c, label in attendances.COLUMN_LABELS.items() if c in LIST_ORDER},
    "id": st.column_config.NumberColumn("Nº", format="%d", width="small"),
    "legend": _LEGEND.column(140),
    "started_at": st.column_config.DatetimeColumn("Início", format=DATETIME_FORMAT),
    "ended_at": st.column_config.DatetimeColumn("Fim", format=DATETIME_FORMAT),
}


def list_frame(rows: pl.DataFrame) -> pl.DataFrame:
    return rows.with_columns(
        pl.col("started_at").dt.convert_time_zone(LOCAL_TZ.key),
        pl.col("ended_at").dt.convert_time_zone(LOCAL_TZ.key),
        pl.concat_list(pl.col("routine") + ":" + pl.col("status")).alias("legend"),
    )


LIST_VIEW = ListView("all", attendances.ALL, LIST_ORDER, LIST_COLUMNS, list_frame)


def filter_bar() -> AttendanceFilter:
    cells = st.columns([1.2, 1.4, 1, 1, 2])
    routine = cells[0].selectbox(
        "Rotina",
        list(ROUTINES),
        format_func=ROUTINES.__getitem__,
        key="all_routine",
        placeholder=CHOOSE,
    )
    statuses: dict[str | None, str] = {None: "Todos"}
    statuses.update(STATUSES)
    status = cells[1].selectbox(
        "Status",
        list(statuses),
        format_func=statuses.__getitem__,
        key="all_status",
        placeholder=CHOOSE,
    )
    start = cells[2].date_input("De", value=None, format=DATE_FORMAT, key="all_start")
    end = cells[3].date_input("Até", value=None, format=DATE_FORMAT, key="all_end")
    text = cells[4].text_input("Entidade", key="all_entity", placeholder="nome ou CPF/CNPJ")
    return AttendanceFilter(routine=routine, status=status, start=start, end=end, entity_text=text)


# Nothing left to work on the phone: looking at these must not start a call.
FINISHED = {"encerrado", "cancelado", "faturado"}


def open_action(user: User, row: dict[str, Any]) -> None:
    """ "Abrir no atendimento" in the attendance's routine (the operator must hold it)."""
    routine = Routine(row["routine"])
    if routine not in user.routines:
        st.caption(f"Você não trabalha a rotina {routine.label}: só consulta.")
        return
    if row["status"] in FINISHED:
        st.caption(f"{row['status_label']}: só consulta (abrir não inicia ligação).")
        return
    if st.button(
        f"Abrir no atendimento ({routine.label})", type="primary", icon=":material/call:",
        key=f"all_open_{row['routine']}_{row['id']}",
    ):  # fmt: skip
        attempt(lambda: open_routine_attendance(user, routine, row["entity_id"], row["id"]))
