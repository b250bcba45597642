"""Televendas in a real browser: in one call bruno builds a quote with two products, converts
and invoices it, sees the titles (read-only with MV_ALTPED = N) and ends the call, which records
the invoice; looking at the invoiced order from the list afterwards starts no call."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import choose, goto, login, main, shot, wait_run_finished, wait_settled
from tests.e2e.test_telemarketing import _select_first_row, _start_call

pytestmark = pytest.mark.e2e


def _click(page: Page, name: str) -> None:
    main(page).get_by_role("button", name=name, exact=True).click()
    wait_run_finished(page)
    wait_settled(page)


def test_quote_to_order_to_invoice_with_titles_then_read_only(fresh_server, stations):
    # Its own server: the lockout test on the shared server locks bruno for 15 minutes.
    server = fresh_server()
    page = stations.page()
    login(page, server.base_url, "bruno")
    customer = "Ágatha da Cruz"  # a demo customer (cliente, deterministic seed)

    _start_call(page, server.base_url, customer)
    tab = main(page).locator(".st-key-tab_televendas")
    expect(tab).to_be_visible()
    choose(page, "Produto 1", "P0001", exact=False)
    _click(page, "+ Item")
    choose(page, "Produto 2", "P0002", exact=False)
    _click(page, "Gravar")
    expect(page.get_by_text(re.compile(r"gravado: Orçamento"))).to_be_visible()

    # The same call goes on with the quote on screen: convert and invoice it in the conversation.
    quote = main(page).get_by_text(re.compile(r"Atendimento Televendas nº \d+")).first
    expect(quote).to_be_visible()
    order = re.search(r"nº (\d+)", quote.inner_text())
    assert order is not None
    number = order.group(1)
    footer = page.locator(".st-key-call_footer")
    expect(footer).to_contain_text("Status: Orçamento")
    _click(page, "Converter em pedido")
    expect(main(page).get_by_text(re.compile(r"Pedido", re.I)).first).to_be_visible()
    _click(page, "Faturar")
    titles = main(page).locator("[data-testid='stDataFrame']").last
    expect(titles).to_contain_text("Parcela")
    shot(page, "tlv-invoiced-titles")

    # MV_ALTPED = N (the default): the invoiced order is read-only, every field disabled.
    expect(main(page).get_by_text("alteração bloqueada (MV_ALTPED = N)")).to_be_visible()
    expect(main(page).get_by_label("Produto 1", exact=True)).to_be_disabled()
    expect(main(page).get_by_role("button", name="Gravar", exact=True)).to_have_count(0)
    shot(page, "tlv-read-only")

    # One call for the whole conversation: ending it records the invoice, not "Limpo sem gravar".
    _click(page, "Encerrar ligação")
    expect(footer).to_contain_text(f"Televendas nº {number}: Faturado")
    expect(page.locator(".st-key-call_timer")).to_contain_text("00:00")

    # Looking at the invoiced order from the list starts no call.
    goto(page, f"{server.base_url}/televendas")
    main(page).get_by_text("Faturados", exact=True).click()
    wait_run_finished(page)
    wait_settled(page)
    _select_first_row(page)
    expect(
        main(page).get_by_role("heading", name=f"Atendimento Televendas nº {number}")
    ).to_be_visible()
    expect(main(page).get_by_text(re.compile("só consulta"))).to_be_visible()
    expect(main(page).get_by_role("button", name="Abrir no atendimento")).to_have_count(0)
    goto(page, f"{server.base_url}/chamadas")
    expect(main(page).get_by_label(re.compile("Quem está na linha"))).to_be_visible()
