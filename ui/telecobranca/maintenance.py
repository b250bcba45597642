"""Telecobrança's maintenance screen parts: the attendance list (filter row, the Protheus
legend with orange for Cobrança, columns, the selected attendance), the queue per range with its
debtors, and the collector's balance."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Final

import polars as pl
import streamlit as st

from core.access import Action, Routine, User, allowed
from core.db import Database
from core.telecobranca import attendance as tlc_attendance
from core.telecobranca import ledger
from core.telecobranca import maintenance as tlc_maintenance
from core.telecobranca import setup as tlc_setup
from core.telecobranca.attendance import (
    ORIGIN_LABELS,
    OUTCOME_LABELS,
    PROMISE_STATUS_LABELS,
    STATUS_COLOURS,
    STATUS_LABELS,
    CollectionAttendance,
)
from core.telecobranca.maintenance import BALANCE_LABELS, COLUMN_LABELS, AttendanceFilter
from core.validation import format_phone
from ui.kit.charts import bar_chart
from ui.kit.feedback import attempt
from ui.kit.formats import (
    DATE_FORMAT,
    DATETIME_FORMAT,
    LOCAL_TZ,
    local_date,
    local_datetime,
    money,
    plain,
)
from ui.kit.forms import CHOOSE, signature
from ui.kit.legend import StatusLegend
from ui.kit.paged_table import ListView, maintenance_list, paged_table
from ui.kit.workspace import TLC_TAKE, open_in_workspace
from ui.telecobranca.ledger import money_text, position_view, titles_table

# --- the attendance list --------------------------------------------------------------------

# The Protheus legend: blue atendimento, orange cobrança, green encerrado, black cancelado.
LEGEND = StatusLegend(
    STATUS_LABELS, STATUS_COLOURS, ("atendimento", "cobranca", "encerrado", "cancelado")
)
KEEP: Final = "page"  # filters keep their value while another section of the page is shown
STATUS_FILTERS = {
    "todos": "Todos",
    "atendimento": "Em atendimento",
    "cobranca": "Em cobrança",
    "encerrado": "Encerrados",
    "cancelado": "Cancelados",
}
LIST_ORDER = [
    "id", "status", "started_at", "entity_name", "document", "operator_code", "group_name",
    "range_code", "origin", "portfolio_amount", "recovered", "promised_on", "ended_at",
]  # fmt: skip
LIST_COLUMNS: dict[str, Any] = {
    **{column: label for column, label in COLUMN_LABELS.items() if column in LIST_ORDER},
    "id": st.column_config.NumberColumn("Nº", format="%d", width="small"),
    "status": LEGEND.column(120),
    "started_at": st.column_config.DatetimeColumn(COLUMN_LABELS["started_at"],
                                                  format=DATETIME_FORMAT),
    "ended_at": st.column_config.DatetimeColumn(COLUMN_LABELS["ended_at"], format=DATETIME_FORMAT),
    "promised_on": st.column_config.DateColumn(COLUMN_LABELS["promised_on"], format=DATE_FORMAT),
    "portfolio_amount": st.column_config.TextColumn("Enviado"),
    "recovered": st.column_config.TextColumn("Recuperado"),
}  # fmt: skip


def filter_bar(db: Database, user: User) -> AttendanceFilter:
    """Status, then period, customer, range and (supervisors) the collector."""
    status = st.segmented_control(
        "Status", list(STATUS_FILTERS), format_func=STATUS_FILTERS.__getitem__,
        default="todos", required=True, key="tlc_status", label_visibility="collapsed",
        persist_state=KEEP,
    )  # fmt: skip
    supervisor = allowed(user, Action.SUPERVISE)
    cells = st.columns([1, 1, 2, 1.5] + ([1.5] if supervisor else []))
    start = cells[0].date_input(
        "De", value=None, format=DATE_FORMAT, key="tlc_start", persist_state=KEEP
    )
    end = cells[1].date_input(
        "Até", value=None, format=DATE_FORMAT, key="tlc_end", persist_state=KEEP
    )
    text = cells[2].text_input(
        "Cliente", key="tlc_entity", placeholder="nome ou CPF/CNPJ", persist_state=KEEP
    )
    ranges = range_choices(db, user)
    range_id = cells[3].selectbox(
        "Faixa", [None, *ranges], key="tlc_range", persist_state=KEEP,
        format_func=lambda r: "Todas" if r is None else ranges[r], placeholder=CHOOSE,
    )  # fmt: skip
    operator = None
    if supervisor:
        collectors = attempt(lambda: tlc_maintenance.collector_choices(db, user)) or {}
        operator = cells[4].selectbox(
            "Operador", [None, *collectors], key="tlc_operator", persist_state=KEEP,
            format_func=lambda o: "Todos" if o is None else collectors[o], placeholder=CHOOSE,
        )  # fmt: skip
    return AttendanceFilter(
        status=None if status in (None, "todos") else status, range_id=range_id,
        operator_id=operator, start=start, end=end, entity_text=text,
    )  # fmt: skip


def range_choices(db: Database, user: User) -> dict[int, str]:
    """Every range (inactive ones marked: old attendances may still carry them)."""
    ranges = attempt(lambda: tlc_setup.list_ranges(db, user))
    if ranges is None:
        return {}
    return {
        row["id"]: f"{row['code']} · {row['description']}" + ("" if row["active"] else " (inativa)")
        for row in ranges.iter_rows(named=True)
    }


def list_frame(rows: pl.DataFrame) -> pl.DataFrame:
    """São Paulo time, money as pt-BR text (R$ 1.234,56), the status as one coloured tag."""
    return rows.with_columns(
        pl.col("started_at").dt.convert_time_zone(LOCAL_TZ.key),
        pl.col("ended_at").dt.convert_time_zone(LOCAL_TZ.key),
        *money_text("portfolio_amount", "recovered"),
        pl.concat_list(pl.col("status")),
    )


LIST_VIEW = ListView(
    "tlc", tlc_maintenance.MAINTENANCE, LIST_ORDER, LIST_COLUMNS, list_frame, LEGEND
)


def attendance_list(db: Database, user: User) -> None:
    """Atendimentos: filters, a page of 50 with its total, CSV export, the selected row."""
    selected = maintenance_list(LIST_VIEW, db, user, filter_bar(db, user))
    if selected is None:
        return
    attendance_id = int(selected["id"])
    attendance = attempt(lambda: tlc_attendance.get_attendance(db, user, attendance_id))
    if attendance is not None:
        with st.container(border=True, key="tlc_selected"):
            summary(attendance)
            open_action(user, attendance)


def summary(attendance: CollectionAttendance) -> None:
    """What a collector or supervisor needs to recognise the attendance before opening it."""
    st.subheader(f"Cobrança nº {attendance.id} · {LEGEND.badge(attendance.status)}")
    left, middle, right = st.columns(3)
    left.markdown(f"**Cliente:** {plain(attendance.entity_name)}")
    left.caption(
        f"Faixa: {plain(attendance.range_label)} · "
        f"Origem: {ORIGIN_LABELS.get(attendance.origin, attendance.origin)}"
    )
    middle.markdown(f"**Início:** {local_datetime(attendance.started_at)}")
    middle.caption(f"Operador: {plain(attendance.operator_code)}")
    right.markdown(f"**Enviado:** {money(attendance.portfolio_amount)}")
    if attendance.ended_at is not None:
        right.caption(f"Fim: {local_datetime(attendance.ended_at)}")
    if attendance.titles:
        st.markdown("**Títulos da cobrança**")
        titles_table(attendance.titles, key=f"tlc_titles_{attendance.id}")
    if attendance.promises:
        st.markdown("**Promessas de pagamento**")
        st.dataframe(
            [
                {"Para": local_date(p["promised_on"]), "Valor": money(p["amount"]),
                 "Pago": money(p["paid_amount"]), "Títulos": p["titles"],
                 "Situação": PROMISE_STATUS_LABELS.get(p["status"], p["status"])}
                for p in attendance.promises
            ],
            hide_index=True, key=f"tlc_promises_{attendance.id}",
        )  # fmt: skip
    if attendance.outcomes:
        st.markdown("**Lançamentos**")
        st.dataframe(
            [
                {"Data": local_datetime(o["created_at"]), "Título": o["title"],
                 "Resultado": OUTCOME_LABELS.get(o["outcome"], o["outcome"]),
                 "Valor": money(o["amount"]), "Principal": money(o["principal"]),
                 "Multa e juros": money(o["charges"]), "Por": o["username"],
                 "Observação": o["note"]}
                for o in attendance.outcomes
            ],
            hide_index=True, key=f"tlc_outcomes_{attendance.id}",
        )  # fmt: skip
    reason = attendance.closing_reason_id or attendance.cancellation_reason_id
    if reason is not None:
        st.caption(f"Motivo: {plain(attendance.labels.get(reason, ''))}")
    if attendance.closing_text:
        st.caption(f"Encerramento: {plain(attendance.closing_text)}")


def open_action(user: User, attendance: CollectionAttendance) -> None:
    """The attendance's own collector resumes an open one in the workspace: the call starts
    under Telecobrança and the tab takes the debtor (take_debtor resumes this attendance)."""
    if attendance.user_id != user.id or attendance.is_final:
        return
    if st.button(
        "Abrir no atendimento", type="primary", key=f"tlc_open_{attendance.id}",
        icon=":material/call:",
    ):  # fmt: skip
        st.session_state[TLC_TAKE] = attendance.entity_id
        attempt(lambda: open_in_workspace(user, attendance.entity_id, routine=Routine.TELECOBRANCA))
        st.session_state.pop(TLC_TAKE, None)  # only reached when the call could not start


# --- the queue per range and the debtors list -----------------------------------------------

QUEUE_COLUMNS: dict[str, Any] = {
    "range": "Faixa",
    "span": "Dias",
    "debtors": st.column_config.NumberColumn("Devedores", format="%d"),
    "titles": st.column_config.NumberColumn("Títulos", format="%d"),
    "balance": "Saldo vencido",
    "waiting": st.column_config.NumberColumn("Aguardando", format="%d"),
    "reserved": st.column_config.NumberColumn("Reservados", format="%d"),
    "promised": st.column_config.NumberColumn("Com promessa", format="%d"),
    "max_days": st.column_config.NumberColumn("Maior atraso (dias)", format="%d"),
}
DEBTOR_ORDER = [
    "entity_name", "document", "phone", "mobile", "range_code", "days", "titles", "balance",
    "state_label",
]  # fmt: skip
DEBTOR_COLUMNS: dict[str, Any] = {
    "entity_name": "Cliente",
    "document": "CPF/CNPJ",
    "phone": "Telefone",
    "mobile": "Celular",
    "range_code": st.column_config.TextColumn("Faixa", width="small"),
    "days": st.column_config.NumberColumn("Dias em atraso", format="%d"),
    "titles": st.column_config.NumberColumn("Títulos", format="%d"),
    "balance": "Saldo vencido",
    "state_label": "Situação",
}


def debtors_frame(rows: pl.DataFrame) -> pl.DataFrame:
    """Phones as (11) 98765-4321 (masked ones keep their mask), money as pt-BR text."""
    return rows.with_columns(
        *(pl.col(name).map_elements(format_phone, return_dtype=pl.String).fill_null("")
          for name in ("phone", "mobile")),
        *money_text("balance"),
    )  # fmt: skip


def queue_view(db: Database, user: User) -> None:
    """Fila por faixa: totals, one row and one bar per range, then the debtors."""
    overview = attempt(lambda: ledger.queue_overview(db, user))
    if overview is None:
        return
    if overview.is_empty():
        st.info(
            "Nenhuma faixa de cobrança ativa: o administrador as cadastra em Cadastros › "
            "Regras de cobrança.",
            icon="🗂️",
        )
        return
    totals = [
        ("Devedores", str(int(overview["debtors"].sum()))),
        ("Saldo vencido", money(sum(overview["balance"].to_list(), Decimal(0)))),
        ("Aguardando", str(int(overview["waiting"].sum()))),
        ("Reservados", str(int(overview["reserved"].sum()))),
        ("Com promessa", str(int(overview["promised"].sum()))),
    ]
    for cell, (label, value) in zip(st.columns([1, 2, 1, 1, 1]), totals, strict=True):
        cell.metric(label, value, border=True)
    st.dataframe(
        overview.with_columns(*money_text("balance")),
        key="tlc_queue_table",
        hide_index=True,
        column_order=list(QUEUE_COLUMNS),
        column_config=QUEUE_COLUMNS,
    )
    st.plotly_chart(
        bar_chart(overview["range"].to_list(), overview["balance"].to_list()),
        width="stretch", key="tlc_queue_chart", config={"displayModeBar": False},
    )  # fmt: skip
    st.subheader("Devedores")
    debtors_list(db, user, dict(zip(overview["range_id"], overview["range"], strict=True)))


def debtors_list(db: Database, user: User, ranges: dict[int, str]) -> None:
    """Every debtor, the oldest overdue first, paged; a selected one shows its position."""
    a, b = st.columns([1.5, 2])
    range_id = a.selectbox(
        "Faixa", [None, *ranges], key="tlc_debtor_range", persist_state=KEEP,
        format_func=lambda r: "Todas" if r is None else ranges[r], placeholder=CHOOSE,
    )  # fmt: skip
    text = b.text_input(
        "Cliente", key="tlc_debtor_entity", placeholder="nome ou CPF/CNPJ", persist_state=KEEP
    )
    shown = paged_table(
        "tlc_debtors",
        signature("devedores", range_id, text),
        lambda page: attempt(lambda: ledger.list_debtors(db, user, range_id, text, page)),
        display=debtors_frame,
        column_order=DEBTOR_ORDER,
        column_config=DEBTOR_COLUMNS,
        noun="devedor(es)",
        empty="Nenhum devedor nessa seleção.",
    )
    if shown is None:
        return
    result, index = shown
    if index is None:
        st.caption("Selecione um devedor para ver a posição financeira.")
        return
    with st.container(border=True, key="tlc_debtor_selected"):
        position_view(db, user, int(result.rows["id"][index]), "tlc_debtor", can_pay=False)


# --- the collector's balance ----------------------------------------------------------------

BALANCE_FORMULA = (
    "**Saldo inicial + Enviado − (Recuperado + Não realizado + Cancelado) = Saldo final**, em "
    "R$ de principal. Enviado: saldo vencido entregue ao cobrador quando o atendimento "
    "começou. Recuperado: principal pago. Cancelado: principal abatido, baixado ou "
    "renegociado. Não realizado: o que restou da carteira quando o atendimento terminou. "
    "O saldo inicial soma tudo antes do período; o saldo final de um período é o inicial do "
    "seguinte."
)
_BALANCE_MONEY = ("opening", "sent", "recovered", "not_done", "cancelled", "closing")


def balance_frame(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        *money_text(*_BALANCE_MONEY),
        pl.col("share_pct").map_elements(
            lambda value: f"{value:.1f} %".replace(".", ","), return_dtype=pl.String
        ),
    )


def balance_view(db: Database, user: User) -> None:
    """Saldo do cobrador for a period (the current month by default)."""
    today = datetime.now(LOCAL_TZ).date()
    a, b, _ = st.columns([1, 1, 2])
    start = a.date_input(
        "De", value=today.replace(day=1), format=DATE_FORMAT, key="tlc_balance_start",
        persist_state=KEEP,
    )  # fmt: skip
    end = b.date_input(
        "Até", value=today, format=DATE_FORMAT, key="tlc_balance_end", persist_state=KEEP
    )
    if start is None or end is None:
        st.info("Informe o início e o fim do período.", icon="📅")
        return
    frame = attempt(lambda: tlc_maintenance.collector_balance(db, user, start, end))
    if frame is None:
        return
    if frame.is_empty():
        st.info("Nenhuma movimentação de cobrança até o fim do período.", icon="🔎")
        st.caption(BALANCE_FORMULA)
        return
    if frame.height > 1:
        totals = [(BALANCE_LABELS[name], sum(frame[name].to_list(), Decimal(0)))
                  for name in ("opening", "sent", "recovered", "closing")]  # fmt: skip
        for cell, (label, value) in zip(st.columns(len(totals)), totals, strict=True):
            cell.metric(f"{label} (todos)", money(value), border=True)
    st.dataframe(
        balance_frame(frame),
        key="tlc_balance_table",
        hide_index=True,
        column_order=list(BALANCE_LABELS),
        column_config=dict(BALANCE_LABELS),
    )
    st.caption(BALANCE_FORMULA)
