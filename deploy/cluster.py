"""`python -m deploy.cluster [--servers 2] [--port 8080]`: a larger team's setup on one machine,
for a try-out: a throwaway PostgreSQL (deploy/pgcluster.py, Debian's binaries), the demo seeded
there once, N app servers (`streamlit run`) on it, and Debian's nginx in front of them
(deploy/nginx.conf.template). Ctrl-C stops everything and removes the database.

The end-to-end test of several servers (tests/e2e/test_cluster.py) starts the same pieces.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from core.config import secret_in_file
from deploy.pgcluster import Cluster, binaries

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).with_name("nginx.conf.template")
NGINX = "/usr/sbin/nginx"
HEALTH_TIMEOUT_S = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Wait for a Streamlit `/_stcore/health` to answer "ok"."""
    deadline = time.monotonic() + HEALTH_TIMEOUT_S
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.read().decode().strip() == "ok":
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} not healthy after {HEALTH_TIMEOUT_S} s:\n{log.read_text()}")
        time.sleep(0.25)


def app_environment(database_url: str, secrets: Path) -> dict[str, str]:
    """What every app server of the site shares: the database, and the secrets file (the login
    cookie's key, so a browser moved to another server stays logged in; the audit key)."""
    env = {
        **os.environ,
        "CALLCENTER_DB": database_url,
        "CALLCENTER_SECRETS_FILE": str(secrets),
        "CALLCENTER_DEMO": "1",
        "CALLCENTER_TRUSTED_PROXY": "1",  # nginx names the client in X-Forwarded-For
        "CALLCENTER_JOURNAL_DIR": str(secrets.parent),  # the site's own directory, not data/
        # Streamlit signs its XSRF cookie with this: one secret for the site, or a browser
        # moved to another server could not upload a file until it reloads the page.
        "STREAMLIT_SERVER_COOKIE_SECRET": secret_in_file(secrets, "streamlit_cookie_secret", 32),
    }
    env.pop("CALLCENTER_COOKIE_KEY", None)
    return env


def seed(env: dict[str, str]) -> None:
    """The demo and the secrets, once, before any server starts (servers starting together
    would each try to seed)."""
    code = (
        "from core.bootstrap import start; from core.config import load_settings; "
        "start(load_settings()).close()"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, timeout=300)


@dataclass
class AppServer:
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        """As a crash would: no clean-up of any kind."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


def start_app_server(env: dict[str, str], logs: Path) -> AppServer:
    port = free_port()
    log = logs / f"streamlit-{port}.log"
    command = [
        sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless=true",
        f"--server.port={port}", "--server.address=127.0.0.1",
        "--browser.gatherUsageStats=false", "--server.fileWatcherType=none",
    ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = AppServer(port, process, log)
    try:
        wait_healthy(server.url, process, log)
    except BaseException:
        server.stop()
        raise
    return server


def nginx_config(app_ports: list[int], port: int, run: Path) -> str:
    servers = "\n".join(
        f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;" for p in app_ports
    )
    text = TEMPLATE.read_text(encoding="utf-8")
    return (
        text.replace("@@SERVERS@@", servers)
        .replace("@@PORT@@", str(port))
        .replace("@@RUN@@", str(run))
    )


@dataclass
class Balancer:
    port: int
    process: subprocess.Popen[bytes]
    run: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(15)

    def upstream(self, cookie: str | None = None) -> str:
        """The app server (host:port) nginx sends a browser with this route cookie to (without
        one: where a new browser lands; the answer sets its cookie)."""
        headers = {"Cookie": f"cc_route={cookie}"} if cookie else {}
        request = urllib.request.Request(f"{self.url}/_stcore/health", headers=headers)
        with urllib.request.urlopen(request, timeout=5) as answer:
            return str(answer.headers["X-Upstream"])

    def route_to(self, app_port: int) -> str:
        """A value of nginx's route cookie that sends a browser to the app server on this port."""
        for attempt in range(200):
            if self.upstream(f"r{attempt}") == f"127.0.0.1:{app_port}":
                return f"r{attempt}"
        raise RuntimeError(f"nenhuma rota leva ao servidor da porta {app_port}")


def start_nginx(app_ports: list[int], run: Path, port: int | None = None) -> Balancer:
    """Debian's nginx as an ordinary process (its own prefix, pid and logs under `run`)."""
    port = port or free_port()
    run.mkdir(parents=True, exist_ok=True)
    run.chmod(0o755)  # nginx's workers (user nobody when started as root) write temp files
    config = run / "nginx.conf"
    config.write_text(nginx_config(app_ports, port, run), encoding="utf-8")
    log = run / "nginx.out"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [NGINX, "-p", str(run), "-c", str(config)], stdout=out, stderr=subprocess.STDOUT
        )
    balancer = Balancer(port, process, run)
    try:
        wait_healthy(balancer.url, process, log)
    except BaseException:
        balancer.stop()
        raise
    return balancer


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m deploy.cluster")
    parser.add_argument("--servers", type=int, default=2, help="quantos servidores do app")
    parser.add_argument("--port", type=int, default=8080, help="a porta do nginx")
    args = parser.parse_args()
    bin_dir = binaries()
    if bin_dir is None or not Path(NGINX).exists():
        sys.exit("Instale os pacotes Debian postgresql e nginx (apt-get install postgresql nginx).")
    run = Path(tempfile.mkdtemp(prefix="callcenter-cluster-"))
    database = Cluster(bin_dir).start()
    servers: list[AppServer] = []
    balancer: Balancer | None = None
    try:
        database.sql("CREATE DATABASE callcenter")
        env = app_environment(database.url("callcenter"), run / "secrets.toml")
        print(f"PostgreSQL em {database.url('callcenter')}; semeando a demonstração…")
        seed(env)
        servers = [start_app_server(env, run) for _ in range(args.servers)]
        balancer = start_nginx([s.port for s in servers], run / "nginx", args.port)
        print(f"Servidores: {', '.join(s.url for s in servers)}")
        print(f"Abra {balancer.url} (Ctrl-C encerra tudo; registros em {run})")
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    finally:
        if balancer is not None:
            balancer.stop()
        for server in servers:
            server.stop()
        database.stop()
        shutil.rmtree(run, ignore_errors=True)


if __name__ == "__main__":
    main()
