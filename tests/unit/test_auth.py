"""Passwords, logins, lockout and which login cookies are still honoured."""

from __future__ import annotations

import os
import threading
import time
from datetime import timedelta

import pytest

from core import auth, users
from core.access import User
from core.auth import (
    active_usernames,
    check_login,
    check_password_policy,
    hash_password,
    logout,
    session_user,
)
from core.config import Settings
from core.db import Database
from core.errors import Invalid
from tests import factories
from tests.conftest import Clock
from tests.factories import TEST_PASSWORD


def _events(db: Database) -> list[tuple[str, str]]:
    return db.read(
        lambda tx: [
            (row["event"], row["username"])
            for row in tx.all(
                "SELECT event, username FROM audit_log WHERE event LIKE 'login.%' ORDER BY id"
            )
        ]
    )


# --- password policy ------------------------------------------------------------------------


def test_a_password_shorter_than_ten_characters_is_refused_in_portuguese() -> None:
    with pytest.raises(Invalid) as refused:
        check_password_policy("curta-123")

    assert refused.value.message == "A senha deve ter pelo menos 10 caracteres."
    assert refused.value.problems == {"password": "muito curta"}


def test_a_ten_character_password_is_accepted() -> None:
    assert check_password_policy("0123456789") is None  # raises Invalid when refused


def test_a_password_of_exactly_72_bytes_is_accepted() -> None:
    assert check_password_policy("a" * 72) is None
    assert check_password_policy("ã" * 36) is None  # 2 bytes each


def test_a_password_longer_than_72_bytes_is_refused() -> None:
    with pytest.raises(Invalid, match="no máximo 72 bytes"):
        check_password_policy("a" * 73)


def test_accented_letters_count_as_two_bytes_towards_the_72_byte_limit() -> None:
    assert check_password_policy("ação" * 10) is None  # 40 characters, 60 bytes

    with pytest.raises(Invalid) as refused:
        check_password_policy("é" * 37)  # 37 characters, 74 bytes

    assert "letras acentuadas ocupam 2 bytes" in refused.value.message
    assert refused.value.problems == {"password": "muito longa"}


def test_hashing_applies_the_policy_and_never_stores_the_password_itself() -> None:
    with pytest.raises(Invalid):
        hash_password("curta")

    hashed = hash_password("Senha-forte-2026")
    assert "Senha-forte-2026" not in hashed
    assert hashed.startswith("$2")


# --- check_login ----------------------------------------------------------------------------


def test_the_right_password_logs_in_and_is_audited_as_login_ok(
    db: Database, settings: Settings, operator: User, clock: Clock
) -> None:
    result = check_login(db, settings, operator.username, TEST_PASSWORD)

    assert result.ok
    assert result.user_id == operator.id
    assert _events(db) == [("login.ok", operator.username)]
    last_login = db.read(
        lambda tx: tx.scalar("SELECT last_login_at FROM users WHERE id = ?", [operator.id])
    )
    assert last_login == clock.now


def test_login_ignores_case_and_spaces_around_the_username(
    db: Database, settings: Settings, operator: User
) -> None:
    result = check_login(db, settings, f"  {operator.username.upper()} ", TEST_PASSWORD)

    assert result.ok


def test_a_wrong_password_is_refused_and_audited_as_login_falha(
    db: Database, settings: Settings, operator: User
) -> None:
    result = check_login(db, settings, operator.username, "senha-errada-123")

    assert not result.ok
    assert result.user_id is None
    assert result.message == "Usuário ou senha incorretos."
    assert _events(db) == [("login.falha", operator.username)]


def test_the_old_password_fails_if_it_was_changed_while_being_checked(
    db: Database, settings: Settings, operator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The password is checked before the login's transaction: a change in between wins."""
    check = auth._password_matches

    def changed_meanwhile(password: str, password_hash: str) -> bool:
        matched = check(password, password_hash)
        db.write(lambda tx: tx.execute(
            "UPDATE users SET password_hash = ? WHERE id = ?",
            [hash_password("Outra-senha-2026"), operator.id],
        ))  # fmt: skip
        return matched

    monkeypatch.setattr(auth, "_password_matches", changed_meanwhile)
    result = check_login(db, settings, operator.username, TEST_PASSWORD)

    assert not result.ok
    assert _events(db) == [("login.falha", operator.username)]


def test_an_unknown_user_gets_the_same_message_as_a_wrong_password(
    db: Database, settings: Settings
) -> None:
    result = check_login(db, settings, "ninguem", TEST_PASSWORD)

    assert not result.ok
    assert result.message == "Usuário ou senha incorretos."
    assert _events(db) == [("login.falha", "ninguem")]


def test_an_inactive_user_cannot_log_in_even_with_the_right_password(
    db: Database, settings: Settings, admin: User, operator: User
) -> None:
    users.set_user_active(db, admin, operator.id, active=False)

    result = check_login(db, settings, operator.username, TEST_PASSWORD)

    assert not result.ok
    assert result.message == "Usuário ou senha incorretos."
    assert _events(db) == [("login.falha", operator.username)]


def test_a_password_over_72_bytes_simply_fails_to_log_in(
    db: Database, settings: Settings, operator: User
) -> None:
    result = check_login(db, settings, operator.username, TEST_PASSWORD + "x" * 80)

    assert not result.ok


def test_fifth_failed_login_locks_the_user_for_fifteen_minutes(
    db: Database, settings: Settings, operator: User, clock: Clock
) -> None:
    for _ in range(4):
        assert check_login(db, settings, operator.username, "senha-errada-123").message == (
            "Usuário ou senha incorretos."
        )

    fifth = check_login(db, settings, operator.username, "senha-errada-123")

    assert not fifth.ok
    assert fifth.message == "Senha incorreta. Usuário bloqueado por 15 minutos."
    locked_until = db.read(
        lambda tx: tx.scalar("SELECT locked_until FROM users WHERE id = ?", [operator.id])
    )
    assert locked_until == clock.now + timedelta(minutes=15)


def test_a_locked_user_is_refused_even_with_the_right_password(
    db: Database, settings: Settings, operator: User, clock: Clock
) -> None:
    for _ in range(5):
        check_login(db, settings, operator.username, "senha-errada-123")
    clock.advance(minutes=14)

    result = check_login(db, settings, operator.username, TEST_PASSWORD)

    assert not result.ok
    assert "Usuário bloqueado por excesso de tentativas" in result.message
    assert "1 minuto(s)" in result.message


def test_after_sixteen_minutes_the_locked_user_logs_in_again(
    db: Database, settings: Settings, operator: User, clock: Clock
) -> None:
    for _ in range(5):
        check_login(db, settings, operator.username, "senha-errada-123")
    clock.advance(minutes=16)

    assert check_login(db, settings, operator.username, TEST_PASSWORD).ok


def test_lockout_events_are_audited_in_order(
    db: Database, settings: Settings, operator: User, clock: Clock
) -> None:
    for _ in range(5):
        check_login(db, settings, operator.username, "senha-errada-123")
    check_login(db, settings, operator.username, TEST_PASSWORD)
    clock.advance(minutes=16)
    check_login(db, settings, operator.username, TEST_PASSWORD)

    events = [event for event, _ in _events(db)]
    assert events == ["login.falha"] * 4 + ["login.bloqueado", "login.bloqueado", "login.ok"]


def test_a_successful_login_resets_the_failure_count(
    db: Database, settings: Settings, operator: User
) -> None:
    for _ in range(4):
        check_login(db, settings, operator.username, "senha-errada-123")
    assert check_login(db, settings, operator.username, TEST_PASSWORD).ok

    for _ in range(4):
        check_login(db, settings, operator.username, "senha-errada-123")

    assert check_login(db, settings, operator.username, TEST_PASSWORD).ok


def test_an_admin_password_reset_unlocks_a_locked_user(
    db: Database, settings: Settings, admin: User, operator: User, clock: Clock
) -> None:
    for _ in range(5):
        check_login(db, settings, operator.username, "senha-errada-123")
    clock.advance(seconds=30)  # the admin resets the password after the lock

    users.reset_password(db, admin, operator.id, "Nova-senha-2026")

    assert check_login(db, settings, operator.username, "Nova-senha-2026").ok


def test_the_login_list_holds_only_active_users(
    db: Database, admin: User, operator: User, plain_user: User
) -> None:
    users.set_user_active(db, admin, plain_user.id, active=False)

    listed = active_usernames(db)

    assert set(listed) == {admin.username, operator.username}
    assert listed[operator.username] == operator.name


# --- session validity -----------------------------------------------------------------------


def test_a_login_issued_before_logout_is_no_longer_honoured(
    db: Database, operator: User, clock: Clock
) -> None:
    issued = clock.now
    clock.advance(minutes=5)

    logout(db, operator, None)

    assert session_user(db, operator.id, issued) is None
    assert session_user(db, operator.id, clock.advance(seconds=1)) == operator


def test_logout_is_audited(db: Database, operator: User) -> None:
    logout(db, operator, None)

    events = db.read(lambda tx: tx.all("SELECT event, user_id FROM audit_log"))
    assert events == [{"event": "logout", "user_id": operator.id}]


def test_a_login_issued_before_a_password_reset_is_no_longer_honoured(
    db: Database, admin: User, operator: User, clock: Clock
) -> None:
    issued = clock.now
    clock.advance(minutes=1)

    users.reset_password(db, admin, operator.id, "Nova-senha-2026")

    assert session_user(db, operator.id, issued) is None
    assert session_user(db, operator.id, clock.advance(seconds=1)) is not None


def test_a_login_of_a_deactivated_user_is_no_longer_honoured(
    db: Database, admin: User, operator: User, clock: Clock
) -> None:
    issued = clock.now
    clock.advance(minutes=1)

    users.set_user_active(db, admin, operator.id, active=False)

    assert session_user(db, operator.id, issued) is None
    assert session_user(db, operator.id, clock.advance(seconds=1)) is None


def test_a_reactivated_user_needs_a_fresh_login(
    db: Database, admin: User, operator: User, clock: Clock
) -> None:
    issued = clock.now
    clock.advance(minutes=1)
    users.set_user_active(db, admin, operator.id, active=False)
    clock.advance(minutes=1)
    users.set_user_active(db, admin, operator.id, active=True)

    assert session_user(db, operator.id, issued) is None
    assert session_user(db, operator.id, clock.advance(seconds=1)) == operator


def test_an_unknown_user_id_has_no_session(db: Database, clock: Clock) -> None:
    assert session_user(db, 999_999, clock.now) is None


def test_the_session_user_carries_the_operator_and_its_groups(db: Database, clock: Clock) -> None:
    main = factories.make_group(db, "Principal")
    extra = factories.make_group(db, "Extra")
    user = factories.make_operator(db, group_id=main, extra_group_ids=[extra], code="OP42")

    loaded = session_user(db, user.id, clock.now)

    assert loaded is not None and loaded.operator is not None
    assert loaded.operator.code == "OP42"
    assert loaded.operator.main_group_name == "Principal"
    assert loaded.operator.group_ids == (main, extra)


# --- accesses 192 / 193 ---------------------------------------------------------------------


def test_a_user_without_grants_has_neither_access_192_nor_193(
    db: Database, plain_user: User
) -> None:
    assert not plain_user.personal_access
    assert not plain_user.sensitive_access


def test_access_192_can_be_granted_directly(db: Database) -> None:
    user = factories.make_user(db, personal=True)

    assert user.personal_access
    assert not user.sensitive_access


def test_access_192_can_come_from_a_profile(db: Database) -> None:
    user = factories.make_user(db)
    factories.make_profile(db, "Dados pessoais", personal=True, members=[user])

    reloaded = factories.reload(db, user)

    assert reloaded.personal_access
    assert not reloaded.sensitive_access
    assert reloaded.profile_names == ("Dados pessoais",)


def test_access_193_can_be_granted_directly_or_through_a_profile(db: Database) -> None:
    direct = factories.make_user(db, sensitive=True)
    member = factories.make_user(db)
    factories.make_profile(db, "Dados sensíveis", sensitive=True, members=[member])

    assert direct.sensitive_access
    assert factories.reload(db, member).sensitive_access


def test_a_profile_without_grants_adds_no_access(db: Database) -> None:
    user = factories.make_user(db)
    factories.make_profile(db, "Sem acessos", members=[user])

    reloaded = factories.reload(db, user)

    assert not reloaded.personal_access
    assert not reloaded.sensitive_access


def test_the_lock_message_rounds_the_remaining_time_up_to_whole_minutes(
    db: Database, settings: Settings, operator: User, clock: Clock
) -> None:
    for _ in range(5):
        check_login(db, settings, operator.username, "senha-errada-123")

    assert "em 15 minuto(s)" in check_login(db, settings, operator.username, "x").message
    clock.advance(minutes=10, seconds=30)
    assert "em 5 minuto(s)" in check_login(db, settings, operator.username, "x").message
    clock.advance(minutes=4, seconds=29)
    assert "em 1 minuto(s)" in check_login(db, settings, operator.username, "x").message


def test_password_checks_leave_a_core_free_and_run_on_the_callers_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A login storm's bcrypt checks run at most cpu_count - 1 at a time (at least one), each
    on its caller's thread at normal priority: a login never waits behind a starved worker."""
    running, peak, threads = [0], [0], set()
    lock = threading.Lock()

    def slow_check(password: bytes, hashed: bytes) -> bool:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
            threads.add(threading.get_ident())
        time.sleep(0.05)
        with lock:
            running[0] -= 1
        return password == b"Senha-forte-2026"

    monkeypatch.setattr(auth.bcrypt, "checkpw", slow_check)
    results: list[bool] = []
    callers = [
        threading.Thread(
            target=lambda: results.append(auth._password_matches("Senha-forte-2026", "$2b$"))
        )
        for _ in range((os.cpu_count() or 2) + 3)
    ]
    for thread in callers:
        thread.start()
    for thread in callers:
        thread.join()

    assert results == [True] * len(callers)
    assert auth._password_matches("outra-senha-2026", "$2b$") is False
    assert peak[0] == max(1, (os.cpu_count() or 2) - 1)
    assert threads <= {thread.ident for thread in callers} | {threading.get_ident()}
