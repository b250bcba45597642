"""`python -m bench.live [--db bench/data/s.duckdb | postgresql://…] [--servers 1] [--port 8610]
[--operators 200] [--supervisors 10] [--seconds 90] [--app DIR]`

Live sessions against a real `streamlit run app.py`: N operators on the workspace (Chamadas)
with a call open and M supervisors on the wallboard (Painel ao vivo), each session its own user,
driven side by side by ../shared/tools/st_load.py (Streamlit's websocket protocol, no browser).
The supervisors log in as the operators' login storm ends, so both drivers measure the same
steady phase. Prints both drivers' summaries, the server's peak RSS and how the CPU was shared
(a busy machine makes every figure worse). `--app` serves another checkout (e.g. an older
commit's, for a before/after). Never part of the test run.

With `--servers N` (PostgreSQL only) N app servers run behind Debian's nginx (deploy/), the
drivers go through it, one pair per server pinned by nginx's route cookie (bench/pinned_load.py)
so every figure is a server's; the balancer's spread is how new browsers (no cookie yet) land.
Meanwhile `--collectors` users press "Próximo devedor" in rounds through the core, and the
stored calls are searched for a debtor given to two collectors at once.

A given file is never touched: a scratch copy under bench/data/ (git-ignored, deleted at the
end) gets what the drivers need; a PostgreSQL database is used in place. The drivers share the
machine's cores with the servers, so read the latencies as upper bounds.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import serving
from bench.scale import BENCH_PASSWORD
from core.access import Routine, User
from core.auth import user_by_username
from core.calls import current_call, end_call, start_call
from core.db import Database, Tx, open_database
from core.db.postgres import is_url
from core.telecobranca import taking
from deploy.cluster import AppServer, Balancer, app_environment, start_app_server, start_nginx
from ui.kit.workspace import TIMER_SECONDS
from ui.runtime import HEARTBEAT_SECONDS
from ui.supervision.wallboard import DEFAULT_INTERVAL

ROOT = Path(__file__).resolve().parent.parent
ST_LOAD = ROOT.parent / "shared" / "tools" / "st_load.py"
BUSY_FLAG = Path("/tmp/live_load_running")  # tells whoever shares the CPU that a load runs
OPERATOR_RAMP, SUPERVISOR_RAMP = 0.25, 0.5  # seconds between two sessions' logins
# Fragment reruns a session asks for per second: the workspace's call timer and the station
# heartbeat; the wallboard at its default interval and the heartbeat.
OPERATOR_TICKS = 1 / TIMER_SECONDS + 1 / HEARTBEAT_SECONDS
SUPERVISOR_TICKS = 1 / DEFAULT_INTERVAL + 1 / HEARTBEAT_SECONDS


def operator_name(i: int) -> str:
    return f"op{i:03d}"


def supervisor_name(i: int) -> str:
    return f"sup{i:02d}"


# --- the scratch database ------------------------------------------------------------------


def prepare(source: str, operators: int, supervisors: int, collectors: int) -> str:
    """Copy the scale file (a PostgreSQL database is used in place) and make every driven
    session find its user with a call open."""
    if is_url(source):
        copy = source
    else:
        scratch = ROOT / "bench" / "data" / "live.duckdb"
        scratch.unlink(missing_ok=True)
        Path(f"{scratch}.wal").unlink(missing_ok=True)
        shutil.copyfile(source, scratch)
        copy = str(scratch)
    db = open_database(copy)
    try:
        # st_load numbers sessions from 0 and the scale file from 1: add op000 and sup00 as
        # copies of op001 and sup01 (same password, routines and group).
        _clone_user(db, "op001", operator_name(0), "B000")
        _clone_user(db, "sup01", supervisor_name(0), "BS00")
        model = db.read(lambda tx: tx.scalar(COLLECTOR_MODEL))
        for i in range(collectors):  # the reservation storm's own users (no session)
            _clone_user(db, model, collector_name(i), f"BC{i:02d}")
        names = [*map(operator_name, range(operators)), *map(supervisor_name, range(supervisors))]
        missing = [name for name in names if user_by_username(db, name) is None]
        if missing:
            raise SystemExit(f"usuários ausentes no arquivo: {', '.join(missing[:5])}…")
        _open_calls(db, operators)
    finally:
        db.close()
    return copy


def _clone_user(db: Database, model: str, username: str, code: str) -> None:
    def work(tx: Tx) -> None:
        if tx.scalar("SELECT id FROM users WHERE username = ?", [username]) is not None:
            return
        user_id = tx.scalar(
            "INSERT INTO users (username, name, email, password_hash, personal_access,"
            " sensitive_access, sessions_valid_after, created_at, updated_at)"
            " SELECT ?, ?, ?, password_hash, personal_access, sensitive_access, ?, ?, ?"
            " FROM users WHERE username = ? RETURNING id",
            [username, username, f"{username}@bench.local", tx.now, tx.now, tx.now, model],
        )
        tx.execute(
            "INSERT INTO operators (code, user_id, role, main_group_id, telemarketing,"
            " televendas, telecobranca) SELECT ?, ?, role, main_group_id, telemarketing,"
            " televendas, telecobranca FROM operators o JOIN users u ON u.id = o.user_id"
            " WHERE u.username = ?",
            [code, user_id, model],
        )

    db.write(work)


def _open_calls(db: Database, operators: int) -> None:
    """A call for each operator through the core (one open call per operator, audited), each
    with its own caller, under the operator's first routine as the workspace would."""
    rows = db.read(lambda tx: tx.all("SELECT id FROM entities ORDER BY id LIMIT ?", [operators]))
    entity_ids = [row["id"] for row in rows]
    for i, entity_id in zip(range(operators), entity_ids, strict=True):
        user = user_by_username(db, operator_name(i))
        assert user is not None
        if current_call(db, user) is None:
            start_call(db, user, _first_routine(user), entity_id)


def _first_routine(user: User) -> Routine:
    return next(routine for routine in Routine if routine in user.routines)


# --- the server and the drivers ------------------------------------------------------------


def start_server(app: Path, database: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "CALLCENTER_DB": database, "CALLCENTER_DEMO": "0"}
    return serving.start(app, env, port, ROOT / "bench" / "data" / "live-server.log")


def warm_up(url: str) -> None:
    """The app's first run opens and migrates the database: let a throw-away session pay it.
    Its login fails on purpose, so it holds no station a driven session would then be
    refused."""
    subprocess.run(
        [sys.executable, str(ST_LOAD), url, "--sessions", "1",
         "--seconds", "1", "--user", "aquecimento", "--password", "-", "--ramp", "0"],
        check=True, capture_output=True,
    )  # fmt: skip


def driver(url: str, sessions: int, seconds: float, user: str, page: str, ramp: float):
    return subprocess.Popen(
        [sys.executable, str(ST_LOAD), url, "--sessions", str(sessions),
         "--seconds", str(seconds), "--user", user, "--password", BENCH_PASSWORD,
         "--page", page, "--ramp", str(ramp)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def pinned_driver(
    url: str,
    route: str,
    first: int,
    sessions: int,
    seconds: float,
    user: str,
    page: str,
    ramp: float,
):
    """st_load through nginx to the one server `route` leads to, as users first, first + 1…"""
    command = ["--route", route, "--first", str(first), "--user", user, "--", url]
    command += ["--sessions", str(sessions), "--seconds", str(seconds), "--ramp", str(ramp)]
    command += ["--password", BENCH_PASSWORD, "--page", page]
    return subprocess.Popen(
        [sys.executable, "-m", "bench.pinned_load", *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
    )


COLLECTOR_MODEL = (
    "SELECT u.username FROM operators o JOIN users u ON u.id = o.user_id"
    " WHERE o.telecobranca AND u.username LIKE 'op%' ORDER BY u.username LIMIT 1"
)


# The storm's collector hangs up and drops the attendance, so the next round takes a new debtor.
GIVE_UP = (
    "UPDATE tlc_attendances SET status = 'cancelado', ended_at = ?"
    " WHERE user_id = ? AND status = 'atendimento'"
)
# Two collectors' calls on one debtor that overlapped in time: a double reservation.
DOUBLES = (
    "SELECT count(*) FROM calls a JOIN calls b ON b.entity_id = a.entity_id"
    " AND b.id > a.id AND b.user_id <> a.user_id"
    " WHERE a.routine = 'telecobranca' AND b.routine = 'telecobranca'"
    " AND a.started_at >= ? AND b.started_at >= ?"
    " AND a.started_at < coalesce(b.ended_at, ?) AND b.started_at < coalesce(a.ended_at, ?)"
)


TALK_SECONDS = 8  # a storm round's call: the collectors press together again after it


def collector_name(i: int) -> str:
    return f"cob{i:02d}"


def _reservation_storm(args: argparse.Namespace, until: float) -> Callable[[], str]:
    """`--collectors` users press "Próximo devedor" at the same instant, round after round until
    `until`, half of them through one Database and half through another (two servers' pools:
    the in-process batching cannot serve both halves); each keeps the call TALK_SECONDS, hangs
    up, and the next round follows. Returns what waits for the rounds and reports the presses
    and any debtor two collectors had on the line at the same time, as the stored calls tell."""
    if not args.collectors:
        return lambda: "(desligado: --collectors 0)"
    pools = [open_database(args.database), open_database(args.database)]
    collectors = [user_by_username(pools[0], collector_name(i)) for i in range(args.collectors)]
    since = pools[0].read(lambda tx: tx.now)
    presses: list[float] = []
    failures: list[str] = []

    def press(user: User, db: Database, barrier: threading.Barrier) -> None:
        try:
            barrier.wait()
            started = time.perf_counter()
            found = taking.next_debtor(db, user)
            presses.append((time.perf_counter() - started) * 1000)
            if found is not None:
                time.sleep(TALK_SECONDS)
                end_call(db, user, cleared=True)
                db.write(lambda tx: tx.execute(GIVE_UP, [tx.now, user.id]))
        except Exception as error:  # reported with the figures
            failures.append(f"{type(error).__name__}: {error}")

    def rounds() -> None:
        while time.monotonic() < until:
            barrier = threading.Barrier(len(collectors))
            threads = [
                threading.Thread(target=press, args=(user, pools[i % 2], barrier))
                for i, user in enumerate(collectors)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()

    runner = threading.Thread(target=rounds, name="reservation-storm")
    runner.start()

    def report() -> str:
        runner.join()
        doubles = pools[0].read(lambda tx: tx.scalar(DOUBLES, [since, since, tx.now, tx.now]))
        for db in pools:
            db.close()
        ordered = sorted(presses)
        p95 = ordered[int(0.95 * (len(ordered) - 1))] if ordered else float("nan")
        return (
            f"{args.collectors} cobradores apertando juntos a cada ~{TALK_SECONDS} s (dois pools):"
            f" {len(presses)}"
            f" apertos, p95 {p95:.1f} ms, erros {len(failures)}"
            + (f" (e.g. {failures[0]})" if failures else "")
            + f", devedores com dois cobradores ao mesmo tempo: {doubles}"
        )

    return report


def _busy_jiffies() -> int:
    """CPU time the whole machine spent busy (all cores), from /proc/stat."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(
        int, Path("/proc/stat").read_text().split()[1:9]
    )
    return user + nice + system + irq + softirq + steal


def _process_jiffies(pid: int) -> int:
    """CPU time of a process and its reaped children (utime + stime + cutime + cstime)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return sum(int(value) for value in fields[11:15])


def peak_rss_mb(pid: int) -> float:
    """VmHWM (peak resident set) of the process and of any children it started."""
    total = 0.0
    pids = [pid]
    while pids:
        current = pids.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                total += int(line.split()[1]) / 1024
        pids += map(int, children)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--db", default=str(ROOT / "bench" / "data" / "s.duckdb"), help="or postgresql://…"
    )
    parser.add_argument("--port", type=int, default=8610)
    parser.add_argument("--operators", type=int, default=200)
    parser.add_argument("--supervisors", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=90, help="the steady phase")
    parser.add_argument(
        "--servers", type=int, default=1, help="more than 1: behind nginx (PostgreSQL only)"
    )
    parser.add_argument(
        "--collectors", type=int, default=20, help="apertando Próximo devedor durante a carga"
    )
    parser.add_argument(
        "--app", type=Path, default=ROOT, help="the checkout to serve (e.g. an older commit's)"
    )
    args = parser.parse_args()
    if args.servers > 1 and not is_url(args.db):
        raise SystemExit("vários servidores compartilham um PostgreSQL: --db postgresql://…")

    print(f"preparando {args.db} …", flush=True)
    copy = args.database = prepare(args.db, args.operators, args.supervisors, args.collectors)
    run = Path(tempfile.mkdtemp(prefix="callcenter-live-"))
    servers: list[AppServer] = []
    balancer: Balancer | None = None
    single: subprocess.Popen[bytes] | None = None
    BUSY_FLAG.touch()
    try:
        if args.servers > 1:
            env = {**app_environment(copy, run / "secrets.toml"), "CALLCENTER_DEMO": "0"}
            servers = [start_app_server(env, run) for _ in range(args.servers)]
            balancer = start_nginx([server.port for server in servers], run / "nginx")
            processes, url = [server.process for server in servers], balancer.url
        else:
            single = start_server(args.app, copy, args.port)
            processes, url = [single], f"http://127.0.0.1:{args.port}"
        print(f"servidores pid {[p.pid for p in processes]} em {url}; carga em curso …")
        for process_url in [s.url for s in servers] or [url]:
            warm_up(process_url)
        routes = [balancer.route_to(server.port) for server in servers] if balancer else []
        outputs, cpu = _load(url, processes, args, routes)
        rss = [peak_rss_mb(process.pid) for process in processes]
        new_browsers = _new_browsers(balancer) if balancer else ""
    finally:
        if balancer is not None:
            balancer.stop()
        for server in servers:
            server.stop()
        if single is not None:
            serving.stop(single)
        BUSY_FLAG.unlink(missing_ok=True)
        if not is_url(copy):
            for scratch in (Path(copy), Path(f"{copy}.wal")):  # a gigabyte nobody reads again
                scratch.unlink(missing_ok=True)
    for name, (output, asked) in outputs.items():
        print(f"\n== {name} (fragment reruns pedidos: ~{asked:.1f}/s)\n{output.rstrip()}")
    if balancer is not None:
        print(f"\nSessões por servidor (websockets no log do nginx): {_spread(balancer)}")
        print(f"Navegadores novos por servidor (1.000 sem cookie): {new_browsers}")
    print(f"RSS de pico por servidor: {', '.join(f'{mb:.0f} MB' for mb in rss)} (meta ≤ 600 MB)")
    print(cpu)
    shutil.rmtree(run, ignore_errors=True)


def _load(
    url: str,
    processes: list[subprocess.Popen[bytes]],
    args: argparse.Namespace,
    routes: list[str],
) -> tuple[dict[str, tuple[str, float]], str]:
    """The drivers against `url` (one pair per server when `routes` pin them, one pair
    otherwise); their outputs and how the CPU was shared meanwhile."""
    started, busy_before = time.monotonic(), _busy_jiffies()
    ours_before = _process_jiffies(os.getpid())
    servers_before = [_process_jiffies(process.pid) for process in processes]
    pairs = max(1, len(routes))

    def start(total: int, user: str, page: str, ramp: float) -> list[tuple[int, Any]]:
        """`total` sessions split over the servers; the whole login rate stays 1/ramp per s."""
        shares = [total // pairs + (k < total % pairs) for k in range(pairs)]
        firsts = [sum(shares[:k]) for k in range(pairs)]
        if not routes:
            return [(total, driver(url, total, args.seconds, user, page, ramp))]
        return [
            (share, pinned_driver(url, route, first, share, args.seconds, user, page, ramp * pairs))
            for route, first, share in zip(routes, firsts, shares, strict=True)
        ]

    # The supervisors log in at the end of the operators' login storm, so all drivers
    # measure the same steady phase (st_load counts fragment reruns after its own ramp).
    storm = OPERATOR_RAMP * args.operators
    ops = start(args.operators, "op{i:03d}", "chamadas", OPERATOR_RAMP)
    time.sleep(max(0.0, storm - SUPERVISOR_RAMP * args.supervisors))
    sups = start(args.supervisors, "sup{i:02d}", "painel", SUPERVISOR_RAMP)
    steady_end = time.monotonic() + SUPERVISOR_RAMP * args.supervisors + args.seconds
    doubles = _reservation_storm(args, until=steady_end)
    drivers: dict[str, tuple[Any, float]] = {}
    for k in range(pairs):
        where = f"servidor {chr(ord('A') + k)}: " if routes else ""
        (n_ops, op_driver), (n_sups, sup_driver) = ops[k], sups[k]
        drivers[f"{where}{n_ops} operadores em Chamadas"] = (op_driver, n_ops * OPERATOR_TICKS)
        drivers[f"{where}{n_sups} supervisores no Painel"] = (
            sup_driver,
            n_sups * SUPERVISOR_TICKS,
        )
    outputs = {name: (p.communicate()[0], asked) for name, (p, asked) in drivers.items()}
    outputs["próximo devedor durante a carga"] = (doubles(), 0.0)
    # The drivers are reaped children of this process; anything else busy on the machine
    # (another benchmark, nginx, PostgreSQL) competes with the servers.
    seconds = time.monotonic() - started
    servers_cpu = [
        _process_jiffies(process.pid) - before
        for process, before in zip(processes, servers_before, strict=True)
    ]
    drivers_cpu = _process_jiffies(os.getpid()) - ours_before
    others_cpu = _busy_jiffies() - busy_before - sum(servers_cpu) - drivers_cpu
    tick = os.sysconf("SC_CLK_TCK") * seconds / 100  # jiffies per % of one core
    servers_text = " + ".join(f"{cpu / tick:.0f} %" for cpu in servers_cpu)
    return outputs, (
        f"CPU média em {seconds:.0f} s (% de um núcleo; {os.cpu_count()} núcleos): servidores "
        f"{servers_text}, drivers {drivers_cpu / tick:.0f} %, outros processos (PostgreSQL, "
        f"nginx…) {max(0, others_cpu) / tick:.0f} %"
    )


def _new_browsers(balancer: Balancer, count: int = 1000) -> str:
    """Where nginx sends browsers that have no route cookie yet (it hashes a fresh id)."""
    landed = Counter(balancer.upstream() for _ in range(count))
    return ", ".join(f"{upstream}: {n}" for upstream, n in sorted(landed.items()))


def _spread(balancer: Balancer) -> str:
    log = (balancer.run / "access.log").read_text(encoding="utf-8").splitlines()
    upstreams = Counter(line.rsplit(" ", 1)[-1] for line in log if "/_stcore/stream" in line)
    return ", ".join(f"{upstream}: {count}" for upstream, count in sorted(upstreams.items()))


if __name__ == "__main__":
    main()
