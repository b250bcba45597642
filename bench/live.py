"""`python -m bench.live [--db bench/data/s.duckdb] [--port 8610] [--operators 200]
[--supervisors 10] [--seconds 90] [--app DIR]`

Live sessions against a real `streamlit run app.py`: N operators on the workspace (Chamadas)
with a call open and M supervisors on the wallboard (Painel ao vivo), each session its own user,
driven side by side by ../shared/tools/st_load.py (Streamlit's websocket protocol, no browser).
The supervisors log in as the operators' login storm ends, so both drivers measure the same
steady phase. Prints both drivers' summaries, the server's peak RSS and how the CPU was shared
(a busy machine makes every figure worse). `--app` serves another checkout (e.g. an older
commit's, for a before/after). Never part of the test run.

The given file is never touched: a scratch copy under bench/data/ (git-ignored, deleted at the
end) gets what the drivers need. The drivers share the machine's cores with the server, so read
the latencies as upper bounds.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench import serving
from bench.scale import BENCH_PASSWORD
from core.access import Routine, User
from core.auth import user_by_username
from core.calls import current_call, start_call
from core.db import Database, Tx, open_database
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


def prepare(source: Path, operators: int, supervisors: int) -> Path:
    """Copy the scale file and make every driven session find its user with a call open."""
    copy = ROOT / "bench" / "data" / "live.duckdb"
    copy.unlink(missing_ok=True)
    Path(f"{copy}.wal").unlink(missing_ok=True)
    shutil.copyfile(source, copy)
    db = open_database(str(copy))
    try:
        # st_load numbers sessions from 0 and the scale file from 1: add op000 and sup00 as
        # copies of op001 and sup01 (same password, routines and group).
        _clone_user(db, "op001", operator_name(0), "B000")
        _clone_user(db, "sup01", supervisor_name(0), "BS00")
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


def start_server(app: Path, db_path: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "CALLCENTER_DB": str(db_path), "CALLCENTER_DEMO": "0"}
    return serving.start(app, env, port, ROOT / "bench" / "data" / "live-server.log")


def warm_up(port: int) -> None:
    """The app's first run opens and migrates the database: let a throw-away session pay it.
    Its login fails on purpose, so it holds no station a driven session would then be
    refused."""
    subprocess.run(
        [sys.executable, str(ST_LOAD), f"http://127.0.0.1:{port}", "--sessions", "1",
         "--seconds", "1", "--user", "aquecimento", "--password", "-", "--ramp", "0"],
        check=True, capture_output=True,
    )  # fmt: skip


def driver(port: int, sessions: int, seconds: float, user: str, page: str, ramp: float):
    return subprocess.Popen(
        [sys.executable, str(ST_LOAD), f"http://127.0.0.1:{port}", "--sessions", str(sessions),
         "--seconds", str(seconds), "--user", user, "--password", BENCH_PASSWORD,
         "--page", page, "--ramp", str(ramp)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


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
    parser.add_argument("--db", type=Path, default=ROOT / "bench" / "data" / "s.duckdb")
    parser.add_argument("--port", type=int, default=8610)
    parser.add_argument("--operators", type=int, default=200)
    parser.add_argument("--supervisors", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=90, help="the steady phase")
    parser.add_argument(
        "--app", type=Path, default=ROOT, help="the checkout to serve (e.g. an older commit's)"
    )
    args = parser.parse_args()

    print(f"preparando a cópia de {args.db} …", flush=True)
    copy = prepare(args.db, args.operators, args.supervisors)
    server = start_server(args.app, copy, args.port)
    print(f"servidor pid {server.pid} na porta {args.port}; carga em curso …", flush=True)
    BUSY_FLAG.touch()
    try:
        warm_up(args.port)
        started, busy_before = time.monotonic(), _busy_jiffies()
        ours_before, server_before = _process_jiffies(os.getpid()), _process_jiffies(server.pid)
        # The supervisors log in at the end of the operators' login storm, so both drivers
        # measure the same steady phase (st_load counts fragment reruns after its own ramp).
        storm = OPERATOR_RAMP * args.operators
        ops = driver(
            args.port, args.operators, args.seconds, "op{i:03d}", "chamadas", OPERATOR_RAMP
        )
        time.sleep(max(0.0, storm - SUPERVISOR_RAMP * args.supervisors))
        sups = driver(
            args.port, args.supervisors, args.seconds, "sup{i:02d}", "painel", SUPERVISOR_RAMP
        )
        drivers = {
            f"{args.operators} operadores em Chamadas": (ops, args.operators * OPERATOR_TICKS),
            f"{args.supervisors} supervisores no Painel": (
                sups,
                args.supervisors * SUPERVISOR_TICKS,
            ),
        }
        outputs = {name: (p.communicate()[0], asked) for name, (p, asked) in drivers.items()}
        rss = peak_rss_mb(server.pid)
        # The drivers are reaped children of this process; anything else busy on the machine
        # (another benchmark) competes with the server and makes these figures worse.
        seconds = time.monotonic() - started
        server_cpu = _process_jiffies(server.pid) - server_before
        drivers_cpu = _process_jiffies(os.getpid()) - ours_before
        others_cpu = _busy_jiffies() - busy_before - server_cpu - drivers_cpu
    finally:
        serving.stop(server)
        BUSY_FLAG.unlink(missing_ok=True)
        for scratch in (copy, Path(f"{copy}.wal")):  # a gigabyte nobody reads again
            scratch.unlink(missing_ok=True)
    for name, (output, asked) in outputs.items():
        print(f"\n== {name} (fragment reruns pedidos: ~{asked:.1f}/s)\n{output.rstrip()}")
    tick = os.sysconf("SC_CLK_TCK") * seconds / 100  # jiffies per % of one core
    print(f"\nRSS de pico do servidor: {rss:.0f} MB (meta ≤ 600 MB)")
    print(
        f"CPU média em {seconds:.0f} s (% de um núcleo; {os.cpu_count()} núcleos): servidor "
        f"{server_cpu / tick:.0f} %, drivers {drivers_cpu / tick:.0f} %, "
        f"outros processos {max(0, others_cpu) / tick:.0f} %"
    )


if __name__ == "__main__":
    main()
