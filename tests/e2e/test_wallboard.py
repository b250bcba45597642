"""The live wallboard in a real browser: with sofia's Painel ao vivo open, diego picks up a
customer in another browser; within one refresh sofia sees him on the call with a running
timer, and only the board refreshes."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import choose, goto, login, main, shot, wait_run_finished, wait_settled

pytestmark = pytest.mark.e2e

INTERVAL_S = 5  # "Atualizar a cada" chosen on the board
MARGIN_S = 10  # a tick may read the snapshot of the window it began in, plus a cold server
CUSTOMER = "Ágatha da Cruz"  # a demo customer (deterministic seed)
DIEGO = "OP006"
CLOCK = re.compile(r"^\d\d:\d\d(:\d\d)?$")


def _select_first_row(page: Page) -> None:
    """Tick the first row of the search results (a canvas grid): that starts the call."""
    grid = main(page).locator("[data-testid='stDataFrame']").first
    expect(grid).to_be_visible()
    box = grid.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)  # row marker of the first data row
    wait_run_finished(page)
    wait_settled(page)


def _start_call(page: Page, base_url: str, name: str) -> None:
    goto(page, f"{base_url}/chamadas")
    search = main(page).get_by_label(re.compile("Quem está na linha"))
    search.fill(name)
    search.press("Enter")
    wait_run_finished(page)
    wait_settled(page)
    _select_first_row(page)
    expect(main(page).locator(".st-key-entity_card")).to_contain_text(name)
    expect(page.locator(".st-key-call_timer")).to_contain_text(re.compile(r"\d\d:\d\d"))


def _seconds(clock: str) -> int:
    total = 0
    for part in clock.split(":"):
        total = total * 60 + int(part)
    return total


def test_supervisor_sees_an_operator_start_a_call_within_one_refresh(fresh_server, stations):
    server = fresh_server()

    # Sofia opens the wallboard and makes it refresh every 5 s.
    board_page = stations.page()
    login(board_page, server.base_url, "sofia")
    goto(board_page, f"{server.base_url}/painel")
    expect(board_page.get_by_role("heading", name="Painel ao vivo")).to_be_visible()
    choose(board_page, "Atualizar a cada", f"{INTERVAL_S} s")
    board = board_page.locator(".st-key-wallboard")
    card = board.locator(f".st-key-wb_op_{DIEGO}")
    expect(card).to_contain_text("Diego Martins")
    expect(card).not_to_contain_text("Em ligação")
    # Only the board refreshes: a mark on the page title survives every tick.
    title = board_page.get_by_role("heading", name="Painel ao vivo")
    title.evaluate("node => { node.dataset.ccMark = 'kept'; }")

    # Diego, in another browser (another station), picks up a customer: the call starts.
    operator_page = stations.page()
    login(operator_page, server.base_url, "diego")
    _start_call(operator_page, server.base_url, CUSTOMER)
    started = time.monotonic()

    # Within one refresh (+ margin) sofia's board shows him on the call, with the customer.
    expect(card).to_contain_text("Em ligação", timeout=(INTERVAL_S + MARGIN_S) * 1000)
    seen_after = time.monotonic() - started
    expect(card).to_contain_text(CUSTOMER)
    timer = card.locator(f".st-key-wb_timer_{DIEGO}")
    expect(timer).to_have_text(CLOCK)
    first = _seconds(timer.inner_text().strip())

    # The timer runs: a later tick shows more elapsed time (from the call's stored start).
    board_page.wait_for_function(
        """([selector, before]) => {
          const node = document.querySelector(selector);
          if (!node) return false;
          const parts = node.innerText.trim().split(':').map(Number);
          const seconds = parts.reduce((total, part) => total * 60 + part, 0);
          return seconds > before;
        }""",
        arg=[f".st-key-wallboard .st-key-wb_timer_{DIEGO}", first],
        timeout=(INTERVAL_S + MARGIN_S) * 1000,
    )
    colour = timer.locator("span").last.evaluate("node => getComputedStyle(node).color")
    red, _, blue = (int(part) for part in re.findall(r"\d+", colour)[:3])
    assert blue > red, f"a call under the ideal time is blue, got {colour}"
    assert title.get_attribute("data-cc-mark") == "kept", "the whole page was redrawn"
    print(f"diego seen on the board {seen_after:.1f} s after his call started")
    board_page.set_viewport_size({"width": 1400, "height": 2000})  # the whole board in one shot
    board_page.wait_for_timeout(INTERVAL_S * 1000)  # a tick redraws the charts at that size
    shot(board_page, "wallboard-diego-em-ligacao")
