"""Logins, passwords, lockout, session validity and the one-station-per-operator lease."""

from __future__ import annotations

import math
import os
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

import bcrypt

from core import audit
from core.access import Action, OperatorInfo, Routine, User, require
from core.config import Settings
from core.db import Database, Tx
from core.errors import Conflict, Invalid

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


_WRONG = "Usuário ou senha incorretos."


def check_login(db: Database, settings: Settings, username: str, password: str) -> LoginResult:
    """Verify a password, counting failures: the Nth failure locks the user for M minutes."""
    username = username.strip().lower()
    # The password check (bcrypt, and a wait for a free core during a login storm) runs before
    # the transaction, so no write transaction stays open meanwhile; if the hash changed in
    # between, the attempt counts as a wrong password.
    stored = db.read(
        lambda tx: tx.scalar("SELECT password_hash FROM users WHERE username = ?", [username])
    )
    matched = stored is not None and _password_matches(password, stored)

    def work(tx: Tx) -> LoginResult:
        row = tx.one(
            "SELECT id, password_hash, active, failed_logins, locked_until"
            " FROM users WHERE username = ?",
            [username],
        )
        if row is None:
            audit.record(tx, None, "login.falha", username=username, detail={"motivo": "usuário"})
            return LoginResult(False, _WRONG)
        if row["locked_until"] is not None and row["locked_until"] > tx.now:
            audit.record(tx, None, "login.bloqueado", username=username, subject_id=row["id"])
            # Round up: "1 minuto" while 60 s or less remain, never "2 minutos" at 60 s.
            minutes = max(1, math.ceil((row["locked_until"] - tx.now).total_seconds() / 60))
            return LoginResult(
                False,
                "Usuário bloqueado por excesso de tentativas. "
                f"Tente novamente em {minutes} minuto(s) ou peça ao administrador.",
            )
        if not row["active"]:
            audit.record(tx, None, "login.falha", username=username, detail={"motivo": "inativo"})
            return LoginResult(False, _WRONG)
        if not (matched and row["password_hash"] == stored):
            failures = row["failed_logins"] + 1
            locked_until = None
            if failures >= settings.max_failed_logins:
                locked_until = tx.now + timedelta(minutes=settings.lockout_minutes)
                failures = 0
            tx.execute(
                "UPDATE users SET failed_logins = ?, locked_until = ? WHERE id = ?",
                [failures, locked_until, row["id"]],
            )
            if locked_until is not None:
                audit.record(tx, None, "login.bloqueado", username=username, subject_id=row["id"])
                return LoginResult(
                    False,
                    f"Senha incorreta. Usuário bloqueado por {settings.lockout_minutes} minutos.",
                )
            audit.record(tx, None, "login.falha", username=username, detail={"motivo": "senha"})
            return LoginResult(False, _WRONG)
        tx.execute(
            "UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = ?"
            " WHERE id = ?",
            [tx.now, row["id"]],
        )
        audit.record(tx, None, "login.ok", username=username, subject_id=row["id"])
        return LoginResult(True, user_id=row["id"])

    return db.write(work)


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
        " o.telemarketing, o.televendas, o.telecobranca"
        " FROM operators o JOIN attendance_groups g ON g.id = o.main_group_id"
        " WHERE o.user_id = ? AND o.active",
        [user_id],
    )
    if row is None:
        return None
    extra = tx.all(
        "SELECT g.id, g.name FROM operator_groups og"
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
        elif lease["station_id"] == station_id or lease["heartbeat_at"] < stale_before:
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


class _SecondStation(Exception):
    """Internal: rolls the claim back before the refusal is audited in its own transaction."""


def station_leases(db: Database, actor: User) -> list[dict[str, object]]:
    """Every station lease with its user, for the admin's Estações screen."""
    require(db, actor, Action.MANAGE_STATIONS)
    return db.read(
        lambda tx: tx.all(
            "SELECT s.user_id, u.username, u.name, s.claimed_at, s.heartbeat_at"
            " FROM station_leases s JOIN users u ON u.id = s.user_id ORDER BY u.username"
        )
    )


def release_station(db: Database, actor: User, user_id: int) -> None:
    """Free an operator's station so they can log in elsewhere at once.

    The old station's login is voided too: otherwise a still-open browser would claim the
    lease back with its next heartbeat.
    """
    require(db, actor, Action.MANAGE_STATIONS)

    def work(tx: Tx) -> None:
        tx.execute("DELETE FROM station_leases WHERE user_id = ?", [user_id])
        tx.execute("UPDATE users SET sessions_valid_after = ? WHERE id = ?", [tx.now, user_id])
        audit.record(tx, actor, "estacao.liberada", subject_type="usuario", subject_id=user_id)

    db.write(work)
