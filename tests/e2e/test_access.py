"""Pages a user may not open: by URL on a running server, and as the very first request of a
freshly started server (when Streamlit still serves pages/ files without app.py)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import (
    ROOT,
    attempt_login,
    expect_logged_out,
    goto,
    login,
    login_form,
    logout,
    main,
    shot,
    wait_run_finished,
    wait_settled,
)
from ui.registry import PAGES

pytestmark = pytest.mark.e2e

PAGE_FILES = sorted(path.stem for path in (ROOT / "pages").glob("*.py"))
TITLES = {spec.url_path: spec.title for spec in PAGES}
HAS_USUARIOS = (ROOT / "pages" / "usuarios.py").exists()

# Pages checked as the first request of their own fresh server: the preferred ones when they
# exist, completed from the other pages/ files (the screens are written in parallel).
_PREFERRED = ("usuarios", "entidades", "parametros")
_FALLBACK = ("painel", "televendas", "estacoes", "telecobranca", "agenda")
FIRST_REQUEST_PAGES = [stem for stem in _PREFERRED if stem in PAGE_FILES]
FIRST_REQUEST_PAGES += [stem for stem in _FALLBACK if stem in PAGE_FILES][
    : max(0, 3 - len(FIRST_REQUEST_PAGES))
]
TABS_AT_ONCE = 4
# A page ana (operator, Telemarketing only) must never see.
ANA_REFUSED = next(
    stem for stem in ("usuarios", "parametros", "estacoes", "painel", "televendas")
    if stem in PAGE_FILES
)  # fmt: skip


def test_every_page_file_is_in_the_registry():
    """A pages/ file missing from ui/registry.py would crash its own guard (LookupError)."""
    assert set(PAGE_FILES) <= set(TITLES), set(PAGE_FILES) - set(TITLES)


def expect_only_login(page: Page) -> None:
    """The login form, and nothing of any page: no data, no tabs, no page title."""
    expect_logged_out(page)
    body = main(page)
    expect(body.locator("h1")).to_have_text(["☎️ Call Center"])
    expect(body.get_by_test_id("stDataFrame")).to_have_count(0)
    expect(body.get_by_test_id("stTabs")).to_have_count(0)
    expect(body.get_by_test_id("stException")).to_have_count(0)


def expect_no_users_table(page: Page) -> None:
    body = main(page)
    expect(body.get_by_role("heading", name="Usuários")).to_have_count(0)
    expect(body.get_by_test_id("stDataFrame")).to_have_count(0)
    expect(body.get_by_test_id("stException")).to_have_count(0)


def test_operator_cannot_open_usuarios_by_url(server, stations):
    page = stations.page()
    login(page, server.base_url, "ana")
    goto(page, f"{server.base_url}/usuarios")
    # Either Streamlit's "page not found" fallback to Início or the page's own refusal.
    not_found = page.get_by_role("dialog").filter(has_text="Page not found")
    refused = main(page).get_by_text(re.compile(r"^Acesso negado"))
    expect(not_found.or_(refused)).to_be_visible()
    expect_no_users_table(page)
    shot(page, "access-ana-usuarios")
    if not_found.is_visible():
        expect(main(page).get_by_role("heading", name="Olá, Ana!")).to_be_attached()
        page.keyboard.press("Escape")
        expect(not_found).to_have_count(0)
    logout(page)


@pytest.mark.skipif(not HAS_USUARIOS, reason="pages/usuarios.py not written yet")
def test_the_sidebar_lists_every_page_without_an_english_view_more(server, stations):
    """Collapsed, Streamlit's navigation hid 7 of the admin's pages behind "View 7 more"."""
    page = stations.page()
    login(page, server.base_url, "admin")
    nav = page.get_by_test_id("stSidebarNav")
    hidden_before = ["Parâmetros", "Estações", "Relatórios", "Painel ao vivo", "Auditoria"]
    for title in [*hidden_before, "Dicionário de dados", "Titulares"]:
        expect(nav.get_by_role("link", name=title)).to_be_visible()
    expect(page.get_by_text(re.compile(r"View \d+ more|View less"))).to_have_count(0)
    logout(page)


def test_admin_opens_usuarios_by_url(server, stations):
    page = stations.page()
    login(page, server.base_url, "admin")
    goto(page, f"{server.base_url}/usuarios")
    body = main(page)
    expect(body.get_by_role("heading", name="Usuários")).to_be_visible()
    table = body.get_by_test_id("stDataFrame").first
    expect(table).to_be_visible()
    expect(table).to_contain_text("ana")
    shot(page, "access-admin-usuarios")


@pytest.mark.parametrize("stem", FIRST_REQUEST_PAGES)
def test_first_request_of_fresh_server_shows_only_login(fresh_server, stations, stem):
    """The page's URL is the first request the server ever gets; then (representative page
    only) every other pages/ file, each in a new browser, while still nothing ran app.py."""
    server = fresh_server()
    page = stations.page()
    goto(page, f"{server.base_url}/{stem}")
    expect_only_login(page)
    shot(page, f"first-request-{stem}")
    if stem != FIRST_REQUEST_PAGES[0]:
        return
    # Every other page, each in a new tab of one browser that never logs in (the shared
    # cache spares reloading Streamlit's scripts), a few tabs at a time.
    browser = stations.new()
    others = [other for other in PAGE_FILES if other != stem]
    for start in range(0, len(others), TABS_AT_ONCE):
        batch = others[start : start + TABS_AT_ONCE]
        tabs = [browser.new_page() for _ in batch]
        for other, tab in zip(batch, tabs, strict=True):
            tab.goto(f"{server.base_url}/{other}", wait_until="commit")
        for other, tab in zip(batch, tabs, strict=True):
            tab.wait_for_selector("[data-testid='stApp']")
            wait_run_finished(tab)
            wait_settled(tab, quiet_ms=500)
            try:
                expect_only_login(tab)
            except AssertionError:
                shot(tab, f"first-request-{other}")
                raise
            tab.close()


def test_first_request_logged_in_without_grant(fresh_server, stations):
    """ana's first request to a fresh server is a page she lacks; she logs in right there."""
    server = fresh_server()
    page = stations.page()
    goto(page, f"{server.base_url}/{ANA_REFUSED}")
    expect_only_login(page)
    attempt_login(page, "ana")
    body = main(page)
    # Served directly: the page's guard refuses. Or, via app.py: the fallback to Início.
    expect(body.get_by_text(re.compile(r"^(Olá, Ana!|Acesso negado.*)$"))).to_be_visible()
    wait_settled(page)
    expect(body.get_by_test_id("stDataFrame")).to_have_count(0)
    expect(body.get_by_test_id("stException")).to_have_count(0)
    expect(body.get_by_role("heading", name=TITLES[ANA_REFUSED])).to_have_count(0)
    shot(page, f"first-request-ana-{ANA_REFUSED}")


def test_first_request_after_restart_with_login_cookie(fresh_server, stations):
    """A server restart while ana keeps her login cookie: her first request to the new
    process is a page she lacks, so the cookie logs her in on a page served without app.py."""
    first = fresh_server()
    page = stations.page()
    login(page, first.base_url, "ana")
    second = fresh_server(restart=first)  # same database and cookie key, new process
    goto(page, f"{second.base_url}/{ANA_REFUSED}")
    body = main(page)
    expect(body.get_by_text(re.compile(r"^(Olá, Ana!|Acesso negado.*)$"))).to_be_visible()
    expect(body.get_by_test_id("stDataFrame")).to_have_count(0)
    expect(body.get_by_test_id("stException")).to_have_count(0)
    expect(body.get_by_role("heading", name=TITLES[ANA_REFUSED])).to_have_count(0)
    expect(login_form(page)).to_have_count(0)  # the cookie was accepted: she is logged in
    shot(page, f"first-request-restart-ana-{ANA_REFUSED}")
