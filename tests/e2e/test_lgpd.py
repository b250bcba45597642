"""LGPD end to end (issue 6): carla (no access 192) opens a debtor with "Próximo devedor" and
sees the protected fields masked; the administrator finds that masked view in Auditoria (the
filtered log, its CSV export) and the hash chain verifies."""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from core.db import open_database
from tests.e2e.conftest import (
    FULL_DOCUMENT,
    TIMEOUT_MS,
    Server,
    _failed,
    _finish_server,
    collection_copy,
    goto,
    login,
    logout,
    main,
    press_next_debtor,
    settle,
    shot,
    shown_forms,
    start_server,
    tall_shot,
)

pytestmark = pytest.mark.e2e

DATA_FAMILY = "Visualizações e exportações de dados"
DOWNLOAD_TIMEOUT_MS = 40_000


@dataclass
class Subjects:
    """Per entity: its stored CPF/CNPJ (digits) and every personal value the page must never
    show to carla in clear (document, phones, e-mail, and those of its contacts), as stored and
    as the app formats them."""

    documents: dict[int, str]
    personal: dict[int, tuple[str, ...]]


@pytest.fixture
def lgpd_server(
    tmp_path: Path, template_db: Path, request: pytest.FixtureRequest
) -> Iterator[tuple[Server, Subjects]]:
    """A server of this file's own (see collection_copy)."""
    template = collection_copy(template_db, tmp_path, "lgpd")
    db = open_database(str(template))
    try:
        own = db.read(lambda tx: tx.all("SELECT id, document, phone, mobile, email FROM entities"))
        contacts = db.read(
            lambda tx: tx.all(
                "SELECT ec.entity_id AS id, c.document, c.phone, c.mobile, c.email"
                " FROM entity_contacts ec JOIN contacts c ON c.id = ec.contact_id"
            )
        )
    finally:
        db.close()
    personal: dict[int, set[str]] = {}
    for row in [*own, *contacts]:
        values = personal.setdefault(int(row["id"]), set())
        for column in ("document", "phone", "mobile", "email"):
            values |= shown_forms(column, row[column])
    documents = {int(row["id"]): row["document"] for row in own if row["document"]}
    server = start_server(template)
    yield server, Subjects(documents, {k: tuple(sorted(v)) for k, v in personal.items()})
    _finish_server(server, _failed(request.node))


# --- helpers --------------------------------------------------------------------------------


def _grid(scope: Locator) -> list[dict[str, str]]:
    """The rows an st.dataframe drew, read from the accessible <table> Glide keeps in the DOM
    (the canvas draws the same cells)."""
    grid = scope.get_by_test_id("stDataFrame").first
    expect(grid.locator("td").first).to_be_attached()
    headers = grid.locator("th").all_text_contents()
    cells = grid.locator("td").all_text_contents()
    width = len(headers)
    if not cells or not width or len(cells) % width:
        return []  # caught mid-redraw (a rerun replaced the grid between the two reads)
    return [
        dict(zip(headers, cells[i : i + width], strict=True)) for i in range(0, len(cells), width)
    ]


def _pick(page: Page, key: str, label: str, text: str) -> None:
    """Pick the option of the selectbox rendered with `key=` containing `text`, typed to filter
    the list; retried until the box shows it (a rerun can close an open list)."""
    box = page.locator(f".st-key-{key}").get_by_label(label, exact=True)
    for attempt in range(1, 4):
        box.click()
        box.fill(text)
        try:
            page.get_by_role("option", name=text).first.click(timeout=5_000)
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
        settle(page)
        if box.input_value() == text:  # the combobox shows the option chosen
            return
        assert attempt < 3, f"option {text!r} of {label!r} never got chosen: {box.input_value()!r}"


def _type(page: Page, key: str, label: str, value: str) -> None:
    """Type into the text or number input rendered with `key=` and commit it with Enter;
    typed again if a rerun that was already on its way redrew the box empty."""
    box = page.locator(f".st-key-{key}").get_by_label(label, exact=True)
    for attempt in range(1, 4):
        box.fill(value)
        box.press("Enter")
        settle(page)
        if box.input_value() == value:
            return
        assert attempt < 3, f"{label!r} never kept {value!r}: {box.input_value()!r}"


def _filtered_grid(page: Page, ok: Callable[[dict[str, str]], bool]) -> list[dict[str, str]]:
    """The log's rows once every row drawn passes `ok` (the grid of the last filters is
    drawn); fails with the rows seen."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while True:
        rows = _grid(main(page))
        if rows and all(ok(row) for row in rows):
            return rows
        assert time.monotonic() < deadline, f"the filtered log shows other rows: {rows}"
        page.wait_for_timeout(200)


def _export_csv(page: Page) -> list[dict[str, str]]:
    """Click "Exportar CSV" (the data is made on the click) and parse the download (pt-BR: ;)."""
    button = page.locator(".st-key-audit_export button")
    expect(button).to_be_enabled()
    with page.expect_download(timeout=DOWNLOAD_TIMEOUT_MS) as download:
        button.click()
    assert download.value.suggested_filename == "auditoria.csv"
    text = download.value.path().read_text(encoding="utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


# --- the test -------------------------------------------------------------------------------


def test_masked_debtor_view_is_found_in_the_audit_log(lgpd_server, stations):
    server, subjects = lgpd_server
    page = stations.page()

    # 1. carla (no 192) takes the next debtor: the card shows the CPF/CNPJ masked.
    login(page, server.base_url, "carla")
    goto(page, f"{server.base_url}/chamadas")
    expect(main(page).get_by_role("heading", name="Incluir")).to_be_visible()
    press_next_debtor(page)
    card = main(page).locator(".st-key-entity_card")
    expect(card).to_be_visible()
    expect(card).to_contain_text("dados mascarados")
    name = card.get_by_role("heading").first.inner_text().strip()
    code = re.search(r"código (\d+)", card.inner_text())
    assert name and code is not None
    entity_id = int(code.group(1))
    document = subjects.documents.get(entity_id)
    assert document, f"debtor {entity_id} has no CPF/CNPJ in the seed"

    found = re.search(r"CPF/CNPJ: (\S+)", card.inner_text())
    assert found is not None, card.inner_text()
    shown = found.group(1)
    assert "*" in shown and shown.endswith(document[-2:]), shown
    assert document[:-2] not in shown.replace(".", "").replace("/", "").replace("-", ""), shown
    html = page.content()
    text = page.locator("body").inner_text()
    secrets = subjects.personal[entity_id]
    assert len(secrets) >= 3, secrets  # a document, a phone, an e-mail at least
    leaked = [value for value in secrets if value in html or value in text]
    assert not leaked, f"personal data of {name} in clear on the page: {leaked}"
    assert not FULL_DOCUMENT.search(text), FULL_DOCUMENT.search(text)
    shot(page, "lgpd-carla-debtor-masked")
    logout(page)

    # 2. The administrator finds the view in Auditoria, filtered to carla and this debtor.
    login(page, None, "admin")
    goto(page, f"{server.base_url}/auditoria")
    expect(main(page).get_by_role("heading", name="Auditoria", exact=True)).to_be_visible()
    expect(main(page).get_by_test_id("stException")).to_have_count(0)
    _type(page, "audit_username", "Usuário", "carla")
    _pick(page, "audit_family", "Tipo de evento", DATA_FAMILY)
    _type(page, "audit_entity", "Titular (código)", str(entity_id))
    counter = main(page).get_by_text(re.compile(r"^\d+ registro\(s\) · página \d+ de \d+$"))
    expect(counter).to_be_visible()
    total = int(counter.inner_text().split()[0])
    assert total >= 1, counter.inner_text()
    # every row drawn passes the filters
    rows = _filtered_grid(
        page,
        lambda row: row["Usuário"] == "carla" and row["Tipo"] == DATA_FAMILY,
    )
    # Each row reads as a sentence: what, on which subject, masked or in clear, the details.
    views = [
        row
        for row in rows
        if row["O que aconteceu"].startswith(f"Viu dados · entidade {entity_id} ·")
    ]
    assert views, f"no view of entity {entity_id} by carla in the log: {rows}"
    assert all("com máscara" in row["O que aconteceu"] for row in views), views
    # the card (entities.get_entity) records its view as "entidades.detalhe"
    assert any("tela: entidades.detalhe" in row["O que aconteceu"] for row in views), views
    for value in secrets:
        assert all(value not in cell for row in rows for cell in row.values()), value

    # The CSV export holds the same rows (all of them, not only the ones drawn).
    exported = _export_csv(page)
    assert len(exported) == total, (len(exported), total)
    assert all(row["Usuário"] == "carla" for row in exported), exported[:5]
    exported_views = [
        row
        for row in exported
        if row["Evento"] == "dados.visualizados" and row["Identificação"] == str(entity_id)
    ]
    assert exported_views and all('"mascarado": true' in r["Detalhes"] for r in exported_views)
    assert not any('"mascarado": false' in row["Detalhes"] for row in exported), exported

    # 3. The hash chain verifies.
    page.locator(".st-key-audit_verify button").click()
    settle(page)
    expect(main(page).get_by_test_id("stAlertContentSuccess")).to_contain_text(
        "Integridade confirmada"
    )
    expect(main(page).get_by_test_id("stAlertContentError")).to_have_count(0)
    tall_shot(page, "lgpd-admin-auditoria-carla")
    logout(page)
    page.close()

    # The database agrees: carla's views of this debtor, all masked, none naming her as
    # having seen the debtor's data in clear (read once the server has let the file go).
    server.stop()
    with duckdb.connect(str(server.workdir / "e2e.duckdb"), read_only=True) as con:
        stored = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE json_extract(detail, '$.mascarado')::BOOLEAN)"
            " FROM audit_log WHERE username = 'carla' AND event = 'dados.visualizados'"
            " AND subject_type = 'entidade' AND subject_id = ?",
            [str(entity_id)],
        ).fetchone()
        assert stored is not None and stored[0] == stored[1] == len(exported_views), stored
        assert not con.execute(
            "SELECT count(*) FROM audit_subjects s JOIN audit_log a ON a.id = s.audit_id"
            " WHERE a.username = 'carla' AND s.entity_id = ?",
            [entity_id],
        ).fetchone()[0]
        export = con.execute(
            "SELECT detail FROM audit_log WHERE username = 'admin'"
            " AND event = 'dados.exportados' AND subject_type = 'auditoria'"
        ).fetchall()
        assert len(export) == 1 and f'"registros": {total}' in export[0][0], export
