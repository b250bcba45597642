"""Títulos a receber's parts: a customer's financial position with its titles and
"Registrar pagamento", and the CSV import of titles."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import polars as pl
import streamlit as st

from core import entities
from core.access import User
from core.db import Database
from core.telecobranca import importer, ledger, outcomes
from core.telecobranca.attendance import TITLE_STATUS_LABELS, Title
from core.telecobranca.importer import MAX_ROWS as MAX_IMPORT_ROWS
from core.telecobranca.importer import SAMPLE, ImportReport
from ui.kit.charts import bar_chart
from ui.kit.feedback import attempt, line_problems, succeeded
from ui.kit.formats import DATE_FORMAT, money, plain
from ui.kit.forms import form_key, reset_form, selected_index, signature


def money_text(*columns: str) -> list[pl.Expr]:
    return [pl.col(name).map_elements(money, return_dtype=pl.String) for name in columns]


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
    return ledger.titles_frame(titles).with_columns(
        *money_text("amount", "balance", "fine", "interest", "updated_total")
    )


def titles_table(titles: list[Title], key: str, selectable: bool = False) -> Any:
    """The titles table; with `selectable`, one row may be picked (returns the event)."""
    selection: dict[str, Any] = (
        {"on_select": "rerun", "selection_mode": "single-row"} if selectable else {}
    )
    return st.dataframe(
        titles_display(titles),
        key=key,
        hide_index=True,
        column_order=TITLE_ORDER,
        column_config=TITLE_COLUMNS,
        **selection,
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
    position = attempt(lambda: ledger.financial_position(db, user, entity_id))
    if position is None:
        return
    st.subheader(
        plain(position.entity_name)
        + (f" · {plain(position.document)}" if position.document else "")
    )
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
        position.buckets.with_columns(*money_text("saldo")),
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
        st.info(f"O título {plain(title.key)} está {status} e não aceita pagamento.", icon="🔒")
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
        st.markdown(f"**Registrar pagamento · título {plain(title.key)}**")
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
        lambda: outcomes.record_payment(db, user, None, title.id, title.version, amount, note),
        f"Pagamento registrado no título {title.key}.",
    ):
        st.rerun()


# --- the CSV import -------------------------------------------------------------------------

IMPORT_REPORT = "ledger_import_report"
_IMPORT = "ledger_import"


def import_section(db: Database, user: User) -> None:
    """Upload, validate every row, and either write it all or show every problem by line."""
    st.markdown(
        "Arquivo CSV separado por **ponto e vírgula**, com cabeçalho, em UTF-8 ou como o "
        f"Excel salva (CSV, Windows-1252); até {_thousands(MAX_IMPORT_ROWS)} linhas. Datas "
        "dd/mm/aaaa e valores 1.234,56 (`1.500` é mil e quinhentos). `nome`, `telefone` e "
        "`email` só são usados para incluir um cliente que ainda não existe; `tipo` vazio vale "
        "NF; `saldo` vazio vale o valor (0: já pago). Um arquivo com qualquer problema não grava "
        "nada."
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
            report = _import_with_progress(db, user, upload)
            if report is not None:
                st.session_state[IMPORT_REPORT] = report
                if report.ok:  # a fresh uploader, and the positions read the new titles
                    reset_form(_IMPORT)
                    st.rerun()
    report = st.session_state.get(IMPORT_REPORT)
    if isinstance(report, ImportReport):
        import_result(report)


def _import_with_progress(db: Database, user: User, upload: Any) -> ImportReport | None:
    """The upload is handed over as a stream: the core reads and validates it chunk by chunk
    while the bar follows; at 100 % what is left is the write."""
    upload.seek(0)
    bar = st.progress(0.0, text="Lendo e validando o arquivo…")

    def progress(done: int, total: int | None) -> None:
        if total and done >= total:
            bar.progress(1.0, text="Arquivo lido e validado. Gravando os títulos…")
        elif total:
            bar.progress(done / total, text=f"Lendo e validando o arquivo… {done * 100 // total} %")
        else:
            bar.progress(
                0.0, text=f"Lendo e validando o arquivo… {_thousands(done // 1024)} KB lidos"
            )

    report = attempt(lambda: importer.import_receivables(db, user, upload, progress))
    bar.empty()
    return report


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def import_result(report: ImportReport) -> None:
    if report.ok:
        st.success(
            f"Importação concluída: {report.titles_created} título(s) gravado(s), "
            f"{report.customers_created} cliente(s) novo(s) (arquivo em {report.encoding}).",
            icon="✅",
        )
        return
    line_problems(report.problems, "ledger_import_problems")
