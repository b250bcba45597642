"""Administration of login users and of user groups (perfis) carrying accesses 192/193."""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

from core import audit, privacy
from core.access import Action, User, require
from core.auth import hash_password
from core.db import Database, Tx
from core.errors import Conflict, Invalid, NotFound
from core.service import Work, command, query
from core.validation import Problems, clean_email

_USERNAME = re.compile(r"^[a-z][a-z0-9._-]{2,31}$")


@dataclass
class UserInput:
    username: str
    name: str
    email: str | None = None
    is_admin: bool = False
    personal_access: bool = False
    sensitive_access: bool = False
    profile_ids: tuple[int, ...] = ()


@query(Action.MANAGE_USERS)
def list_users(work: Work) -> pl.DataFrame:
    """Every user; the e-mail is personal data, masked for an admin without access 192."""
    frame = work.tx.frame(
        """
        SELECT u.id, u.username, u.name, u.email, u.is_admin, u.personal_access,
            u.sensitive_access, u.active, u.locked_until, u.last_login_at, u.version,
            coalesce(string_agg(p.name, ', ' ORDER BY p.name), '') AS profiles,
            coalesce(array_agg(p.id ORDER BY p.id) FILTER (WHERE p.id IS NOT NULL),
                ARRAY[]::BIGINT[])
                AS profile_ids
        FROM users u
        LEFT JOIN user_profiles up ON up.user_id = u.id
        LEFT JOIN profiles p ON p.id = up.profile_id
        GROUP BY u.id, u.username, u.name, u.email, u.is_admin, u.personal_access,
            u.sensitive_access, u.active, u.locked_until, u.last_login_at, u.version
        ORDER BY u.username
        """
    )
    return privacy.mask_frame(frame, privacy.hidden_columns(work.tx, work.user, "users"))


def _clean_user(tx: Tx, data: UserInput) -> dict[str, object]:
    problems = Problems()
    username = data.username.strip().lower()
    if not _USERNAME.match(username):
        problems.add(
            "username", "usuário deve ter 3 a 32 letras minúsculas, números, ponto ou hífen"
        )
    name = " ".join(data.name.split())
    if len(name) < 3:
        problems.add("name", "informe o nome completo")
    email = clean_email(data.email, problems)
    known = {row["id"] for row in tx.all("SELECT id FROM profiles")}
    if not set(data.profile_ids) <= known:
        problems.add("profile_ids", "perfil inexistente")
    problems.raise_if_any()
    return {
        "username": username,
        "name": name,
        "email": email,
        "is_admin": data.is_admin,
        "personal_access": data.personal_access,
        "sensitive_access": data.sensitive_access,
    }


def create_user(db: Database, actor: User, data: UserInput, password: str) -> int:
    require(db, actor, Action.MANAGE_USERS)
    password_hash = hash_password(password)  # policy first: nothing is written on a bad one

    def work(tx: Tx) -> int:
        clean = _clean_user(tx, data)
        if tx.scalar("SELECT id FROM users WHERE username = ?", [clean["username"]]):
            raise Invalid("Já existe um usuário com este login.", {"username": "já existe"})
        user_id = int(
            tx.scalar(
                "INSERT INTO users (username, name, email, password_hash, is_admin,"
                " personal_access, sensitive_access, sessions_valid_after, created_at,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                [
                    clean["username"],
                    clean["name"],
                    clean["email"],
                    password_hash,
                    clean["is_admin"],
                    clean["personal_access"],
                    clean["sensitive_access"],
                    tx.now,
                    tx.now,
                    tx.now,
                ],
            )
        )
        _set_profiles(tx, user_id, data.profile_ids)
        audit.record(
            tx,
            actor,
            "usuario.incluido",
            subject_type="usuario",
            subject_id=user_id,
            detail={**_public(clean), "perfis": sorted(data.profile_ids)},
        )
        return user_id

    return db.write(work)


def _public(values: dict[str, object]) -> dict[str, object]:
    return {key: value for key, value in values.items() if key != "email"}


def _set_profiles(tx: Tx, user_id: int, profile_ids: tuple[int, ...]) -> None:
    tx.execute("DELETE FROM user_profiles WHERE user_id = ?", [user_id])
    for profile_id in sorted(set(profile_ids)):
        tx.execute(
            "INSERT INTO user_profiles (user_id, profile_id) VALUES (?, ?)", [user_id, profile_id]
        )


@command(Action.MANAGE_USERS)
def update_user(work: Work, user_id: int, version: int, data: UserInput) -> None:
    """Change a user's name, e-mail, admin flag, direct accesses and profiles (login is fixed)."""
    tx, actor = work.tx, work.user
    before = tx.one("SELECT * FROM users WHERE id = ?", [user_id])
    if before is None:
        raise NotFound("Usuário não encontrado.")
    kept = {"username": before["username"]}
    if "email" in privacy.hidden_columns(tx, actor, "users"):
        kept["email"] = before["email"]  # masked on screen: keep what is stored
    clean = _clean_user(tx, UserInput(**{**data.__dict__, **kept}))
    if user_id == actor.id and actor.is_admin and not clean["is_admin"]:
        raise Invalid("Você não pode retirar o seu próprio acesso de administrador.")
    changed = ("name", "email", "is_admin", "personal_access", "sensitive_access")
    work.update(
        "users",
        user_id,
        version,
        {**{column: clean[column] for column in changed}, "updated_at": tx.now},
        missing="Usuário não encontrado.",
    )
    old_profiles = sorted(
        row["profile_id"]
        for row in tx.all("SELECT profile_id FROM user_profiles WHERE user_id = ?", [user_id])
    )
    _set_profiles(tx, user_id, data.profile_ids)
    detail = audit.changes(_public(before), _public(clean))
    if old_profiles != sorted(set(data.profile_ids)):
        detail["perfis"] = {"de": old_profiles, "para": sorted(set(data.profile_ids))}
    if clean["email"] != before["email"]:
        detail["email"] = "alterado"
    work.audit("usuario.alterado", subject_type="usuario", subject_id=user_id, detail=detail)


@command(Action.MANAGE_USERS)
def set_user_active(work: Work, user_id: int, active: bool) -> None:
    """Deactivating also voids the user's login cookies and frees their station."""
    if user_id == work.user.id and not active:
        raise Invalid("Você não pode desativar o seu próprio usuário.")
    row = work.tx.one(
        """
        UPDATE users SET active = ?, sessions_valid_after = ?, updated_at = ?,
            version = version + 1
        WHERE id = ?
        RETURNING id
        """,
        [active, work.tx.now, work.tx.now, user_id],
    )
    if row is None:
        raise NotFound("Usuário não encontrado.")
    work.tx.execute("DELETE FROM station_leases WHERE user_id = ?", [user_id])
    work.audit(
        "usuario.ativado" if active else "usuario.desativado",
        subject_type="usuario",
        subject_id=user_id,
    )


def reset_password(db: Database, actor: User, user_id: int, new_password: str) -> None:
    """Set a new password, unlock the user and void every login issued before."""
    require(db, actor, Action.MANAGE_USERS)
    password_hash = hash_password(new_password)

    def work(tx: Tx) -> None:
        row = tx.one(
            "UPDATE users SET password_hash = ?, failed_logins = 0, locked_until = NULL,"
            " sessions_valid_after = ?, updated_at = ?, version = version + 1"
            " WHERE id = ? RETURNING id",
            [password_hash, tx.now, tx.now, user_id],
        )
        if row is None:
            raise NotFound("Usuário não encontrado.")
        audit.record(
            tx, actor, "usuario.senha_redefinida", subject_type="usuario", subject_id=user_id
        )

    db.write(work)


# --- profiles (perfis) ----------------------------------------------------------------------


@dataclass
class ProfileInput:
    name: str
    description: str = ""
    personal_access: bool = False
    sensitive_access: bool = False
    audit_access: bool = False  # the audit screens (a supervisor given the right)


@query(Action.MANAGE_USERS)
def list_profiles(work: Work) -> pl.DataFrame:
    return work.tx.frame(
        """
        SELECT p.id, p.name, p.description, p.personal_access, p.sensitive_access,
            coalesce(p.audit_access, FALSE) AS audit_access,
            p.version, count(up.user_id)::BIGINT AS members
        FROM profiles p
        LEFT JOIN user_profiles up ON up.profile_id = p.id
        GROUP BY p.id, p.name, p.description, p.personal_access, p.sensitive_access,
            p.audit_access, p.version
        ORDER BY p.name
        """
    )


def _clean_profile(data: ProfileInput) -> dict[str, object]:
    name = " ".join(data.name.split())
    if len(name) < 3:
        raise Invalid("Informe o nome do perfil (mínimo 3 letras).", {"name": "obrigatório"})
    return {
        "name": name,
        "description": data.description.strip(),
        "personal_access": data.personal_access,
        "sensitive_access": data.sensitive_access,
        "audit_access": data.audit_access,
    }


@command(Action.MANAGE_USERS)
def create_profile(work: Work, data: ProfileInput) -> int:
    clean = _clean_profile(data)
    if work.tx.scalar("SELECT id FROM profiles WHERE name = ?", [clean["name"]]):
        raise Invalid("Já existe um perfil com este nome.", {"name": "já existe"})
    profile_id = int(
        work.tx.scalar(
            """
            INSERT INTO profiles (name, description, personal_access, sensitive_access,
                audit_access)
            VALUES (?, ?, ?, ?, ?)
            RETURNING id
            """,
            list(clean.values()),
        )
    )
    work.audit("perfil.incluido", subject_type="perfil", subject_id=profile_id, detail=clean)
    return profile_id


@command(Action.MANAGE_USERS)
def update_profile(work: Work, profile_id: int, version: int, data: ProfileInput) -> None:
    clean = _clean_profile(data)
    if work.tx.scalar("SELECT id FROM profiles WHERE id = ?", [profile_id]) is None:
        raise NotFound("Perfil não encontrado.")
    if work.tx.scalar(
        "SELECT id FROM profiles WHERE name = ? AND id <> ?", [clean["name"], profile_id]
    ):
        raise Invalid("Já existe um perfil com este nome.", {"name": "já existe"})
    work.update(
        "profiles",
        profile_id,
        version,
        clean,
        event="perfil.alterado",
        subject_type="perfil",
        missing="Perfil não encontrado.",
    )


def create_first_admin(db: Database, username: str, name: str, password: str) -> int:
    """Bootstrap a real deployment: the first administrator, from the server's command line.

    Refused once an active admin exists: from then on admins are managed in the app, where
    every change is checked and audited against a logged-in actor.
    """
    password_hash = hash_password(password)

    def work(tx: Tx) -> int:
        if tx.scalar("SELECT count(*) FROM users WHERE is_admin AND active"):
            raise Conflict("Já existe um administrador ativo; crie os demais usuários pelo app.")
        clean = _clean_user(tx, UserInput(username=username, name=name, is_admin=True))
        if tx.scalar("SELECT id FROM users WHERE username = ?", [clean["username"]]):
            raise Invalid("Já existe um usuário com este login.", {"username": "já existe"})
        user_id = int(
            tx.scalar(
                "INSERT INTO users (username, name, password_hash, is_admin, personal_access,"
                " sensitive_access, sessions_valid_after, created_at, updated_at)"
                " VALUES (?, ?, ?, TRUE, TRUE, TRUE, ?, ?, ?) RETURNING id",
                [clean["username"], clean["name"], password_hash, tx.now, tx.now, tx.now],
            )
        )
        audit.record(
            tx, None, "usuario.incluido", username="(linha de comando)",
            subject_type="usuario", subject_id=user_id, detail={"admin": True},
        )  # fmt: skip
        return user_id

    return db.write(work)
