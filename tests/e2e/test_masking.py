"""LGPD masking in the browser: the Entidades grid and its CSV export, with and without 192."""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.e2e.conftest import login, logout, main, shot, wait_run_finished, wait_settled

pytestmark = pytest.mark.e2e

FULL_CPF = re.compile(r"\d{3}\.\d{3}\.\d{3}-\d{2}")
FULL_CNPJ = re.compile(r"\d{2}\.\d{3}\.\d{3}/\d{4}-\d{2}")
DOWNLOAD_TIMEOUT_MS = 40_000


def open_entidades(page: Page) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Entidades").click()
    expect(main(page).get_by_role("heading", name="Entidades")).to_be_visible()
    wait_run_finished(page)
    wait_settled(page)
    expect(main(page).get_by_test_id("stException")).to_have_count(0)


def grid_documents(page: Page) -> list[str]:
    """The CPF/CNPJ column of the rows the grid drew.

    st.dataframe draws on a canvas, but Glide Data Grid keeps an accessible <table> of the
    visible rows in the DOM: its cells' text is what the screen shows.
    """
    grid = main(page).get_by_test_id("stDataFrame")
    expect(grid.locator("td").first).to_be_attached()
    headers = grid.locator("th").all_text_contents()
    cells = grid.locator("td").all_text_contents()
    column = headers.index("CPF/CNPJ")
    width = len(headers)
    assert cells and len(cells) % width == 0, (headers, cells[:20])
    return [cells[row + column] for row in range(0, len(cells), width)]


def grid_text(page: Page) -> str:
    return " ".join(main(page).get_by_test_id("stDataFrame").locator("td").all_text_contents())


def export_csv(page: Page) -> list[dict[str, str]]:
    """Click "Exportar CSV" (its data is generated on the click) and parse the download."""
    media: list[str] = []
    page.on("response", lambda r: media.append(f"{r.status} {r.url}") if "/media/" in r.url else 0)
    try:
        with page.expect_download(timeout=DOWNLOAD_TIMEOUT_MS) as download:
            main(page).get_by_role("button", name="Exportar CSV").click()
    except PlaywrightTimeoutError as error:
        raise AssertionError(f"no CSV download; /media responses seen: {media}") from error
    text = download.value.path().read_text(encoding="utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def test_entities_masked_without_192(server, stations):
    page = stations.page()
    login(page, server.base_url, "carla")
    open_entidades(page)
    expect(main(page).get_by_text(re.compile("dados pessoais mascarados"))).to_be_visible()

    documents = [doc for doc in grid_documents(page) if doc]
    assert documents, "no document shown in the grid"
    assert all("*" in doc for doc in documents), documents
    shown = grid_text(page)
    assert not FULL_CPF.search(shown), shown
    assert not FULL_CNPJ.search(shown), shown
    shot(page, "masking-carla-entidades")

    rows = export_csv(page)
    assert len(rows) > len(documents)  # the export holds every row the filters select
    exported = [row["CPF/CNPJ"] for row in rows if row["CPF/CNPJ"]]
    assert exported and all("*" in doc for doc in exported), exported[:10]
    flat = "\n".join(";".join(row.values()) for row in rows)
    assert not FULL_CPF.search(flat) and not FULL_CNPJ.search(flat)
    logout(page)


def test_entities_unmasked_with_192(server, stations):
    page = stations.page()
    login(page, server.base_url, "ana")
    open_entidades(page)
    expect(main(page).get_by_text(re.compile("dados pessoais mascarados"))).to_have_count(0)

    documents = [doc for doc in grid_documents(page) if doc]
    assert documents and not any("*" in doc for doc in documents), documents
    assert any(FULL_CPF.fullmatch(doc) for doc in documents), documents
    shot(page, "masking-ana-entidades")

    rows = export_csv(page)
    exported = [row["CPF/CNPJ"] for row in rows if row["CPF/CNPJ"]]
    assert any(FULL_CPF.fullmatch(doc) for doc in exported), exported[:10]
    assert not any("*" in doc for doc in exported), exported[:10]
    logout(page)
