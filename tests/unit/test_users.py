"""Administration of login users and profiles: rules, refusals and their audit trail."""

from __future__ import annotations

import json
from typing import Any

import pytest

from core import users
from core.access import User
from core.auth import check_login
from core.config import Settings
from core.db import Database
from core.errors import STALE_RECORD, Conflict, Forbidden, Invalid, NotFound
from core.users import ProfileInput, UserInput
from tests import factories
from tests.factories import TEST_PASSWORD

NEW_PASSWORD = "Senha-nova-2026"


def _audit(db: Database, event: str) -> list[dict[str, Any]]:
    rows = db.read(
        lambda tx: tx.all(
            "SELECT user_id, subject_type, subject_id, detail FROM audit_log"
            " WHERE event = ? ORDER BY id",
            [event],
        )
    )
    return [{**row, "detail": json.loads(row["detail"])} for row in rows]


def _all_audit_details(db: Database) -> str:
    return "\n".join(
        db.read(lambda tx: [r["detail"] for r in tx.all("SELECT detail FROM audit_log")])
    )


def _row(db: Database, user_id: int) -> dict[str, Any]:
    row = db.read(lambda tx: tx.one("SELECT * FROM users WHERE id = ?", [user_id]))
    assert row is not None
    return row


def _count_users(db: Database) -> int:
    return int(db.read(lambda tx: tx.scalar("SELECT count(*) FROM users")))


def _create(db: Database, admin: User, **overrides: Any) -> int:
    data = UserInput(
        **{"username": "novo.usuario", "name": "Novo Usuário", "email": "novo@exemplo.com.br"}
        | overrides
    )
    return users.create_user(db, admin, data, NEW_PASSWORD)


# --- create ---------------------------------------------------------------------------------


def test_an_admin_creates_a_user_who_can_then_log_in(
    db: Database, settings: Settings, admin: User
) -> None:
    user_id = _create(db, admin, username="  Novo.Usuario ", personal_access=True)

    row = _row(db, user_id)
    assert row["username"] == "novo.usuario"
    assert row["personal_access"] is True
    assert row["password_hash"] != NEW_PASSWORD
    assert check_login(db, settings, "novo.usuario", NEW_PASSWORD).ok


def test_creating_a_user_is_audited_without_the_password_hash_or_email(
    db: Database, admin: User
) -> None:
    profile_id = factories.make_profile(db, "Dados pessoais", personal=True)

    user_id = _create(db, admin, profile_ids=(profile_id,))

    (row,) = _audit(db, "usuario.incluido")
    assert row["user_id"] == admin.id
    assert row["subject_id"] == str(user_id)
    assert row["detail"] == {
        "username": "novo.usuario",
        "name": "Novo Usuário",
        "is_admin": False,
        "personal_access": False,
        "sensitive_access": False,
        "perfis": [profile_id],
    }
    details = _all_audit_details(db)
    assert _row(db, user_id)["password_hash"] not in details
    assert "$2b$" not in details
    assert "novo@exemplo.com.br" not in details


def test_a_new_user_gets_the_profiles_chosen_and_their_accesses(db: Database, admin: User) -> None:
    profile_id = factories.make_profile(db, "Sensíveis", sensitive=True)

    _create(db, admin, profile_ids=(profile_id,))

    created = factories.load_user(db, "novo.usuario")
    assert created.profile_names == ("Sensíveis",)
    assert created.sensitive_access


@pytest.mark.parametrize("username", ["ab", "Ana Maria", "1ana", "ana@empresa", "a" * 33])
def test_a_login_outside_the_allowed_format_is_refused(
    db: Database, admin: User, username: str
) -> None:
    before = _count_users(db)

    with pytest.raises(Invalid) as refused:
        _create(db, admin, username=username)

    assert refused.value.problems["username"].startswith("usuário deve ter 3 a 32")
    assert _count_users(db) == before


def test_a_duplicate_login_is_refused(db: Database, admin: User, operator: User) -> None:
    with pytest.raises(Invalid, match="Já existe um usuário com este login"):
        _create(db, admin, username=operator.username.upper())


def test_a_user_needs_a_full_name_a_valid_email_and_known_profiles(
    db: Database, admin: User
) -> None:
    with pytest.raises(Invalid) as refused:
        _create(db, admin, name="A", email="sem-arroba", profile_ids=(999,))

    assert set(refused.value.problems) == {"name", "email", "profile_ids"}


def test_a_weak_password_refuses_the_new_user_and_writes_nothing(db: Database, admin: User) -> None:
    before = _count_users(db)

    with pytest.raises(Invalid, match="pelo menos 10 caracteres"):
        users.create_user(db, admin, UserInput("fraco", "Senha Fraca"), "123")

    assert _count_users(db) == before
    assert _audit(db, "usuario.incluido") == []


@pytest.mark.parametrize("actor", ["supervisor", "operator", "plain_user"])
def test_only_an_admin_may_create_users(
    db: Database, actor: str, request: pytest.FixtureRequest
) -> None:
    user: User = request.getfixturevalue(actor)
    before = _count_users(db)

    with pytest.raises(Forbidden):
        _create(db, user)

    assert _count_users(db) == before
    (refusal,) = _audit(db, "acesso.negado")
    assert refusal["user_id"] == user.id
    assert refusal["subject_id"] == "manage_users"


def test_non_admins_may_not_list_change_or_reset_users(
    db: Database, supervisor: User, operator: User
) -> None:
    row = _row(db, operator.id)
    data = UserInput(operator.username, "Outro Nome")

    for attempt in (
        lambda: users.list_users(db, supervisor),
        lambda: users.update_user(db, supervisor, operator.id, row["version"], data),
        lambda: users.set_user_active(db, supervisor, operator.id, False),
        lambda: users.reset_password(db, supervisor, operator.id, NEW_PASSWORD),
        lambda: users.list_profiles(db, supervisor),
        lambda: users.create_profile(db, supervisor, ProfileInput("Perfil Novo")),
    ):
        with pytest.raises(Forbidden):
            attempt()

    assert _row(db, operator.id) == row
    assert len(_audit(db, "acesso.negado")) == 6


# --- update ---------------------------------------------------------------------------------


def test_an_update_changes_the_user_and_audits_old_and_new_values(
    db: Database, admin: User, operator: User
) -> None:
    version = _row(db, operator.id)["version"]

    users.update_user(
        db,
        admin,
        operator.id,
        version,
        UserInput(
            operator.username,
            "Nome Corrigido",
            email="novo@exemplo.com.br",
            sensitive_access=True,
            personal_access=True,
        ),
    )

    row = _row(db, operator.id)
    assert (row["name"], row["sensitive_access"], row["version"]) == (
        "Nome Corrigido",
        True,
        version + 1,
    )
    (audit_row,) = _audit(db, "usuario.alterado")
    assert audit_row["detail"] == {
        "name": {"de": operator.name, "para": "Nome Corrigido"},
        "sensitive_access": {"de": False, "para": True},
        "email": "alterado",
    }
    assert "novo@exemplo.com.br" not in _all_audit_details(db)
    assert "$2b$" not in _all_audit_details(db)


def test_an_update_keeps_the_login_name(db: Database, admin: User, operator: User) -> None:
    users.update_user(
        db, admin, operator.id, 1, UserInput("outro.login", operator.name, personal_access=True)
    )

    assert _row(db, operator.id)["username"] == operator.username


def test_an_update_records_profile_changes(db: Database, admin: User, operator: User) -> None:
    first = factories.make_profile(db, "Primeiro")
    second = factories.make_profile(db, "Segundo")
    users.update_user(
        db,
        admin,
        operator.id,
        1,
        UserInput(operator.username, operator.name, personal_access=True, profile_ids=(first,)),
    )

    users.update_user(
        db,
        admin,
        operator.id,
        2,
        UserInput(operator.username, operator.name, personal_access=True, profile_ids=(second,)),
    )

    assert factories.reload(db, operator).profile_names == ("Segundo",)
    assert _audit(db, "usuario.alterado")[-1]["detail"] == {
        "perfis": {"de": [first], "para": [second]}
    }


def test_an_update_on_a_stale_version_is_a_conflict_and_writes_nothing(
    db: Database, admin: User, operator: User
) -> None:
    users.update_user(
        db,
        admin,
        operator.id,
        1,
        UserInput(operator.username, "Primeira Edição", personal_access=True),
    )
    before = _row(db, operator.id)

    with pytest.raises(Conflict) as refused:
        users.update_user(
            db, admin, operator.id, 1, UserInput(operator.username, "Edição Atrasada")
        )

    assert refused.value.message == STALE_RECORD
    assert _row(db, operator.id) == before
    assert len(_audit(db, "usuario.alterado")) == 1


def test_an_admin_may_not_remove_their_own_admin_access(db: Database, admin: User) -> None:
    with pytest.raises(Invalid, match="seu próprio acesso de administrador"):
        users.update_user(db, admin, admin.id, 1, UserInput(admin.username, admin.name))

    assert _row(db, admin.id)["is_admin"] is True


def test_updating_an_unknown_user_is_not_found(db: Database, admin: User) -> None:
    with pytest.raises(NotFound):
        users.update_user(db, admin, 9999, 1, UserInput("ninguem", "Ninguém Aqui"))


# --- deactivate and reset -------------------------------------------------------------------


def test_deactivating_a_user_is_audited_and_can_be_undone(
    db: Database, admin: User, operator: User
) -> None:
    users.set_user_active(db, admin, operator.id, active=False)
    assert _row(db, operator.id)["active"] is False
    users.set_user_active(db, admin, operator.id, active=True)

    assert _row(db, operator.id)["active"] is True
    assert [r["subject_id"] for r in _audit(db, "usuario.desativado")] == [str(operator.id)]
    assert [r["subject_id"] for r in _audit(db, "usuario.ativado")] == [str(operator.id)]


def test_an_admin_may_not_deactivate_themselves(db: Database, admin: User) -> None:
    with pytest.raises(Invalid, match="desativar o seu próprio usuário"):
        users.set_user_active(db, admin, admin.id, active=False)

    assert _row(db, admin.id)["active"] is True


def test_deactivating_an_unknown_user_is_not_found(db: Database, admin: User) -> None:
    with pytest.raises(NotFound):
        users.set_user_active(db, admin, 9999, active=False)


def test_a_password_reset_replaces_the_password_and_is_audited_without_the_hash(
    db: Database, settings: Settings, admin: User, operator: User
) -> None:
    users.reset_password(db, admin, operator.id, NEW_PASSWORD)

    assert not check_login(db, settings, operator.username, TEST_PASSWORD).ok
    assert check_login(db, settings, operator.username, NEW_PASSWORD).ok
    (row,) = _audit(db, "usuario.senha_redefinida")
    assert (row["user_id"], row["subject_id"], row["detail"]) == (admin.id, str(operator.id), {})
    details = _all_audit_details(db)
    assert NEW_PASSWORD not in details
    assert _row(db, operator.id)["password_hash"] not in details


def test_a_password_reset_applies_the_password_policy(
    db: Database, admin: User, operator: User
) -> None:
    before = _row(db, operator.id)["password_hash"]

    with pytest.raises(Invalid):
        users.reset_password(db, admin, operator.id, "curta")

    assert _row(db, operator.id)["password_hash"] == before


def test_resetting_the_password_of_an_unknown_user_is_not_found(db: Database, admin: User) -> None:
    with pytest.raises(NotFound):
        users.reset_password(db, admin, 9999, NEW_PASSWORD)


def test_the_user_list_shows_profiles_and_never_the_password_hash(
    db: Database, admin: User, operator: User
) -> None:
    factories.make_profile(db, "Perfil B", members=[operator])
    factories.make_profile(db, "Perfil A", members=[operator])

    frame = users.list_users(db, admin)

    assert "password_hash" not in frame.columns
    listed = {row["username"]: row for row in frame.iter_rows(named=True)}
    assert set(listed) == {admin.username, operator.username}
    assert listed[operator.username]["profiles"] == "Perfil A, Perfil B"


def test_the_user_list_masks_emails_for_an_admin_without_192(db: Database, operator: User) -> None:
    admin = factories.make_admin(db, personal=False, sensitive=False)

    frame = users.list_users(db, admin)

    assert set(frame["email"].to_list()) == {"*****"}


# --- profiles -------------------------------------------------------------------------------


def test_an_admin_creates_and_renames_a_profile_with_audits(db: Database, admin: User) -> None:
    profile_id = users.create_profile(
        db, admin, ProfileInput("  Dados   pessoais ", "Acesso 192", personal_access=True)
    )

    users.update_profile(
        db, admin, profile_id, 1, ProfileInput("Dados pessoais (192)", "Acesso 192", True)
    )

    listed = users.list_profiles(db, admin).row(0, named=True)
    assert (listed["name"], listed["personal_access"], listed["version"]) == (
        "Dados pessoais (192)",
        True,
        2,
    )
    (created,) = _audit(db, "perfil.incluido")
    assert created["detail"]["name"] == "Dados pessoais"
    (changed,) = _audit(db, "perfil.alterado")
    assert changed["detail"] == {"name": {"de": "Dados pessoais", "para": "Dados pessoais (192)"}}


def test_a_profile_name_must_be_unique_and_present(db: Database, admin: User) -> None:
    users.create_profile(db, admin, ProfileInput("Supervisores"))
    other = users.create_profile(db, admin, ProfileInput("Operadores"))

    with pytest.raises(Invalid, match="Já existe um perfil"):
        users.create_profile(db, admin, ProfileInput("Supervisores"))
    with pytest.raises(Invalid, match="Já existe um perfil"):
        users.update_profile(db, admin, other, 1, ProfileInput("Supervisores"))
    with pytest.raises(Invalid, match="nome do perfil"):
        users.create_profile(db, admin, ProfileInput("  "))


def test_a_profile_update_on_a_stale_version_is_a_conflict(db: Database, admin: User) -> None:
    profile_id = users.create_profile(db, admin, ProfileInput("Perfil Versionado"))
    users.update_profile(db, admin, profile_id, 1, ProfileInput("Perfil Versionado", "v2"))

    with pytest.raises(Conflict):
        users.update_profile(db, admin, profile_id, 1, ProfileInput("Perfil Velho"))

    assert users.list_profiles(db, admin)["name"].to_list() == ["Perfil Versionado"]


def test_granting_192_on_a_profile_reaches_its_members_at_their_next_request(
    db: Database, admin: User, operator: User
) -> None:
    member = factories.make_operator(db, personal=False)
    profile_id = users.create_profile(db, admin, ProfileInput("Equipe"))
    users.update_user(
        db, admin, member.id, 1, UserInput(member.username, member.name, profile_ids=(profile_id,))
    )
    assert not factories.reload(db, member).personal_access

    users.update_profile(db, admin, profile_id, 1, ProfileInput("Equipe", personal_access=True))

    assert factories.reload(db, member).personal_access


def test_an_admin_without_192_editing_a_user_keeps_the_stored_email(
    db: Database, operator: User
) -> None:
    admin = factories.make_admin(db, personal=False, sensitive=False)
    shown = users.list_users(db, admin).filter(username=operator.username).row(0, named=True)

    users.update_user(
        db,
        admin,
        operator.id,
        shown["version"],
        UserInput(operator.username, "Nome Novo", email=shown["email"], personal_access=True),
    )

    row = _row(db, operator.id)
    assert row["name"] == "Nome Novo"
    assert row["email"] == f"{operator.username}@exemplo.com.br"
