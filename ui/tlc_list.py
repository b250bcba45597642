"""Telecobrança's screens' parts: the attendance list (filter row, the Protheus legend with
orange for Cobrança, columns, the selected attendance), the queue per range with its debtors,
the collector's balance, a customer's financial position with "Registrar pagamento", the CSV
import of titles, and the admin's ranges and group rules."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from core import entities, parameters, telecobranca
from core.access import Action, Routine, User, allowed
from core.db import Database
from core.errors import DomainError
from core.listing import ListPage
from core.telecobranca import (
    BALANCE_LABELS,
    COLUMN_LABELS,
    ORIGIN_LABELS,
    OUTCOME_LABELS,
    PROMISE_STATUS_LABELS,
    SAMPLE,
    STATUS_COLOURS,
    STATUS_LABELS,
    TITLE_STATUS_LABELS,
    AttendanceFilter,
    CollectionAttendance,
    GroupCollection,
    ImportReport,
    NegotiationRules,
    RangeInput,
    Title,
)
from core.validation import format_phone
from ui.admin_forms import form_key, percent, reset_form, selected_index
from ui.feedback import attempt, succeeded
from ui.formats import LOCAL_TZ, local_date, local_datetime, money
from ui.tmk_list import DATE_FORMAT, DATETIME_FORMAT, signature
from ui.workspace import TLC_TAKE, open_in_workspace

# --- the attendance list --------------------------------------------------------------------

# The Protheus legend: blue atendimento, orange cobrança, green encerrado, black cancelado.
LEGEND_ORDER = ("atendimento", "cobranca", "encerrado", "cancelado")
HEX = {"blue": "#1c64d9", "orange": "#ef6c00", "green": "#1f8a3b", "black": "#1e1e1e"}
KEEP = "page"  # filters keep their value while another section of the page is shown


def _badge(status: str) -> str:
    """Markdown for headings and captions; black is the text's own colour."""
    colour, label = STATUS_COLOURS[status], STATUS_LABELS[status]
    return f"● {label}" if colour == "black" else f":{colour}[● {label}]"


STATUS_BADGES = {status: _badge(status) for status in LEGEND_ORDER}
LEGEND = "Legenda: " + " · ".join(STATUS_BADGES[status] for status in LEGEND_ORDER)
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
    "status": st.column_config.MultiselectColumn(
        "Status",
        options=list(LEGEND_ORDER),
        color=[HEX[STATUS_COLOURS[status]] for status in LEGEND_ORDER],
        format_func=STATUS_LABELS.__getitem__,
        width=120,
    ),
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
        format_func=lambda r: "Todas" if r is None else ranges[r],
    )  # fmt: skip
    operator = None
    if supervisor:
        collectors = attempt(lambda: telecobranca.collector_choices(db, user)) or {}
        operator = cells[4].selectbox(
            "Operador", [None, *collectors], key="tlc_operator", persist_state=KEEP,
            format_func=lambda o: "Todos" if o is None else collectors[o],
        )  # fmt: skip
    return AttendanceFilter(
        status=None if status in (None, "todos") else status, range_id=range_id,
        operator_id=operator, start=start, end=end, entity_text=text,
    )  # fmt: skip


def range_choices(db: Database, user: User) -> dict[int, str]:
    """Every range (inactive ones marked: old attendances may still carry them)."""
    ranges = attempt(lambda: telecobranca.list_ranges(db, user))
    if ranges is None:
        return {}
    return {
        row["id"]: f"{row['code']} · {row['description']}" + ("" if row["active"] else " (inativa)")
        for row in ranges.iter_rows(named=True)
    }


def _money_text(*columns: str) -> list[pl.Expr]:
    return [pl.col(name).map_elements(money, return_dtype=pl.String) for name in columns]


def list_frame(rows: pl.DataFrame) -> pl.DataFrame:
    """São Paulo time, money as pt-BR text (R$ 1.234,56), the status as one coloured tag."""
    return rows.with_columns(
        pl.col("started_at").dt.convert_time_zone(LOCAL_TZ.key),
        pl.col("ended_at").dt.convert_time_zone(LOCAL_TZ.key),
        *_money_text("portfolio_amount", "recovered"),
        pl.concat_list(pl.col("status")),
    )


def attendance_list(db: Database, user: User) -> None:
    """Atendimentos: filters, a page of 50 with its total, CSV export, the selected row."""
    filters = filter_bar(db, user)
    view = signature(filters)
    page_key = f"tlc_page_{view}"  # new filters: back to page 1

    def fetch(page: int) -> ListPage | None:
        return attempt(lambda: telecobranca.list_attendances(db, user, filters, page))

    result = fetch(int(st.session_state.get(page_key, 1)))
    if result is not None and result.page > result.pages:  # the list shrank meanwhile
        st.session_state.pop(page_key, None)
        result = fetch(1)
    if result is None:
        return
    if result.total == 0:
        st.info("Nenhum atendimento de cobrança encontrado com esses filtros.", icon="🔎")
        return
    table = st.dataframe(
        list_frame(result.rows),
        key=f"tlc_table_{view}_{result.page}",
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        column_order=LIST_ORDER,
        column_config=LIST_COLUMNS,
        placeholder="",
    )
    pager, counter, export = st.columns([3, 3, 1], vertical_alignment="center")
    with pager:
        if result.pages > 1:
            st.pagination(result.pages, key=page_key)
    counter.caption(f"{result.total} atendimento(s) · página {result.page} de {result.pages}")
    export.download_button(
        "Exportar CSV",
        data=lambda: telecobranca.export_attendances_csv(db, user, filters),
        file_name="telecobranca.csv",
        mime="text/csv",
        key="tlc_export",
        icon=":material/download:",
        on_click="ignore",
    )
    st.caption(LEGEND + " · Selecione uma linha para ver o atendimento.")
    index = selected_index(table)
    if index is None:
        return
    attendance_id = int(result.rows["id"][index])
    attendance = attempt(lambda: telecobranca.get_attendance(db, user, attendance_id))
    if attendance is not None:
        with st.container(border=True, key="tlc_selected"):
            summary(attendance)
            open_action(user, attendance)


def summary(attendance: CollectionAttendance) -> None:
    """What a collector or supervisor needs to recognise the attendance before opening it."""
    st.subheader(f"Cobrança nº {attendance.id} · {STATUS_BADGES[attendance.status]}")
    left, middle, right = st.columns(3)
    left.markdown(f"**Cliente:** {attendance.entity_name}")
    left.caption(
        f"Faixa: {attendance.range_label} · "
        f"Origem: {ORIGIN_LABELS.get(attendance.origin, attendance.origin)}"
    )
    middle.markdown(f"**Início:** {local_datetime(attendance.started_at)}")
    middle.caption(f"Operador: {attendance.operator_code}")
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
        st.caption(f"Motivo: {attendance.labels.get(reason, '')}")
    if attendance.closing_text:
        st.caption(f"Encerramento: {attendance.closing_text}")


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


# --- titles and the financial position ------------------------------------------------------

TITLE_ORDER = [
    "title", "type", "origin", "issue_date", "due_date", "amount", "balance", "days_overdue",
    "fine", "interest", "updated_total", "status", "promised",
]  # fmt: skip
TITLE_COLUMNS: dict[str, Any] = {
    "title": "Título",
    "type": st.column_config.TextColumn("Tipo", width="small"),
    "origin": "Origem",
    "issue_date": st.column_config.DateColumn("Emissão", format=DATE_FORMAT),
    "due_date": st.column_config.DateColumn("Vencimento", format=DATE_FORMAT),
    "amount": "Valor",
    "balance": "Saldo",
    "days_overdue": st.column_config.NumberColumn("Dias em atraso", format="%d"),
    "fine": "Multa",
    "interest": "Juros",
    "updated_total": "Atualizado",
    "status": "Situação",
    "promised": st.column_config.CheckboxColumn("Promessa"),
}


def titles_display(titles: list[Title]) -> pl.DataFrame:
    """The titles with their values updated to today, money as pt-BR text."""
    return telecobranca.titles_frame(titles).with_columns(
        *_money_text("amount", "balance", "fine", "interest", "updated_total")
    )


def titles_table(titles: list[Title], key: str, selectable: bool = False) -> Any:
    """The titles table; with `selectable`, one row may be picked (returns the event)."""
    return st.dataframe(
        titles_display(titles),
        key=key,
        hide_index=True,
        column_order=TITLE_ORDER,
        column_config=TITLE_COLUMNS,
        **({"on_select": "rerun", "selection_mode": "single-row"} if selectable else {}),
    )


def customer_picker(db: Database, user: User) -> int | None:
    """Search a customer by name, CPF/CNPJ or phone; the one found (or picked) is returned."""
    with st.container(key="ledger_search"):
        text = st.text_input(
            "Buscar cliente por nome, CPF/CNPJ ou telefone", key="ledger_search_text",
            placeholder="ex.: Maria, 123.456.789-09, 11 98765",
        )  # fmt: skip
    if not text.strip():
        st.info("Busque o cliente para ver a posição financeira e os títulos.", icon="🔎")
        return None
    result = attempt(lambda: entities.search_entities(db, user, text, "cliente"))
    if result is None:
        return None
    if result.total == 0:
        st.info("Nenhum cliente encontrado com essa busca.", icon="🔎")
        return None
    if result.total == 1:
        return int(result.rows["id"][0])
    shown = f"os {result.rows.height} primeiros de " if result.total > result.rows.height else ""
    st.caption(
        f"Mostrando {shown}{result.total} cliente(s). Selecione um."
        + (" · 🔒 dados pessoais mascarados" if result.masked else "")
    )
    table = st.dataframe(
        result.rows,
        key=f"ledger_customers_{signature(text.strip())}",
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        column_order=["id", "name", "document", "phone", "mobile", "city", "state"],
        column_config={
            "id": st.column_config.NumberColumn("Código", format="%d"), "name": "Nome",
            "document": "CPF/CNPJ", "phone": "Telefone", "mobile": "Celular",
            "city": "Cidade", "state": "UF",
        },
    )  # fmt: skip
    index = selected_index(table)
    return None if index is None else int(result.rows["id"][index])


def position_view(db: Database, user: User, entity_id: int, prefix: str, can_pay: bool) -> None:
    """A customer's financial position: metric cards, aging by range, the titles; with
    `can_pay`, "Registrar pagamento" for a selected open title."""
    position = attempt(lambda: telecobranca.financial_position(db, user, entity_id))
    if position is None:
        return
    st.subheader(position.entity_name + (f" · {position.document}" if position.document else ""))
    cards = [
        ("Em aberto", money(position.open_total), "Saldo de todos os títulos em aberto."),
        ("Vencido", money(position.overdue_total), "Saldo dos títulos em aberto já vencidos."),
        ("Atualizado com multa e juros", money(position.updated_total),
         "Saldo vencido com multa (MV_TLCMULT) e juros (MV_TLCJURO) até hoje."),
        ("Pago", money(position.paid_total), "Principal já pago dos títulos."),
        ("Faixa", position.range_label.split(" · ")[0],
         f"A faixa do devedor na fila de cobrança: {position.range_label}."),
        ("Dias em atraso", str(position.days_overdue), "Do título vencido mais antigo."),
    ]  # fmt: skip
    for row in (cards[:3], cards[3:]):
        for cell, (label, value, help_text) in zip(st.columns(3), row, strict=True):
            cell.metric(label, value, help=help_text, border=True)
    if not position.titles:
        st.info("Este cliente não tem títulos no contas a receber.", icon="🧾")
        return
    st.markdown("**Em aberto por faixa de atraso**")
    left, right = st.columns([2, 3])
    left.dataframe(
        position.buckets.with_columns(*_money_text("saldo")),
        key=f"{prefix}_aging_{entity_id}",
        hide_index=True,
        column_config={"faixa": "Faixa", "titulos": "Títulos", "saldo": "Saldo"},
    )
    with right:
        st.plotly_chart(
            bar_chart(position.buckets["faixa"].to_list(), position.buckets["saldo"].to_list()),
            width="stretch", key=f"{prefix}_aging_chart_{entity_id}",
            config={"displayModeBar": False},
        )  # fmt: skip
    st.markdown("**Títulos**")
    versions = signature([(t.id, t.version) for t in position.titles])
    table = titles_table(position.titles, f"{prefix}_titles_{entity_id}_{versions}", can_pay)
    if not can_pay:
        return
    index = selected_index(table)
    if index is None:
        st.caption("Selecione um título em aberto para registrar um pagamento.")
        return
    title = position.titles[index]
    if not title.is_open:
        status = TITLE_STATUS_LABELS.get(title.status, title.status).lower()
        st.info(f"O título {title.key} está {status} e não aceita pagamento.", icon="🔒")
        return
    payment_form(db, user, title)


def _plain(value: Decimal) -> str:
    """1234.5 -> '1.234,50' (what a person types in a pt-BR money field)."""
    return f"{value:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")


def payment_form(db: Database, user: User, title: Title) -> None:
    """A payment outside a call (finance): charges first, then principal."""
    key = f"ledger_pay_{title.id}_{title.version}"
    updated = title.updated
    with st.form(key):
        st.markdown(f"**Registrar pagamento · título {title.key}**")
        st.caption(
            f"Saldo {money(updated.balance)} + multa {money(updated.fine)} + juros "
            f"{money(updated.interest)} = atualizado {money(updated.total)}. "
            "O pagamento quita primeiro a multa e os juros, depois o principal."
        )
        left, right = st.columns([1, 2])
        amount = left.text_input(
            "Valor pago (R$)", value=_plain(updated.total), key=f"{key}_amount",
            help="Formato 1.234,56. Pode ser parcial.",
        )  # fmt: skip
        note = right.text_input("Observação", key=f"{key}_note")
        submitted = st.form_submit_button(
            "Registrar pagamento", type="primary", key=f"{key}_submit"
        )
    if submitted and succeeded(
        lambda: telecobranca.record_payment(db, user, None, title.id, title.version, amount, note),
        f"Pagamento registrado no título {title.key}.",
    ):
        st.rerun()


# --- the CSV import -------------------------------------------------------------------------

IMPORT_REPORT = "ledger_import_report"
_IMPORT = "ledger_import"


def import_section(db: Database, user: User) -> None:
    """Upload, validate every row, and either write it all or show every problem by line."""
    st.markdown(
        "Arquivo CSV em UTF-8, separado por **ponto e vírgula**, com cabeçalho. Datas "
        "dd/mm/aaaa e valores 1.234,56. `nome`, `telefone` e `email` só são usados para "
        "incluir um cliente que ainda não existe; `tipo` vazio vale NF; `saldo` vazio vale o "
        "valor (0: já pago). Um arquivo com qualquer problema não grava nada."
    )
    st.code(SAMPLE, language=None)
    st.download_button(
        "Baixar modelo (CSV)", data=SAMPLE.encode("utf-8"), file_name="modelo_titulos.csv",
        mime="text/csv", key="ledger_sample", icon=":material/download:", on_click="ignore",
    )  # fmt: skip
    key = form_key(_IMPORT)
    with st.form(key):
        upload = st.file_uploader("Arquivo CSV", type=["csv", "txt"], key=f"{key}_file")
        submitted = st.form_submit_button("Importar", type="primary", key=f"{key}_submit")
    if submitted:
        if upload is None:
            st.error("Escolha o arquivo CSV a importar.", icon="❌")
        else:
            content = upload.getvalue()
            report = attempt(lambda: telecobranca.import_receivables(db, user, content))
            if report is not None:
                st.session_state[IMPORT_REPORT] = report
                if report.ok:  # a fresh uploader, and the positions read the new titles
                    reset_form(_IMPORT)
                    st.rerun()
    report = st.session_state.get(IMPORT_REPORT)
    if isinstance(report, ImportReport):
        import_result(report)


def import_result(report: ImportReport) -> None:
    if report.ok:
        st.success(
            f"Importação concluída: {report.titles_created} título(s) gravado(s), "
            f"{report.customers_created} cliente(s) novo(s).",
            icon="✅",
        )
        return
    st.error(
        f"Nada foi gravado: {len(report.problems)} problema(s) no arquivo. Corrija as linhas "
        "abaixo e importe o arquivo de novo.",
        icon="❌",
    )
    st.dataframe(
        [{"Linha": line, "Problema": message} for line, message in report.problems],
        key="ledger_import_problems",
        hide_index=True,
        column_config={
            "Linha": st.column_config.NumberColumn(format="%d", width="small"),
            "Problema": st.column_config.TextColumn(width="large"),
        },
    )


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


def bar_chart(labels: Iterable[str], values: Iterable[Decimal]) -> go.Figure:
    """One blue bar per label, its R$ value written on it."""
    values = list(values)
    figure = go.Figure(
        go.Bar(
            x=list(labels), y=[float(value) for value in values],
            text=[money(value) for value in values],
            textposition="outside", cliponaxis=False, marker_color=HEX["blue"],
            hovertemplate="%{x}<br>%{text}<extra></extra>",
        )
    )  # fmt: skip
    figure.update_layout(
        height=280, margin={"l": 10, "r": 10, "t": 30, "b": 10}, separators=",.",
        yaxis={"showticklabels": False, "rangemode": "tozero"},  # each bar shows its R$
    )  # fmt: skip
    return figure


def debtors_frame(rows: pl.DataFrame) -> pl.DataFrame:
    """Phones as (11) 98765-4321 (masked ones keep their mask), money as pt-BR text."""
    return rows.with_columns(
        *(pl.col(name).map_elements(format_phone, return_dtype=pl.String).fill_null("")
          for name in ("phone", "mobile")),
        *_money_text("balance"),
    )  # fmt: skip


def queue_view(db: Database, user: User) -> None:
    """Fila por faixa: totals, one row and one bar per range, then the debtors."""
    overview = attempt(lambda: telecobranca.queue_overview(db, user))
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
        overview.with_columns(*_money_text("balance")),
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
        format_func=lambda r: "Todas" if r is None else ranges[r],
    )  # fmt: skip
    text = b.text_input(
        "Cliente", key="tlc_debtor_entity", placeholder="nome ou CPF/CNPJ", persist_state=KEEP
    )
    view = signature("devedores", range_id, text)
    page_key = f"tlc_debtors_page_{view}"

    def fetch(page: int) -> ListPage | None:
        return attempt(lambda: telecobranca.list_debtors(db, user, range_id, text, page))

    result = fetch(int(st.session_state.get(page_key, 1)))
    if result is not None and result.page > result.pages:
        st.session_state.pop(page_key, None)
        result = fetch(1)
    if result is None:
        return
    if result.total == 0:
        st.info("Nenhum devedor nessa seleção.", icon="🔎")
        return
    table = st.dataframe(
        debtors_frame(result.rows),
        key=f"tlc_debtors_{view}_{result.page}",
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        column_order=DEBTOR_ORDER,
        column_config=DEBTOR_COLUMNS,
    )
    pager, counter = st.columns([3, 3], vertical_alignment="center")
    with pager:
        if result.pages > 1:
            st.pagination(result.pages, key=page_key)
    counter.caption(f"{result.total} devedor(es) · página {result.page} de {result.pages}")
    index = selected_index(table)
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
        *_money_text(*_BALANCE_MONEY),
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
    frame = attempt(lambda: telecobranca.collector_balance(db, user, start, end))
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
            help="Os cobradores do grupo recebem da fila só os devedores dessas faixas.",
        )  # fmt: skip
        a, b, c, d = st.columns(4)
        postpone = a.number_input(
            "Prazo máximo de adiamento (dias)", min_value=0, max_value=365, step=1,
            value=int(rules.max_postpone_days), key=f"{key}_postpone",
            help="Até quantos dias à frente o cobrador pode aceitar uma promessa de pagamento.",
        )  # fmt: skip
        principal = b.number_input(
            "Desconto máx. principal (%)", min_value=0.0, max_value=100.0, step=0.5,
            format="%.2f", value=float(rules.max_principal_discount_pct),
            key=f"{key}_principal",
        )  # fmt: skip
        charges = c.number_input(
            "Desconto máx. multa/juros (%)", min_value=0.0, max_value=100.0, step=0.5,
            format="%.2f", value=float(rules.max_charges_discount_pct), key=f"{key}_charges",
        )  # fmt: skip
        installments = d.number_input(
            "Parcelas máx.", min_value=1, max_value=60, step=1,
            value=int(rules.max_installments), key=f"{key}_installments",
            help="Na renegociação dos títulos.",
        )  # fmt: skip
        if not st.form_submit_button("Gravar", type="primary", key=f"{key}_submit"):
            return None
    return list(chosen), NegotiationRules(
        int(postpone), Decimal(f"{principal:.2f}"), Decimal(f"{charges:.2f}"), int(installments)
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
