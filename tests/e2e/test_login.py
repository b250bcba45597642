"""Logging in and out, wrong passwords and the lockout, and a login cookie copied before logout."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, Route, expect

from tests.e2e.conftest import (
    DEMO_NAMES,
    attempt_login,
    auth_cookies,
    error_alert,
    expect_logged_out,
    goto,
    login,
    logout,
    main,
    reload,
    settle,
    shot,
    sidebar,
    submit_login,
    wait_for_auth_cookie,
)

pytestmark = pytest.mark.e2e


def test_login_and_logout(server, stations):
    page = stations.page()
    login(page, server.base_url, "ana")
    expect(page.get_by_role("heading", name="Olá, Ana!")).to_be_visible()
    nav = page.get_by_test_id("stSidebarNav")
    for entry in ("Incluir", "Telemarketing", "Entidades"):
        expect(nav.get_by_role("link", name=re.compile(rf"\b{entry}$"))).to_be_visible()
    expect(nav.get_by_text("Usuários")).to_have_count(0)
    shot(page, "login-ana-home")

    logout(page)
    expect_logged_out(page)
    expect(page.get_by_text("Você saiu do Call Center.")).to_be_visible()  # survives reruns

    reload(page)  # the cookie was deleted, or is refused: issued before the logout
    expect_logged_out(page)
    expect(page.get_by_role("heading", name="Olá, Ana!")).to_have_count(0)


def test_wrong_password_and_lockout(server, stations):
    page = stations.page()
    goto(page, server.base_url)
    wrong = "Usuário ou senha incorretos."

    for attempt in range(1, 5):
        attempt_login(page, "bruno", f"senha-errada-{attempt}")
        expect(error_alert(page, wrong)).to_have_text(wrong)
        expect(error_alert(page, "bloqueado")).to_have_count(0)
        expect_logged_out(page)

    # The 5th consecutive failure locks him.
    attempt_login(page, "bruno", "senha-errada-5")
    expect(error_alert(page, "bloqueado")).to_contain_text("Usuário bloqueado por")
    expect_logged_out(page)

    attempt_login(page, "bruno")  # even the right password is refused while locked
    expect(error_alert(page, "bloqueado")).to_contain_text("excesso de tentativas")
    expect_logged_out(page)
    shot(page, "login-bruno-locked")

    # An unknown user gets the same message as a wrong password (no user enumeration).
    attempt_login(page, "ninguem", "senha-errada-0")
    expect(error_alert(page, wrong)).to_have_text(wrong)
    expect_logged_out(page)


def test_copied_cookie_is_refused_after_logout(server, stations):
    station_a = stations.new()
    page_a = station_a.new_page()
    login(page_a, server.base_url, "sofia")
    expect(page_a.get_by_role("heading", name="Olá, Sofia!")).to_be_visible()
    copied = auth_cookies(station_a)
    assert len(copied) == 1, station_a.cookies()

    # Positive controls: the cookie logs in again after a reload of the same browser, and in
    # another browser holding a copy (a copied cookie carries its station along).
    reload(page_a)
    expect(page_a.get_by_role("heading", name="Olá, Sofia!")).to_be_visible()
    expect(sidebar(page_a).get_by_text("Sofia Ramos", exact=True)).to_be_visible()
    station_c = stations.new()
    station_c.add_cookies(copied)
    page_c = station_c.new_page()
    goto(page_c, server.base_url)
    expect(page_c.get_by_role("heading", name="Olá, Sofia!")).to_be_visible()
    station_c.close()

    logout(page_a)
    expect_logged_out(page_a)

    station_d = stations.new()
    station_d.add_cookies(copied)
    page_d = station_d.new_page()
    goto(page_d, server.base_url)
    expect_logged_out(page_d)
    expect(page_d.get_by_role("heading", name="Olá, Sofia!")).to_have_count(0)
    shot(page_d, "login-copied-cookie-refused")


class _HeldComponents:
    """Holds every custom-component file the page asks for until `release()`.

    A custom component (the authenticator's cookie manager was one) sends its first value as
    soon as its frame has loaded, and that value reruns the script. Holding its files until
    just after a login is submitted makes that rerun land during the login's run every time,
    instead of now and then: the race that used to lose logins. (The app draws no component on
    the login page now, so there is usually nothing to hold.)"""

    def __init__(self, page: Page) -> None:
        self.held: list[Route] = []
        self.released = False
        page.route("**/component/**", self._on_route)

    def _on_route(self, route: Route) -> None:
        if self.released:
            route.continue_()
        else:
            self.held.append(route)

    def release(self) -> None:
        self.released = True
        for route in self.held:
            route.continue_()
        self.held.clear()


def _expect_logged_in(page: Page, user: str) -> None:
    expect(sidebar(page).get_by_role("button", name="Sair")).to_be_visible()
    expect(sidebar(page).get_by_text(DEMO_NAMES[user], exact=True)).to_be_visible()
    expect(main(page).get_by_test_id("stAlertContentError")).to_have_count(0)


@pytest.mark.parametrize("user", ["admin", "sofia"])
def test_a_login_submitted_at_once_is_never_lost(server, stations, user):
    """Log in the moment the form is on screen, and again right after logging out; one submit
    each, no retry, three rounds. The login cookie must follow (a reload keeps the login)."""
    for _ in range(3):
        page = stations.page()
        components = _HeldComponents(page)
        page.goto(server.base_url)
        submit_login(page, user)  # waits only for the form: no settling first
        page.wait_for_timeout(100)
        components.release()
        _expect_logged_in(page, user)
        wait_for_auth_cookie(page)
        settle(page)

        reload(page)  # the cookie logs the new session in
        _expect_logged_in(page, user)

        sidebar(page).get_by_role("button", name="Sair").click()
        submit_login(page, user)  # as soon as the form is back: the cookie is being deleted
        _expect_logged_in(page, user)
        settle(page)
        logout(page)
        expect_logged_out(page)
