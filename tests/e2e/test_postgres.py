"""The product on PostgreSQL in a real browser: a server started with CALLCENTER_DB pointing at
a database of the throwaway cluster seeds the demo there on its first start; bruno quotes,
converts and invoices in one call, the wallboard shows the day, and the database agrees (the
audit chain of what they did verifies)."""

from __future__ import annotations

import re

import psycopg
import pytest
from playwright.sync_api import expect

from core import audit
from core.db import open_database
from deploy.pgcluster import Cluster
from tests.e2e.conftest import (
    _failed,
    _finish_server,
    choose,
    goto,
    login,
    logout,
    main,
    shot,
    start_server,
)
from tests.e2e.test_telemarketing import _start_call
from tests.e2e.test_televendas import _click

pytestmark = pytest.mark.e2e


@pytest.fixture
def pg_server(pg_cluster: Cluster, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    pg_cluster.sql("CREATE DATABASE e2e_callcenter")
    url = pg_cluster.url("e2e_callcenter")
    server = start_server(None, CALLCENTER_DB=url)  # seeds the demo on its first start
    yield server, url
    _finish_server(server, _failed(request.node))
    pg_cluster.sql("DROP DATABASE e2e_callcenter WITH (FORCE)")


def test_a_sale_in_one_call_on_postgresql(pg_server, stations):
    server, url = pg_server
    page = stations.page()
    login(page, server.base_url, "bruno")
    customer = "Ágatha da Cruz"  # the demo's first customer, on PostgreSQL as on DuckDB

    _start_call(page, server.base_url, customer)
    choose(page, "Produto 1", "P0001", exact=False)
    _click(page, "Gravar")
    expect(page.get_by_text(re.compile(r"gravado: Orçamento"))).to_be_visible()
    quote = main(page).get_by_text(re.compile(r"Atendimento Televendas nº \d+")).first
    number = re.search(r"nº (\d+)", quote.inner_text())
    assert number is not None
    order_id = int(number.group(1))
    _click(page, "Converter em pedido")
    _click(page, "Faturar")
    expect(main(page).locator("[data-testid='stDataFrame']").last).to_contain_text("Parcela")
    _click(page, "Encerrar ligação")
    footer = page.locator(".st-key-call_footer")
    expect(footer).to_contain_text(f"Televendas nº {order_id}: Faturado")
    shot(page, "pg-invoiced")
    logout(page)

    board = stations.page()
    login(board, server.base_url, "sofia")
    goto(board, f"{server.base_url}/painel")
    expect(board.locator(".st-key-wallboard")).to_contain_text("Bruno Carvalho")
    logout(board)
    server.stop()

    with psycopg.connect(url) as connection:
        stored = connection.execute(
            "SELECT o.status, c.result FROM tlv_orders o JOIN calls c ON c.id = o.call_id"
            " WHERE o.id = %s",
            [order_id],
        ).fetchone()
        titles = connection.execute(
            "SELECT count(*) FROM receivables WHERE order_id = %s", [order_id]
        ).fetchone()
    assert stored == ("faturado", f"Televendas nº {order_id}: Faturado")
    assert titles is not None and titles[0] >= 1
    database = open_database(url)
    try:
        audit.seal(database)
        assert audit.verify_chain(database).ok
    finally:
        database.close()
