"""The attendance workspace (pages/chamadas.py) driven through AppTest."""

from __future__ import annotations

from urllib.parse import quote

from core import calls
from core.access import Routine
from tests.ui.conftest import UiHarness, select_row, texts, widget
from ui.kit.formats import plain

PAGE = "pages/chamadas.py"


def _pick(at, label: str, index: int = 1):  # type: ignore[no-untyped-def]
    widget(at.selectbox, label).select_index(index)


def _button(at, label: str):  # type: ignore[no-untyped-def]
    return widget(at.button, label)


def test_single_routine_operator_gets_incluir_and_only_her_routine_tab(ui: UiHarness) -> None:
    ana = ui.user("ana")
    entity_id = int(ui.scalar("SELECT min(id) FROM entities"))
    calls.start_call(ui.db, ana, Routine.TELEMARKETING, entity_id)
    at = ui.page(PAGE, "ana").run()
    assert not at.exception
    assert at.title[0].value == "Incluir"
    assert not at.tabs  # one routine: the page is that routine's, no tab row
    assert _drawn_tabs(at) == {"tab_telemarketing"}


def test_multi_routine_operator_gets_chamadas_with_a_tab_per_routine(ui: UiHarness) -> None:
    diego = ui.user("diego")
    entity_id = int(ui.scalar("SELECT min(id) FROM entities"))
    calls.start_call(ui.db, diego, Routine.TELEMARKETING, entity_id)
    at = ui.page(PAGE, "diego").run()
    assert at.title[0].value == "Chamadas"
    assert [tab.label for tab in at.tabs] == ["Telemarketing", "Televendas", "Telecobrança"]


def _drawn_tabs(at) -> set[str]:  # type: ignore[no-untyped-def]
    keys = {"tab_telemarketing", "tab_televendas", "tab_telecobranca"}
    found = set()

    def walk(node) -> None:  # type: ignore[no-untyped-def]
        if getattr(node, "key", None) in keys:
            found.add(node.key)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at.main)
    return found


def test_only_the_open_routine_tab_is_drawn_and_a_collection_call_opens_telecobranca(
    ui: UiHarness,
) -> None:
    diego = ui.user("diego")
    entity_id = int(ui.scalar("SELECT min(id) FROM entities"))
    calls.start_call(ui.db, diego, Routine.TELEMARKETING, entity_id)
    at = ui.page(PAGE, "diego").run()
    assert _drawn_tabs(at) == {"tab_telemarketing"}

    calls.end_call(ui.db, diego)
    calls.start_call(ui.db, diego, Routine.TELECOBRANCA, entity_id)
    at.run()
    assert _drawn_tabs(at) == {"tab_telecobranca"}


def test_selecting_the_caller_starts_the_call(ui: UiHarness) -> None:
    at = ui.page(PAGE, "ana").run()
    name = str(ui.scalar("SELECT name FROM entities ORDER BY id LIMIT 1"))
    at.text_input(key="ws_search_text").input(name).run()
    select_row(at, "ws_results", "name", name)
    call = calls.current_call(ui.db, ui.user("ana"))
    assert call is not None and call.entity_name == name
    # The entity card's heading: the name as typed (escaped for Markdown, never formatted).
    assert any(plain(name) == value for value in texts(at))


def test_gravar_saves_a_pendente_attendance_and_encerrar_ligacao_records_it_in_the_footer(
    ui: UiHarness,
) -> None:
    ana = ui.user("ana")
    entity_id = int(ui.scalar("SELECT min(id) FROM entities"))
    calls.start_call(ui.db, ana, Routine.TELEMARKETING, entity_id)
    at = ui.page(PAGE, "ana").run()
    _pick(at, "Assunto › ocorrência 1")
    _button(at, "Gravar").click().run()
    assert not at.exception
    saved = ui.db.read(
        lambda tx: tx.one("SELECT id, status FROM tmk_attendances ORDER BY id DESC LIMIT 1")
    )
    assert saved is not None and saved["status"] == "pendente"
    # The call goes on with the saved attendance on screen, until the operator ends it.
    assert calls.current_call(ui.db, ana) is not None
    assert any(f"Atendimento nº {saved['id']}" in value for value in texts(at))

    at.button(key="ws_end_call").click().run()
    assert calls.current_call(ui.db, ana) is None
    assert any(f"Telemarketing nº {saved['id']}: Pendente" in value for value in texts(at))


def test_encerrar_without_reason_shows_why_and_writes_nothing(ui: UiHarness) -> None:
    ana = ui.user("ana")
    entity_id = int(ui.scalar("SELECT min(id) FROM entities"))
    calls.start_call(ui.db, ana, Routine.TELEMARKETING, entity_id)
    before = ui.scalar("SELECT count(*) FROM tmk_attendances")
    at = ui.page(PAGE, "ana").run()
    _pick(at, "Assunto › ocorrência 1")
    _button(at, "Encerrar").click().run()
    assert any("motivo de encerramento" in error.value for error in at.error)
    assert ui.scalar("SELECT count(*) FROM tmk_attendances") == before
    assert calls.current_call(ui.db, ana) is not None  # still on the line


def test_encerrar_with_reason_and_text_closes_it(ui: UiHarness) -> None:
    ana = ui.user("ana")
    entity_id = int(ui.scalar("SELECT min(id) FROM entities"))
    calls.start_call(ui.db, ana, Routine.TELEMARKETING, entity_id)
    at = ui.page(PAGE, "ana").run()
    _pick(at, "Assunto › ocorrência 1")
    _pick(at, "Motivo de encerramento")
    at.text_area[0].input("Cliente orientado sobre a garantia.")
    _button(at, "Encerrar").click().run()
    assert not at.error
    row = ui.db.read(
        lambda tx: tx.one(
            "SELECT status, closing_text FROM tmk_attendances ORDER BY id DESC LIMIT 1"
        )
    )
    assert row == {"status": "encerrado", "closing_text": "Cliente orientado sobre a garantia."}


def test_limpa_atendimento_resets_the_call_without_saving(ui: UiHarness) -> None:
    ana = ui.user("ana")
    entity_id = int(ui.scalar("SELECT min(id) FROM entities"))
    calls.start_call(ui.db, ana, Routine.TELEMARKETING, entity_id)
    before = ui.scalar("SELECT count(*) FROM tmk_attendances")
    at = ui.page(PAGE, "ana").run()
    _button(at, "Limpa Atendimento").click().run()
    assert calls.current_call(ui.db, ana) is None
    assert ui.scalar("SELECT count(*) FROM tmk_attendances") == before
    assert at.text_input(key="ws_search_text") is not None  # back to picking a caller


def test_footer_shows_the_next_call_from_the_agenda(ui: UiHarness) -> None:
    at = ui.page(PAGE, "ana").run()
    footer = [value for value in texts(at) if value.startswith("Próxima ligação")]
    assert footer and footer[0] != "Próxima ligação: —"  # the demo gives ana planned returns


def test_a_user_without_a_routine_is_refused(ui: UiHarness) -> None:
    at = ui.page(PAGE, "admin").run()
    assert any("Acesso negado" in error.value for error in at.error)
    assert not at.tabs


def _links(at) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(link.proto.label, link.proto.url) for link in at.get("link_button")]


def _call_someone_with_a_mobile(ui: UiHarness, username: str):  # type: ignore[no-untyped-def]
    row = ui.db.read(
        lambda tx: tx.one(
            "SELECT id, name, mobile FROM entities WHERE mobile IS NOT NULL AND phone IS NOT NULL"
            " ORDER BY id LIMIT 1"
        )
    )
    at = ui.page(PAGE, username).run()
    at.text_input(key="ws_search_text").input(row["name"]).run()
    select_row(at, "ws_results", "name", row["name"])
    return at, row


def test_a_phone_in_clear_gets_tel_and_whatsapp_links_and_using_one_records_it(
    ui: UiHarness,
) -> None:
    at, row = _call_someone_with_a_mobile(ui, "ana")

    links = _links(at)
    assert ("tel:+55" + row["mobile"]) in [url for _, url in links]
    [whatsapp] = [url for label, url in links if label == "WhatsApp"]
    first = row["name"].split(" ")[0]
    assert whatsapp.startswith(f"https://wa.me/55{row['mobile']}?text=Ol%C3%A1%2C%20")
    assert quote(first) in whatsapp

    calls.record_channel(ui.db, ui.user("ana"), "whatsapp")  # what the link's click calls
    call = calls.current_call(ui.db, ui.user("ana"))
    assert call is not None
    assert ui.scalar(f"SELECT channel FROM calls WHERE id = {call.id}") == "whatsapp"


def test_a_landline_and_a_mobile_ending_alike_both_get_their_links(ui: UiHarness) -> None:
    """Two numbers with the same last four digits once gave two links one key, and the page
    failed for that caller (StreamlitDuplicateElementKey)."""
    row = ui.db.read(
        lambda tx: tx.one("SELECT id, name FROM entities WHERE mobile IS NOT NULL ORDER BY id")
    )
    ui.db.write(
        lambda tx: tx.execute(
            "UPDATE entities SET phone = '1133330092', mobile = '11999990092' WHERE id = ?",
            [row["id"]],
        )
    )
    calls.start_call(ui.db, ui.user("ana"), Routine.TELEMARKETING, row["id"])
    at = ui.page(PAGE, "ana").run()
    assert not at.exception
    urls = [url for _, url in _links(at)]
    assert "tel:+5511999990092" in urls and "tel:+551133330092" in urls
    assert at.button(key="ws_end_call") is not None


def test_a_masked_phone_gets_no_link(ui: UiHarness) -> None:
    at, row = _call_someone_with_a_mobile(ui, "carla")  # carla has no access 192
    call = calls.current_call(ui.db, ui.user("carla"))
    assert call is not None and call.entity_name == row["name"]
    assert _links(at) == []


def test_an_unknown_caller_is_registered_in_place_and_the_call_starts_on_them(
    ui: UiHarness,
) -> None:
    ana = ui.user("ana")
    at = ui.page(PAGE, "ana").run()
    at.text_input(key="ws_search_text").input("Gertrudes Quintanilha").run()
    assert any("cadastre quem está na linha" in info.value for info in at.info)
    assert at.text_input(key="ws_new_caller_n").value == "Gertrudes Quintanilha"

    at.text_input(key="ws_new_caller_mobile").input("(31) 99876-1234")
    at.button(key="FormSubmitter:ws_new_caller-Cadastrar e iniciar a ligação").click().run()

    assert not at.exception and not at.error, [e.value for e in at.error]
    call = calls.current_call(ui.db, ana)
    assert call is not None and call.entity_name == "Gertrudes Quintanilha"
    kind = ui.scalar("SELECT kind FROM entities WHERE id = ?", [call.entity_id])
    assert kind == "prospect"
    assert at.button(key="ws_end_call") is not None  # the workspace of the call


def test_a_new_callers_phone_on_file_is_warned_before_registering(ui: UiHarness) -> None:
    known = ui.db.read(
        lambda tx: tx.one("SELECT name, mobile FROM entities WHERE mobile IS NOT NULL LIMIT 1")
    )
    before = ui.scalar("SELECT count(*) FROM entities")
    at = ui.page(PAGE, "ana").run()
    at.text_input(key="ws_search_text").input("Gertrudes Quintanilha").run()
    at.text_input(key="ws_new_caller_mobile").input(known["mobile"])
    submit = "FormSubmitter:ws_new_caller-Cadastrar e iniciar a ligação"
    at.button(key=submit).click().run()

    assert any(plain(known["name"]) in warning.value for warning in at.warning)
    assert ui.scalar("SELECT count(*) FROM entities") == before
    at.checkbox(key="ws_new_caller_same_phone").check()
    at.button(key=submit).click().run()

    assert ui.scalar("SELECT count(*) FROM entities") == before + 1
    assert calls.current_call(ui.db, ui.user("ana")) is not None
