"""The per-install audit key: what lets the verification tell audit rows the application wrote
from rows typed straight into the database file (see core/audit.py).

It is kept apart from the database, in the git-ignored secrets file (mode 0600) next to the
cookie key, or given as CALLCENTER_AUDIT_KEY. It is separate from the cookie key so that
rotating a leaked cookie key does not make the whole audit log unverifiable. Losing it makes
every row written since then look forged: back it up with the secrets file.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from core.config import DEFAULT_SECRETS_PATH, secret_in_file

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
    return secret_in_file(Path(name), _NAME, MIN_LENGTH)
