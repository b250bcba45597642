"""The campaigns screen's parts: the campaign form, the call-list import (a file, with progress,
every problem by line) and the list built from a filter."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import streamlit as st

from core import call_lists
from core.access import Routine, User
from core.call_lists import FILTERS, SAMPLE, ListFilter, ListReport
from core.campaigns import CampaignInput
from core.db import Database, utc_now
from core.localtime import LOCAL_TZ
from ui.kit.feedback import attempt, line_problems, succeeded
from ui.kit.formats import DATE_FORMAT
from ui.kit.forms import CHOOSE, form_key, reset_form

LIST_REPORT = "cmp_list_report"


def campaign_form(
    key: str,
    groups: dict[int, str],
    scripts: dict[int, str],
    row: dict[str, Any] | None = None,
) -> CampaignInput | None:
    row = row or {}
    today = utc_now().astimezone(LOCAL_TZ).date()
    with st.form(key):
        left, right = st.columns([2, 1])
        name = left.text_input(
            "Nome da campanha", value=row.get("name", ""), max_chars=60, key=f"{key}_name"
        )
        routines = list(Routine)
        routine = right.selectbox(
            "Rotina",
            routines,
            format_func=lambda r: r.label,
            key=f"{key}_routine",
            index=routines.index(Routine(row["routine"])) if row else 1,
            placeholder=CHOOSE,
        )
        a, b, c, d = st.columns(4)
        starts = a.date_input(
            "Início", value=row.get("starts_on", today), format=DATE_FORMAT, key=f"{key}_start"
        )
        ends = b.date_input(
            "Fim",
            value=row.get("ends_on", today + timedelta(days=30)),
            format=DATE_FORMAT,
            key=f"{key}_end",
        )
        attempts = c.number_input(
            "Tentativas por contato",
            min_value=1,
            max_value=20,
            value=int(row.get("max_attempts", 3)),
            key=f"{key}_attempts",
        )
        retry = d.number_input(
            "Intervalo entre tentativas (min)",
            min_value=1,
            max_value=10080,
            step=15,
            value=int(row.get("retry_minutes", 60)),
            key=f"{key}_retry",
            help="Depois de “não atende” ou “ocupado”, o contato volta à fila após este tempo.",
        )
        chosen = st.multiselect(
            "Grupos que trabalham a campanha",
            list(groups),
            format_func=groups.__getitem__,
            default=[g for g in (row.get("group_ids") or []) if g in groups],
            key=f"{key}_groups",
            placeholder=CHOOSE,
        )
        script_ids = [None, *scripts]
        script = st.selectbox(
            "Roteiro da ligação",
            script_ids,
            key=f"{key}_script",
            index=script_ids.index(row.get("script_id")) if row.get("script_id") in scripts else 0,
            format_func=lambda s: "— sem roteiro —" if s is None else scripts[s],
        )
        active = st.checkbox("Ativa", value=bool(row.get("active", True)), key=f"{key}_active")
        if not st.form_submit_button("Gravar", type="primary", key=f"{key}_submit"):
            return None
    return CampaignInput(
        name, routine, starts, ends, tuple(chosen), int(attempts), int(retry), active, script
    )


def import_section(db: Database, user: User, campaign_id: int) -> None:
    st.markdown(
        "Arquivo CSV separado por **ponto e vírgula**, com cabeçalho: `documento` (CPF/CNPJ de "
        "uma pessoa cadastrada) e, opcional, `melhor_horario` (ex.: `9-12`). Um arquivo com "
        "qualquer problema não grava nada."
    )
    st.download_button(
        "Baixar modelo (CSV)",
        data=SAMPLE.encode("utf-8"),
        file_name="modelo_lista.csv",
        mime="text/csv",
        key="cmp_sample",
        icon=":material/download:",
        on_click="ignore",
    )
    key = form_key(f"cmp_import_{campaign_id}")
    with st.form(key):
        name = st.text_input("Nome da lista", key=f"{key}_name")
        upload = st.file_uploader("Arquivo CSV", type=["csv", "txt"], key=f"{key}_file")
        submitted = st.form_submit_button("Importar lista", type="primary", key=f"{key}_submit")
    if submitted:
        if upload is None:
            st.error("Escolha o arquivo CSV a importar.", icon="❌")
        else:
            bar = st.progress(0.0, text="Lendo e validando o arquivo…")

            def progress(done: int, total: int | None) -> None:
                if total:
                    bar.progress(min(1.0, done / total), text="Lendo e validando o arquivo…")

            report = attempt(
                lambda: call_lists.import_list(db, user, campaign_id, name, upload, progress)
            )
            bar.empty()
            if report is not None:
                st.session_state[LIST_REPORT] = report
                if report.ok:
                    reset_form(f"cmp_import_{campaign_id}")
                    st.rerun()
    report = st.session_state.get(LIST_REPORT)
    if isinstance(report, ListReport):
        _result(report)


def _result(report: ListReport) -> None:
    if report.ok:
        st.success(f"Lista importada: {report.added} contato(s).", icon="✅")
        return
    line_problems(report.problems, "cmp_import_problems")


def filter_section(db: Database, user: User, campaign_id: int) -> None:
    ranges = attempt(lambda: call_lists.range_choices(db, user)) or {}
    key = form_key(f"cmp_filter_{campaign_id}")
    with st.form(key):
        name = st.text_input("Nome da lista", key=f"{key}_name")
        kind = st.radio(
            "Quem entra", list(FILTERS), format_func=FILTERS.__getitem__, key=f"{key}_kind"
        )
        left, right = st.columns(2)
        days = left.number_input(
            "Dias sem compra", min_value=1, max_value=3650, value=90, key=f"{key}_days"
        )
        range_id = right.selectbox(
            "Faixa de atraso",
            list(ranges),
            index=None,
            format_func=ranges.__getitem__,
            key=f"{key}_range",
            placeholder=CHOOSE,
        )
        submitted = st.form_submit_button("Criar lista", type="primary", key=f"{key}_submit")
    if submitted and succeeded(
        lambda: call_lists.build_list(
            db, user, campaign_id, name, ListFilter(kind, int(days), range_id)
        ),
        "Lista criada.",
    ):
        reset_form(f"cmp_filter_{campaign_id}")
        st.rerun()
