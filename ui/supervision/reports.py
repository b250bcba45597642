"""The management reports screen's parts: routine section, report and period pickers, the
table with pt-BR headers (money as R$), the report's chart and the CSV/XLSX downloads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from core.access import User
from core.db import Database
from core.errors import Invalid
from core.reports import (
    COLLECTOR_HISTORY,
    REPORTS,
    Period,
    daily_averages,
    export_report,
    labels_of,
    run_report,
)
from core.timer import UNDER_COLOUR
from ui.kit.charts import count_axis
from ui.kit.feedback import attempt, show_error
from ui.kit.formats import LOCAL_TZ, local_date, money
from ui.kit.forms import CHOOSE

SECTIONS = ("Telemarketing", "Televendas", "Telecobrança", "Todas")
DATE_FORMAT = "DD/MM/YYYY"
EARLIEST = date(2000, 1, 1)  # the date pickers' floor (their default is 10 years back)
_CHART_CONFIG = {"displayModeBar": False}


@dataclass(frozen=True)
class ReportChoice:
    """What the screen needs of a report: the core's registry plus the collector history."""

    key: str
    section: str
    title: str
    chart: tuple[str, str] | None
    note: str = ""


CHOICES: tuple[ReportChoice, ...] = (
    *(ReportChoice(r.key, r.routine, r.title, r.chart, r.note) for r in REPORTS.values()),
    ReportChoice(
        COLLECTOR_HISTORY, "Telecobrança", "Histórico do cobrador (saldo)",
        ("operator_code", "recovered"),
        "Saldo inicial + enviado − (recuperado + não realizado + cancelado) = saldo final, "
        "em principal. % recuperado: recuperado sobre o saldo inicial mais o enviado.",
    ),
)  # fmt: skip


def choices_of(section: str) -> list[ReportChoice]:
    return [choice for choice in CHOICES if choice.section == section]


# --- pickers -------------------------------------------------------------------------------


def report_picker() -> ReportChoice:
    """The routine's section, then one of its reports."""
    section = st.segmented_control(
        "Rotina", SECTIONS, default=SECTIONS[0], required=True, key="rep_section",
        label_visibility="collapsed",
    )  # fmt: skip
    section = section or SECTIONS[0]
    options = choices_of(section)
    return st.selectbox(
        "Relatório",
        options,
        key=f"rep_report_{section}",
        format_func=lambda c: c.title,
        placeholder=CHOOSE,
    )


def today() -> date:
    return datetime.now(LOCAL_TZ).date()


def period_picker() -> Period | None:
    """De/Até (default: this month so far); None, with the reason on screen, when invalid."""
    start_cell, end_cell, _ = st.columns([1, 1, 3])
    start = start_cell.date_input(
        "De", value=today().replace(day=1), min_value=EARLIEST, max_value=today(),
        format=DATE_FORMAT, key="rep_start",
    )  # fmt: skip
    end = end_cell.date_input(
        "Até", value=today(), min_value=EARLIEST, max_value=today(), format=DATE_FORMAT,
        key="rep_end",
    )  # fmt: skip
    if not isinstance(start, date) or not isinstance(end, date):
        st.error("Informe o período: as datas De e Até.", icon="📅")
        return None
    try:
        return Period(start, end)
    except Invalid as error:
        show_error(error)
        return None


# --- the report ----------------------------------------------------------------------------


def _is_money(dtype: pl.DataType) -> bool:
    """Money is DECIMAL with cents; quantities (three places) are not money."""
    return isinstance(dtype, pl.Decimal) and dtype.scale == 2


def display_frame(frame: pl.DataFrame, labels: dict[str, str]) -> pl.DataFrame:
    """The report's columns in order, money as pt-BR text (R$ 1.234,56), dates dd/mm/aaaa."""
    shown = frame.select(list(labels))
    converted: list[pl.Expr] = []
    for name, dtype in shown.schema.items():
        if _is_money(dtype):
            converted.append(pl.col(name).map_elements(money, return_dtype=pl.String))
        elif isinstance(dtype, pl.Decimal):
            converted.append(pl.col(name).cast(pl.Float64))
        elif dtype == pl.Date:
            converted.append(pl.col(name).map_elements(local_date, return_dtype=pl.String))
    return shown.with_columns(converted) if converted else shown


def column_config(frame: pl.DataFrame, labels: dict[str, str]) -> dict[str, Any]:
    config: dict[str, Any] = {}
    for name, label in labels.items():
        dtype = frame.schema[name]
        if _is_money(dtype):
            config[name] = st.column_config.TextColumn(label, alignment="right")
        elif dtype.is_numeric():
            config[name] = st.column_config.NumberColumn(label, format="localized")
        else:
            config[name] = st.column_config.TextColumn(label)
    return config


def report_table(frame: pl.DataFrame, choice: ReportChoice) -> None:
    labels = labels_of(choice.key)
    st.dataframe(
        display_frame(frame, labels),
        key=f"rep_table_{choice.key}",
        hide_index=True,
        column_order=list(labels),
        column_config=column_config(frame, labels),
    )


def chart_figure(frame: pl.DataFrame, choice: ReportChoice) -> go.Figure | None:
    """The report's (x, y) as bars, or a line over days; money values written as R$."""
    if choice.chart is None:
        return None
    x_name, y_name = choice.chart
    labels = labels_of(choice.key)
    x_values = frame[x_name].to_list()
    y_money = _is_money(frame.schema[y_name])
    y_values = [float(v) if v is not None else 0.0 for v in frame[y_name].to_list()]
    text = [money(v) for v in frame[y_name].to_list()] if y_money else None
    if frame.schema[x_name] == pl.Date:
        trace: go.Scatter | go.Bar = go.Scatter(
            x=x_values, y=y_values, mode="lines+markers", line={"color": UNDER_COLOUR},
            customdata=text, name=labels[y_name],
        )  # fmt: skip
    else:
        trace = go.Bar(
            x=[str(v) for v in x_values], y=y_values, marker_color=UNDER_COLOUR,
            text=text if y_money else y_values, textposition="auto", name=labels[y_name],
        )  # fmt: skip
    figure = go.Figure(trace)
    figure.update_layout(
        title=f"{labels[y_name]} por {labels[x_name].lower()}", height=360, separators=",.",
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        xaxis={"title": labels[x_name], "tickformat": "%d/%m"}
        if frame.schema[x_name] == pl.Date else {"title": labels[x_name]},
        yaxis={"title": labels[y_name], "rangemode": "tozero", "tickformat": ",~r"},
    )  # fmt: skip
    if frame.schema[y_name].is_integer():  # counts: whole-number ticks
        figure.update_layout(yaxis={"title": labels[y_name], **count_axis(y_values)})
    return figure


def report_chart(frame: pl.DataFrame, choice: ReportChoice) -> None:
    figure = chart_figure(frame, choice)
    if figure is not None:
        st.plotly_chart(
            figure, width="stretch", key=f"rep_chart_{choice.key}", config=_CHART_CONFIG
        )


def export_buttons(db: Database, user: User, choice: ReportChoice, period: Period) -> None:
    """Exports run only when clicked (audited by the core), without rerunning the page."""
    name = f"{choice.key}_{period.start:%Y%m%d}_{period.end:%Y%m%d}"
    csv_cell, xlsx_cell, _ = st.columns([1, 1, 4])
    csv_cell.download_button(
        "Exportar CSV",
        data=lambda: export_report(db, user, choice.key, period, "csv"),
        file_name=f"{name}.csv", mime="text/csv", key="rep_export_csv",
        icon=":material/download:", on_click="ignore",
    )  # fmt: skip
    xlsx_cell.download_button(
        "Exportar XLSX",
        data=lambda: export_report(db, user, choice.key, period, "xlsx"),
        file_name=f"{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="rep_export_xlsx", icon=":material/download:", on_click="ignore",
    )  # fmt: skip


def report_view(db: Database, user: User, choice: ReportChoice, period: Period) -> None:
    """The report's title and note, its table, chart and exports, or the empty state."""
    st.subheader(choice.title)
    if choice.note:
        st.caption(choice.note)
    frame = attempt(lambda: run_report(db, user, choice.key, period))
    if frame is None:
        return
    if frame.is_empty():
        st.info("Nenhum registro neste período.", icon="🔎")
        return
    averages = daily_averages(choice.key, frame, period)
    for cell, (label, value) in zip(st.columns(len(averages) or 1), averages.items(), strict=False):
        cell.metric(label, f"{value:.1f}".replace(".", ","))
    report_table(frame, choice)
    report_chart(frame, choice)
    export_buttons(db, user, choice, period)
