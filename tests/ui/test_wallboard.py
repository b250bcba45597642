"""Painel ao vivo: the board for a supervisor, the refusal for an operator, one shared
snapshot per interval for every supervisor watching the same view, and a refresh that never
makes a tick wait for the queries."""

from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import Iterator
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from core import calls, dashboards
from core.access import Routine
from tests import factories
from tests.ui.conftest import UiHarness, texts
from ui.supervision import wallboard

PAGE = "pages/painel.py"
TIMER = re.compile(r'^<span style="color: (#1c64d9|#d32f2f)">(\d\d:\d\d)</span>$')
BLUE = "#1c64d9"
CHART_KEYS = {"wb_chart_tmk_status", "wb_chart_tlv_funnel", "wb_chart_tlc_queue",
              "wb_chart_tlv_top", "wb_chart_tlc_recovery"}  # fmt: skip


@pytest.fixture(autouse=True)
def empty_snapshot_cache() -> Iterator[None]:
    """The shared snapshots are process-wide: each test starts (and leaves) them empty."""
    wallboard.SHARED.clear()
    yield
    wallboard.SHARED.clear()


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


class _Cards(HTMLParser):
    """The operators' cards of the board's HTML: code -> {part class: inner HTML or text}."""

    def __init__(self) -> None:
        super().__init__()
        self.cards: dict[str, dict[str, str]] = {}
        self._card: dict[str, str] | None = None
        self._part: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        for name in classes:
            if name.startswith("st-key-wb_op_"):
                self._card = self.cards.setdefault(name.removeprefix("st-key-wb_op_"), {})
        if self._card is None:
            return
        part = next((c for c in classes if c in ("wb-name", "wb-timer", "wb-badge")), None)
        if part is not None:
            self._part = part
            self._card.setdefault(part, "")
        elif self._part == "wb-timer":
            self._card["wb-timer"] += self.get_starttag_text() or ""
        if "wb-caption" in classes:
            self._part = "wb-caption"
            self._card.setdefault("wb-caption", "")

    def handle_endtag(self, tag: str) -> None:
        if self._part == "wb-timer" and tag == "span":
            assert self._card is not None
            self._card["wb-timer"] += "</span>"
        elif tag == "div":
            self._part = None

    def handle_data(self, data: str) -> None:
        if self._card is not None and self._part is not None:
            self._card[self._part] += data if self._part != "wb-caption" else data + "\n"


def _cards(at: AppTest) -> dict[str, dict[str, str]]:
    parser = _Cards()
    for element in at.html:
        parser.feed(str(element.value))
    return parser.cards


def test_supervisor_sees_an_operator_on_a_call_with_his_entity_and_timer(ui: UiHarness) -> None:
    customer = _diego_on_a_call(ui)

    at = ui.page(PAGE, "sofia").run()

    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Painel ao vivo"
    cards = _cards(at)
    diego = cards["OP006"]
    assert diego["wb-name"] == "Diego Martins" and diego["wb-badge"] == "📞 Em ligação"
    assert f"Telemarketing · {customer}" in diego["wb-caption"]
    timers = {
        code: match for code, card in cards.items() if (match := TIMER.match(card["wb-timer"]))
    }
    assert list(timers) == ["OP006"], cards  # only diego is on a call
    colour, elapsed = timers["OP006"].groups()
    assert colour == BLUE and elapsed < "01:00"  # just started: under the ideal time
    assert all(
        card["wb-badge"] != "📞 Em ligação" for code, card in cards.items() if code != "OP006"
    )
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
    names = {card["wb-name"] for card in _cards(at).values()}
    assert "Carla Souza" in names  # a collector
    assert "Ana Beatriz Lima" not in names  # Telemarketing only


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
        assert "Diego Martins" in {card["wb-name"] for card in _cards(at).values()}
    assert core_reads == ["sofia"]  # four boards, one set of queries

    # Other masking flags never reuse that snapshot.
    factories.make_supervisor(ui.db, "otto", personal=False, sensitive=False)
    ui.page(PAGE, "otto").run()
    assert core_reads == ["sofia", "otto"]

    # The next interval reads again, once (in the background: see the next test).
    window[0] += 1
    for username in ("rita", "sofia"):
        ui.page(PAGE, username).run()
    wallboard.SHARED.settle()
    assert core_reads == ["sofia", "otto", "rita"]


def test_another_view_or_interval_is_another_snapshot(
    ui: UiHarness, core_reads: list[str], window: list[int]
) -> None:
    at = ui.page(PAGE, "sofia").run()
    at.selectbox(key="wb_interval").select(30).run()
    at.selectbox(key="wb_routine").select(Routine.TELEVENDAS).run()
    ui.page(PAGE, "admin").run()  # the default view again: cached

    assert len(core_reads) == 3


def test_a_tick_shows_the_last_snapshot_while_the_next_one_is_read(
    ui: UiHarness, monkeypatch: pytest.MonkeyPatch, window: list[int]
) -> None:
    """When the interval ends, the tick that notices starts the read and does not wait for it:
    it (and every other viewer) shows the previous snapshot until the new one lands. Who is on
    a call is not part of it: that is read on every tick."""
    first = ui.page(PAGE, "sofia").run()
    taken = _snapshot_time(first)
    customer = _diego_on_a_call(ui)
    release = threading.Event()
    real = dashboards.wallboard

    def slow(*args: Any, **kwargs: Any) -> dashboards.Wallboard:
        assert release.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(dashboards, "wallboard", slow)
    window[0] += 1

    for username in ("sofia", "admin"):
        at = ui.page(PAGE, username).run(timeout=5)  # the read is blocked: the tick is not
        assert not at.exception, [e.value for e in at.exception]
        assert _snapshot_time(at) == taken  # the previous snapshot's indicators
        diego = _cards(at)["OP006"]  # and the call, live
        assert diego["wb-badge"] == "📞 Em ligação" and customer in diego["wb-caption"]

    release.set()
    wallboard.SHARED.settle()
    at = ui.page(PAGE, "sofia").run()
    assert _cards(at)["OP006"]["wb-badge"] == "📞 Em ligação"


def _snapshot_time(at: AppTest) -> str:
    [caption] = [c.value for c in at.caption if "indicadores das" in c.value]
    return caption.rsplit(" ", 1)[-1]


def test_a_call_shows_at_the_next_tick_within_the_same_snapshot(
    ui: UiHarness, core_reads: list[str], window: list[int]
) -> None:
    """With a 10 s interval an operator used to appear ~18 s after starting a call (the tick
    that noticed the new window read the snapshot in the background, the next one showed it)."""
    at = ui.page(PAGE, "sofia").run()
    assert _cards(at)["OP006"]["wb-badge"] != "📞 Em ligação"
    customer = _diego_on_a_call(ui)

    at.run()  # the next tick, same interval: no new snapshot

    assert core_reads == ["sofia"]
    diego = _cards(at)["OP006"]
    assert diego["wb-badge"] == "📞 Em ligação" and customer in diego["wb-caption"]


def test_charts_name_operators_and_count_in_whole_numbers(ui: UiHarness) -> None:
    board = dashboards.wallboard(ui.db, ui.user("sofia"))
    assert board.televendas is not None and board.telecobranca is not None
    month = {"code": ["OP004"], "name": ["Bruno Carvalho"]}
    board = dataclasses.replace(
        board,
        televendas=dataclasses.replace(
            board.televendas,
            top_operators=pl.DataFrame({**month, "invoiced": [2], "amount": [Decimal("850")]}),
        ),
        telecobranca=dataclasses.replace(
            board.telecobranca,
            recovery=pl.DataFrame({**month, "recovered": [Decimal("300")]}),
        ),
    )
    figures = {key: figure for row in wallboard.chart_rows(board) for key, figure in row}

    assert list(figures["wb_chart_tlv_top"].data[0].x) == ["Bruno Carvalho"]  # not OP004
    assert list(figures["wb_chart_tlc_recovery"].data[0].x) == ["Bruno Carvalho"]
    axis = figures["wb_chart_tmk_status"].layout.yaxis
    assert axis.tickformat == ",d" and axis.dtick == 1  # no 0.5 steps under small counts


def test_a_view_nobody_watched_for_two_intervals_is_read_in_the_tick(
    ui: UiHarness, core_reads: list[str], window: list[int]
) -> None:
    """An old snapshot is never shown: coming back later reads before drawing."""
    ui.page(PAGE, "sofia").run()
    customer = _diego_on_a_call(ui)
    window[0] += 2

    at = ui.page(PAGE, "sofia").run()

    diego = _cards(at)["OP006"]
    assert diego["wb-badge"] == "📞 Em ligação" and customer in diego["wb-caption"]
    assert core_reads == ["sofia", "sofia"]


def _alert_box(messages: list[str]) -> None:
    from ui.supervision import wallboard

    wallboard.alerts(messages)


def test_every_alert_goes_in_one_box_that_counts_what_it_does_not_list() -> None:
    messages = [f"OP{n:03d} · Operador {n}: em ligação há 9 min" for n in range(1, 16)]

    at = AppTest.from_function(_alert_box, args=(messages,)).run()

    assert not at.exception, [e.value for e in at.exception]
    assert len(at.warning) == 1
    lines = str(at.warning[0].value).splitlines()
    assert lines[: wallboard.ALERTS_SHOWN] == [f"- {m}" for m in messages[: wallboard.ALERTS_SHOWN]]
    assert lines[wallboard.ALERTS_SHOWN :] == ["- … e mais 5 alerta(s)"]
    assert AppTest.from_function(_alert_box, args=([],)).run().success[0].value == (
        "Nenhum alerta no momento."
    )
