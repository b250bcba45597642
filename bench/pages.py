"""`python -m bench.pages [--db bench/data/s.duckdb] [--port 8620]`

The app's pages at scale, in a real browser: a scratch copy of the scale file gets an admin,
`streamlit run app.py` serves it, and headless Chromium logs in as a supervisor, an operator
holding all three routines and the admin, opens every page in that user's navigation and a few
key interactions, and times each from the click until the page's script run is over and its
content is on screen. Prints one table (over 2 s flagged), keeps a screenshot per step under
bench/data/pages/ and stops the server. Never part of the test run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from bench import serving
from bench.scale import BENCH_PASSWORD
from core import users
from core.access import allowed
from core.auth import user_by_username
from core.db import open_database
from ui.registry import PAGES, PageSpec

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
SHOTS = DATA / "pages"
BUSY_FLAG = Path("/tmp/live_load_running")  # someone's load test holds the CPU
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
ADMIN = "admin"
# op001 is index 0 in bench/scale.py: every tenth operator holds all three routines.
USERS = ("sup01", "op001", ADMIN)
SLOW_S = 2.0
TIMEOUT_MS = 60_000

# Streamlit marks the app with data-test-script-state; a run can be too quick to ever paint
# "running", so the last websocket frame from the server also counts as an answer. The frames
# are counted too: Streamlit sends about one message per element, the cost of a busy page.
_TRACK = """
window.__ccRunning = 0; window.__ccFrame = 0; window.__ccFrames = 0;
const STATE = "data-test-script-state";
new MutationObserver(() => {
  const app = document.querySelector("[data-testid='stApp']");
  if (app && app.getAttribute(STATE) === "running") window.__ccRunning = Date.now();
}).observe(document, {subtree: true, attributes: true, attributeFilter: [STATE]});
const Socket = window.WebSocket;
window.WebSocket = class extends Socket {
  constructor(...args) {
    super(...args);
    this.addEventListener("message", () => {
      window.__ccFrame = Date.now();
      window.__ccFrames += 1;
    });
  }
};
"""
# Done: on the expected URL, the run over, the status widget gone and a title in the main
# area, after the server answered the action. Returns [milliseconds since the action, frames].
_DONE = """([t0, f0, path, ready]) => {
  const app = document.querySelector("[data-testid='stApp']");
  const idle = app && app.getAttribute("data-test-script-state") === "notRunning"
    && !document.querySelector("[data-testid='stStatusWidget']");
  const here = path === null || location.pathname.replace(/\\/$/, "") === path;
  const shown = !!document.querySelector(ready);
  if (!idle || !here || !shown) return false;
  const now = Date.now(), frames = window.__ccFrames - f0;
  if (window.__ccRunning > t0) return [now - t0, frames];
  // never seen running: the answer's last frame, once the server has been quiet for 0.5 s
  if (window.__ccFrame > t0 && now - window.__ccFrame > 500) return [window.__ccFrame - t0, frames];
  return false;
}"""


Timing = tuple[float, int]  # seconds, messages the server sent meanwhile


@dataclass
class Row:
    user: str
    step: str
    timing: Timing | None
    note: str = ""


# --- the scratch database and the server ---------------------------------------------------


def prepare(source: Path) -> tuple[Path, str]:
    """Copy the scale file, give it an admin with a known password through the core's own
    services, and pick a customer's CPF to search."""
    DATA.mkdir(parents=True, exist_ok=True)
    copy = DATA / "pages.duckdb"
    copy.unlink(missing_ok=True)
    Path(f"{copy}.wal").unlink(missing_ok=True)
    shutil.copyfile(source, copy)
    db = open_database(str(copy))
    try:
        admin = user_by_username(db, ADMIN)
        if admin is None:
            users.create_first_admin(db, ADMIN, "Administrador Bench", BENCH_PASSWORD)
        else:  # the file already has one, password unknown: it sets its own (audited)
            users.reset_password(db, admin, admin.id, BENCH_PASSWORD)
        cpf = db.read(
            lambda tx: tx.scalar(
                "SELECT document FROM entities WHERE kind = 'cliente' ORDER BY id"
                " LIMIT 1 OFFSET 5000"
            )
        )
    finally:
        db.close()
    return copy, str(cpf)


def reachable_pages(db_path: Path) -> dict[str, list[PageSpec]]:
    """Each toured user's pages, as app.py builds the navigation (read before the server
    takes the file: DuckDB lets one process open it)."""
    db = open_database(str(db_path))
    try:
        found = {name: user_by_username(db, name) for name in USERS}
    finally:
        db.close()
    return {
        name: [spec for spec in PAGES if allowed(user, spec.action)] for name, user in found.items()
    }


def start_server(db_path: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CALLCENTER_DB": str(db_path),
        "CALLCENTER_DEMO": "0",
        "CALLCENTER_SECRETS_FILE": str(DATA / "pages-secrets.toml"),  # not the project's key
    }
    return serving.start(
        ROOT, env, port, DATA / "pages-server.log", "--server.headless=true",
        "--server.address=127.0.0.1", "--browser.gatherUsageStats=false",
        "--server.fileWatcherType=none",
    )  # fmt: skip


def wait_for_quiet_cpu(poll_s: float = 20, patience_s: float = 25 * 60) -> str:
    """Another engineer's load test shares the two cores: wait for it (up to 25 minutes)."""
    waited = 0.0
    while BUSY_FLAG.exists() and waited < patience_s:
        time.sleep(poll_s)
        waited += poll_s
    if BUSY_FLAG.exists():
        return f"rodou com {BUSY_FLAG} presente após {waited / 60:.0f} min de espera"
    return ""


# --- the browser ----------------------------------------------------------------------------


def timed(page: Page, action: Callable[[], None], path: str | None, ready: str) -> Timing:
    """Seconds from `action` until the run it caused is over and `ready` is on screen, and
    the number of messages the server sent meanwhile."""
    t0, f0 = page.evaluate("[Date.now(), window.__ccFrames]")
    action()
    ms, frames = page.wait_for_function(
        _DONE, arg=[t0, f0, path, ready], timeout=TIMEOUT_MS, polling="raf"
    ).json_value()
    return float(ms) / 1000, int(frames)


def settle(page: Page) -> None:
    """Let follow-up runs (the login cookie component's, a fragment's) end before the next
    step, so they are not counted in it."""
    page.wait_for_timeout(1500)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']")


def remarks(page: Page) -> str:
    """An exception or error on screen, and whether a load test shared the CPU meanwhile."""
    main = page.get_by_test_id("stMain")
    notes = []
    if main.get_by_test_id("stException").count():
        notes.append("EXCEÇÃO na página")
    errors = main.get_by_test_id("stAlertContentError")
    if errors.count():
        notes.append(f"erro: {errors.first.inner_text()[:60]}")
    if BUSY_FLAG.exists():
        notes.append("medido durante um teste de carga")
    return " · ".join(notes)


def first_line(error: Exception) -> str:
    return (str(error).splitlines() or [type(error).__name__])[0][:90]


def shoot(page: Page, user: str, step: str) -> None:
    page.wait_for_timeout(500)  # grids and charts paint just after the run
    plain = unicodedata.normalize("NFKD", f"{user}-{step}").encode("ascii", "ignore").decode()
    name = "".join(c if c.isalnum() else "-" for c in plain)  # sup01-chamadas-proximo-devedor
    page.screenshot(path=str(SHOTS / f"{name}.png"), timeout=20_000)


def log_in(page: Page, base: str, username: str) -> Timing:
    page.goto(base)
    page.get_by_label("Usuário", exact=True).wait_for()
    settle(page)  # a submit during the cookie component's first runs can be lost
    page.get_by_label("Usuário", exact=True).fill(username)
    page.get_by_label("Senha", exact=True).fill(BENCH_PASSWORD)
    button = page.get_by_role("button", name="Entrar", exact=True)
    return timed(page, button.click, None, "[data-testid='stSidebar'] .st-key-sidebar_logout")


def nav_link(page: Page, spec: PageSpec):  # type: ignore[no-untyped-def]
    nav = page.get_by_test_id("stSidebarNav")
    more = nav.get_by_test_id("stSidebarNavViewButton")  # long navigations start collapsed
    if more.count() and "more" in more.inner_text().lower():
        more.click()
    return nav.get_by_test_id("stSidebarNavLink").filter(has_text=spec.title)


def tour(page: Page, base: str, username: str, specs: list[PageSpec], cpf: str) -> list[Row]:
    """Log in, open each page of the user's navigation (Início last: it is where the login
    lands) with its interactions, and log out (an operator's station is released)."""
    rows = [Row(username, "login → Início", log_in(page, base, username), remarks(page))]
    shoot(page, username, "inicio")
    home = [spec for spec in specs if spec.url_path == "inicio"]
    for spec in [*(spec for spec in specs if spec.url_path != "inicio"), *home]:
        settle(page)
        link = nav_link(page, spec)
        path = "" if spec in home else f"/{spec.url_path}"  # the default page is served at /
        try:
            timing = timed(page, link.first.click, path, _TITLE)
            rows.append(Row(username, spec.title, timing, remarks(page)))
        except Exception as error:  # one broken page must not hide the others' figures
            rows.append(Row(username, spec.title, None, f"falhou: {first_line(error)}"))
        shoot(page, username, spec.url_path)
        for step, interaction in INTERACTIONS.get(spec.url_path, ()):
            settle(page)
            try:
                timing = interaction(page, cpf)
                rows.append(Row(username, f"{spec.title} › {step}", timing, remarks(page)))
            except Exception as error:
                rows.append(Row(username, f"{spec.title} › {step}", None, first_line(error)))
            shoot(page, username, f"{spec.url_path}-{step}")
    settle(page)
    page.get_by_test_id("stSidebar").get_by_role("button", name="Sair").click()  # the station
    page.get_by_label("Usuário", exact=True).wait_for()
    return rows


# --- the key interactions -------------------------------------------------------------------

_TITLE = "[data-testid='stMain'] h1"  # every page starts with st.title


def next_page(page: Page, _cpf: str) -> Timing:
    button = page.get_by_test_id("stMain").get_by_test_id("stPaginationNext").first
    return timed(page, button.click, None, _TITLE)


def search(key: str) -> Callable[[Page, str], Timing]:
    def run(page: Page, cpf: str) -> Timing:
        box = page.locator(f".st-key-{key} input").first
        box.fill(cpf)
        return timed(page, lambda: box.press("Enter"), None, _TITLE)

    return run


def other_report(page: Page, _cpf: str) -> Timing:
    """Rotina Telecobrança: its first report over this month."""
    button = page.get_by_test_id("stButtonGroup").get_by_text("Telecobrança", exact=True)
    return timed(page, button.first.click, None, _TITLE)


def click(key: str, ready: str) -> Callable[[Page, str], Timing]:
    """The button with this key; done when `ready` (what the button leads to) is on screen."""

    def run(page: Page, _cpf: str) -> Timing:
        button = page.locator(f".st-key-{key} button").first
        return timed(page, button.click, None, f"[data-testid='stMain'] {ready}")

    return run


def tab(name: str) -> Callable[[Page, str], Timing]:
    def run(page: Page, _cpf: str) -> Timing:
        button = page.get_by_test_id("stMain").get_by_role("tab", name=name)
        return timed(page, button.first.click, None, _TITLE)

    return run


INTERACTIONS: dict[str, tuple[tuple[str, Callable[[Page, str], Timing]], ...]] = {
    "chamadas": (
        ("busca por CPF", search("entity_search")),
        # the workspace with a call open (all three tabs), then back to a free operator
        ("próximo devedor", click("tlc_next_debtor", ".st-key-tab_telecobranca")),
        ("limpa atendimento", click("ws_clear", ".st-key-entity_search")),
    ),
    "entidades": (("busca por CPF", search("entity_search")),),
    "titulos": (("posição por CPF", search("ledger_search")),),
    "telemarketing": (("página seguinte", next_page),),
    "televendas": (("página seguinte", next_page),),
    "telecobranca": (("página seguinte", next_page), ("fila por faixa", tab("Fila por faixa"))),
    "auditoria": (("página seguinte", next_page),),
    "relatorios": (("relatório de cobrança", other_report),),
}


# --- main -----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DATA / "s.duckdb")
    parser.add_argument("--port", type=int, default=8620)
    args = parser.parse_args()

    print(f"preparando a cópia de {args.db} …", flush=True)
    copy, cpf = prepare(args.db)
    navigation = reachable_pages(copy)
    shutil.rmtree(SHOTS, ignore_errors=True)  # no stale captures from an earlier run
    SHOTS.mkdir(parents=True)
    note = wait_for_quiet_cpu()
    load_before = os.getloadavg()[0]  # other work on the 2 cores makes every figure noisy
    server = start_server(copy, args.port)
    base = f"http://127.0.0.1:{args.port}"
    rows: list[Row] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            try:
                for username in USERS:
                    context = browser.new_context(
                        viewport={"width": 1400, "height": 900}, locale="pt-BR"
                    )
                    context.set_default_timeout(TIMEOUT_MS)
                    context.add_init_script(_TRACK)
                    try:
                        page = context.new_page()
                        rows += tour(page, base, username, navigation[username], cpf)
                    finally:
                        context.close()
            finally:
                browser.close()
    finally:
        load_after = os.getloadavg()[0]
        serving.stop(server)
    print(f"\n{'usuário':<8} {'página':<40} {'s':>6} {'msgs':>6}")
    for row in rows:
        seconds, msgs = row.timing or (None, None)
        shown = "—" if seconds is None else f"{seconds:6.2f}"
        flag = "  ⚠ > 2 s" if seconds is not None and seconds > SLOW_S else ""
        line = f"{row.user:<8} {row.step:<40} {shown:>6} {msgs if msgs is not None else '':>6}"
        print(f"{line}{flag}  {row.note}".rstrip())
    print(f"\ncapturas em {SHOTS.relative_to(ROOT)}/ · CPF buscado: {cpf}")
    print(f"carga média (1 min) da máquina: {load_before:.1f} no início, {load_after:.1f} no fim")
    if note:
        print(f"atenção: {note}")


if __name__ == "__main__":
    main()
