"""Atendimentos (pages/atendimentos.py): the three routines on one list for diego (every
routine), refused to carla (one routine), and "Abrir no atendimento" in the row's routine."""

from __future__ import annotations

from core import attendances, calls
from core.access import Routine
from tests.ui.conftest import UiHarness, texts
from ui.kit.workspace import OPEN_ATTENDANCE

PAGE = "pages/atendimentos.py"


def test_diego_sees_every_routines_attendances_with_their_legend(ui: UiHarness) -> None:
    diego = ui.user("diego")
    expected = attendances.list_all(ui.db, diego)

    at = ui.page(PAGE, "diego").run()

    assert not at.exception and not at.error, [e.value for e in at.error]
    assert [t.value for t in at.title] == ["Atendimentos"]
    shown = at.dataframe[0].value
    assert expected.total > 0 and len(shown) == min(expected.total, 50)
    assert shown["id"].tolist() == expected.rows["id"].to_list()
    assert set(shown["routine_label"]) <= {routine.label for routine in Routine}
    assert all(len(tag) == 1 and ":" in tag[0] for tag in shown["legend"])
    assert f"{expected.total} atendimento(s) · página 1 de {expected.pages}" in texts(at)
    assert [b.label for b in at.download_button] == ["Exportar CSV", "XLSX"]


def test_selecting_a_telemarketing_row_opens_it_in_its_tab(ui: UiHarness) -> None:
    diego = ui.user("diego")
    chosen = attendances.AttendanceFilter(routine=Routine.TELEMARKETING, status="pendente")
    first = attendances.list_all(ui.db, diego, chosen).rows.row(0, named=True)
    at = ui.page(PAGE, "diego").run()
    at.selectbox(key="all_routine").select(Routine.TELEMARKETING).run()
    at.selectbox(key="all_status").select("pendente").run()
    table = at.dataframe[0]
    at.session_state[table.key] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()

    label = "Abrir no atendimento (Telemarketing)"
    [button] = [b for b in at.button if b.label == label]
    button.click().run()

    assert at.session_state[OPEN_ATTENDANCE] == first["id"]
    assert any(f"Telemarketing nº {first['id']}" in text for text in texts(at))


def test_a_finished_attendance_is_only_looked_at_no_call(ui: UiHarness) -> None:
    at = ui.page(PAGE, "diego").run()
    at.selectbox(key="all_status").select("faturado").run()
    table = at.dataframe[0]
    at.session_state[table.key] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()

    assert not [b for b in at.button if b.label.startswith("Abrir no atendimento")]
    assert any("só consulta" in caption.value for caption in at.caption)
    assert calls.current_call(ui.db, ui.user("diego")) is None


def test_a_single_routine_operator_is_refused(ui: UiHarness) -> None:
    at = ui.page(PAGE, "carla").run()
    assert [e.value for e in at.error] and not at.dataframe
