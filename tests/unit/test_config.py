"""Settings: defaults, environment overrides and the per-install cookie signing key."""

from __future__ import annotations

import stat
from pathlib import Path

from core.config import DEFAULT_DB_PATH, Settings, load_settings


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_missing_cookie_key_is_generated_into_an_owner_only_secrets_file(
    tmp_path: Path,
) -> None:
    secrets_file = tmp_path / ".streamlit" / "secrets.toml"

    settings = load_settings(environ={}, secrets_path=secrets_file)

    assert len(settings.cookie_key) >= 32
    assert secrets_file.exists()
    assert _mode(secrets_file) == 0o600
    assert f'cookie_key = "{settings.cookie_key}"' in secrets_file.read_text()


def test_the_next_start_reuses_the_same_cookie_key(tmp_path: Path) -> None:
    secrets_file = tmp_path / "secrets.toml"

    first = load_settings(environ={}, secrets_path=secrets_file)
    second = load_settings(environ={}, secrets_path=secrets_file)

    assert second.cookie_key == first.cookie_key


def test_each_install_draws_its_own_cookie_key(tmp_path: Path) -> None:
    one = load_settings(environ={}, secrets_path=tmp_path / "a.toml")
    other = load_settings(environ={}, secrets_path=tmp_path / "b.toml")

    assert one.cookie_key != other.cookie_key


def test_the_cookie_key_from_the_environment_wins_and_no_file_is_written(
    tmp_path: Path,
) -> None:
    secrets_file = tmp_path / "secrets.toml"
    secrets_file.write_text('cookie_key = "' + "f" * 48 + '"\n')

    settings = load_settings(
        environ={"CALLCENTER_COOKIE_KEY": "chave-do-ambiente-" + "e" * 30},
        secrets_path=tmp_path / "nunca-criado.toml",
    )

    assert settings.cookie_key == "chave-do-ambiente-" + "e" * 30
    assert not (tmp_path / "nunca-criado.toml").exists()


def test_a_too_short_key_in_the_file_is_replaced_and_other_secrets_are_kept(
    tmp_path: Path,
) -> None:
    secrets_file = tmp_path / "secrets.toml"
    secrets_file.write_text('smtp_password = "segredo"\ncookie_key = "curta"\n')

    settings = load_settings(environ={}, secrets_path=secrets_file)

    text = secrets_file.read_text()
    assert settings.cookie_key != "curta"
    assert 'smtp_password = "segredo"' in text
    assert text.count("cookie_key") == 1


def test_adding_the_key_to_an_existing_readable_file_makes_it_owner_only(
    tmp_path: Path,
) -> None:
    secrets_file = tmp_path / "secrets.toml"
    secrets_file.write_text('smtp_password = "segredo"\n')
    secrets_file.chmod(0o644)

    load_settings(environ={}, secrets_path=secrets_file)

    assert _mode(secrets_file) == 0o600


def test_the_secrets_file_can_be_chosen_by_environment(tmp_path: Path) -> None:
    chosen = tmp_path / "outro" / "secrets.toml"

    settings = load_settings(
        environ={"CALLCENTER_SECRETS_FILE": str(chosen)}, secrets_path=tmp_path / "ignorado.toml"
    )

    assert f'"{settings.cookie_key}"' in chosen.read_text()
    assert not (tmp_path / "ignorado.toml").exists()


def test_settings_read_the_database_demo_mode_and_lease_from_the_environment(
    tmp_path: Path,
) -> None:
    settings = load_settings(
        environ={
            "CALLCENTER_DB": str(tmp_path / "x.duckdb"),
            "CALLCENTER_DEMO": "0",
            "CALLCENTER_COOKIE_DAYS": "0.5",
            "CALLCENTER_STATION_LEASE_SECONDS": "90",
            "CALLCENTER_COOKIE_KEY": "k" * 40,
        }
    )

    assert settings.db_path == str(tmp_path / "x.duckdb")
    assert settings.demo_mode is False
    assert settings.cookie_expiry_days == 0.5
    assert settings.station_lease_seconds == 90


def test_without_environment_the_defaults_apply(tmp_path: Path) -> None:
    settings = load_settings(environ={}, secrets_path=tmp_path / "secrets.toml")

    assert settings.db_path == str(DEFAULT_DB_PATH)
    assert settings.demo_mode is True
    assert (settings.max_failed_logins, settings.lockout_minutes) == (5, 15)
    assert settings.timezone == "America/Sao_Paulo"


def test_settings_carry_no_default_secret() -> None:
    assert Settings().cookie_key == ""


def test_the_audit_journal_directory_is_data_unless_the_site_names_its_own(
    tmp_path: Path,
) -> None:
    secrets_file = tmp_path / "secrets.toml"
    default = load_settings(environ={}, secrets_path=secrets_file)
    assert Path(default.journal_dir) == Path(DEFAULT_DB_PATH).parent
    own = load_settings(
        environ={"CALLCENTER_JOURNAL_DIR": str(tmp_path)}, secrets_path=secrets_file
    )
    assert own.journal_dir == str(tmp_path)
