"""Settings, read from the environment and the git-ignored secrets file, with safe defaults.

Nothing here runs at import time: `load_settings()` is called once by whoever starts the app
(ui/ caches it per process; tests build Settings directly).
"""

from __future__ import annotations

import os
import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"  # the DuckDB file, or a PostgreSQL server's audit journals
DEFAULT_DB_PATH = DATA_DIR / "callcenter.duckdb"
DEFAULT_SECRETS_PATH = PROJECT_ROOT / ".streamlit" / "secrets.toml"


@dataclass(frozen=True)
class Settings:
    db_path: str = str(DEFAULT_DB_PATH)
    # Demo mode seeds demo data and demo users with a documented password. A real deployment
    # sets CALLCENTER_DEMO=0 and creates its first admin with `python -m core.cli create-admin`.
    demo_mode: bool = True
    cookie_key: str = ""
    cookie_name: str = "callcenter_auth"
    cookie_expiry_days: float = 1.0
    timezone: str = "America/Sao_Paulo"
    # Login throttling (core.auth): failures per username and client, and per client.
    max_failed_logins: int = 5
    max_failed_logins_per_client: int = 30
    lockout_minutes: int = 15
    # A reverse proxy in front (CALLCENTER_TRUSTED_PROXY=1): its X-Forwarded-For names the
    # client and its X-Forwarded-Proto the scheme. Without one these headers are the browser's
    # own words and are ignored.
    trusted_proxy: bool = False
    # A station that sent no heartbeat for this long no longer holds its operator.
    station_lease_seconds: int = 60
    # DuckDB's cache of the file: it keeps hot tables in memory and spills the rest to disk.
    db_memory_limit: str = "320MB"
    # Where a PostgreSQL installation's app server journals its audited views (DuckDB's journal
    # sits beside its file): the project's data/ by default, a throwaway site's own directory.
    journal_dir: str = str(DATA_DIR)


MIN_COOKIE_KEY_BYTES = 32


class ConfigError(Exception):
    """A setting the app refuses to start with; the message is for the person deploying it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _truthy(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "sim", "s", "on"}


def load_settings(
    environ: dict[str, str] | None = None, secrets_path: Path | None = None
) -> Settings:
    """Build the settings; generate the cookie key into the secrets file on first run."""
    env = dict(os.environ if environ is None else environ)
    secrets_file = Path(env.get("CALLCENTER_SECRETS_FILE", secrets_path or DEFAULT_SECRETS_PATH))
    cookie_key = env.get("CALLCENTER_COOKIE_KEY") or _cookie_key_from_file(secrets_file)
    if len(cookie_key.encode("utf-8")) < MIN_COOKIE_KEY_BYTES:
        # A short key can be guessed offline from one cookie, and with it any login forged.
        raise ConfigError(
            f"CALLCENTER_COOKIE_KEY tem menos de {MIN_COOKIE_KEY_BYTES} bytes: use uma chave "
            'aleatória mais longa (ex.: python -c "import secrets; '
            'print(secrets.token_urlsafe(48))") ou remova a variável para gerar uma. / '
            f"CALLCENTER_COOKIE_KEY is shorter than {MIN_COOKIE_KEY_BYTES} bytes: set a longer "
            "random key or unset it to have one generated."
        )
    return Settings(
        db_path=env.get("CALLCENTER_DB", str(DEFAULT_DB_PATH)),
        demo_mode=_truthy(env.get("CALLCENTER_DEMO", "1")),
        cookie_key=cookie_key,
        cookie_expiry_days=float(env.get("CALLCENTER_COOKIE_DAYS", "1")),
        trusted_proxy=_truthy(env.get("CALLCENTER_TRUSTED_PROXY", "0")),
        station_lease_seconds=int(env.get("CALLCENTER_STATION_LEASE_SECONDS", "60")),
        db_memory_limit=env.get("CALLCENTER_DB_MEMORY", "320MB"),
        journal_dir=env.get("CALLCENTER_JOURNAL_DIR", str(DATA_DIR)),
    )


def _cookie_key_from_file(path: Path) -> str:
    """The per-install cookie signing key. Anyone holding it can forge a login cookie for any
    user, so it is never a literal in the repository: each install draws its own."""
    if path.exists():
        _owner_only(path)
    return secret_in_file(path, "cookie_key", 32)


def secret_in_file(path: Path, name: str, min_length: int) -> str:
    """The secret `name` of the secrets file, drawn and added (mode 0600) when missing."""
    if path.exists():
        key = tomllib.loads(path.read_text(encoding="utf-8")).get(name)
        if isinstance(key, str) and len(key) >= min_length:
            return key
    key = secrets.token_urlsafe(48)
    path.parent.mkdir(parents=True, exist_ok=True)
    kept = [
        line
        for line in (path.read_text(encoding="utf-8").splitlines() if path.exists() else [])
        if not line.strip().startswith(name)
    ]
    # Written beside and then over the file, so a crash never leaves it half written (it holds
    # the other keys too).
    temporary = path.with_name(path.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # the mode above only applies to a new file, not an existing one
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("".join(f"{line}\n" for line in kept) + f'{name} = "{key}"\n')
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    return key


def _owner_only(path: Path) -> None:
    """Tighten an existing secrets file that others may read to 0600, or refuse to start."""
    mode = path.stat().st_mode & 0o777
    if mode & 0o077 == 0:
        return
    try:
        path.chmod(0o600)
    except OSError as error:
        raise ConfigError(
            f"O arquivo de segredos {path} pode ser lido por outros usuários (modo "
            f"{mode:o}) e não foi possível restringi-lo: execute chmod 600 {path}. / "
            f"The secrets file {path} is readable by others (mode {mode:o}) and could not "
            f"be restricted ({error.strerror}): run chmod 600 {path}."
        ) from error
