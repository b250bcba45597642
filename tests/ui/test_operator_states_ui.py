"""Operator states on screen: the workspace's state bar and timer between calls, the pause
catalogue's admin page and the wallboard's pause badge and per-group counts."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from core import calls, operator_states
from core.access import Routine
from tests.ui.conftest import UiHarness, select_row, texts, widget
from tests.ui.test_wallboard import _cards

WORKSPACE = "pages/chamadas.py"


def _state(ui: UiHarness, username: str) -> str | None:
    reading = operator_states.my_state(ui.db, ui.user(username))
    return reading.label if reading else None


def _unescaped(at: AppTest) -> list[str]:
    """The texts as a person reads them (plain() escapes Markdown's characters)."""
    return [text.replace("\\", "") for text in texts(at)]


def test_an_operator_pauses_from_the_workspace_takes_no_call_and_comes_back(
    ui: UiHarness,
) -> None:
    at = ui.page(WORKSPACE, "ana").run()
    assert "Seu estado: **Disponível**" in _unescaped(at)
    assert at.button(key="ws_pause").disabled  # no reason picked yet

    widget(at.selectbox, "Motivo da pausa").select_index(0).run()
    choice = at.selectbox(key="ws_pause_reason").value
    at.button(key="ws_pause").click().run()
    assert not at.exception
    reason = ui.scalar("SELECT name FROM pause_reasons WHERE id = ?", [choice])
    assert _state(ui, "ana") == f"Em pausa · {reason}"
    assert f"Seu estado: **Em pausa · {reason}**" in _unescaped(at)
    timer = [t for t in texts(at) if t.startswith("⏱")]
    assert timer and ":orange[" in timer[0]  # the pause's time against its maximum

    row = ui.db.read(lambda tx: tx.one("SELECT name FROM entities ORDER BY id LIMIT 1"))
    at.text_input(key="ws_search_text").input(row["name"]).run()
    select_row(at, "ws_results", "name", row["name"])
    assert any("Você está em pausa" in error.value for error in at.error)
    assert calls.current_call(ui.db, ui.user("ana")) is None

    at.text_input(key="ws_search_text").input("").run()
    at.button(key="ws_available").click().run()
    assert _state(ui, "ana") == "Disponível"


def test_ending_a_call_puts_the_operator_in_wrap_up_shown_in_the_footer(ui: UiHarness) -> None:
    ana = ui.user("ana")
    entity_id = int(ui.scalar("SELECT min(id) FROM entities"))
    ui.page(WORKSPACE, "ana").run()  # logs the station in: available
    calls.start_call(ui.db, ana, Routine.TELEMARKETING, entity_id)
    calls.end_call(ui.db, ana)
    at = ui.page(WORKSPACE, "ana").run()
    assert "Seu estado: **Pós-atendimento**" in _unescaped(at)
    assert any(t.startswith("Status: Pós-atendimento") for t in texts(at))
    at.button(key="ws_available").click().run()
    assert _state(ui, "ana") == "Disponível"


def test_the_admin_keeps_the_pause_catalogue_and_an_operator_may_not(ui: UiHarness) -> None:
    at = ui.page("pages/pausas.py", "admin").run()
    assert not at.exception
    shown = at.dataframe(key="pause_reasons_table").value
    assert {"Café", "Almoço", "Treinamento"} <= set(shown["Motivo"])

    at.text_input(key="pause_new_0_n").input("Ginástica laboral")
    at.number_input(key="pause_new_0_max").set_value(15)
    at.button(key="pause_new_0_submit").click().run()
    assert not at.error, [e.value for e in at.error]
    assert (
        ui.scalar("SELECT max_seconds FROM pause_reasons WHERE name = 'Ginástica laboral'") == 900
    )

    at.text_input(key="pause_new_1_n").input("café")
    at.button(key="pause_new_1_submit").click().run()
    assert any("já existe um motivo com este nome" in e.value for e in at.error)
    assert ui.scalar("SELECT count(*) FROM pause_reasons WHERE lower(name) = 'café'") == 1

    refused = ui.page("pages/pausas.py", "ana").run()
    assert any("Acesso negado" in error.value for error in refused.error)


def test_the_wallboard_shows_a_paused_operator_and_the_states_per_group(ui: UiHarness) -> None:
    ui.page(WORKSPACE, "diego").run()  # diego's station logs in
    cafe = int(ui.scalar("SELECT id FROM pause_reasons WHERE name = 'Café'"))
    operator_states.pause(ui.db, ui.user("diego"), cafe)

    at = ui.page("pages/painel.py", "sofia").run()
    assert not at.exception, [e.value for e in at.exception]
    diego = _cards(at)["OP006"]
    assert diego["wb-badge"] == "☕ Em pausa"
    assert "Café" in diego["wb-caption"]
    [counts] = [table.value for table in at.dataframe if "Em pausa" in table.value.columns]
    assert int(counts["Em pausa"].sum()) == 1
