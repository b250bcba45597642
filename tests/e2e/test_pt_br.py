"""What a person reads is pt-BR: every page the admin opens (the sidebar's, one by one) and the
login, with a text field typed into so Streamlit's input hints would show. Fails on the English
strings Streamlit draws by default (and on raw Python values leaking to the screen)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page

from tests.e2e.conftest import (
    goto,
    login,
    login_form,
    logout,
    main,
    sidebar,
    wait_run_finished,
    wait_settled,
)

pytestmark = pytest.mark.e2e

ENGLISH = re.compile(
    r"Press Enter|Ctrl\+Enter|View \d+ more|View less|\byyyy\b|Choose an option|Choose options"
    r"|No options to select|Skip to main content|Please wait|No results|Select all|Traceback"
    r"|\bNone\b|\bTrue\b|\bFalse\b|\bnan\b|\bNaN\b"
)
ENGLISH_DECIMAL = re.compile(r"^-?\d+\.\d{1,2}$")  # "3.00" in a field: pt-BR writes 3,00

# The text a person sees: text nodes drawn with a size (not display:none, not 0-sized, not a
# screen-reader-only 1 px box), plus the values and placeholders of the fields.
_VISIBLE = """() => {
  const seen = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, element = node.parentElement;
    const text = node.textContent.trim();
    if (!element || !text) continue;
    const style = getComputedStyle(element), box = element.getBoundingClientRect();
    if (style.visibility === 'hidden' || parseFloat(style.fontSize) === 0) continue;
    if (box.width < 2 || box.height < 2) continue;
    seen.push(text);
  }
  const fields = [...document.querySelectorAll('input, textarea')]
    .filter(field => field.type !== 'hidden' && field.getBoundingClientRect().width > 2);
  return {texts: seen, values: fields.map(field => field.value),
          placeholders: fields.map(field => field.placeholder).filter(Boolean)};
}"""


def _english_on(page: Page) -> list[str]:
    shown = page.evaluate(_VISIBLE)
    found = [text for text in shown["texts"] + shown["placeholders"] if ENGLISH.search(text)]
    return found + [value for value in shown["values"] if ENGLISH_DECIMAL.match(value)]


def _type_into_a_field(page: Page) -> None:
    """A typed, not yet applied text field is where Streamlit shows "Press Enter to apply"."""
    field = main(page).locator("input[type='text']:not([disabled])").first
    if field.count() and field.is_visible():
        field.fill("a")
        page.wait_for_timeout(300)


def test_every_page_the_admin_opens_speaks_pt_br(server, stations):
    page = stations.page()
    goto(page, server.base_url)
    login_form(page).fill("admin")
    page.wait_for_timeout(300)
    assert _english_on(page) == [], "login"

    login(page, server.base_url, "admin")
    links = sidebar(page).get_by_test_id("stSidebarNav").get_by_role("link")
    urls = [str(links.nth(index).get_attribute("href")) for index in range(links.count())]
    assert len(urls) >= 15, urls
    found: dict[str, list[str]] = {}
    for url in urls:
        goto(page, url)
        wait_run_finished(page)
        wait_settled(page)
        _type_into_a_field(page)
        if english := _english_on(page):
            found[url.rsplit("/", 1)[-1]] = english
    assert found == {}
    logout(page)
