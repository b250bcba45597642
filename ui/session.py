"""The logged-in user of this browser session: login form, cookie, logout and station lease.

The login form is a plain `st.form`; every decision is the core's: passwords, lockout and
auditing (core.auth.check_login), whether a login cookie is still valid (one issued before a
logout, password reset or deactivation is refused), and whether this browser may hold the
operator (one operator, one station).

The login cookie keeps streamlit-authenticator's format (an HS256 JWT of `{username,
exp_date}` signed with the per-install key), so cookies issued before stay valid. It is read
from the request (`st.context.cookies`) and written or deleted by a line of JavaScript in
`st.html`. No custom component is drawn: the authenticator's cookie component reported its
first value a moment after the login page loaded, and that report reran the script. With
Streamlit's `runner.fastReruns` (the default) a rerun request stops the running script and
starts a new one from the browser's latest widget states, in which the form's one-shot submit
trigger is already spent: a login submitted just before the report was lost (bare form), or its
password check had run and been audited but the run that would keep the result was stopped.
Now nothing but the person reruns the login page, and the submit is handled in the form's
callback, before the page draws anything.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import jwt
import streamlit as st

from core import auth, demo
from core.access import User
from core.config import ConfigError, Settings
from core.db import Database
from core.errors import Conflict
from ui import runtime

_AUTH = "cc_auth"  # this session's accepted login (LoginState)
_HANDOFF = "cc_run_user"  # user checked by app.py, consumed by the page in the same run
_LOGOUT = "cc_logout_requested"
_NOTICE = "cc_login_notice"  # why the login form is back (logout, session ended)
_ERROR = "cc_login_error"  # the refusal of the last submitted login, shown once
_COOKIE_SCRIPT = "cc_cookie_script"  # cookie to write or delete in the browser, drawn once
_SPENT_COOKIE = "cc_spent_cookie"  # the request's cookie, once logged out or refused here
_PARKED = "cc_station_parked"  # a login refused at this station, waiting for the other to leave
_PROVED = "cc_password_proved"  # user id whose password was typed in this session
PARKED_SECONDS = 30 * 60  # how long "Tentar novamente" may resume it

FORM_KEY = "cc_login"
USERNAME_KEY = "cc_login_username"
PASSWORD_KEY = "cc_login_password"


@dataclass(frozen=True)
class _Parked:
    user_id: int
    username: str
    stamp: str  # auth.credential_stamp when refused: a password change voids the resume
    at: float


@dataclass(frozen=True)
class LoginState:
    user_id: int
    issued_at_epoch: float  # when the login cookie was issued
    station_id: str  # one per browser: its tabs share the cookie, so they share the station


def current_user() -> User | None:
    """Validate this session's login (or the browser's cookie); None after rendering the form.

    Called by app.py before st.navigation, and by every page's guard (pages/ files may be
    served without app.py on a fresh server, so they must not rely on it).
    """
    handed = st.session_state.pop(_HANDOFF, None)
    if handed is not None:
        return handed
    try:
        db, settings = runtime.database(), runtime.settings()
    except ConfigError as refused:  # e.g. a short cookie key: nothing is served with it
        st.error(refused.message, icon="⚙️")
        st.stop()
    state: LoginState | None = st.session_state.get(_AUTH)
    user = auth.session_user(db, state.user_id, _issued(state)) if state else None
    if st.session_state.pop(_LOGOUT, False) and user is not None and state is not None:
        auth.logout(db, user, state.station_id)
        return _login(db, settings, ended="Você saiu do Call Center.")
    if user is not None and state is not None:
        _draw_cookie_script()  # a password login of this session: write its cookie
        _hold_station(db, settings, user, state)
        return user
    if state is not None and (resumed := _resume_parked(db, settings, state)) is not None:
        return resumed
    if state is not None:  # logged out elsewhere, password reset or user deactivated
        return _login(db, settings, ended="Sua sessão foi encerrada. Entre novamente.")
    token = _request_cookie(settings)
    if token is not None and token != st.session_state.get(_SPENT_COOKIE):
        user = _login_from_cookie(db, settings, token)
        if user is not None:
            return user
        # A copied or old cookie: issued before a logout, password reset or deactivation.
        return _login(db, settings, ended="Sua sessão expirou ou foi encerrada. Entre novamente.")
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
    """Render the login form (a submit is handled by `_submit` at the start of its run)."""
    if ended is not None:
        st.session_state.pop(_AUTH, None)
        # The request's cookie no longer logs this session in; the browser drops it.
        st.session_state[_SPENT_COOKIE] = _request_cookie(settings)
        st.session_state[_COOKIE_SCRIPT] = _delete_cookie_script(
            settings, _served_over_https(settings)
        )
        # Kept until the next login.
        st.session_state[_NOTICE] = ended
    _draw_cookie_script()
    _login_header()
    with st.form(FORM_KEY):
        st.subheader("Entrar no Call Center")
        st.text_input("Usuário", key=USERNAME_KEY, autocomplete="off")
        st.text_input("Senha", type="password", key=PASSWORD_KEY, autocomplete="off")
        st.form_submit_button("Entrar", on_click=_submit)
    if error := st.session_state.pop(_ERROR, None):
        st.error(error)
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


def _submit() -> None:
    """The login form's callback: the core checks the password (lockout, audit) and the
    session keeps the outcome.

    Callbacks run at the start of the run the submit caused, before any element is drawn, so
    that run already shows the logged-in page (or the refusal)."""
    username = str(st.session_state.get(USERNAME_KEY) or "").strip()
    password = str(st.session_state.get(PASSWORD_KEY) or "")
    if not username:
        return
    db, settings = runtime.database(), runtime.settings()
    result = auth.check_login(db, settings, username, password, client=client_address(settings))
    if not result.ok or result.user_id is None:
        st.session_state[PASSWORD_KEY] = ""
        st.session_state[_ERROR] = result.message
        return
    exp_date = time.time() + settings.cookie_expiry_days * 86400
    token = _encode_cookie(settings, username.lower(), exp_date)
    st.session_state[_AUTH] = _state_for(settings, result.user_id, exp_date)
    st.session_state[_PROVED] = result.user_id
    st.session_state[_COOKIE_SCRIPT] = _set_cookie_script(
        settings, token, exp_date, secure=_served_over_https(settings)
    )
    st.session_state[_SPENT_COOKIE] = _request_cookie(settings)  # superseded by the new one
    st.session_state.pop(_NOTICE, None)
    st.session_state.pop(_ERROR, None)


def credentials_exist(db: Database) -> bool:
    return bool(auth.active_usernames(db))


# --- The login cookie ----------------------------------------------------------------------


def _state_for(settings: Settings, user_id: int, exp_date: float) -> LoginState:
    # The cookie carries only its expiry: issued = expiry - lifetime; the expiry names the
    # station (every tab of the browser sends the same cookie).
    issued = exp_date - settings.cookie_expiry_days * 86400
    return LoginState(user_id, issued, f"{exp_date:.6f}")


def _encode_cookie(settings: Settings, username: str, exp_date: float) -> str:
    return jwt.encode({"username": username, "exp_date": exp_date}, settings.cookie_key, "HS256")


def _request_cookie(settings: Settings) -> str | None:
    """The login cookie the browser sent when this session connected (None if none)."""
    try:
        token = st.context.cookies.get(settings.cookie_name)
    except Exception:  # no request behind this run (e.g. AppTest)
        return None
    return token if isinstance(token, str) and token else None


def _login_from_cookie(db: Database, settings: Settings, token: str) -> User | None:
    """Log this session in from the browser's cookie, if its signature, expiry and issue time
    are still good (a cookie issued before the user's last logout is refused)."""
    st.session_state[_SPENT_COOKIE] = token  # tried once per session, accepted or not
    try:
        claims = jwt.decode(token, settings.cookie_key, algorithms=["HS256"])
    except jwt.PyJWTError:
        return None
    username = str(claims.get("username", "")).strip().lower()
    try:
        exp_date = float(claims.get("exp_date", 0))
    except (TypeError, ValueError):
        return None
    if not username or exp_date <= time.time():
        return None
    found = auth.user_by_username(db, username)
    if found is None:
        return None
    state = _state_for(settings, found.id, exp_date)
    user = auth.session_user(db, state.user_id, _issued(state))
    if user is not None:
        st.session_state[_AUTH] = state
        st.session_state.pop(_NOTICE, None)
        _hold_station(db, settings, user, state)
    return user


def _set_cookie_script(settings: Settings, token: str, exp_date: float, *, secure: bool) -> str:
    expires = datetime.fromtimestamp(exp_date, UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
    return _cookie_script(f"{settings.cookie_name}={token}; expires={expires}", secure)


def _delete_cookie_script(settings: Settings, secure: bool) -> str:
    return _cookie_script(f"{settings.cookie_name}=; expires=Thu, 01 Jan 1970 00:00:00 GMT", secure)


def _cookie_script(cookie: str, secure: bool) -> str:
    # The authenticator's attributes (path /, SameSite=Strict), plus Secure over HTTPS so the
    # browser never sends the login over plain HTTP (a browser refuses Secure on an http page).
    attributes = "; path=/; samesite=strict" + ("; secure" if secure else "")
    return f"<script>document.cookie = {json.dumps(cookie + attributes)};</script>"


def _request_header(name: str) -> str | None:
    """A header of the request that opened this session, joined if repeated (None if none)."""
    try:
        values = st.context.headers.get_all(name)
    except Exception:  # no request behind this run (e.g. AppTest)
        return None
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        return None
    return ", ".join(values) or None


def client_address(settings: Settings) -> str:
    """Who is logging in, for the core's login throttle: the connection's address, or the
    last X-Forwarded-For entry when a trusted proxy is in front (the entries before it are
    whatever the browser sent, so they are never believed)."""
    if settings.trusted_proxy and (forwarded := _request_header("X-Forwarded-For")):
        last = forwarded.split(",")[-1].strip()
        if last:
            return last
    try:
        address = st.context.ip_address
    except Exception:  # no request behind this run (e.g. AppTest)
        address = None
    # Streamlit reports None for a loopback connection.
    return address if isinstance(address, str) and address else auth.LOCAL_CLIENT


def _served_over_https(settings: Settings) -> bool:
    """Whether the browser sees this app over HTTPS: its own URL says so (the one that matters
    for the cookie), else the trusted proxy's X-Forwarded-Proto."""
    try:
        url = st.context.url
    except Exception:  # no request behind this run (e.g. AppTest)
        url = None
    if isinstance(url, str) and url:
        return url.lower().startswith("https://")
    if settings.trusted_proxy and (proto := _request_header("X-Forwarded-Proto")):
        return proto.split(",")[0].strip().lower() == "https"
    return False


def _draw_cookie_script() -> None:
    """Write or delete the browser's cookie: the script runs once, when the element mounts;
    it reruns nothing (unlike a component, it sends no value back)."""
    script = st.session_state.pop(_COOKIE_SCRIPT, None)
    if script:
        st.html(script, unsafe_allow_javascript=True)


def _hold_station(db: Database, settings: Settings, user: User, state: LoginState) -> None:
    try:
        auth.claim_station(db, settings, user, state.station_id)
    except Conflict as refusal:
        parked = st.session_state.get(_PARKED)
        # Only a password typed here may wait: a copied cookie must not outlive a logout.
        proved = st.session_state.get(_PROVED) == user.id
        if proved and (parked is None or parked.user_id != user.id):
            stamp = auth.credential_stamp(db, user.id) or ""
            st.session_state[_PARKED] = _Parked(user.id, user.username, stamp, time.time())
        _login_header()
        st.subheader("Operador conectado em outra estação")
        st.error(refusal.message, icon="🖥️")
        left, right, _ = st.columns([1, 1, 4])
        left.button("Tentar novamente", type="primary", key="station_retry", width="stretch")
        right.button("Sair", key="station_logout", on_click=request_logout, width="stretch")
        st.stop()
    st.session_state.pop(_PARKED, None)


def _resume_parked(db: Database, settings: Settings, state: LoginState) -> User | None:
    """This session's login was refused at the station, then voided by the other station's
    logout: "Tentar novamente" resumes it with a new cookie (the core checks that the password
    and the account did not change) instead of sending the operator back to the login."""
    parked = st.session_state.get(_PARKED)
    if parked is None or parked.user_id != state.user_id:
        return None
    if time.time() - parked.at > PARKED_SECONDS or not auth.resume_refused_login(
        db, parked.user_id, parked.stamp
    ):
        st.session_state.pop(_PARKED, None)
        return None
    exp_date = time.time() + settings.cookie_expiry_days * 86400
    fresh = _state_for(settings, parked.user_id, exp_date)
    user = auth.session_user(db, fresh.user_id, _issued(fresh))
    if user is None:
        return None
    st.session_state[_AUTH] = fresh
    token = _encode_cookie(settings, parked.username, exp_date)
    secure = _served_over_https(settings)
    st.session_state[_COOKIE_SCRIPT] = _set_cookie_script(settings, token, exp_date, secure=secure)
    _draw_cookie_script()
    _hold_station(db, settings, user, fresh)
    return user


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
