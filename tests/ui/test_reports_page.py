"""Relatórios: every report renders for a supervisor (table, chart, exports), periods are
checked, an empty period says so, and an operator is refused."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from core.reports import COLLECTOR_HISTORY, labels_of
from tests.ui.conftest import UiHarness, texts
from ui.supervision.reports import CHOICES, ReportChoice, today

PAGE = "pages/relatorios.py"
MONTHS_AGO = 300  # days: the demo's history spans the last months


def _open(ui: UiHarness, choice: ReportChoice, start: date | None = None) -> AppTest:
    """The page as sofia, with the report's section and the report chosen."""
    at = ui.page(PAGE, "sofia").run()
    at.segmented_control(key="rep_section").set_value(choice.section).run()
    at.selectbox(key=f"rep_report_{choice.section}").select(choice).run()
    if start is not None:
        at.date_input(key="rep_start").set_value(start).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _downloads(at: AppTest) -> list[str]:
    return [button.proto.label for button in at.get("download_button")]


@pytest.mark.parametrize("choice", CHOICES, ids=[choice.key for choice in CHOICES])
def test_each_report_renders_its_table_chart_and_exports(
    ui: UiHarness, choice: ReportChoice
) -> None:
    at = _open(ui, choice, start=today() - timedelta(days=MONTHS_AGO))

    assert [s.value for s in at.subheader] == [choice.title]
    assert len(at.dataframe) == 1, texts(at)
    table = at.dataframe[0].value
    assert list(table.columns) == list(labels_of(choice.key))
    assert len(table) > 0
    charts = at.get("plotly_chart")
    assert len(charts) == (1 if choice.chart else 0)
    if choice.chart:
        assert charts[0].proto.id.endswith(f"rep_chart_{choice.key}")
    assert _downloads(at) == ["Exportar CSV", "Exportar XLSX"]


def test_money_is_shown_as_reais_with_pt_br_headers(ui: UiHarness) -> None:
    choice = next(c for c in CHOICES if c.key == COLLECTOR_HISTORY)
    at = _open(ui, choice, start=today() - timedelta(days=MONTHS_AGO))

    table = at.dataframe[0].value
    assert all(str(value).startswith("R$") for value in table["sent"])
    assert at.dataframe[0].proto.columns  # column configuration sent with the table
    assert "Saldo inicial + enviado" in " ".join(texts(at))


def test_a_period_that_ends_before_it_starts_is_refused_in_portuguese(ui: UiHarness) -> None:
    at = ui.page(PAGE, "sofia").run()
    at.date_input(key="rep_start").set_value(today()).run()
    at.date_input(key="rep_end").set_value(today().replace(year=today().year - 1)).run()

    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == ["O período termina antes de começar."]
    assert len(at.dataframe) == 0 and len(at.subheader) == 0


def test_a_period_without_rows_shows_the_empty_state(ui: UiHarness) -> None:
    at = ui.page(PAGE, "sofia").run()
    at.date_input(key="rep_start").set_value(date(2001, 1, 1)).run()
    at.date_input(key="rep_end").set_value(date(2001, 1, 31)).run()

    assert not at.exception, [e.value for e in at.exception]
    assert "Nenhum registro neste período." in texts(at)
    assert len(at.dataframe) == 0 and _downloads(at) == []


def test_operator_is_refused_and_sees_no_report(ui: UiHarness) -> None:
    refusals = ui.audit_events("acesso.negado", "ana")

    at = ui.page(PAGE, "ana").run()

    assert [e.value for e in at.error] == [
        "Acesso negado: você não tem permissão para acompanhar a supervisão."
    ]
    assert ui.audit_events("acesso.negado", "ana") == refusals + 1
    assert len(at.dataframe) == 0 and _downloads(at) == [] and len(at.title) == 0
