"""One operator, one station: a second browser is refused, a second tab of the same one is not."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    attempt_login,
    error_alert,
    goto,
    login,
    logout,
    main,
    shot,
    sidebar,
    wait_run_finished,
    wait_settled,
)

pytestmark = pytest.mark.e2e


def test_second_station_is_refused(server, stations):
    station_a = stations.new()
    page_a = station_a.new_page()
    login(page_a, server.base_url, "diego")
    expect(page_a.get_by_role("heading", name="Olá, Diego!")).to_be_visible()

    # Another browser, same operator: the password is right, the station is refused.
    page_b = stations.page()
    goto(page_b, server.base_url)
    attempt_login(page_b, "diego")
    refusal = error_alert(page_b, "outra estação")
    expect(refusal).to_be_visible()
    expect(page_b.get_by_role("heading", name="Olá, Diego!")).to_have_count(0)
    expect(main(page_b).get_by_role("button", name="Tentar novamente")).to_be_visible()
    title = main(page_b).get_by_role("heading", name="Operador conectado em outra estação")
    expect(title).to_be_visible()
    wait_settled(page_b)
    expect(refusal).to_be_visible()  # still refused once the page settled
    expect(sidebar(page_b).get_by_test_id("stSidebarNav")).to_have_count(0)
    shot(page_b, "station-second-refused")

    # A second tab of the first browser shares its cookie, hence its station: not refused.
    tab_a2 = station_a.new_page()
    goto(tab_a2, server.base_url)
    expect(tab_a2.get_by_role("heading", name="Olá, Diego!")).to_be_visible()
    expect(tab_a2.get_by_text("outra estação")).to_have_count(0)
    tab_a2.close()

    # The first browser leaves: "Tentar novamente" lets the second one in, without the login
    # form (its refused login was voided by that logout and is resumed).
    logout(page_a)
    main(page_b).get_by_role("button", name="Tentar novamente").click()
    wait_run_finished(page_b)
    wait_settled(page_b)
    expect(page_b.get_by_role("heading", name="Olá, Diego!")).to_be_visible()
    expect(page_b.get_by_label("Usuário", exact=True)).to_have_count(0)
    expect(page_b.get_by_text("outra estação")).to_have_count(0)
    shot(page_b, "station-second-after-first-left")
    logout(page_b)


LEASE_SECONDS = 12


def test_closed_station_frees_the_operator_after_the_lease(fresh_server, stations):
    """A browser closed without "Sair" holds the operator only until its lease runs out."""
    server = fresh_server(CALLCENTER_STATION_LEASE_SECONDS=str(LEASE_SECONDS))
    station_a = stations.new()
    login(station_a.new_page(), server.base_url, "diego")
    left_at = time.monotonic()
    station_a.close()  # no logout: the lease stays until it expires
    stations.contexts.remove(station_a)

    page_b = stations.page()
    goto(page_b, server.base_url)
    attempt_login(page_b, "diego")
    refusal = error_alert(page_b, "outra estação")
    expect(refusal).to_contain_text(f"{LEASE_SECONDS} segundos")
    assert time.monotonic() - left_at < LEASE_SECONDS, "too slow to see the refusal"
    wait_settled(page_b)

    page_b.wait_for_timeout(max(0.0, LEASE_SECONDS + 1 - (time.monotonic() - left_at)) * 1000)
    main(page_b).get_by_role("button", name="Tentar novamente").click()
    expect(page_b.get_by_role("heading", name="Olá, Diego!")).to_be_visible()
    expect(page_b.get_by_text("outra estação")).to_have_count(0)
    expect(sidebar(page_b).get_by_text("Diego Martins", exact=True)).to_be_visible()
