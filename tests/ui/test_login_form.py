"""The login form and the login cookie, through AppTest (the browser side is in tests/e2e)."""

from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace

import jwt
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core import auth
from core.config import Settings
from core.demo import DEMO_PASSWORD
from tests.ui.conftest import ROOT, UiHarness, texts
from ui import runtime, session


def _submit(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input(key=session.USERNAME_KEY).input(username)
    at.text_input(key=session.PASSWORD_KEY).input(password)
    return at.button[0].click().run()


def _cookie_scripts(at: AppTest) -> list[str]:
    return [str(block.value) for block in at.html if "document.cookie" in str(block.value)]


def test_the_login_page_draws_no_custom_component(ui: UiHarness) -> None:
    """A component's first value reruns the script and used to eat a login submitted at that
    moment (Streamlit's fast reruns drop the spent submit trigger)."""
    at = ui.page("app.py").run()

    assert not at.exception, [e.value for e in at.exception]
    assert [field.label for field in at.text_input] == ["Usuário", "Senha"]
    assert [button.label for button in at.button] == ["Entrar"]
    assert len(at.get("component_instance")) == 0
    assert _cookie_scripts(at) == []


def test_a_right_password_logs_in_in_the_same_run_and_writes_the_cookie(ui: UiHarness) -> None:
    at = _submit(ui.page("app.py").run(), "Ana", DEMO_PASSWORD)

    assert not at.exception, [e.value for e in at.exception]
    assert len(at.text_input) == 0  # no login form left on the page
    assert any("Olá, Ana!" in text for text in texts(at))
    state = at.session_state["cc_auth"]
    assert state.user_id == ui.user("ana").id
    assert ui.audit_events("login.ok", "ana") == 1
    [script] = _cookie_scripts(at)
    token = script.split("callcenter_auth=", 1)[1].split(";", 1)[0]
    claims = jwt.decode(token, runtime.settings().cookie_key, algorithms=["HS256"])
    assert claims["username"] == "ana"
    assert state.station_id == f"{claims['exp_date']:.6f}"  # the cookie names the station
    assert "samesite=strict" in script and "path=/" in script

    at.run()  # the cookie is written once, not on every run
    assert _cookie_scripts(at) == []
    assert ui.audit_events("login.ok", "ana") == 1


def test_a_wrong_password_shows_the_refusal_and_clears_the_password(ui: UiHarness) -> None:
    at = _submit(ui.page("app.py").run(), "ana", "senha-errada-1")

    assert [error.value for error in at.error] == ["Usuário ou senha incorretos."]
    assert at.text_input(key=session.PASSWORD_KEY).value == ""
    assert at.text_input(key=session.USERNAME_KEY).value == "ana"
    assert "cc_auth" not in at.session_state
    assert ui.audit_events("login.falha", "ana") == 1
    assert _cookie_scripts(at) == []


def test_logout_deletes_the_cookie_and_shows_the_form_with_the_notice(ui: UiHarness) -> None:
    at = _submit(ui.page("app.py").run(), "admin", DEMO_PASSWORD)
    at.button(key="sidebar_logout").click().run()

    assert [field.label for field in at.text_input] == ["Usuário", "Senha"]
    assert "Você saiu do Call Center." in [info.value for info in at.info]
    [script] = _cookie_scripts(at)
    assert "callcenter_auth=;" in script and "1970" in script
    assert ui.audit_events("logout", "admin") == 1


@pytest.fixture
def browser_cookie(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The cookie the browser sent (AppTest has no request behind its runs)."""
    sent: dict[str, str] = {}
    monkeypatch.setattr(session, "_request_cookie", lambda settings: sent.get("token"))
    return sent


def _token(username: str, exp_date: float) -> str:
    return jwt.encode(
        {"username": username, "exp_date": exp_date}, runtime.settings().cookie_key, "HS256"
    )


def test_a_valid_cookie_logs_in_without_the_form(
    ui: UiHarness, browser_cookie: dict[str, str]
) -> None:
    ui.page("app.py").run()  # starts the runtime (settings, database)
    exp_date = time.time() + 86400
    browser_cookie["token"] = _token("ana", exp_date)

    at = ui.page("app.py").run()

    assert not at.exception, [e.value for e in at.exception]
    assert len(at.text_input) == 0
    assert at.session_state["cc_auth"].station_id == f"{exp_date:.6f}"


@pytest.mark.parametrize("case", ["before logout", "forged", "expired"])
def test_a_refused_cookie_shows_the_form_and_is_deleted(
    ui: UiHarness, browser_cookie: dict[str, str], case: str
) -> None:
    ui.page("app.py").run()
    if case == "before logout":
        browser_cookie["token"] = _token("ana", time.time() + 86400 - 60)  # issued 1 min ago
        auth.logout(ui.db, ui.user("ana"), None)
    elif case == "forged":
        browser_cookie["token"] = jwt.encode(
            {"username": "admin", "exp_date": time.time() + 86400}, "x" * 64, "HS256"
        )
    else:
        browser_cookie["token"] = _token("ana", time.time() - 1)

    at = ui.page("app.py").run()

    assert [field.label for field in at.text_input] == ["Usuário", "Senha"]
    assert "cc_auth" not in at.session_state
    assert "Sua sessão expirou ou foi encerrada. Entre novamente." in [i.value for i in at.info]
    assert len(_cookie_scripts(at)) == 1
    at.run()  # the refused cookie is not tried again in this session
    assert _cookie_scripts(at) == []
    assert [field.label for field in at.text_input] == ["Usuário", "Senha"]


# --- login abuse: the client address, the Secure cookie, a refused configuration -------------


def test_a_spray_from_one_address_does_not_stop_the_same_user_from_another(
    ui: UiHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The form hands the core the browser's address: the lock holds only for the sprayer."""
    address = {"now": "203.0.113.7"}
    monkeypatch.setattr(session, "client_address", lambda settings: address["now"])
    at = ui.page("app.py").run()
    for _ in range(5):
        at = _submit(at, "ana", "senha-errada-1")
    assert "bloqueado" in at.error[0].value
    at = _submit(at, "ana", DEMO_PASSWORD)
    assert "cc_auth" not in at.session_state  # still locked from this address

    address["now"] = "198.51.100.20"
    at = _submit(ui.page("app.py").run(), "ana", DEMO_PASSWORD)

    assert at.session_state["cc_auth"].user_id == ui.user("ana").id
    clients = ui.scalar(
        "SELECT list(DISTINCT client ORDER BY client) FROM login_throttle WHERE username = 'ana'"
    )
    assert clients == ["203.0.113.7"]  # the success cleared nothing of the sprayer's lock


@pytest.mark.parametrize("https", [True, False])
def test_the_login_cookie_is_secure_exactly_when_served_over_https(
    ui: UiHarness, monkeypatch: pytest.MonkeyPatch, https: bool
) -> None:
    monkeypatch.setattr(session, "_served_over_https", lambda settings: https)

    at = _submit(ui.page("app.py").run(), "ana", DEMO_PASSWORD)
    [written] = _cookie_scripts(at)
    at.button(key="sidebar_logout").click().run()
    [deleted] = _cookie_scripts(at)

    assert ("; secure" in written) is https
    assert ("; secure" in deleted) is https


class _FakeHeaders:
    def __init__(self, headers: dict[str, list[str]]) -> None:
        self._headers = {name.lower(): values for name, values in headers.items()}

    def get_all(self, name: str) -> list[str]:
        return list(self._headers.get(name.lower(), []))


def _fake_context(
    monkeypatch: pytest.MonkeyPatch,
    *,
    url: str | None = None,
    ip: str | None = None,
    headers: dict[str, list[str]] | None = None,
) -> None:
    context = SimpleNamespace(url=url, ip_address=ip, headers=_FakeHeaders(headers or {}))
    monkeypatch.setattr(session, "st", SimpleNamespace(context=context))


@pytest.mark.parametrize(
    ("url", "proxy", "forwarded_proto", "secure"),
    [
        ("https://callcenter.example.com/", False, [], True),
        ("http://callcenter.example.com/", False, [], False),
        ("http://callcenter.example.com/", True, ["https"], False),  # the browser's URL wins
        (None, True, ["https"], True),
        (None, False, ["https"], False),  # without a trusted proxy the header is ignored
        (None, True, [], False),
    ],
)
def test_https_is_the_browsers_url_else_the_trusted_proxys_forwarded_proto(
    monkeypatch: pytest.MonkeyPatch,
    url: str | None,
    proxy: bool,
    forwarded_proto: list[str],
    secure: bool,
) -> None:
    _fake_context(monkeypatch, url=url, headers={"X-Forwarded-Proto": forwarded_proto})

    assert session._served_over_https(Settings(trusted_proxy=proxy)) is secure


@pytest.mark.parametrize(
    ("ip", "proxy", "forwarded", "client"),
    [
        ("203.0.113.7", False, [], "203.0.113.7"),
        (None, False, [], auth.LOCAL_CLIENT),  # Streamlit reports None for localhost
        ("10.0.0.2", False, ["1.2.3.4"], "10.0.0.2"),  # a header anyone can send: ignored
        ("10.0.0.2", True, ["1.2.3.4, 203.0.113.7"], "203.0.113.7"),  # the proxy's own entry
        ("10.0.0.2", True, ["1.2.3.4", "203.0.113.9"], "203.0.113.9"),
        ("10.0.0.2", True, [], "10.0.0.2"),
    ],
)
def test_the_client_is_the_reported_address_or_the_trusted_proxys_last_forwarded_entry(
    monkeypatch: pytest.MonkeyPatch,
    ip: str | None,
    proxy: bool,
    forwarded: list[str],
    client: str,
) -> None:
    _fake_context(monkeypatch, ip=ip, headers={"X-Forwarded-For": forwarded})

    assert session.client_address(Settings(trusted_proxy=proxy)) == client


def test_the_cookie_script_marks_the_cookie_secure_only_when_asked() -> None:
    settings = Settings(cookie_key="k" * 48)

    secure = session._set_cookie_script(settings, "token", time.time() + 60, secure=True)
    plain = session._set_cookie_script(settings, "token", time.time() + 60, secure=False)

    assert secure.endswith('; path=/; samesite=strict; secure";</script>')
    assert "secure" not in plain.replace("samesite=strict", "")


def test_a_short_cookie_key_stops_the_app_with_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CALLCENTER_DB", str(tmp_path / "callcenter.duckdb"))
    monkeypatch.setenv("CALLCENTER_SECRETS_FILE", str(tmp_path / "secrets.toml"))
    monkeypatch.setenv("CALLCENTER_COOKIE_KEY", "curta-demais")
    st.cache_resource.clear()
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    finally:
        st.cache_resource.clear()

    assert not at.exception, [e.value for e in at.exception]
    [error] = at.error
    assert "CALLCENTER_COOKIE_KEY tem menos de 32 bytes" in error.value
    assert len(at.text_input) == 0  # no login form with a guessable key
    assert not (tmp_path / "callcenter.duckdb").exists()


def _second_station(ui: UiHarness, username: str) -> tuple[AppTest, AppTest]:
    """`username` logged in at station A, then refused at station B with the right password."""
    first = _submit(ui.page("app.py").run(), username, DEMO_PASSWORD)
    assert any(f"Olá, {username.title()}!" in text for text in texts(first))
    second = _submit(ui.page("app.py").run(), username, DEMO_PASSWORD)
    return first, second


def test_a_second_station_gets_a_titled_refusal_page(ui: UiHarness) -> None:
    _, second = _second_station(ui, "diego")

    assert "Operador conectado em outra estação" in [h.value for h in second.subheader]
    assert any("outra estação" in error.value for error in second.error)
    assert [b.label for b in second.button] == ["Tentar novamente", "Sair"]
    assert ui.audit_events("estacao.recusada", "diego") == 1


def test_tentar_novamente_lets_the_operator_in_once_the_other_station_logged_out(
    ui: UiHarness,
) -> None:
    first, second = _second_station(ui, "diego")
    first.button(key="sidebar_logout").click().run()  # voids every login of diego, B's too

    second.button(key="station_retry").click().run()

    assert not second.exception, [e.value for e in second.exception]
    assert any("Olá, Diego!" in text for text in texts(second))
    assert "Sua sessão foi encerrada. Entre novamente." not in [i.value for i in second.info]
    assert len(_cookie_scripts(second)) == 1  # a fresh cookie for this station
    assert ui.audit_events("login.retomado", "diego") == 1


def test_a_refused_login_is_not_resumed_after_a_password_reset(ui: UiHarness) -> None:
    first, second = _second_station(ui, "diego")
    first.button(key="sidebar_logout").click().run()
    diego = ui.user("diego")
    ui.db.write(
        lambda tx: tx.execute(
            "UPDATE users SET password_hash = 'x' || password_hash WHERE id = ?", [diego.id]
        )
    )

    second.button(key="station_retry").click().run()

    assert [field.label for field in second.text_input] == ["Usuário", "Senha"]
    assert ui.audit_events("login.retomado", "diego") == 0
