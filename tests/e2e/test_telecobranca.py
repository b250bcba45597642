"""Telecobrança in a real browser: carla takes the next debtor (personal data masked), records a
promise, waits for the payment; the follow-up is on her agenda; opened from there, a payment
keeps the promise and closes the collection attendance."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

import duckdb
import pytest
from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from core.db import open_database
from tests.e2e.conftest import (
    ARTIFACTS,
    FULL_DOCUMENT,
    Server,
    _failed,
    _finish_server,
    choose,
    collection_copy,
    goto,
    login,
    logout,
    main,
    press_next_debtor,
    settle,
    shown_forms,
    start_server,
    tall_shot,
)

pytestmark = pytest.mark.e2e

PROMISE_KIND = "Promessa de pagamento (Telecobrança)"
CALL_TIMER = ".st-key-call_timer"
TAB = ".st-key-tab_telecobranca"


@dataclass
class Debtors:
    """What the page must never show in clear to carla (no access 192): every entity's
    document and phones, as stored (digits) and as the app formats them."""

    personal: dict[int, tuple[str, ...]]


@pytest.fixture
def tlc_server(
    tmp_path: Path, template_db: Path, request: pytest.FixtureRequest
) -> Iterator[tuple[Server, Debtors]]:
    """A server of this file's own (see collection_copy): carla's agenda lists only the
    promise this test records."""
    template = collection_copy(template_db, tmp_path, "tlc")
    db = open_database(str(template))
    try:
        ranges = db.read(lambda tx: tx.scalar("SELECT count(*) FROM group_collection_ranges"))
        assert ranges, "the demo seed wires no collection range to a group"
        rows = db.read(lambda tx: tx.all("SELECT id, document, phone, mobile FROM entities"))
    finally:
        db.close()
    personal = {
        int(row["id"]): tuple(
            shown for column in ("document", "phone", "mobile")
            for shown in shown_forms(column, row[column])
        )
        for row in rows
    }  # fmt: skip
    server = start_server(template)
    yield server, Debtors(personal)
    _finish_server(server, _failed(request.node))


# --- helpers --------------------------------------------------------------------------------


def _press(page: Page, key: str, toast: str | None = None) -> None:
    """Click the button rendered with `key=` (Streamlit gives it the class st-key-<key>); with
    `toast`, expect the toast holding that text (looked for at once: it fades after seconds)."""
    button = page.locator(f".st-key-{key} button").first
    expect(button).to_be_enabled()
    button.click()
    if toast is not None:
        expect(page.get_by_test_id("stToast").filter(has_text=toast).first).to_be_visible()
    settle(page)


def _money(text: str) -> Decimal:
    """R$ 1.234,56 -> Decimal("1234.56")."""
    digits = re.sub(r"[^\d,]", "", text).replace(",", ".")
    return Decimal(digits)


def _grid(page: Page, scope: Locator, index: int = 0) -> list[dict[str, str]]:
    """The rows an st.dataframe drew, read from the accessible <table> Glide keeps in the DOM."""
    grid = scope.get_by_test_id("stDataFrame").nth(index)
    expect(grid.locator("td").first).to_be_attached()
    headers = grid.locator("th").all_text_contents()
    cells = grid.locator("td").all_text_contents()
    width = len(headers)
    assert cells and len(cells) % width == 0, (headers, cells[:20])
    return [
        dict(zip(headers, cells[i : i + width], strict=True)) for i in range(0, len(cells), width)
    ]


def _select_row(page: Page, scope: Locator, text: str) -> None:
    """Tick the row of a single-row-selectable st.dataframe (a canvas grid) showing `text`."""
    grid = scope.get_by_test_id("stDataFrame").first
    expect(grid).to_be_visible()
    expect(grid.locator("td").first).to_be_attached()
    rows = grid.locator("tbody tr").all_text_contents()
    index = next((i for i, row in enumerate(rows) if text in row), None)
    assert index is not None, f"no row with {text!r}: {rows}"
    box = grid.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 35 * index + 17)  # the row's marker
    settle(page)


def _pick(page: Page, scope: Locator, label: str, text: str) -> None:
    """Pick the option of a selectbox containing `text`, typed to filter the list; retried:
    the timer fragment's rerun every 10 s can close an open list."""
    box = scope.get_by_label(label, exact=True)
    for attempt in range(1, 4):
        box.click()
        box.fill(text)
        try:
            page.get_by_role("option", name=text).first.click(timeout=5_000)  # substring
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
            assert attempt < 3, f"option {text!r} of {label!r} never became clickable"
    settle(page)


def _wait_timer_running(page: Page) -> None:
    """The timer shows mm:ss past 00:00 (the fragment redraws it every 10 s)."""
    page.wait_for_function(
        """sel => {
          const text = document.querySelector(sel)?.textContent || "";
          const shown = text.match(/\\d\\d:\\d\\d/);
          return !!shown && shown[0] !== "00:00";
        }""",
        arg=CALL_TIMER,
        timeout=20_000,
        polling=250,
    )


def _assert_masked(page: Page, card: Locator, secrets: tuple[str, ...], document: str) -> None:
    """The card shows the CPF/CNPJ masked (last two digits kept); no clear value anywhere."""
    found = re.search(r"CPF/CNPJ: (\S+)", card.inner_text())
    assert found is not None, card.inner_text()
    shown = found.group(1)
    assert "*" in shown and shown.endswith(document[-2:]), shown
    html = page.content()
    text = page.locator("body").inner_text()
    leaked = [value for value in secrets if value in html or value in text]
    assert not leaked, f"personal data in clear on the page: {leaked}"
    assert not FULL_DOCUMENT.search(text), FULL_DOCUMENT.search(text)


# --- the test -------------------------------------------------------------------------------


def test_next_debtor_promise_agenda_and_payment_close_the_collection(tlc_server, stations):
    server, debtors = tlc_server
    page = stations.page()
    login(page, server.base_url, "carla")
    goto(page, f"{server.base_url}/chamadas")
    expect(main(page).get_by_role("heading", name="Incluir")).to_be_visible()

    # 1. Próximo devedor: the call starts with the first debtor of the queue.
    press_next_debtor(page)
    tab = page.locator(TAB)
    header = tab.get_by_test_id("stMarkdownContainer").filter(
        has_text=re.compile(r"Cobrança nº \d+")
    )
    expect(header).to_be_visible()
    number = re.search(r"Cobrança nº (\d+)", header.inner_text())
    assert number is not None
    attendance = int(number.group(1))
    expect(header).to_contain_text("● Atendimento")
    card = main(page).locator(".st-key-entity_card")
    expect(card).to_be_visible()
    name = card.get_by_role("heading").first.inner_text().strip()
    code = re.search(r"código (\d+)", card.inner_text())
    assert name and code is not None
    entity_id = int(code.group(1))
    footer = page.locator(".st-key-call_footer")
    expect(footer).to_contain_text("Status: Atendimento")
    expect(page.locator(CALL_TIMER)).to_have_text(re.compile(r"\d\d:\d\d"))

    titles = _grid(page, tab)
    assert titles, "no title in the collection"
    for row in titles:
        assert int(row["Dias em atraso"]) > 0, row
        assert _money(row["Atualizado"]) >= _money(row["Saldo"]) > 0, row
    document = next(
        (v for v in debtors.personal[entity_id] if v.isdigit() and len(v) in (11, 14)), None
    )
    assert document is not None, f"debtor {entity_id} has no CPF/CNPJ"
    _assert_masked(page, card, debtors.personal[entity_id], document)
    tall_shot(page, "tlc-debtor-loaded", height=2400)

    # 2. A promise for one title (the largest), half its updated value, on the suggested date.
    tab.get_by_role("tab", name="Promessa").click()
    promise = page.locator(".st-key-tlc_promise")
    tags = promise.locator("[data-tag]")  # every free title is chosen at first
    expect(tags.first).to_be_visible()
    labels = [tag.get_attribute("aria-label") or "" for tag in tags.all()]
    keep = max(range(len(labels)), key=lambda i: _money(labels[i].rsplit(" · ", 1)[1]))
    for index in reversed(range(len(labels))):  # from the end: the kept tag's index holds
        if index != keep:
            promise.locator(f"[data-tag-index='{index}'] button").click()
    expect(tags).to_have_count(1)
    label = labels[keep]
    assert tags.first.get_attribute("aria-label") == label
    key = label.split(" · ")[0]
    updated = _money(label.rsplit(" · ", 1)[1])
    promised = (updated / 2).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    assert key and promised > 0, label
    day = date.fromisoformat(
        promise.locator("[data-testid='stDateInput'] input[type='date']").input_value()
    )
    limit = re.search(r"até (\d\d/\d\d/\d{4})", promise.inner_text())
    assert limit is not None
    assert day <= date(*reversed([int(p) for p in limit.group(1).split("/")]))
    amount = promise.get_by_label("Valor prometido (R$)", exact=True)
    amount.fill(str(promised).replace(".", ","))  # typed the pt-BR way (1.234,56)
    amount.press("Tab")
    promise.get_by_label("Observação da promessa", exact=True).fill("Paga metade na data.")
    _press(page, "tlc_promise_submit", toast="registrada: cobrança em Cobrança")
    expect(header).to_contain_text("● Cobrança")
    expect(tab.get_by_text("Promessas de pagamento", exact=True)).to_be_visible()

    _wait_timer_running(page)
    # Gravar (aguardar pagamento): the attendance waits in Cobrança; the call goes on until
    # she ends it, and records how the collection was left.
    _press(page, "tlc_wait", toast=f"Cobrança nº {attendance} gravada: Cobrança.")
    expect(header).to_contain_text("● Cobrança")
    _press(page, "ws_end_call", toast=f"Telecobrança nº {attendance}: Cobrança.")
    expect(page.locator(".st-key-tlc_next_debtor button")).to_be_visible()
    # Ending the call begins her wrap-up (the timer counts it); then she is available again.
    expect(footer).to_contain_text("Status: Pós-atendimento")
    page.locator(".st-key-ws_available button").click()
    expect(footer).to_contain_text("Status: Disponível")
    expect(page.locator(CALL_TIMER)).to_contain_text("00:00")
    due = f"{day:%d/%m/%Y} 09:00"
    expect(footer).to_contain_text(f"Próxima ligação: {due} · {name}")

    # 3. The follow-up is on her agenda.
    goto(page, f"{server.base_url}/agenda")
    expect(main(page).get_by_role("heading", name="Agenda")).to_be_visible()
    rows = [row for row in _grid(page, main(page)) if row.get("Entidade") == name]
    assert len(rows) == 1, rows
    assert rows[0]["Tipo"] == PROMISE_KIND, rows[0]
    # the accessible table holds the value (ISO), the canvas draws it dd/mm/aaaa hh:mm
    assert rows[0]["Retornar em"].startswith(f"{day.isoformat()} 09:00"), rows[0]
    _select_row(page, main(page), name)
    selected = main(page).locator(".st-key-agenda_selected")
    expect(selected.get_by_role("heading", name=name)).to_be_visible()
    expect(selected).to_contain_text(PROMISE_KIND)

    # 4. Opened from the agenda, the same attendance resumes; a payment keeps the promise.
    selected.get_by_role("button", name="Abrir").click()
    expect(
        page.get_by_test_id("stToast").filter(has_text=f"Cobrança nº {attendance} de").first
    ).to_be_visible()
    settle(page)
    expect(main(page).get_by_role("heading", name="Incluir")).to_be_visible()
    expect(header).to_contain_text(f"Cobrança nº {attendance}")
    expect(header).to_contain_text("● Cobrança")
    expect(card.get_by_role("heading", name=name)).to_be_visible()
    expect(footer).to_contain_text("Status: Cobrança")
    _pick(page, tab, "Título", key)
    expect(tab.get_by_text(f"{key}: devido atualizado")).to_be_visible()
    choose(page, "Lançamento", "Pago")
    expect(page.locator(".st-key-tlc_title_submit button")).to_have_text("Registrar pagamento")
    paid = tab.get_by_label("Valor pago (R$)", exact=True)
    paid.fill(str(promised).replace(".", ","))
    paid.press("Tab")
    _press(page, "tlc_title_submit", toast=f"registrado em {key}")
    expect(header).to_contain_text("● Encerrado")
    expect(tab.get_by_text(re.compile("não aceita mais lançamentos"))).to_be_visible()
    expect(tab.get_by_text("Promessas de pagamento", exact=True)).to_be_visible()
    promises = _grid(page, tab, index=1)  # titles, promises, history
    assert [p["Status"] for p in promises] == ["Cumprida"], promises
    assert _money(promises[0]["Pago"]) >= _money(promises[0]["Valor"]) == promised, promises
    tall_shot(page, "tlc-promise-kept", height=2400)
    _press(page, "ws_end_call", toast=f"Telecobrança nº {attendance}: Encerrado.")
    expect(page.locator(".st-key-tlc_next_debtor button")).to_be_visible()

    # The agenda no longer lists the follow-up.
    goto(page, f"{server.base_url}/agenda")
    expect(main(page).get_by_text("Nenhum compromisso em aberto.")).to_be_visible()
    logout(page)
    page.close()

    # The database agrees (read once the server has let the file go).
    server.stop()
    with duckdb.connect(str(server.workdir / "e2e.duckdb"), read_only=True) as con:
        status = con.execute(
            "SELECT status, entity_id FROM tlc_attendances WHERE id = ?", [attendance]
        ).fetchone()
        assert status == ("encerrado", entity_id)
        kept = con.execute(
            "SELECT status, amount, paid_amount, promised_on FROM tlc_promises"
            " WHERE attendance_id = ? ORDER BY id",
            [attendance],
        ).fetchall()
        assert len(kept) == 1 and kept[0][0] == "cumprida", kept
        assert kept[0][1] == promised and kept[0][2] >= promised and kept[0][3] == day, kept
        assert not con.execute(  # the collection's follow-ups (the demo may have others)
            "SELECT count(*) FROM agenda_items WHERE status = 'aberto' AND entity_id = ?"
            " AND source_type = 'tlc_promise'",
            [entity_id],
        ).fetchone()[0]
        assert not con.execute(
            "SELECT count(*) FROM collection_reservations WHERE entity_id = ?", [entity_id]
        ).fetchone()[0]


LAPTOP = {"width": 1366, "height": 768}


def test_the_collection_fits_one_laptop_screen(tlc_server, stations):
    """Debtor, titles, the title's outcome and the finish, all above the footer of a 1366×768
    screen without scrolling (the screen was ~3,000 px tall with the finish at the bottom)."""
    server, _ = tlc_server
    page = stations.page()
    page.set_viewport_size(LAPTOP)
    login(page, server.base_url, "carla")
    goto(page, f"{server.base_url}/chamadas")
    press_next_debtor(page)
    tab = page.locator(TAB)
    expect(tab.get_by_text(re.compile(r"Cobrança nº \d+")).first).to_be_visible()

    height = page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    footer_top = page.locator(".st-key-call_footer").bounding_box()["y"]
    needed = {
        "devedor": main(page).locator(".st-key-entity_card"),
        "títulos": tab.get_by_test_id("stDataFrame").first,
        "lançamento no título": page.locator(".st-key-tlc_title_submit button"),
        "finalizar": page.locator(".st-key-tlc_close button"),
    }
    below = {}
    for what, locator in needed.items():
        expect(locator).to_be_visible()
        box = locator.bounding_box()
        assert box is not None, what
        if box["y"] + box["height"] > footer_top:
            below[what] = round(box["y"] + box["height"])
    print(f"collection screen at 1366x768: page {height} px, footer at {footer_top:.0f} px")
    page.screenshot(path=str(ARTIFACTS / "tlc-laptop.png"))
    assert below == {}, f"below the fold (footer at {footer_top:.0f} px): {below}"
