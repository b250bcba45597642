"""Painel ao vivo: the board for a supervisor, the refusal for an operator, and one shared
snapshot per interval for every supervisor watching the same view."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from core import calls, dashboards
from core.access import Routine
from tests import factories
from tests.ui.conftest import UiHarness, texts
from ui import wallboard

PAGE = "pages/painel.py"
TIMER = re.compile(r"^:(blue|red)\[(\d\d:\d\d)\]$")
CHART_KEYS = {"wb_chart_tmk_status", "wb_chart_tlv_funnel", "wb_chart_tlc_queue",
              "wb_chart_tlv_top", "wb_chart_tlc_recovery"}  # fmt: skip


@pytest.fixture(autouse=True)
def empty_snapshot_cache() -> Iterator[None]:
    """The shared cache is process-wide: each test starts (and leaves) it empty."""
    wallboard._shared_snapshot.clear()
    yield
    wallboard._shared_snapshot.clear()


@pytest.fixture
def core_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Who triggered each call to the core's wallboard read (each one a set of queries)."""
    seen: list[str] = []
    real = dashboards.wallboard

    def counting(*args: Any, **kwargs: Any) -> dashboards.Wallboard:
        seen.append(args[1].username)
        return real(*args, **kwargs)

    monkeypatch.setattr(dashboards, "wallboard", counting)
    return seen


@pytest.fixture
def window(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Pin the refresh window: the test decides when the next interval begins."""
    bucket = [1_000]
    monkeypatch.setattr(wallboard, "time_bucket", lambda interval, at=None: bucket[0])
    return bucket


def _diego_on_a_call(ui: UiHarness) -> str:
    """Diego (OP006) picks up a demo customer; returns the customer's name."""
    row = ui.db.read(
        lambda tx: tx.one("SELECT id, name FROM entities WHERE kind = 'cliente' ORDER BY id")
    )
    assert row is not None
    calls.start_call(ui.db, ui.user("diego"), Routine.TELEMARKETING, row["id"])
    return str(row["name"])


def _chart_keys(at: AppTest) -> set[str]:
    return {chart.proto.id.rsplit("-", 1)[-1] for chart in at.get("plotly_chart")}


def _markdown(at: AppTest) -> list[str]:
    return [str(element.value) for element in at.markdown]


def test_supervisor_sees_an_operator_on_a_call_with_his_entity_and_timer(ui: UiHarness) -> None:
    customer = _diego_on_a_call(ui)

    at = ui.page(PAGE, "sofia").run()

    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Painel ao vivo"
    shown = _markdown(at)
    assert "Diego Martins" in shown and "`OP006` :blue-badge[:material/call: Em ligação]" in shown
    assert any("Em ligação" in text for text in shown)
    assert f"Telemarketing · {customer}" in [str(c.value) for c in at.caption]
    timers = [match for text in shown if (match := TIMER.match(text))]
    assert len(timers) == 1, shown  # only diego is on a call
    colour, elapsed = timers[0].groups()
    assert colour == "blue" and elapsed < "01:00"  # just started: under the ideal time
    labels = {metric.label for metric in at.metric}
    assert {"Atendimentos", "TMA", "Faturado (R$)", "Na fila", "Quebradas"} <= labels
    assert _chart_keys(at) == CHART_KEYS


def test_the_routine_filter_keeps_only_that_routines_figures(ui: UiHarness) -> None:
    at = ui.page(PAGE, "sofia").run()
    at.selectbox(key="wb_routine").select(Routine.TELECOBRANCA).run()

    assert not at.exception, [e.value for e in at.exception]
    labels = {metric.label for metric in at.metric}
    assert "Na fila" in labels and "Atendimentos" not in labels
    assert _chart_keys(at) == {"wb_chart_tlc_queue", "wb_chart_tlc_recovery"}
    shown = _markdown(at)
    assert "Carla Souza" in shown  # a collector
    assert "Ana Beatriz Lima" not in shown  # Telemarketing only


def test_operator_is_refused_audited_and_sees_no_data(ui: UiHarness, core_reads: list[str]) -> None:
    _diego_on_a_call(ui)
    ui.page(PAGE, "sofia").run()  # a snapshot is in the cache now
    refusals = ui.audit_events("acesso.negado", "ana")

    at = ui.page(PAGE, "ana").run()

    assert not at.exception, [e.value for e in at.exception]
    assert [error.value for error in at.error] == [
        "Acesso negado: você não tem permissão para acompanhar a supervisão."
    ]
    assert ui.audit_events("acesso.negado", "ana") == refusals + 1
    assert len(at.title) == 0 and len(at.metric) == 0 and len(at.get("plotly_chart")) == 0
    assert not any("Diego" in text or "Em ligação" in text for text in texts(at))
    assert core_reads == ["sofia"]


def test_the_snapshot_helper_checks_the_viewer_before_the_cache(
    ui: UiHarness, core_reads: list[str], window: list[int]
) -> None:
    """Even called directly, a cached snapshot is never handed to someone refused."""
    from core.errors import Forbidden

    ui.page(PAGE, "sofia").run()
    filters, interval = dashboards.WallboardFilter(), wallboard.DEFAULT_INTERVAL

    with pytest.raises(Forbidden):
        wallboard.snapshot(ui.db, ui.user("ana"), filters, interval)

    assert core_reads == ["sofia"]
    assert ui.audit_events("acesso.negado", "ana") == 1


def test_supervisors_watching_the_same_view_share_one_read_per_interval(
    ui: UiHarness, core_reads: list[str], window: list[int]
) -> None:
    rita = factories.make_supervisor(ui.db, "rita", personal=True, sensitive=True)
    sofia = ui.user("sofia")
    assert (rita.personal_access, rita.sensitive_access) == (
        sofia.personal_access, sofia.sensitive_access)  # fmt: skip

    for username in ("sofia", "rita", "admin", "sofia"):
        at = ui.page(PAGE, username).run()
        assert not at.exception, [e.value for e in at.exception]
        assert any("Diego Martins" in text for text in _markdown(at))
    assert core_reads == ["sofia"]  # four boards, one set of queries

    # Other masking flags never reuse that snapshot.
    factories.make_supervisor(ui.db, "otto", personal=False, sensitive=False)
    ui.page(PAGE, "otto").run()
    assert core_reads == ["sofia", "otto"]

    # The next interval reads again, once.
    window[0] += 1
    for username in ("rita", "sofia"):
        ui.page(PAGE, username).run()
    assert core_reads == ["sofia", "otto", "rita"]


def test_another_view_or_interval_is_another_snapshot(
    ui: UiHarness, core_reads: list[str], window: list[int]
) -> None:
    at = ui.page(PAGE, "sofia").run()
    at.selectbox(key="wb_interval").select(30).run()
    at.selectbox(key="wb_routine").select(Routine.TELEVENDAS).run()
    ui.page(PAGE, "admin").run()  # the default view again: cached

    assert len(core_reads) == 3
