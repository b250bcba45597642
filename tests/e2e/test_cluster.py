"""Two app servers on one PostgreSQL behind Debian's nginx (deploy/): what must hold for the
whole call center holds across the servers (the collection queue, one station per operator,
the name search, the audit chain), and a server killed with kill -9 loses nobody's work. Each
browser is sent to a chosen server by nginx's route cookie."""

from __future__ import annotations

import re
import shutil
import tempfile
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from core import audit
from core.config import DATA_DIR
from core.db import open_database
from core.validation import search_key
from deploy.cluster import (
    NGINX,
    AppServer,
    Balancer,
    app_environment,
    seed,
    start_app_server,
    start_nginx,
)
from deploy.pgcluster import Cluster
from tests.e2e.conftest import (
    Stations,
    attempt_login,
    error_alert,
    goto,
    login,
    main,
    press_next_debtor,
    settle,
    shot,
)

pytestmark = pytest.mark.e2e

RECONNECT_MS = 60_000


@dataclass
class Site:
    balancer: Balancer
    servers: list[AppServer]
    database_url: str
    run: Path  # the site's directory: secrets, logs, the servers' audit journals


@pytest.fixture
def site(pg_cluster: Cluster) -> Iterator[Site]:
    if not Path(NGINX).exists():
        pytest.fail(f"{NGINX} missing: the test command installs Debian's nginx")
    run = Path(tempfile.mkdtemp(prefix="callcenter-site-"))
    pg_cluster.sql("CREATE DATABASE e2e_cluster")
    url = pg_cluster.url("e2e_cluster")
    servers: list[AppServer] = []
    balancer = None
    try:
        env = app_environment(url, run / "secrets.toml")
        seed(env)
        with psycopg.connect(url) as connection:  # the queue, not a promise falling due
            connection.execute(
                "UPDATE agenda_items SET status = 'concluido' WHERE status = 'aberto'"
            )
        servers = [start_app_server(env, run) for _ in range(2)]
        balancer = start_nginx([s.port for s in servers], run / "nginx")
        yield Site(balancer, servers, url, run)
    finally:
        if balancer is not None:
            balancer.stop()
        for server in servers:
            server.stop()
        shutil.rmtree(run, ignore_errors=True)
        pg_cluster.sql("DROP DATABASE e2e_cluster WITH (FORCE)")


def _station_on(stations: Stations, site: Site, server: AppServer) -> BrowserContext:
    station = stations.new()
    route = site.balancer.route_to(server.port)
    station.add_cookies([{"name": "cc_route", "value": route, "url": site.balancer.url}])
    return station


def _open_call(url: str, username: str) -> int | None:
    with psycopg.connect(url) as connection:
        row = connection.execute(
            "SELECT c.entity_id FROM open_calls o JOIN calls c ON c.id = o.call_id"
            " JOIN users u ON u.id = o.user_id WHERE u.username = %s",
            [username],
        ).fetchone()
    return int(row[0]) if row else None


def _collect(page: Page, site: Site, username: str) -> None:
    login(page, site.balancer.url, username)
    goto(page, f"{site.balancer.url}/chamadas")
    tab = page.get_by_role("tab", name="Telecobrança")
    if tab.count():  # an operator of several routines: the collection has its own tab
        tab.click()
    press_next_debtor(page)


def _search(page: Page, site: Site, text: str) -> None:
    goto(page, f"{site.balancer.url}/chamadas")
    search = main(page).get_by_label(re.compile("Quem está na linha"))
    search.fill(text)
    search.press("Enter")
    settle(page)


def test_two_servers_share_the_queue_the_stations_and_a_killed_servers_users(
    site: Site, stations: Stations
) -> None:
    server_a, server_b = site.servers

    # Two collectors on two servers: never the same debtor.
    carla = _station_on(stations, site, server_a).new_page()
    sockets: list[str] = []  # carla's websockets: a second one is the reconnection after the kill
    carla.on("websocket", lambda socket: sockets.append(socket.url))
    _collect(carla, site, "carla")
    diego = _station_on(stations, site, server_b).new_page()
    _collect(diego, site, "diego")
    carla_debtor = _open_call(site.database_url, "carla")
    diego_debtor = _open_call(site.database_url, "diego")
    assert carla_debtor is not None and diego_debtor is not None
    assert carla_debtor != diego_debtor

    # diego's second station, through the other server: refused while B's heartbeats arrive.
    second = _station_on(stations, site, server_a).new_page()
    goto(second, site.balancer.url)
    attempt_login(second, "diego")
    expect(error_alert(second, "outra estação")).to_be_visible()
    shot(second, "cluster-second-station-refused")

    # A rename written elsewhere (here by this test's own process, as by server A) is found
    # by server B's name search, whose in-memory copy was loaded before it.
    ana = _station_on(stations, site, server_b).new_page()
    login(ana, site.balancer.url, "ana")
    _search(ana, site, "da Cruz")
    expect(main(ana)).to_contain_text("Ágatha da Cruz")
    with psycopg.connect(site.database_url) as connection:
        connection.execute(
            "UPDATE entities SET name = 'Ágatha Renomeada', search_name = %s,"
            " version = version + 1 WHERE name = 'Ágatha da Cruz'",
            [search_key("Ágatha Renomeada")],
        )
    _search(ana, site, "Renomeada")
    expect(main(ana)).to_contain_text("Ágatha Renomeada")

    # Server A dies. carla's browser reconnects through nginx to B, her login cookie logs
    # her in again, and her call with the same debtor is still on screen.
    server_a.kill()
    card = main(carla).locator(".st-key-entity_card")
    expect(card).to_contain_text(f"código {carla_debtor}", timeout=RECONNECT_MS)
    expect(carla.locator(".st-key-call_timer")).to_have_text(
        re.compile(r"\d\d:\d\d"), timeout=RECONNECT_MS
    )
    settle(carla)
    expect(main(carla).get_by_role("button", name="Encerrar ligação")).to_be_enabled()
    expect(carla.get_by_label("Usuário", exact=True)).to_have_count(0)
    assert len([url for url in sockets if "_stcore/stream" in url]) >= 2  # she was on A
    shot(carla, "cluster-after-kill")
    assert _open_call(site.database_url, "carla") == carla_debtor

    # Both servers wrote to the audit log; the chain verifies.
    database = open_database(site.database_url)
    try:
        audit.seal(database)
        report = audit.verify_chain(database)
    finally:
        database.close()
    assert report.ok, report.problem
    # Each server journaled its views in the site's directory, none in the project's data/.
    assert len(list(site.run.glob("*.audit-lock"))) >= 2
    port = urllib.parse.urlsplit(site.database_url).port
    assert not list(DATA_DIR.glob(f"postgresql-*-{port}-e2e_cluster.*"))
