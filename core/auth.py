"""Logins, passwords, lockout, session validity and the one-station-per-operator lease."""

from __future__ import annotations

import functools
import hashlib
import math
import os
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import bcrypt

from core import audit, operator_states
from core.access import Action, OperatorInfo, Routine, User
from core.config import Settings
from core.db import Database, Tx
from core.errors import Conflict, Invalid
from core.service import Work, command, query

MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_BYTES = 72  # bcrypt ignores (bcrypt 5: rejects) anything past 72 bytes


def check_password_policy(password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise Invalid(
            f"A senha deve ter pelo menos {MIN_PASSWORD_CHARS} caracteres.",
            {"password": "muito curta"},
        )
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise Invalid(
            f"A senha deve ter no máximo {MAX_PASSWORD_BYTES} bytes "
            "(letras acentuadas ocupam 2 bytes).",
            {"password": "muito longa"},
        )


def hash_password(password: str) -> str:
    check_password_policy(password)
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode("ascii")


# A password check costs a core for about a third of a second (bcrypt, cost 12). When a shift
# logs in at once, the checks must leave a core to the sessions already working (their timers,
# heartbeats and wallboards): at most cpu_count - 1 checks run at a time, each on its caller's
# thread at normal priority (bcrypt releases the GIL while it hashes).
_CHECK_SLOTS = threading.BoundedSemaphore(max(1, (os.cpu_count() or 2) - 1))


def _password_matches(password: str, password_hash: str) -> bool:
    encoded = password.encode("utf-8")
    if len(encoded) > MAX_PASSWORD_BYTES:
        return False
    with _CHECK_SLOTS:
        return bcrypt.checkpw(encoded, password_hash.encode("ascii"))


@dataclass(frozen=True)
class LoginResult:
    ok: bool
    message: str = ""
    user_id: int | None = None


# --- Login throttling ----------------------------------------------------------------------
# Failures are counted per (username, client) and per client, never per user alone: a user
# locked by a spray from one address still logs in from any other. With lockout_minutes = 15:
# - the max_failed_logins-th (5th) failure of a username from one client within 15 minutes of
#   its first locks that username for that client only, for 15 minutes;
# - the max_failed_logins_per_client-th (30th) failure from one client within 15 minutes,
#   whatever the usernames, refuses every login from that client for 15 minutes.
# A refused try runs no password check and counts nothing. There is no per-user lock across
# clients: whoever can reach the login page could trigger it to lock a user out from
# everywhere, which is the attack this replaces; spreading guesses over many addresses buys
# 5 tries per address and quarter of an hour, against a 10-character minimum and bcrypt.

MAX_USERNAME_CHARS = 64  # logins are 3 to 32 characters (core.users); longer is never checked
MAX_CLIENT_CHARS = 64  # an IPv6 address is at most 45
LOCAL_CLIENT = "local"  # a login without a network peer (localhost, scripts, the CLI)
_EVERY_USERNAME = ""  # the per-client row's username

_WRONG = "Usuário ou senha incorretos."
_LOCKED_NOW = "Senha incorreta. Usuário bloqueado por {minutes} minutos."
_USER_LOCKED = (
    "Usuário bloqueado por excesso de tentativas. "
    "Tente novamente em {minutes} minuto(s) ou peça ao administrador."
)
_CLIENT_THROTTLED = (
    "Muitas tentativas de entrada a partir deste endereço. Tente novamente em {minutes} minuto(s)."
)


@functools.cache
def _dummy_hash() -> str:
    """The hash an unknown username is checked against: drawn once per process at the real
    hashes' cost, so answering "no such user" takes as long as a wrong password."""
    return bcrypt.hashpw(secrets.token_urlsafe(32).encode("ascii"), bcrypt.gensalt()).decode()


def prepare_in_background() -> None:
    """Draw the dummy hash at start, so not even the process's first unknown username answers
    slower than a known one."""
    threading.Thread(target=_dummy_hash, name="login-dummy-hash", daemon=True).start()


def check_login(
    db: Database,
    settings: Settings,
    username: str,
    password: str,
    *,
    client: str = LOCAL_CLIENT,
) -> LoginResult:
    """Verify a password from `client` (the caller's network address), counting failures per
    username and client and per client (the policy above)."""
    client = client.strip()[:MAX_CLIENT_CHARS] or LOCAL_CLIENT
    oversized = len(username) > MAX_USERNAME_CHARS * 2  # a cheap bound before strip()
    username = username[: MAX_USERNAME_CHARS * 2].strip().lower()
    oversized = oversized or len(username) > MAX_USERNAME_CHARS
    username = username[:MAX_USERNAME_CHARS]  # nothing longer is ever stored or audited

    def gate(tx: Tx) -> tuple[dict[str, Any] | None, str | None]:
        user = tx.one(
            "SELECT password_hash, sessions_valid_after FROM users WHERE username = ?",
            [username],
        )
        return user, _refusal(tx, username, client, user)

    user, refusal = db.read(gate)
    # The password check (bcrypt, and a wait for a free core during a login storm) runs before
    # the transaction, so no write transaction stays open meanwhile; if the hash changed in
    # between, the attempt counts as a wrong password. An unknown username is checked against
    # the dummy hash: same message, about the same time. A refused try is not checked at all.
    checked = refusal is None and not oversized
    stored = user["password_hash"] if user is not None else None
    matched = checked and _password_matches(password, stored or _dummy_hash()) and bool(stored)

    def work(tx: Tx) -> LoginResult:
        row = tx.one(
            "SELECT id, password_hash, active, sessions_valid_after FROM users WHERE username = ?",
            [username],
        )
        # Locks set by a concurrent try since the check count; a lock that ended meanwhile
        # still refuses this try, whose password was not checked.
        blocked = _refusal(tx, username, client, row) or (None if checked else refusal)
        if blocked is not None:
            detail = {"cliente": client}
            subject = row["id"] if row is not None else ""
            audit.record(
                tx, None, "login.bloqueado", username=username, subject_id=subject, detail=detail
            )
            return LoginResult(False, blocked)
        if row is not None and row["active"] and matched and row["password_hash"] == stored:
            tx.execute(
                "DELETE FROM login_throttle WHERE username = ? AND client = ?", [username, client]
            )
            tx.execute(
                "UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = ?"
                " WHERE id = ?",
                [tx.now, row["id"]],
            )
            audit.record(tx, None, "login.ok", username=username, subject_id=row["id"])
            return LoginResult(True, user_id=row["id"])
        if oversized:
            reason = "usuário longo"
        elif row is None:
            reason = "usuário"
        else:
            reason = "senha" if row["active"] else "inativo"
        locked_until = _count_failure(tx, settings, username, client, oversized)
        if locked_until is None:
            detail = {"motivo": reason, "cliente": client}
            audit.record(tx, None, "login.falha", username=username, detail=detail)
            return LoginResult(False, _WRONG)
        subject = row["id"] if row is not None else ""
        if row is not None:
            # Shown to the admin (Usuários); the lock itself holds only for this client.
            tx.execute("UPDATE users SET locked_until = ? WHERE id = ?", [locked_until, row["id"]])
        detail = {"motivo": reason, "cliente": client}
        audit.record(
            tx, None, "login.bloqueado", username=username, subject_id=subject, detail=detail
        )
        return LoginResult(False, _LOCKED_NOW.format(minutes=settings.lockout_minutes))

    return db.write(work)


def _refusal(tx: Tx, username: str, client: str, user: dict[str, Any] | None) -> str | None:
    """Why a login of `username` from `client` is refused unchecked now, or None."""
    rows = tx.all(
        "SELECT username, locked_from, locked_until FROM login_throttle"
        " WHERE client = ? AND username IN (?, ?) AND locked_until > ?",
        [client, username, _EVERY_USERNAME, tx.now],
    )
    for row in sorted(rows, key=lambda r: r["username"]):  # the client's row first
        # Round up: "1 minuto" while 60 s or less remain, never "2 minutos" at 60 s.
        minutes = max(1, math.ceil((row["locked_until"] - tx.now).total_seconds() / 60))
        if row["username"] == _EVERY_USERNAME:
            return _CLIENT_THROTTLED.format(minutes=minutes)
        # A password reset (or any end of the user's sessions) since the lock lifts it.
        if user is None or row["locked_from"] >= user["sessions_valid_after"]:
            return _USER_LOCKED.format(minutes=minutes)
    return None


def _count_failure(
    tx: Tx, settings: Settings, username: str, client: str, oversized: bool
) -> datetime | None:
    """Count a failed try for (username, client) and for the client; returns when the
    username's new lock for this client ends, if this failure locked it."""
    window = timedelta(minutes=settings.lockout_minutes)
    # Rows whose window and lock are over mean nothing: pruning them on every failure keeps
    # the table at about one row per username and client that failed in the last window.
    tx.execute("DELETE FROM login_throttle WHERE expires_at <= ?", [tx.now])
    keys = [(_EVERY_USERNAME, settings.max_failed_logins_per_client)]
    if not oversized:  # an oversized name is nobody's: it counts against the client only
        keys.append((username, settings.max_failed_logins))
    pair_locked_until = None
    for key, limit in keys:
        row = tx.one(
            "SELECT failures, window_start, locked_until FROM login_throttle"
            " WHERE username = ? AND client = ?",
            [key, client],
        )
        # A row still locked here is a lock a password reset lifted: counting starts afresh.
        if row is None or row["locked_until"] is not None:
            failures, window_start = 1, tx.now
        else:
            failures, window_start = row["failures"] + 1, row["window_start"]
        locked_from = locked_until = None
        if failures >= limit:
            locked_from, locked_until = tx.now, tx.now + window
            if key != _EVERY_USERNAME:
                pair_locked_until = locked_until
        expires_at = max(window_start + window, locked_until or window_start)
        tx.execute(
            """
            INSERT INTO login_throttle
                (username, client, failures, window_start, locked_from, locked_until, expires_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (username, client) DO UPDATE SET
                failures = excluded.failures,
                window_start = excluded.window_start,
                locked_from = excluded.locked_from,
                locked_until = excluded.locked_until,
                expires_at = excluded.expires_at
            """,
            [key, client, failures, window_start, locked_from, locked_until, expires_at],
        )
    return pair_locked_until


def active_usernames(db: Database) -> dict[str, str]:
    """username -> display name of every active user (the login widget's credential list)."""
    rows = db.read(lambda tx: tx.all("SELECT username, name FROM users WHERE active"))
    return {row["username"]: row["name"] for row in rows}


def session_user(db: Database, user_id: int, issued_at: datetime) -> User | None:
    """The user behind a login issued at `issued_at`, or None if that login is no longer valid.

    A login is void once the user logged out, changed password or was deactivated after it:
    that is how a copied cookie stops working.
    """
    return db.read(lambda tx: _load_user(tx, user_id, issued_at))


def user_by_username(db: Database, username: str) -> User | None:
    def work(tx: Tx) -> User | None:
        user_id = tx.scalar("SELECT id FROM users WHERE username = ?", [username])
        return _load_user(tx, user_id, None) if user_id is not None else None

    return db.read(work)


def _load_user(tx: Tx, user_id: int, issued_at: datetime | None) -> User | None:
    row = tx.one(
        "SELECT id, username, name, is_admin, active, sessions_valid_after,"
        " personal_access, sensitive_access FROM users WHERE id = ?",
        [user_id],
    )
    if row is None or not row["active"]:
        return None
    if issued_at is not None and issued_at < row["sessions_valid_after"]:
        return None
    profiles = tx.all(
        "SELECT p.name, p.personal_access, p.sensitive_access,"
        " coalesce(p.audit_access, FALSE) AS audit_access FROM profiles p"
        " JOIN user_profiles up ON up.profile_id = p.id WHERE up.user_id = ? ORDER BY p.name",
        [user_id],
    )
    return User(
        id=row["id"],
        username=row["username"],
        name=row["name"],
        is_admin=row["is_admin"],
        personal_access=row["personal_access"] or any(p["personal_access"] for p in profiles),
        sensitive_access=row["sensitive_access"] or any(p["sensitive_access"] for p in profiles),
        audit_access=any(p["audit_access"] for p in profiles),
        operator=_load_operator(tx, user_id),
        profile_names=tuple(p["name"] for p in profiles),
    )


def _load_operator(tx: Tx, user_id: int) -> OperatorInfo | None:
    row = tx.one(
        "SELECT o.id, o.code, o.role, o.main_group_id, g.name AS main_group_name,"
        " g.direction AS main_direction, o.telemarketing, o.televendas, o.telecobranca"
        " FROM operators o JOIN attendance_groups g ON g.id = o.main_group_id"
        " WHERE o.user_id = ? AND o.active",
        [user_id],
    )
    if row is None:
        return None
    extra = tx.all(
        "SELECT g.id, g.name, g.direction FROM operator_groups og"
        " JOIN attendance_groups g ON g.id = og.group_id"
        " WHERE og.operator_id = ? AND g.active ORDER BY g.name",
        [row["id"]],
    )
    routines = frozenset(routine for routine in Routine if row[routine.value])
    return OperatorInfo(
        id=row["id"],
        code=row["code"],
        role=row["role"],
        routines=routines,
        main_group_id=row["main_group_id"],
        main_group_name=row["main_group_name"],
        groups=(
            (row["main_group_id"], row["main_group_name"]),
            *((group["id"], group["name"]) for group in extra),
        ),
        directions=(
            (row["main_group_id"], row["main_direction"]),
            *((group["id"], group["direction"]) for group in extra),
        ),
    )


def logout(db: Database, user: User, station_id: str | None) -> None:
    """Void every login cookie issued so far and free the station."""

    def work(tx: Tx) -> None:
        tx.execute("UPDATE users SET sessions_valid_after = ? WHERE id = ?", [tx.now, user.id])
        if station_id is not None:
            tx.execute(
                "DELETE FROM station_leases WHERE user_id = ? AND station_id = ?",
                [user.id, station_id],
            )
            if user.operator is not None:
                operator_states.enter(tx, user.id, operator_states.OFFLINE)
        audit.record(tx, user, "logout", subject_type="usuario", subject_id=user.id)

    db.write(work)


# --- One operator, one station -------------------------------------------------------------

SECOND_STATION = (
    "Este operador já está conectado em outra estação. Feche as rotinas do Call Center na "
    "outra máquina e utilize apenas uma estação (ou aguarde até {seconds} segundos após "
    "fechá-la). O administrador também pode liberar a estação."
)


def claim_station(db: Database, settings: Settings, user: User, station_id: str) -> None:
    """Hold the operator for this station, or raise Conflict if another live station holds it.

    Called on every full page run; the heartbeat fragment keeps it alive between runs. The
    database row is the lock: two stations racing for it conflict and one retries and loses.
    """
    if user.operator is None:
        return  # the rule is per operator; an admin without an operator may use several

    def work(tx: Tx) -> None:
        lease = tx.one(
            "SELECT station_id, heartbeat_at FROM station_leases WHERE user_id = ?", [user.id]
        )
        stale_before = tx.now - timedelta(seconds=settings.station_lease_seconds)
        if lease is None:
            tx.execute(
                "INSERT INTO station_leases (user_id, station_id, claimed_at, heartbeat_at)"
                " VALUES (?, ?, ?, ?)",
                [user.id, station_id, tx.now, tx.now],
            )
            operator_states.logged_in(tx, user.id, lapsed_at=None)
        elif lease["station_id"] == station_id or lease["heartbeat_at"] < stale_before:
            if lease["heartbeat_at"] < stale_before:  # back after the lease lapsed
                operator_states.logged_in(tx, user.id, lapsed_at=lease["heartbeat_at"])
            tx.execute(
                "UPDATE station_leases SET station_id = ?, heartbeat_at = ?,"
                " claimed_at = CASE WHEN station_id = ? THEN claimed_at ELSE ? END"
                " WHERE user_id = ?",
                [station_id, tx.now, station_id, tx.now, user.id],
            )
        else:
            raise _SecondStation()

    try:
        db.write(work)
    except _SecondStation:
        db.write(
            lambda tx: audit.record(
                tx, user, "estacao.recusada", subject_type="usuario", subject_id=user.id
            )
        )
        raise Conflict(SECOND_STATION.format(seconds=settings.station_lease_seconds)) from None


def renew_station(db: Database, user: User, station_id: str, issued_at: datetime) -> bool:
    """The heartbeat's usual case in one statement: this station holds the operator's lease
    and its login (issued at `issued_at`) is still valid, so only the beat moves forward.

    False means nothing was renewed: the login was voided, the lease lapsed or another station
    holds it. The caller then checks the login (`session_user`) and claims the station again
    (`claim_station`), which decides and audits as on a page run.
    """
    if user.operator is None:
        return True  # nothing to hold (see claim_station)

    def work(tx: Tx) -> bool:
        renewed = tx.scalar(
            "UPDATE station_leases SET heartbeat_at = ?"
            " WHERE user_id = ? AND station_id = ?"
            " AND EXISTS (SELECT 1 FROM users WHERE id = ? AND active"
            " AND sessions_valid_after <= ?) RETURNING user_id",
            [tx.now, user.id, station_id, user.id, issued_at],
        )
        return renewed is not None

    return db.write(work)


def credential_stamp(db: Database, user_id: int) -> str | None:
    """A fingerprint of the account's current password (its hash, hashed again; None once
    deactivated): a login refused at a second station is resumed only while it is unchanged."""
    sql = "SELECT password_hash, active FROM users WHERE id = ?"
    row = db.read(lambda tx: tx.one(sql, [user_id]))
    if row is None or not row["active"]:
        return None
    return hashlib.sha256(str(row["password_hash"]).encode()).hexdigest()


def resume_refused_login(db: Database, user_id: int, stamp: str) -> bool:
    """ "Tentar novamente" on a station refusal, after the other station logged out: that
    logout voided every login of the operator, this refused one included. The password was
    proved here minutes ago, so the login resumes (audited) unless the password changed or the
    account was deactivated since."""
    if credential_stamp(db, user_id) != stamp:
        return False

    def work(tx: Tx) -> None:
        username = tx.scalar("SELECT username FROM users WHERE id = ?", [user_id])
        detail = {"motivo": "a outra estação saiu"}
        event = "login.retomado"
        audit.record(
            tx,
            None,
            event,
            subject_type="usuario",
            subject_id=user_id,
            detail=detail,
            username=username,
        )

    db.write(work)
    return True


class _SecondStation(Exception):
    """Internal: rolls the claim back before the refusal is audited in its own transaction."""


@query(Action.MANAGE_STATIONS)
def station_leases(work: Work) -> list[dict[str, object]]:
    """Every station lease with its user, for the admin's Estações screen."""
    tx = work.tx
    return tx.all(
        "SELECT s.user_id, u.username, u.name, s.claimed_at, s.heartbeat_at"
        " FROM station_leases s JOIN users u ON u.id = s.user_id ORDER BY u.username"
    )


@command(Action.MANAGE_STATIONS)
def release_station(work: Work, user_id: int) -> None:
    """Free an operator's station so they can log in elsewhere at once.

    The old station's login is voided too: otherwise a still-open browser would claim the
    lease back with its next heartbeat.
    """
    tx = work.tx
    tx.execute("DELETE FROM station_leases WHERE user_id = ?", [user_id])
    if tx.scalar("SELECT state FROM operator_states WHERE user_id = ?", [user_id]):
        operator_states.enter(tx, user_id, operator_states.OFFLINE)
    tx.execute("UPDATE users SET sessions_valid_after = ? WHERE id = ?", [tx.now, user_id])
    work.audit("estacao.liberada", subject_type="usuario", subject_id=user_id)
