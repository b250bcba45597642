"""The logged-in user of this browser session: login form, cookie, logout and station lease.

streamlit-authenticator renders the pt-BR login form and keeps the login cookie (a signed JWT);
every decision is the core's: passwords, lockout and auditing (core.auth.check_login), whether
a cookie is still valid (issued before a logout, password reset or deactivation is refused),
and whether this browser may hold the operator (one operator, one station).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import streamlit as st
import streamlit_authenticator as stauth

from core import auth, demo
from core.access import User
from core.config import Settings
from core.db import Database
from core.errors import Conflict
from ui import runtime

_AUTH = "cc_auth"  # this session's accepted login (LoginState)
_HANDOFF = "cc_run_user"  # user checked by app.py, consumed by the page in the same run
_LOGOUT = "cc_logout_requested"
_NOTICE = "cc_login_notice"  # why the login form is back (logout, session ended)

LOGIN_FIELDS = {
    "Form name": "Entrar no Call Center",
    "Username": "Usuário",
    "Password": "Senha",
    "Login": "Entrar",
    "Captcha": "Captcha",
}


@dataclass(frozen=True)
class LoginState:
    user_id: int
    issued_at_epoch: float  # when the login cookie was issued
    station_id: str  # one per browser: its tabs share the cookie, so they share the station


class _CaseInsensitive(dict[str, Any]):
    """Usernames are stored lower-case; let 'Ana' find 'ana' inside the authenticator."""

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.strip().lower())

    def __getitem__(self, key: str) -> Any:
        return super().__getitem__(key.strip().lower())

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        return super().get(key.strip().lower(), default)


def _authenticator(db: Database, settings: Settings, outcome: dict[str, Any]) -> Any:
    credentials = {
        "usernames": _CaseInsensitive(
            {name: {"name": display, "password": ""} for name, display in _users(db).items()}
        )
    }
    # Created on every run that needs it: a shared instance would leak one user's login state
    # into another session.
    authenticator = stauth.Authenticate(
        credentials,
        settings.cookie_name,
        settings.cookie_key,
        settings.cookie_expiry_days,
        auto_hash=False,
        login_sleep_time=0,  # brute force is stopped by the core's lockout instead
    )

    def check(username: str, password: str) -> bool:
        result = auth.check_login(db, settings, username, password)
        outcome["result"] = result
        return result.ok

    authenticator.authentication_controller.authentication_model.check_credentials = check
    return authenticator


def _users(db: Database) -> dict[str, str]:
    return auth.active_usernames(db)


def current_user() -> User | None:
    """Validate this session's login (or the browser's cookie); None after rendering the form.

    Called by app.py before st.navigation, and by every page's guard (pages/ files may be
    served without app.py on a fresh server, so they must not rely on it).
    """
    handed = st.session_state.pop(_HANDOFF, None)
    if handed is not None:
        return handed
    db, settings = runtime.database(), runtime.settings()
    state: LoginState | None = st.session_state.get(_AUTH)
    user = auth.session_user(db, state.user_id, _issued(state)) if state else None
    if st.session_state.pop(_LOGOUT, False) and user is not None and state is not None:
        auth.logout(db, user, state.station_id)
        return _login(db, settings, ended="Você saiu do Call Center.")
    if user is not None and state is not None:
        _hold_station(db, settings, user, state)
        return user
    if state is not None:  # logged out elsewhere, password reset or user deactivated
        return _login(db, settings, ended="Sua sessão foi encerrada. Entre novamente.")
    return _login(db, settings)


def hand_to_page(user: User) -> None:
    """app.py checked the user for this run; the page's guard need not check again."""
    st.session_state[_HANDOFF] = user


def request_logout() -> None:
    """Button callback: the next run logs out, deletes the cookie and shows the login form."""
    st.session_state[_LOGOUT] = True


def login_state() -> LoginState | None:
    return st.session_state.get(_AUTH)


def _issued(state: LoginState) -> datetime:
    return datetime.fromtimestamp(state.issued_at_epoch, UTC)


def _login(db: Database, settings: Settings, ended: str | None = None) -> User | None:
    """Render the login form (one authenticator per run: its cookie component has a fixed key)."""
    outcome: dict[str, Any] = {}
    authenticator = _authenticator(db, settings, outcome)
    if ended is not None:
        st.session_state.pop(_AUTH, None)
        if st.session_state.get("authentication_status"):
            authenticator.logout(location="unrendered")  # deletes the browser's cookie
    _login_header()
    authenticator.login(location="main", fields=LOGIN_FIELDS, key="login_form")
    result = outcome.get("result")
    if st.session_state.get("authentication_status") is True:
        user = _accept(db, settings, authenticator, result)
        if user is not None:
            return user
        # A copied or old cookie: issued before a logout, password reset or deactivation.
        authenticator.logout(location="unrendered")
        authenticator.login(location="main", fields=LOGIN_FIELDS, key="login_form")
        ended = "Sua sessão expirou ou foi encerrada. Entre novamente."
    if ended is not None:
        # Kept until the next login: the cookie component's follow-up run would drop it.
        st.session_state[_NOTICE] = ended
    if result is not None and not result.ok:
        st.error(result.message)
    elif notice := st.session_state.get(_NOTICE):
        st.info(notice)
    if settings.demo_mode:
        _demo_notice()
    elif not credentials_exist(db):
        st.warning(
            "Nenhum usuário cadastrado. No servidor, crie o primeiro administrador com "
            '`python -m core.cli create-admin --username admin --name "Seu Nome"`.'
        )
    return None


def credentials_exist(db: Database) -> bool:
    return bool(auth.active_usernames(db))


def _accept(db: Database, settings: Settings, authenticator: Any, result: Any) -> User | None:
    """Turn the authenticator's success into this session's login, if the core agrees."""
    cookie = authenticator.cookie_controller.cookie_model
    if result is not None:  # a password login in this run: the cookie was just issued
        user_id = result.user_id
        exp_date = float(cookie.exp_date)
    else:  # the browser's cookie logged this session in
        token = cookie.token if isinstance(cookie.token, dict) else {}
        found = auth.user_by_username(db, str(token.get("username", "")).strip().lower())
        user_id = found.id if found else None
        exp_date = float(token.get("exp_date", 0))
    if not user_id:
        return None
    # The cookie carries only its expiry: issued = expiry - lifetime.
    state = LoginState(user_id, exp_date - settings.cookie_expiry_days * 86400, f"{exp_date:.6f}")
    user = auth.session_user(db, state.user_id, _issued(state))
    if user is not None:
        st.session_state[_AUTH] = state
        st.session_state.pop(_NOTICE, None)
        _hold_station(db, settings, user, state)
    return user


def _hold_station(db: Database, settings: Settings, user: User, state: LoginState) -> None:
    try:
        auth.claim_station(db, settings, user, state.station_id)
    except Conflict as refusal:
        st.error(refusal.message, icon="🖥️")
        left, right = st.columns(2)
        left.button("Tentar novamente", key="station_retry")
        right.button("Sair", key="station_logout", on_click=request_logout)
        st.stop()


def heartbeat(user: User) -> None:
    """Renew the station lease between page runs. When the login was voided (logout elsewhere,
    an admin released the station) or another station took over, rerun the whole app so this
    station is blocked at once."""
    state = login_state()
    if state is None:
        return
    db, settings = runtime.database(), runtime.settings()
    # Every 20 s per operator: the usual case is one UPDATE, not the user's reload and a claim.
    if auth.renew_station(db, user, state.station_id, _issued(state)):
        return
    if auth.session_user(db, state.user_id, _issued(state)) is None:
        st.rerun(scope="app")
    try:
        auth.claim_station(db, settings, user, state.station_id)
    except Conflict:
        st.rerun(scope="app")


def _login_header() -> None:
    st.title("☎️ Call Center")
    st.caption("Telemarketing · Televendas · Telecobrança")


def _demo_notice() -> None:
    rows = "\n".join(f"| `{u.username}` | {u.name} | {_role(u)} |" for u in demo.DEMO_USERS)
    st.info(
        "**Modo demonstração** — dados fictícios. Usuários de demonstração "
        f"(senha para todos: `{demo.DEMO_PASSWORD}`):\n\n"
        "| usuário | nome | perfil |\n|---|---|---|\n" + rows,
        icon="🧪",
    )


def _role(user: demo.DemoUser) -> str:
    routines = ", ".join(r.label for r in sorted(user.routines)) or "—"
    label = {"admin": "Administrador", "supervisor": "Supervisor", "operador": "Operador"}
    return f"{label[user.role]} · {routines}"
