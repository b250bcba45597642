"""The login form and the login cookie, through AppTest (the browser side is in tests/e2e)."""

from __future__ import annotations

import time

import jwt
import pytest
from streamlit.testing.v1 import AppTest

from core import auth
from core.demo import DEMO_PASSWORD
from tests.ui.conftest import UiHarness, texts
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
