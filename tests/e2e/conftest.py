"""End-to-end fixtures: a real `streamlit run` and headless Debian Chromium driven by Playwright.

A browser *context* is one station (its own cookies); two pages of one context are two tabs of
the same browser. Every server gets its own temporary DuckDB file and secrets file.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Cookie,
    Page,
    WebSocket,
    expect,
    sync_playwright,
)
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from core import demo
from core.db import open_database
from core.validation import format_document, format_phone
from deploy.cluster import wait_healthy

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = demo.DEMO_PASSWORD
DEMO_NAMES = {user.username: user.name for user in demo.DEMO_USERS}
AUTH_COOKIE = "callcenter_auth"
TIMEOUT_MS = 20_000

RUN_FINISHED = "[data-testid='stApp'][data-test-script-state='notRunning']"
QUIET_MS = 1000

# Records when Streamlit last started or finished a script run, so a test can wait until the
# page has settled (an action's run may be followed by others, e.g. a fragment's).
_TRACK_RUNS = """
window.__ccLastRunChange = Date.now();
new MutationObserver(() => { window.__ccLastRunChange = Date.now(); }).observe(document, {
  subtree: true, attributes: true, attributeFilter: ["data-test-script-state"],
});
"""
_SETTLED = """quiet => {
  const app = document.querySelector("[data-testid='stApp']");
  return !!app && app.getAttribute("data-test-script-state") === "notRunning"
    && !document.querySelector("[data-testid='stStatusWidget']")
    && Date.now() - (window.__ccLastRunChange || 0) >= quiet;
}"""

expect.set_options(timeout=TIMEOUT_MS)


# --- The server ----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    base_url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    workdir: Path

    def log(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def seed_template(directory: Path) -> Path:
    """Seed one demo database through the app's own start-up code, in a separate process
    (production bcrypt cost, no test patches); every server starts from a copy of it, which
    spares each fresh server the seconds of seeding."""
    path = directory / "template.duckdb"
    code = (
        "from core.bootstrap import start; from core.config import load_settings; "
        "start(load_settings()).close()"
    )
    env = {
        **os.environ,
        "CALLCENTER_DB": str(path),
        "CALLCENTER_SECRETS_FILE": str(directory / "template-secrets.toml"),
        "CALLCENTER_DEMO": "1",
    }
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, timeout=180)
    return path


def start_server(
    template: Path | None = None, workdir: Path | None = None, **extra_env: str
) -> Server:
    """`streamlit run app.py` on a free port with its own database; waits for /_stcore/health.

    `template`: a seeded database to copy (else the server seeds its own on the first run).
    `workdir`: the directory of a stopped server, to restart on its database and cookie key.
    """
    restart = workdir is not None
    workdir = workdir or Path(tempfile.mkdtemp(prefix="callcenter-e2e-"))
    if template is not None and not restart:
        for file in template.parent.glob(template.name + "*"):  # the .wal too, if any
            shutil.copy(file, workdir / file.name.replace(template.stem, "e2e", 1))
    port = _free_port()
    env = {
        **os.environ,
        "CALLCENTER_DB": str(workdir / "e2e.duckdb"),
        "CALLCENTER_SECRETS_FILE": str(workdir / "secrets.toml"),
        "CALLCENTER_DEMO": "1",
        "CALLCENTER_JOURNAL_DIR": str(workdir),  # a PostgreSQL server's journal goes with it
        **extra_env,
    }
    env.pop("CALLCENTER_COOKIE_KEY", None)
    log_path = workdir / f"streamlit-{port}.log"
    command = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.headless=true", f"--server.port={port}", "--server.address=127.0.0.1",
        "--browser.gatherUsageStats=false", "--server.fileWatcherType=none",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", process, log_path, workdir)
    try:
        wait_healthy(server.base_url, process, log_path)
    except BaseException:
        server.stop()
        raise
    return server


def _finish_server(server: Server, failed: bool) -> None:
    server.stop()
    if failed:
        print(f"\n----- streamlit log ({server.base_url}) -----\n{server.log()}\n-----")
    shutil.rmtree(server.workdir, ignore_errors=True)  # a restarted server shares it: fine


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def _failed(node: pytest.Item) -> bool:
    return any(
        getattr(getattr(node, f"rep_{when}", None), "failed", False) for when in ("setup", "call")
    )


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seed_template(tmp_path_factory.mktemp("e2e-template"))


@pytest.fixture(scope="session")
def server(request: pytest.FixtureRequest, template_db: Path) -> Iterator[Server]:
    """One server shared by most tests (default 60 s station lease)."""
    started = start_server(template_db)
    yield started
    _finish_server(started, request.session.testsfailed > 0)


@pytest.fixture
def fresh_server(
    request: pytest.FixtureRequest, template_db: Path
) -> Iterator[Callable[..., Server]]:
    """Factory of freshly started servers (no session has run app.py yet), stopped at the end.

    `factory(restart=server)` stops `server` and starts a new process on its database and
    cookie key (a restart: browsers keep their login cookies, cookies ignore the port)."""
    started: list[Server] = []

    def factory(restart: Server | None = None, **extra_env: str) -> Server:
        if restart is not None:
            restart.stop()
        workdir = restart.workdir if restart is not None else None
        started.append(start_server(template_db, workdir, **extra_env))
        return started[-1]

    yield factory
    for each in reversed(started):  # a restarted server's directory goes with its first
        _finish_server(each, _failed(request.node))


# --- The browser ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@dataclass
class Stations:
    """Opens browser contexts (stations) for one test; logs every open session out at the end,
    so an operator's station lease never leaks into the next test on the shared server."""

    browser: Browser
    test_name: str
    contexts: list[BrowserContext] = field(default_factory=list)

    def new(self) -> BrowserContext:
        context = self.browser.new_context(
            viewport={"width": 1400, "height": 900}, accept_downloads=True, locale="pt-BR"
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.add_init_script(_TRACK_RUNS)
        context.on("page", _count_server_messages)
        self.contexts.append(context)
        return context

    def page(self) -> Page:
        """A new station with one tab."""
        return self.new().new_page()

    def screenshots(self, label: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        for c_index, context in enumerate(self.contexts):
            for p_index, page in enumerate(context.pages):
                if page.is_closed():
                    continue
                path = ARTIFACTS / f"{self.test_name}-{label}-c{c_index}p{p_index}.png"
                try:
                    page.screenshot(path=str(path), full_page=True, timeout=5_000)
                except Exception as error:  # a screenshot must never hide the real failure
                    print(f"screenshot {path.name} failed: {error}")

    def close(self) -> None:
        for context in self.contexts:
            for page in context.pages:
                _best_effort_logout(page)
            context.close()
        self.contexts.clear()


# page -> number of websocket messages received from the server so far
_RECEIVED: weakref.WeakKeyDictionary[Page, list[int]] = weakref.WeakKeyDictionary()


def _count_server_messages(page: Page) -> None:
    counter = [0]
    _RECEIVED[page] = counter

    def on_websocket(socket: WebSocket) -> None:
        if "_stcore/stream" in socket.url:
            socket.on("framereceived", lambda _frame: counter.__setitem__(0, counter[0] + 1))

    page.on("websocket", on_websocket)


def received(page: Page) -> int:
    """How many messages this tab got from the server (every script run sends some)."""
    return _RECEIVED[page][0]


def _best_effort_logout(page: Page) -> None:
    """Click "Sair" (the sidebar's, or a station refusal's) if it is on screen."""
    if page.is_closed():
        return
    try:
        for button in (
            sidebar(page).get_by_role("button", name="Sair"),
            main(page).get_by_role("button", name="Sair"),
        ):
            if button.count() == 1 and button.is_visible():
                # dispatch_event: a modal (e.g. "Page not found") must not block the logout.
                button.dispatch_event("click")
                login_form(page).wait_for(timeout=10_000)
                return
    except Exception as error:
        print(f"logout at teardown failed: {error}")


@pytest.fixture
def stations(chromium: Browser, request: pytest.FixtureRequest) -> Iterator[Stations]:
    opened = Stations(chromium, _slug(request.node.name))
    yield opened
    if _failed(request.node):
        opened.screenshots("failure")
    opened.close()


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)[:80]


def shot(page: Page, name: str) -> None:
    """Keep a screenshot of a key moment in test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{_slug(name)}.png"), full_page=True)


# --- Page helpers --------------------------------------------------------------------------


def wait_run_finished(page: Page, timeout: float = TIMEOUT_MS) -> None:
    """Wait until Streamlit's script run is over and the running indicator is gone."""
    page.wait_for_selector(RUN_FINISHED, timeout=timeout)
    page.get_by_test_id("stStatusWidget").wait_for(state="detached", timeout=timeout)


def wait_settled(page: Page, quiet_ms: int = QUIET_MS, timeout: float = TIMEOUT_MS) -> None:
    """Wait until no script run started or ended for `quiet_ms` (the follow-up runs are over)."""
    page.wait_for_function(_SETTLED, arg=quiet_ms, timeout=timeout, polling=100)


def settle(page: Page) -> None:
    """The run an action started is over, and so are its follow-up runs."""
    wait_run_finished(page)
    wait_settled(page)


def tall_shot(page: Page, name: str, height: int = 2000) -> None:
    """A screenshot of the whole page: the main area scrolls inside the viewport, so the
    viewport is made tall for the picture."""
    size = page.viewport_size
    page.set_viewport_size({"width": 1400, "height": height})
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    try:
        shot(page, name)
    finally:
        if size is not None:
            page.set_viewport_size(size)


# --- Telecobrança helpers (the collection flows of test_telecobranca and test_lgpd) ---------

FULL_DOCUMENT = re.compile(r"\d{3}\.\d{3}\.\d{3}-\d{2}|\d{2}\.\d{3}\.\d{3}/\d{4}-\d{2}")
NEXT_DEBTOR_TOAST = re.compile(r"(Fila de cobrança|Promessa quebrada): .+ \(cobrança nº \d+\)")


def collection_copy(template_db: Path, directory: Path, name: str) -> Path:
    """A copy of the seeded database where carla's agenda starts empty, so "Próximo devedor"
    takes a debtor from the queue (not a seeded promise falling due)."""
    copy = directory / f"{name}.duckdb"
    for file in template_db.parent.glob(template_db.name + "*"):
        shutil.copy(file, directory / file.name.replace(template_db.stem, name, 1))
    db = open_database(str(copy))
    try:
        db.write(
            lambda tx: tx.execute(
                "UPDATE agenda_items SET status = 'concluido' WHERE status = 'aberto'"
                " AND user_id = (SELECT id FROM users WHERE username = 'carla')"
            )
        )
    finally:
        db.close()
    return copy


def shown_forms(column: str, raw: str | None) -> set[str]:
    """A stored personal value as it may appear on a page: raw, or as the app formats it."""
    if not raw:
        return set()
    if column == "document":
        return {raw, format_document(raw)}
    if column in ("phone", "mobile"):
        return {raw, format_phone(raw)}
    return {raw}


def press_next_debtor(page: Page) -> None:
    """Press "Próximo devedor" and wait for the debtor to be on screen."""
    page.locator(".st-key-tlc_next_debtor button").click()
    expect(page.get_by_test_id("stToast").filter(has_text=NEXT_DEBTOR_TOAST).first).to_be_visible()
    settle(page)


def goto(page: Page, url: str, quiet_ms: int = QUIET_MS) -> None:
    page.goto(url)
    page.wait_for_selector("[data-testid='stApp']", timeout=TIMEOUT_MS)
    wait_run_finished(page)
    wait_settled(page, quiet_ms)


def reload(page: Page) -> None:
    page.reload()
    page.wait_for_selector("[data-testid='stApp']", timeout=TIMEOUT_MS)
    wait_run_finished(page)
    wait_settled(page)


def login_form(page: Page):  # type: ignore[no-untyped-def]
    return page.get_by_label("Usuário", exact=True)


def submit_login(page: Page, user: str, password: str = PASSWORD) -> None:
    """Fill and submit the login form already on screen (no waiting for the outcome)."""
    login_form(page).wait_for()
    login_form(page).fill(user)
    page.get_by_label("Senha", exact=True).fill(password)
    page.get_by_role("button", name="Entrar", exact=True).click()


def attempt_login(page: Page, user: str, password: str = PASSWORD) -> None:
    """Submit the login form and wait until the run it caused (and its follow-ups) ended.

    One submit, never retried: a submit the app loses is a bug these tests must see."""
    before = received(page)  # counted in server messages: a quick run may never show
    submit_login(page, user, password)  # as "running" in the page
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while received(page) == before:
        assert time.monotonic() < deadline, "the login form was submitted but nothing ran"
        page.wait_for_timeout(50)
    wait_run_finished(page)
    wait_settled(page)


def error_alert(page: Page, text: str):  # type: ignore[no-untyped-def]
    """The error message containing `text` (during a rerun an old copy may linger: take one)."""
    return main(page).get_by_test_id("stAlertContentError").filter(has_text=text).first


def sidebar(page: Page):  # type: ignore[no-untyped-def]
    return page.get_by_test_id("stSidebar")


def main(page: Page):  # type: ignore[no-untyped-def]
    return page.get_by_test_id("stMain")


def choose(page: Page, label: str, option: str, exact: bool = True, attempts: int = 3) -> None:
    """Pick an option of a Streamlit selectbox by typing it (the box filters as you type).

    Retried until the box holds the option: a periodic fragment rerun (the call timer, the
    wallboard) can close an open list or land while the choice travels, and drop it.
    Not `exact`: the option's text contains `option` (a product's code).
    """
    box = main(page).get_by_label(label, exact=True)
    held = option if exact else re.compile(re.escape(option))
    for attempt in range(1, attempts + 1):
        box.click()
        box.fill(option)
        try:
            page.get_by_role("option", name=option, exact=exact).first.click(timeout=5_000)
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
        settle(page)
        try:
            expect(box).to_have_value(held, timeout=2_000)
            return
        except AssertionError:
            assert attempt < attempts, f"option {option!r} of {label!r} never stuck"


def login(
    page: Page, base_url: str | None, user: str, password: str = PASSWORD, cookie: bool = True
) -> None:
    """Open base_url (None: stay on the current page), log in and wait for the finished run
    showing the user's name in the sidebar (and, with `cookie`, for the login cookie)."""
    if base_url is not None:
        goto(page, base_url)
    attempt_login(page, user, password)
    expect(sidebar(page).get_by_text(DEMO_NAMES[user], exact=True)).to_be_visible()
    wait_run_finished(page)
    wait_settled(page)
    if cookie:
        wait_for_auth_cookie(page)


def auth_cookies(context: BrowserContext) -> list[Cookie]:
    return [cookie for cookie in context.cookies() if cookie["name"] == AUTH_COOKIE]


def wait_for_auth_cookie(page: Page, timeout_s: float = TIMEOUT_MS / 1000) -> None:
    """The login is kept by a cookie the login run writes from JavaScript (a script in
    `st.html`, run when the element mounts); a login without it would not survive a reload."""
    deadline = time.monotonic() + timeout_s
    while not auth_cookies(page.context):
        assert time.monotonic() < deadline, f"no {AUTH_COOKIE} cookie after the login"
        page.wait_for_timeout(100)


def logout(page: Page) -> None:
    sidebar(page).get_by_role("button", name="Sair").click()
    expect(login_form(page)).to_be_visible()
    wait_run_finished(page)
    wait_settled(page)


def expect_logged_out(page: Page) -> None:
    """The login form is on screen and nobody is in the sidebar."""
    expect(login_form(page)).to_be_visible()
    expect(page.get_by_role("button", name="Entrar", exact=True)).to_be_visible()
    expect(sidebar(page).get_by_role("button", name="Sair")).to_have_count(0)
