"""The per-install audit key: what lets the verification tell audit rows the application wrote
from rows typed straight into the database file (see core/audit.py).

It is kept apart from the database, in the git-ignored secrets file (mode 0600) next to the
cookie key, or given as CALLCENTER_AUDIT_KEY. It is separate from the cookie key so that
rotating a leaked cookie key does not make the whole audit log unverifiable. Losing it makes
every row written since then look forged: back it up with the secrets file.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from functools import cache
from pathlib import Path

from core.config import DEFAULT_SECRETS_PATH

_NAME = "audit_key"
MIN_LENGTH = 32


def installation_key(environ: dict[str, str] | None = None) -> bytes:
    """The key from the environment, else from the secrets file (drawn there on first use)."""
    env = os.environ if environ is None else environ
    given = env.get("CALLCENTER_AUDIT_KEY", "")
    if given:
        if len(given) < MIN_LENGTH:
            raise ValueError(f"CALLCENTER_AUDIT_KEY precisa de pelo menos {MIN_LENGTH} caracteres.")
        return given.encode("utf-8")
    path = Path(env.get("CALLCENTER_SECRETS_FILE", DEFAULT_SECRETS_PATH))
    return _key_from_file(str(path.resolve())).encode("utf-8")


@cache  # one key per process and file, even if another process redraws it meanwhile
def _key_from_file(name: str) -> str:
    path = Path(name)
    if path.exists():
        key = tomllib.loads(path.read_text(encoding="utf-8")).get(_NAME)
        if isinstance(key, str) and len(key) >= MIN_LENGTH:
            return key
    key = secrets.token_urlsafe(48)
    path.parent.mkdir(parents=True, exist_ok=True)
    kept = [
        line
        for line in (path.read_text(encoding="utf-8").splitlines() if path.exists() else [])
        if not line.strip().startswith(_NAME)
    ]
    # Written beside and then over the file, so a crash never leaves it half written (the
    # cookie key is in it too).
    temporary = path.with_name(path.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("".join(f"{line}\n" for line in kept) + f'{_NAME} = "{key}"\n')
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    return key
