"""`python -m core.cli verify-audit`, typed as the README shows, only opens and checks: it seeds
nothing into a real installation, and says in pt-BR what to do while the server holds the file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core import cli
from core.config import PROJECT_ROOT
from core.db import open_database

KEY = "chave-de-auditoria-de-teste-" + "y" * 40
_HOLDER = """
import sys, time, duckdb
connection = duckdb.connect(sys.argv[1])
print("holding", flush=True)
time.sleep(120)
"""


def _env(path: str, tmp_path: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("CALLCENTER_")}
    # CALLCENTER_DEMO left unset, as typed from the README: the default is demo mode.
    return {**env, "CALLCENTER_DB": path, "CALLCENTER_AUDIT_KEY": KEY,
            "CALLCENTER_SECRETS_FILE": str(tmp_path / "secrets.toml")}  # fmt: skip


def test_verify_audit_seeds_nothing_into_a_real_installation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(tmp_path / "real.duckdb")
    open_database(path).close()  # a real installation: migrated, no demo
    for name in [name for name in os.environ if name.startswith("CALLCENTER_")]:
        monkeypatch.delenv(name)
    for name, value in _env(path, tmp_path).items():
        if name.startswith("CALLCENTER_"):
            monkeypatch.setenv(name, value)

    status = cli.main(["verify-audit"])

    database = open_database(path)
    counts = database.read(lambda tx: tx.one(
        "SELECT (SELECT count(*) FROM catalogue_items) AS catalogue,"
        " (SELECT count(*) FROM products) AS products, (SELECT count(*) FROM users) AS users,"
        " (SELECT count(*) FROM entities) AS entities"))  # fmt: skip
    database.close()
    assert status == 0
    assert "Integridade do log de auditoria: OK" in capsys.readouterr().out
    assert counts == {"catalogue": 0, "products": 0, "users": 0, "entities": 0}


def test_verify_audit_while_the_server_holds_the_file_says_why_and_what_to_do(
    tmp_path: Path,
) -> None:
    path = str(tmp_path / "held.duckdb")
    open_database(path).close()
    env = _env(path, tmp_path)
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, path], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "holding\n"
        result = subprocess.run(
            [sys.executable, "-m", "core.cli", "verify-audit"],
            cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    finally:
        holder.kill()
        holder.wait(30)

    assert result.returncode == cli.IN_USE
    assert "Traceback" not in result.stderr
    assert "o banco está aberto pelo servidor do aplicativo" in result.stderr
    assert "pare o servidor" in result.stderr
    assert "LGPD › Auditoria › Verificar integridade" in result.stderr
