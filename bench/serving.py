"""Starting and stopping a real `streamlit run app.py` for the benchmarks that drive one."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def start(
    app: Path, env: dict[str, str], port: int, log: Path, *options: str
) -> subprocess.Popen[bytes]:
    """Start the app and return once it answers /_stcore/health (its output goes to `log`)."""
    command = [sys.executable, "-m", "streamlit", "run", "app.py", f"--server.port={port}"]
    with log.open("wb") as output:
        server = subprocess.Popen(
            [*command, *options], cwd=app, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit(f"o servidor parou; veja {log}") from None
            time.sleep(0.5)
    stop(server)
    raise SystemExit("o servidor não respondeu em 120 s")


def stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)
