"""Telemarketing maintenance list, Agenda and Cadastros de atendimento through their widgets,
on the demo data (ana works Telemarketing and has planned returns on her agenda)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from streamlit.testing.v1 import AppTest

from core import agenda, calls, catalogues
from core.telemarketing import maintenance as tmk_maintenance
from core.telemarketing import service as tmk_service
from core.telemarketing.maintenance import AttendanceFilter
from tests.ui.conftest import UiHarness, texts
from ui.kit.formats import LOCAL_TZ, local_datetime
from ui.kit.workspace import OPEN_ATTENDANCE

TMK = "pages/telemarketing.py"
AGENDA = "pages/agenda.py"
CADASTROS = "pages/cadastros.py"


def _errors(at: AppTest) -> list[str]:
    return [error.value for error in at.error]


def _table(at: AppTest) -> Any:  # AppTest's Dataframe element
    """The page's one main table (its key carries the filters, so it is found by position)."""
    assert len(at.dataframe) >= 1, texts(at)
    return at.dataframe[0]


def _select(at: AppTest, index: int = 0) -> AppTest:
    """Pick a row of the main table as a click would, and run."""
    key = _table(at).key
    at.session_state[key] = {"selection": {"rows": [index], "columns": [], "cells": []}}
    return at.run()


def _through_app(ui: UiHarness, username: str, path: str) -> AppTest:
    """Open a page through app.py, so st.switch_page to the workspace resolves as in the app."""
    at = ui.page("app.py", username).run()
    at.switch_page(path).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


# --- Telemarketing --------------------------------------------------------------------------


def test_ana_sees_a_page_of_her_attendances_with_the_total(ui: UiHarness) -> None:
    ana = ui.user("ana")
    expected = tmk_maintenance.list_attendances(ui.db, ana)

    at = ui.page(TMK, "ana").run()

    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["Telemarketing"]
    shown = _table(at).value
    assert len(shown) == min(expected.total, 50) > 0
    assert shown["id"].tolist() == expected.rows["id"].to_list()
    assert {tuple(tag) for tag in shown["status"]} <= {
        ("planejado",), ("pendente",), ("encerrado",), ("cancelado",),
    }  # fmt: skip
    assert f"{expected.total} atendimento(s) · página 1 de {expected.pages}" in texts(at)
    assert str(shown["started_at"].dt.tz) == "America/Sao_Paulo"  # shown in São Paulo time
    assert any(":blue[● Planejado]" in text and "● Cancelado" in text for text in texts(at))
    assert [b.label for b in at.download_button] == ["Exportar CSV", "XLSX"]


def test_filtering_encerrados_shows_only_encerrado_rows(ui: UiHarness) -> None:
    ana = ui.user("ana")
    expected = tmk_maintenance.list_attendances(ui.db, ana, AttendanceFilter(status="encerrado"))
    at = ui.page(TMK, "ana").run()

    at.segmented_control(key="tmk_status").set_value("encerrado").run()

    shown = _table(at).value
    assert len(shown) > 0
    assert {tuple(tag) for tag in shown["status"]} == {("encerrado",)}
    assert f"{expected.total} atendimento(s) · página 1 de {expected.pages}" in texts(at)


def test_next_page_and_back_to_page_one_when_the_filters_change(ui: UiHarness) -> None:
    ana = ui.user("ana")
    second = tmk_maintenance.list_attendances(ui.db, ana, page=2)
    at = ui.page(TMK, "ana").run()

    at.pagination[0].select(2).run()

    assert _table(at).value["id"].tolist() == second.rows["id"].to_list()
    assert f"{second.total} atendimento(s) · página 2 de {second.pages}" in texts(at)
    at.segmented_control(key="tmk_status").set_value("pendente").run()
    assert any("· página 1 de" in text for text in texts(at))


def test_period_ending_before_it_starts_is_refused_in_portuguese(ui: UiHarness) -> None:
    at = ui.page(TMK, "ana").run()
    today = ui.db.clock().astimezone(LOCAL_TZ).date()

    at.date_input(key="tmk_start").set_value(today)
    at.date_input(key="tmk_end").set_value(today - timedelta(days=3)).run()

    assert _errors(at) == ["O período termina antes de começar."]
    assert len(at.dataframe) == 0


def test_no_match_shows_the_empty_state(ui: UiHarness) -> None:
    at = ui.page(TMK, "ana").run()

    at.text_input(key="tmk_entity").input("Ninguém Com Este Nome").run()

    assert "Nenhum atendimento encontrado com esses filtros." in texts(at)
    assert len(at.dataframe) == 0


def test_operator_without_telemarketing_is_refused(ui: UiHarness) -> None:
    at = ui.page(TMK, "carla").run()

    assert any("Acesso negado" in error for error in _errors(at))
    assert len(at.dataframe) == 0 and len(at.title) == 0


def test_selected_row_opens_in_the_workspace(ui: UiHarness) -> None:
    ana = ui.user("ana")
    at = _through_app(ui, "ana", TMK)
    at.segmented_control(key="tmk_status").set_value("pendente").run()
    at = _select(at, 0)
    attendance_id = int(_table(at).value["id"][0])
    attendance = tmk_service.get_attendance(ui.db, ana, attendance_id)
    assert f"Atendimento nº {attendance_id}" in at.subheader[0].value
    assert not [b for b in at.button if b.label == "Reabrir"]  # operators do not reopen

    at.button(key=f"tmk_open_{attendance_id}").click().run()

    assert not at.exception, [e.value for e in at.exception]
    call = calls.current_call(ui.db, ana)
    assert call is not None and call.entity_id == attendance.entity_id
    assert at.session_state[OPEN_ATTENDANCE] == attendance_id


def test_open_is_refused_while_a_call_with_someone_else_runs(ui: UiHarness) -> None:
    ana = ui.user("ana")
    at = ui.page(TMK, "ana").run()
    at.segmented_control(key="tmk_status").set_value("pendente").run()
    at = _select(at, 0)
    attendance_id = int(_table(at).value["id"][0])
    entity_id = tmk_service.get_attendance(ui.db, ana, attendance_id).entity_id
    other = ui.scalar("SELECT id FROM entities WHERE id <> ? ORDER BY id LIMIT 1", [entity_id])
    calls.start_call(ui.db, ana, calls.Routine.TELEMARKETING, other)

    at.button(key=f"tmk_open_{attendance_id}").click().run()

    assert any("já tem uma ligação em andamento" in w.value for w in at.warning)
    assert calls.current_call(ui.db, ana).entity_id == other


def test_looking_at_a_closed_attendance_starts_no_call(ui: UiHarness) -> None:
    at = ui.page(TMK, "ana").run()
    at.segmented_control(key="tmk_status").set_value("encerrado").run()
    at = _select(at, 0)
    attendance_id = int(_table(at).value["id"][0])

    assert f"Atendimento nº {attendance_id}" in at.subheader[0].value
    assert f"tmk_open_{attendance_id}" not in [button.key for button in at.button]
    assert any("só consulta" in caption.value for caption in at.caption)
    assert calls.current_call(ui.db, ui.user("ana")) is None


def test_supervisor_reopens_an_encerrado_attendance_with_a_reason(ui: UiHarness) -> None:
    at = ui.page(TMK, "sofia").run()
    at.segmented_control(key="tmk_status").set_value("encerrado").run()
    at = _select(at, 0)
    attendance_id = int(_table(at).value["id"][0])

    at.button(key=f"tmk_reopen_ask_{attendance_id}").click().run()
    at.button(key="tmk_reopen_confirm").click().run()  # no reason yet
    assert _errors(at) == ["Informe por que o atendimento está sendo reaberto."]
    at.text_area[0].input("Cliente ligou de novo: defeito voltou.")
    at.button(key="tmk_reopen_confirm").click().run()

    assert not at.exception, [e.value for e in at.exception]
    reopened = tmk_service.get_attendance(ui.db, ui.user("sofia"), attendance_id)
    assert reopened.status == "pendente"
    assert ui.audit_events("telemarketing.reaberto", "sofia") == 1
    assert [toast.value for toast in at.toast] == [f"Atendimento nº {attendance_id} reaberto."]
    assert "tmk_reopen_confirm" not in [button.key for button in at.button]


# --- Agenda ---------------------------------------------------------------------------------


def test_ana_sees_her_next_call_and_open_follow_ups(ui: UiHarness) -> None:
    ana = ui.user("ana")
    items = agenda.open_items(ui.db, ana)
    assert items, "the demo gives ana planned returns"
    overdue = sum(item.overdue(ui.db.clock()) for item in items)

    at = ui.page(AGENDA, "ana").run()

    assert not at.exception, [e.value for e in at.exception]
    metrics = {metric.label: metric.value for metric in at.metric}
    assert metrics["Próxima ligação"] == local_datetime(items[0].due_from)
    assert metrics["Em aberto"] == str(len(items))
    shown = _table(at).value
    assert len(shown) == len(items)
    assert str(shown["due_from"].dt.tz) == "America/Sao_Paulo"
    assert sum(list(tag) == ["atrasado"] for tag in shown["situation"]) == overdue
    assert bool(overdue) == any("atrasado(s)" in w.value for w in at.warning)


def test_operator_without_follow_ups_sees_the_empty_state(ui: UiHarness) -> None:
    at = ui.page(AGENDA, "carla").run()

    assert not at.exception, [e.value for e in at.exception]
    assert "Nenhum compromisso em aberto." in texts(at)
    assert {metric.label: metric.value for metric in at.metric}["Próxima ligação"] == "—"


def test_reschedule_moves_the_follow_up(ui: UiHarness) -> None:
    ana = ui.user("ana")
    first = agenda.open_items(ui.db, ana)[0]
    at = _select(ui.page(AGENDA, "ana").run(), 0)
    when = (
        (ui.db.clock() + timedelta(days=2))
        .astimezone(LOCAL_TZ)
        .replace(hour=15, minute=30, second=0, microsecond=0)
    )
    key = f"agenda_move_{first.id}_{first.version}"

    at.date_input(key=f"{key}_day").set_value(when.date())
    at.time_input(key=f"{key}_time").set_value(when.time())
    at.button(key=f"{key}_submit").click().run()

    assert not at.exception and not _errors(at), _errors(at)
    moved = {item.id: item for item in agenda.open_items(ui.db, ana)}[first.id]
    assert moved.due_from == when


def test_concluir_asks_first_and_then_closes_the_follow_up(ui: UiHarness) -> None:
    ana = ui.user("ana")
    first = agenda.open_items(ui.db, ana)[0]
    at = _select(ui.page(AGENDA, "ana").run(), 0)

    at.button(key=f"agenda_close_ask_{first.id}").click().run()
    assert first.id in {item.id for item in agenda.open_items(ui.db, ana)}  # not yet
    at.button(key="agenda_close_confirm").click().run()

    assert not at.exception, [e.value for e in at.exception]
    assert first.id not in {item.id for item in agenda.open_items(ui.db, ana)}
    assert [toast.value for toast in at.toast] == ["Compromisso concluído."]
    assert len(_table(at).value) == len(agenda.open_items(ui.db, ana))


def test_abrir_starts_the_call_with_the_follow_up_attendance(ui: UiHarness) -> None:
    ana = ui.user("ana")
    first = agenda.open_items(ui.db, ana)[0]
    at = _select(_through_app(ui, "ana", AGENDA), 0)

    at.button(key=f"agenda_open_{first.id}").click().run()

    assert not at.exception, [e.value for e in at.exception]
    call = calls.current_call(ui.db, ana)
    assert call is not None and call.entity_id == first.entity_id
    assert at.session_state[OPEN_ATTENDANCE] == first.source_id


# --- Cadastros de atendimento ---------------------------------------------------------------


def _codes(ui: UiHarness, catalogue: str) -> list[str]:
    return catalogues.list_entries(ui.db, ui.user("admin"), catalogue)["code"].to_list()


def test_admin_includes_an_occurrence(ui: UiHarness) -> None:
    at = ui.page(CADASTROS, "admin").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Inativo" in _table(at).value["Situação"].tolist()  # the demo's OLD01

    at.text_input(key="catalogue_new_ocorrencia_0_code").input("recl04")
    at.text_input(key="catalogue_new_ocorrencia_0_description").input("Produto diferente")
    at.text_input(key="catalogue_new_ocorrencia_0_subject").input("Reclamação")
    at.button(key="catalogue_new_ocorrencia_0_submit").click().run()

    assert not at.exception and not _errors(at), _errors(at)
    assert "RECL04" in _codes(ui, "ocorrencia")
    assert "Reclamação › Produto diferente" in catalogues.choices(ui.db, "ocorrencia").values()
    assert [toast.value for toast in at.toast] == ["Item RECL04 incluído em Ocorrências."]
    assert "RECL04" in _table(at).value["Código"].tolist()
    assert at.text_input(key="catalogue_new_ocorrencia_1_code").value == ""
    assert ui.audit_events("cadastro.incluido", "admin") == 1


def test_campaign_ending_before_it_starts_is_refused_and_nothing_written(ui: UiHarness) -> None:
    before = _codes(ui, "campanha")
    at = ui.page(CADASTROS, "admin").run()
    at.selectbox(key="catalogue_kind").set_value("campanha").run()
    today = ui.db.clock().astimezone(LOCAL_TZ).date()
    shown = _table(at).value.set_index("Código")["Situação"]
    assert shown["BF"] == "Ativo" and shown["VER"] == "Ativo · fora do período"

    at.text_input(key="catalogue_new_campanha_0_code").input("NATAL")
    at.text_input(key="catalogue_new_campanha_0_description").input("Natal")
    at.date_input(key="catalogue_new_campanha_0_start").set_value(today)
    at.date_input(key="catalogue_new_campanha_0_end").set_value(today - timedelta(days=1))
    at.button(key="catalogue_new_campanha_0_submit").click().run()

    assert _errors(at) == ["Corrija os campos: a campanha termina antes de começar."]
    assert _codes(ui, "campanha") == before
    assert at.text_input(key="catalogue_new_campanha_0_code").value == "NATAL"  # kept for a retry


def test_admin_deactivates_an_entry(ui: UiHarness) -> None:
    at = ui.page(CADASTROS, "admin").run()
    codes = _table(at).value["Código"].tolist()
    row = catalogues.list_entries(ui.db, ui.user("admin"), "ocorrencia").row(
        codes.index("RECL01"), named=True
    )
    at = _select(at, codes.index("RECL01"))
    key = f"catalogue_edit_ocorrencia_{row['id']}_{row['version']}"

    at.checkbox(key=f"{key}_active").uncheck()
    at.button(key=f"{key}_submit").click().run()

    assert not at.exception and not _errors(at), _errors(at)
    assert row["id"] not in catalogues.choices(ui.db, "ocorrencia")
    assert [toast.value for toast in at.toast] == ["Item RECL01 alterado."]


def test_operator_is_refused_on_cadastros(ui: UiHarness) -> None:
    at = ui.page(CADASTROS, "ana").run()

    assert any("Acesso negado" in error for error in _errors(at))
    assert len(at.dataframe) == 0 and len(at.form) == 0
