"""Login abuse: throttling per user and client, no bcrypt for refused tries, no enumeration,
capped usernames, and the cookie key and secrets file checks."""

from __future__ import annotations

import stat
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from core import auth
from core.access import User
from core.auth import MAX_USERNAME_CHARS, check_login
from core.config import ConfigError, Settings, load_settings
from core.db import Database
from tests import factories
from tests.conftest import Clock
from tests.factories import TEST_PASSWORD

SPRAYER = "203.0.113.7"
ELSEWHERE = "198.51.100.20"
WRONG = "senha-errada-123"


@pytest.fixture
def bcrypt_calls(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """The real bcrypt check, counting its calls (the hashes it was asked to check)."""
    calls: list[bytes] = []
    real: Callable[[bytes, bytes], bool] = auth.bcrypt.checkpw

    def counting(password: bytes, hashed: bytes) -> bool:
        calls.append(hashed)
        return real(password, hashed)

    monkeypatch.setattr(auth.bcrypt, "checkpw", counting)
    return calls


@pytest.fixture
def six_users(db: Database) -> list[User]:
    return [
        factories.make_admin(db, username="admin"),
        *(factories.make_user(db, username=f"pessoa{i}") for i in range(5)),
    ]


def _rows(db: Database, sql: str) -> list[dict[str, object]]:
    return db.read(lambda tx: tx.all(sql))


def test_a_spray_from_one_client_locks_nobody_logging_in_from_elsewhere(
    db: Database, settings: Settings, six_users: list[User]
) -> None:
    for user in six_users:  # 30 failures: every account, admin included, from one address
        for _ in range(5):
            assert not check_login(db, settings, user.username, WRONG, client=SPRAYER).ok

    for user in six_users:
        assert check_login(db, settings, user.username, TEST_PASSWORD, client=ELSEWHERE).ok


def test_the_per_user_lock_holds_for_the_client_that_caused_it(
    db: Database, settings: Settings, operator: User, clock: Clock
) -> None:
    for _ in range(4):
        check_login(db, settings, operator.username, WRONG, client=SPRAYER)
    fifth = check_login(db, settings, operator.username, WRONG, client=SPRAYER)
    clock.advance(minutes=14)

    refused = check_login(db, settings, operator.username, TEST_PASSWORD, client=SPRAYER)

    assert fifth.message == "Senha incorreta. Usuário bloqueado por 15 minutos."
    assert not refused.ok
    assert "Usuário bloqueado por excesso de tentativas" in refused.message
    assert check_login(db, settings, operator.username, TEST_PASSWORD, client=ELSEWHERE).ok
    clock.advance(minutes=1, seconds=1)
    assert check_login(db, settings, operator.username, TEST_PASSWORD, client=SPRAYER).ok


def test_the_thirtieth_failure_from_one_client_refuses_that_client_whatever_the_username(
    db: Database, settings: Settings, six_users: list[User], operator: User, clock: Clock
) -> None:
    for user in six_users:
        for _ in range(5):
            check_login(db, settings, user.username, WRONG, client=SPRAYER)

    refused = check_login(db, settings, operator.username, TEST_PASSWORD, client=SPRAYER)

    assert not refused.ok  # the operator never failed, but this address tried 30 times
    assert refused.message == (
        "Muitas tentativas de entrada a partir deste endereço. Tente novamente em 15 minuto(s)."
    )
    clock.advance(minutes=15, seconds=1)
    assert check_login(db, settings, operator.username, TEST_PASSWORD, client=SPRAYER).ok


def test_failures_spread_over_more_than_the_window_do_not_lock(
    db: Database, settings: Settings, operator: User, clock: Clock
) -> None:
    for _ in range(4):
        check_login(db, settings, operator.username, WRONG, client=SPRAYER)
    clock.advance(minutes=15)

    after_the_window = check_login(db, settings, operator.username, WRONG, client=SPRAYER)

    assert after_the_window.message == "Usuário ou senha incorretos."


def test_a_locked_account_is_refused_without_running_bcrypt(
    db: Database, settings: Settings, operator: User, bcrypt_calls: list[bytes]
) -> None:
    for _ in range(5):
        check_login(db, settings, operator.username, WRONG, client=SPRAYER)
    assert len(bcrypt_calls) == 5

    for _ in range(20):
        assert not check_login(db, settings, operator.username, TEST_PASSWORD, client=SPRAYER).ok

    assert len(bcrypt_calls) == 5


def test_a_throttled_client_is_refused_without_running_bcrypt(
    db: Database, settings: Settings, six_users: list[User], bcrypt_calls: list[bytes]
) -> None:
    for user in six_users:
        for _ in range(5):
            check_login(db, settings, user.username, WRONG, client=SPRAYER)
    before = len(bcrypt_calls)

    result = check_login(db, settings, "qualquer.outro", WRONG, client=SPRAYER)

    assert "Muitas tentativas" in result.message
    assert len(bcrypt_calls) == before


def test_an_unknown_user_gets_the_same_answer_and_the_same_bcrypt_check_as_a_known_one(
    db: Database, settings: Settings, operator: User, bcrypt_calls: list[bytes]
) -> None:
    known = check_login(db, settings, operator.username, WRONG, client=SPRAYER)
    unknown = check_login(db, settings, "ninguem", WRONG, client=SPRAYER)

    assert unknown == known
    assert len(bcrypt_calls) == 2
    stored = db.read(
        lambda tx: tx.scalar("SELECT password_hash FROM users WHERE id = ?", [operator.id])
    ).encode()
    dummy = bcrypt_calls[1]
    assert dummy != stored
    assert dummy[:7] == stored[:7]  # same algorithm and cost ($2b$NN$)


def test_an_unknown_user_is_locked_after_five_failures_like_a_known_one(
    db: Database, settings: Settings, operator: User
) -> None:
    """Otherwise the lock message would tell which usernames exist."""
    known = [check_login(db, settings, operator.username, WRONG).message for _ in range(6)]
    unknown = [check_login(db, settings, "ninguem", WRONG).message for _ in range(6)]

    assert unknown == known


def test_a_two_million_character_username_is_stored_and_audited_at_most_at_the_cap(
    db: Database, settings: Settings, bcrypt_calls: list[bytes]
) -> None:
    result = check_login(db, settings, "a" * 2_000_000, WRONG, client=SPRAYER)

    assert not result.ok
    assert result.message == "Usuário ou senha incorretos."
    audited = _rows(db, "SELECT username, detail FROM audit_log")
    assert [len(str(row["username"])) for row in audited] == [MAX_USERNAME_CHARS]
    assert all(len(str(row["detail"])) < 200 for row in audited)
    throttled = _rows(db, "SELECT username, client, failures FROM login_throttle")
    assert throttled == [{"username": "", "client": SPRAYER, "failures": 1}]
    assert bcrypt_calls == []  # nobody has such a login: nothing to check


def test_the_client_address_is_capped_too(db: Database, settings: Settings) -> None:
    check_login(db, settings, "ninguem", WRONG, client="9" * 100_000)

    clients = _rows(db, "SELECT DISTINCT length(client) AS n FROM login_throttle")
    assert clients == [{"n": auth.MAX_CLIENT_CHARS}]


def test_expired_throttle_rows_are_pruned(
    db: Database, settings: Settings, operator: User, clock: Clock
) -> None:
    for number in range(10):
        check_login(db, settings, f"tentativa{number}", WRONG, client=f"192.0.2.{number}")
    clock.advance(minutes=16)

    check_login(db, settings, operator.username, WRONG, client=SPRAYER)

    kept = _rows(db, "SELECT username, client FROM login_throttle ORDER BY username")
    assert kept == [
        {"username": "", "client": SPRAYER},
        {"username": operator.username, "client": SPRAYER},
    ]


def test_a_successful_login_clears_only_its_own_pair(
    db: Database, settings: Settings, operator: User
) -> None:
    check_login(db, settings, operator.username, WRONG, client=SPRAYER)
    check_login(db, settings, operator.username, WRONG, client=ELSEWHERE)

    assert check_login(db, settings, operator.username, TEST_PASSWORD, client=ELSEWHERE).ok

    kept = _rows(db, "SELECT username, client FROM login_throttle ORDER BY client, username")
    assert kept == [
        {"username": "", "client": ELSEWHERE},  # the client's count is not reset by a login
        {"username": "", "client": SPRAYER},
        {"username": operator.username, "client": SPRAYER},
    ]


def test_login_failures_audit_the_client(db: Database, settings: Settings) -> None:
    check_login(db, settings, "ninguem", WRONG, client=SPRAYER)

    [row] = _rows(db, "SELECT detail FROM audit_log")
    assert f'"cliente": "{SPRAYER}"' in str(row["detail"])


# --- cookie key and secrets file ------------------------------------------------------------


def test_a_cookie_key_shorter_than_32_bytes_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings(environ={"CALLCENTER_COOKIE_KEY": "k" * 31}, secrets_path=tmp_path / "s.toml")

    assert "CALLCENTER_COOKIE_KEY tem menos de 32 bytes" in refused.value.message
    assert "shorter than 32 bytes" in refused.value.message
    assert load_settings(environ={"CALLCENTER_COOKIE_KEY": "k" * 32}).cookie_key == "k" * 32


def test_an_existing_secrets_file_readable_by_others_is_made_owner_only(tmp_path: Path) -> None:
    secrets_file = tmp_path / "secrets.toml"
    secrets_file.write_text('cookie_key = "' + "f" * 48 + '"\n')
    secrets_file.chmod(0o644)

    settings = load_settings(environ={}, secrets_path=secrets_file)

    assert settings.cookie_key == "f" * 48  # the key is kept, only the mode changes
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600


def test_a_secrets_file_that_cannot_be_tightened_stops_the_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets_file = tmp_path / "secrets.toml"
    secrets_file.write_text('cookie_key = "' + "f" * 48 + '"\n')
    secrets_file.chmod(0o640)

    def not_the_owner(self: Path, mode: int) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(Path, "chmod", not_the_owner)

    with pytest.raises(ConfigError, match="chmod 600"):
        load_settings(environ={}, secrets_path=secrets_file)


def test_the_trusted_proxy_setting_is_read_from_the_environment() -> None:
    key = {"CALLCENTER_COOKIE_KEY": "k" * 40}

    assert load_settings(environ=key).trusted_proxy is False
    assert load_settings(environ={**key, "CALLCENTER_TRUSTED_PROXY": "1"}).trusted_proxy


def test_the_dummy_hash_is_drawn_at_start_not_by_the_first_unknown_user() -> None:
    auth._dummy_hash.cache_clear()
    auth.prepare_in_background()
    deadline = time.monotonic() + 30
    while auth._dummy_hash.cache_info().currsize == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert auth._dummy_hash.cache_info().currsize == 1
