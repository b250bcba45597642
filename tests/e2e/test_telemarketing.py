"""A Telemarketing call in a real browser: the timer, closing the attendance, the next call."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from core import auth, operators
from core.db import open_database
from core.operators import GroupInput
from tests.e2e.conftest import (
    Server,
    _failed,
    _finish_server,
    choose,
    goto,
    login,
    main,
    shot,
    start_server,
    wait_run_finished,
    wait_settled,
)

pytestmark = pytest.mark.e2e

IDEAL_SECONDS = 10  # the shortest ideal time a group may have
SP = ZoneInfo("America/Sao_Paulo")


@pytest.fixture
def tmk_server(
    tmp_path: Path, template_db: Path, request: pytest.FixtureRequest
) -> Iterator[Server]:
    """A server where ana's group has a short ideal time and her agenda starts empty."""
    template = tmp_path / "tmk.duckdb"
    for file in template_db.parent.glob(template_db.name + "*"):
        shutil.copy(file, tmp_path / file.name.replace(template_db.stem, "tmk", 1))
    db = open_database(str(template))
    try:
        admin = auth.user_by_username(db, "admin")
        ana = auth.user_by_username(db, "ana")
        assert admin is not None and ana is not None and ana.operator is not None
        group = (
            operators.list_groups(db, admin)
            .filter(id=ana.operator.main_group_id)
            .row(0, named=True)
        )
        operators.update_group(
            db, admin, group["id"], group["version"],
            GroupInput(name=group["name"], direction=group["direction"],
                       ideal_seconds=IDEAL_SECONDS, max_discount_pct=group["max_discount_pct"]),
        )  # fmt: skip
        db.write(
            lambda tx: tx.execute(
                "UPDATE agenda_items SET status = 'concluido' WHERE user_id = ?", [ana.id]
            )
        )
    finally:
        db.close()
    server = start_server(template)
    yield server
    _finish_server(server, _failed(request.node))


def _select_first_row(page: Page, table: str = "[data-testid='stDataFrame']") -> None:
    """Tick the first row of a single-row-selectable st.dataframe (a canvas grid)."""
    grid = main(page).locator(table).first
    expect(grid).to_be_visible()
    box = grid.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)  # row marker of the first data row
    wait_run_finished(page)
    wait_settled(page)


def _timer_colour(page: Page) -> tuple[int, int, int]:
    span = page.locator(".st-key-call_timer span[class*='Colored'], .st-key-call_timer span")
    colour = span.last.evaluate("node => getComputedStyle(node).color")
    red, green, blue = (int(part) for part in re.findall(r"\d+", colour)[:3])
    return red, green, blue


def _start_call(page: Page, base_url: str, name: str) -> None:
    goto(page, f"{base_url}/chamadas")
    search = main(page).get_by_label(re.compile("Quem está na linha"))
    search.fill(name)
    search.press("Enter")
    wait_run_finished(page)
    wait_settled(page)
    _select_first_row(page)
    expect(main(page).locator(".st-key-entity_card")).to_contain_text(name)


def test_a_telemarketing_call_from_timer_to_encerrado_and_the_next_call(tmk_server, stations):
    page = stations.page()
    login(page, tmk_server.base_url, "ana")
    customer = "Ágatha da Cruz"  # a demo customer (deterministic seed)

    # Selecting the caller starts the call: the timer runs, blue under the ideal time.
    _start_call(page, tmk_server.base_url, customer)
    timer = page.locator(".st-key-call_timer")
    expect(timer).to_contain_text(re.compile(r"\d\d:\d\d"))
    red, _, blue = _timer_colour(page)
    assert blue > red, f"timer should start blue, got rgb({red}, _, {blue})"
    shot(page, "tmk-timer-blue")

    # Past the group's ideal time, the next refresh (every 10 s) draws it red.
    page.wait_for_timeout((IDEAL_SECONDS + 1) * 1000)
    page.wait_for_function(
        """() => {
          const spans = document.querySelectorAll('.st-key-call_timer span');
          const last = spans[spans.length - 1];
          if (!last) return false;
          const [r, g, b] = getComputedStyle(last).color.match(/\\d+/g).map(Number);
          return r > b;
        }""",
        timeout=15_000,
    )
    shot(page, "tmk-timer-red")

    # Close the attendance with a reason and a text.
    choose(page, "Assunto › ocorrência 1", "Reclamação › Produto com defeito")
    main(page).get_by_text("Encerramento / cancelamento").click()
    choose(page, "Motivo de encerramento", "Resolvido no primeiro contato")
    main(page).get_by_label("Texto de encerramento (solução)").fill("Cliente orientado.")
    main(page).get_by_role("button", name="Encerrar", exact=True).click()
    wait_run_finished(page)
    wait_settled(page)
    expect(page.get_by_text(re.compile(r"gravado: Encerrado"))).to_be_visible()
    # The call goes on with the closed attendance on screen until she ends it.
    main(page).get_by_role("button", name="Encerrar ligação").click()
    wait_run_finished(page)
    wait_settled(page)
    expect(timer).to_contain_text("00:00")  # the call ended: the timer is reset
    footer = page.locator(".st-key-call_footer")
    expect(footer).to_contain_text(re.compile(r"Telemarketing nº \d+: Encerrado"))

    # Under Encerrados, the newest row is hers, labelled green.
    goto(page, f"{tmk_server.base_url}/telemarketing")
    main(page).get_by_text("Encerrados", exact=True).click()
    wait_run_finished(page)
    wait_settled(page)
    _select_first_row(page)
    heading = main(page).get_by_role("heading", name=re.compile(r"Atendimento nº \d+"))
    expect(heading).to_contain_text("Encerrado")
    expect(main(page).get_by_text(f"Entidade: {customer}")).to_be_visible()
    red, green, blue = (
        int(part)
        for part in re.findall(
            r"\d+",
            heading.locator("span", has_text="Encerrado").last.evaluate(
                "node => getComputedStyle(node).color"
            ),
        )[:3]
    )
    assert green > red and green > blue, f"encerrado should be green, got {red, green, blue}"
    shot(page, "tmk-encerrado-green")

    # A Planejado attendance becomes her next call in the footer.
    _start_call(page, tmk_server.base_url, customer)
    choose(page, "Assunto › ocorrência 1", "Dúvida › Prazo de garantia")
    tomorrow = (datetime.now(SP) + timedelta(days=1)).strftime("%d/%m/%Y")
    # A segmented date field: type into the day segment, it moves on to month and year.
    main(page).get_by_label("day, Retorno em").focus()
    page.keyboard.type(tomorrow.replace("/", ""))
    page.keyboard.press("Escape")  # close the calendar popup if it opened
    main(page).get_by_role("button", name="Gravar").click()
    wait_run_finished(page)
    wait_settled(page)
    expect(page.get_by_text(re.compile(r"gravado: Planejado"))).to_be_visible()
    expect(footer).to_contain_text(f"Próxima ligação: {tomorrow} 09:00 · {customer}")
    shot(page, "tmk-next-call")
