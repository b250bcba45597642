"""Campaigns on screen: the supervisor's Campanhas page (a campaign, a list by filter, the
import's problems by line), and "Próximo contato" with its disposition in the workspace."""

from __future__ import annotations

from datetime import timedelta

from core import call_lists, calls, campaigns
from core.access import Routine
from core.call_lists import ListFilter
from core.campaigns import CampaignInput
from core.db import utc_now
from core.localtime import LOCAL_TZ
from tests.ui.conftest import UiHarness, select_row, texts

PAGE = "pages/campanhas.py"


def _televendas_campaign(ui: UiHarness) -> int:
    """A campaign of today only, the demo's own set aside."""
    ui.db.write(lambda tx: tx.execute("UPDATE campaigns SET active = FALSE"))
    group = int(ui.scalar("SELECT id FROM attendance_groups WHERE name = 'Televendas Ativo'"))
    today = utc_now().astimezone(LOCAL_TZ).date()
    sofia = ui.user("sofia")
    campaign_id = campaigns.create_campaign(
        ui.db, sofia, CampaignInput("Reativação", Routine.TELEVENDAS, today, today, (group,))
    )
    call_lists.build_list(ui.db, sofia, campaign_id, "Inativos", ListFilter("sem_compra", 30))
    return campaign_id


def test_a_supervisor_creates_a_campaign_and_builds_a_list_by_filter(ui: UiHarness) -> None:
    at = ui.page(PAGE, "sofia").run()
    assert not at.exception
    shown = at.dataframe(key="campaigns_table").value
    assert list(shown["Campanha"]) == ["Reativação de clientes"]  # the demo's
    at.text_input(key="campaign_new_0_name").input("Reativação de inverno")
    at.multiselect(key="campaign_new_0_groups").select(
        int(ui.scalar("SELECT id FROM attendance_groups WHERE name = 'Televendas Ativo'"))
    )
    at.button(key="campaign_new_0_submit").click().run()
    assert not at.error, [e.value for e in at.error]
    campaign_id = ui.scalar("SELECT id FROM campaigns WHERE name = 'Reativação de inverno'")
    assert campaign_id is not None

    select_row(at, "campaigns_table", "Campanha", "Reativação de inverno")
    prefix = f"cmp_filter_{campaign_id}_0"
    at.text_input(key=f"{prefix}_name").input("Sem compra há 90 dias")
    at.button(key=f"{prefix}_submit").click().run()
    assert not at.error, [e.value for e in at.error]
    entries = ui.scalar(
        "SELECT count(*) FROM call_list_entries WHERE campaign_id = ?", [campaign_id]
    )
    assert entries > 0

    refused = ui.page(PAGE, "bruno").run()
    assert any("Acesso negado" in error.value for error in refused.error)


def test_an_operator_takes_the_next_contact_and_records_its_result(ui: UiHarness) -> None:
    campaign_id = _televendas_campaign(ui)
    at = ui.page("pages/chamadas.py", "bruno").run()
    assert any("contato(s) para ligar agora" in text for text in texts(at))
    at.button(key="cmp_next_contact").click().run()
    assert not at.error, [e.value for e in at.error]
    bruno = ui.user("bruno")
    call = calls.current_call(ui.db, bruno)
    assert call is not None

    at = ui.page("pages/chamadas.py", "bruno").run()
    assert any("Campanha Reativação" in text for text in texts(at))
    assert at.button(key="cmp_record").disabled
    at.selectbox(key="cmp_code").select("venda_acordo").run()
    at.button(key="cmp_record").click().run()
    assert not at.error, [e.value for e in at.error]
    assert calls.current_call(ui.db, bruno) is None
    status = ui.scalar(
        "SELECT status FROM call_list_entries WHERE campaign_id = ? AND entity_id = ?",
        [campaign_id, call.entity_id],
    )
    assert status == "concluido"


def test_a_callback_needs_its_time_on_screen(ui: UiHarness) -> None:
    _televendas_campaign(ui)
    bruno = ui.user("bruno")
    contact = campaigns.next_contact(ui.db, bruno)
    assert contact is not None
    at = ui.page("pages/chamadas.py", "bruno").run()
    at.selectbox(key="cmp_code").select("agendado").run()
    tomorrow = (utc_now().astimezone(LOCAL_TZ) + timedelta(days=1)).date()
    assert at.date_input(key="cmp_callback_day").value == tomorrow
    at.button(key="cmp_record").click().run()
    # The campaign ends today: a callback tomorrow is refused in pt-BR, nothing is written.
    assert any("depois do fim da campanha" in error.value for error in at.error)
    assert calls.current_call(ui.db, bruno) is not None


def test_the_do_not_call_preference_is_a_toggle_on_the_entity(ui: UiHarness) -> None:
    name = ui.scalar("SELECT name FROM entities WHERE kind = 'cliente' ORDER BY id LIMIT 1")
    entity_id = int(ui.scalar("SELECT id FROM entities WHERE name = ?", [name]))
    at = ui.page("pages/entidades.py", "sofia").run()
    at.text_input(key="entity_search_text").input(name).run()
    select_row(at, "entity_results", "name", name)
    toggle = at.toggle(key=f"dnc_{entity_id}")
    assert toggle.value is False
    toggle.set_value(True).run()
    assert not at.error, [e.value for e in at.error]
    assert ui.scalar("SELECT do_not_call FROM entities WHERE id = ?", [entity_id]) is True


def test_the_operator_follows_the_campaigns_script_during_the_call(ui: UiHarness) -> None:
    bruno = ui.user("bruno")
    assert campaigns.next_contact(ui.db, bruno) is not None  # the demo campaign has a script
    at = ui.page("pages/chamadas.py", "bruno").run()
    assert any("Roteiro: Roteiro de reativação" in text for text in texts(at))
    at.radio(key="cmp_script_value_1").set_value("sim").run()
    at.button(key="cmp_script_answer").click().run()
    assert not at.error, [e.value for e in at.error]
    assert any("→ **sim**" in text for text in texts(at))
    assert at.radio(key="cmp_script_value_2").options == ["Café", "Açúcar", "Arroz", "Feijão"]


def test_the_scripts_page_saves_a_new_version(ui: UiHarness) -> None:
    at = ui.page("pages/roteiros.py", "sofia").run()
    assert not at.exception, [e.value for e in at.exception]
    script_id = int(ui.scalar("SELECT id FROM call_scripts WHERE name = 'Roteiro de reativação'"))
    at.selectbox(key="script_pick").select(script_id).run()
    at.button(key="script_submit").click().run()
    assert not at.error, [e.value for e in at.error]
    versions = ui.scalar("SELECT max(number) FROM script_versions WHERE script_id = ?", [script_id])
    assert versions == 2
    questions = ui.scalar(
        "SELECT count(*) FROM script_questions q JOIN script_versions v ON v.id = q.version_id"
        " WHERE v.script_id = ? AND v.number = 2",
        [script_id],
    )
    assert questions == 4
