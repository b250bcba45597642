"""An outbound campaign in a real browser: bruno (Televendas Ativo) presses "Próximo contato"
on the demo campaign, gets a person of its list on the line, records "Venda / acordo", and the
call ends with that result while he enters wrap-up."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from core.demo.campaigns import NAME
from tests.e2e.conftest import choose, goto, login, main, settle

pytestmark = pytest.mark.e2e


def test_next_contact_and_its_disposition_end_the_call(fresh_server, stations) -> None:
    server = fresh_server()
    page = stations.page()
    login(page, server.base_url, "bruno")
    goto(page, f"{server.base_url}/chamadas")
    expect(main(page)).to_contain_text("contato(s) para ligar agora")
    page.locator(".st-key-cmp_next_contact button").click()
    expect(page.get_by_test_id("stToast").filter(has_text="Próximo contato:").first).to_be_visible()
    settle(page)
    panel = page.locator(".st-key-cmp_disposition")
    expect(panel).to_contain_text(f"Campanha {NAME}")
    expect(page.locator(".st-key-entity_card")).to_be_visible()

    choose(page, "Resultado do contato", "Venda / acordo")
    page.locator(".st-key-cmp_record button").click()
    footer = page.locator(".st-key-call_footer")
    expect(footer).to_contain_text(f"Campanha {NAME}: Venda / acordo")
    expect(footer).to_contain_text("Status: Pós-atendimento")
    expect(page.locator(".st-key-cmp_next_contact button")).to_be_visible()
