"""`python -m bench [--scale 1] [--db bench/data/bench.duckdb] [--db postgresql://…] [--runs 30]`

Generates an installation at the given scale into each database (bench/scale.py: bulk SQL, not
row by row; `--keep` reuses one generated before), then times every hot path over repeated
runs and prints min / median / p95 per figure against its engine's target, the file size and
the peak memory (RSS) of the process; given two databases, the medians side by side with their
ratio. Never part of the test run.
"""

from __future__ import annotations

import argparse
import os
import threading
import time
from datetime import timedelta
from pathlib import Path

from bench import audit_bench, import_bench, scale
from bench.timing import (
    Figure,
    figure,
    measure,
    peak_rss_mb,
    print_side_by_side,
    print_table,
)
from core import (
    attendances,
    audit,
    call_lists,
    campaigns,
    dashboards,
    entities,
    operator_states,
    reports,
)
from core.access import Routine, User
from core.auth import user_by_username
from core.call_lists import ListFilter
from core.campaigns import CampaignInput
from core.config import load_settings
from core.db import Database, Tx, open_database
from core.db.postgres import is_url
from core.listing import LOCAL_TZ
from core.telecobranca import maintenance as tlc_maintenance
from core.telecobranca import taking
from core.telemarketing import maintenance as tmk_maintenance
from core.telemarketing import service as tmk_service
from core.telemarketing.maintenance import AttendanceFilter
from core.telemarketing.service import AttendanceInput, ItemInput
from core.televendas import maintenance as tlv_maintenance
from core.televendas.maintenance import OrderFilter


def _user(db: Database, username: str) -> User:
    user = user_by_username(db, username)
    assert user is not None, username
    return user


# Targets at S on this machine, per engine. PostgreSQL's (issue 18) allow for the database
# behind a socket, which is what lets several app servers share it.
TARGETS_MS = {
    "wallboard": {"duckdb": 150, "postgresql": 300},
    "tick": {"duckdb": 50, "postgresql": 50},
    "list": {"duckdb": 100, "postgresql": 100},
    "search": {"duckdb": 30, "postgresql": 30},
    "save": {"duckdb": 20, "postgresql": 30},
    "next_debtor_20": {"duckdb": 50, "postgresql": 100},
    "next_contact_20": {"duckdb": 50, "postgresql": 50},
    "report": {"duckdb": 1000, "postgresql": 3000},
}


def hot_paths(db: Database, runs: int) -> list[Figure]:
    def target(kind: str) -> float:
        return TARGETS_MS[kind][db.engine]

    supervisor = _user(db, "sup01")
    operator = _user(db, "op001")  # Telemarketing (every tenth operator holds all routines)
    sample = db.read(
        lambda tx: tx.one(
            "SELECT document, phone, name FROM entities WHERE email LIKE 'cliente%'"
            " ORDER BY id LIMIT 1 OFFSET 1234"
        )
    )
    assert sample is not None
    attendance_id = db.read(lambda tx: tx.scalar("SELECT max(id) FROM tmk_attendances"))
    occurrence = db.read(
        lambda tx: tx.scalar(
            "SELECT min(id) FROM catalogue_items WHERE catalogue = 'ocorrencia'"
            " AND routine = 'telemarketing'"
        )
    )
    entity_id = db.read(lambda tx: tx.scalar("SELECT min(id) FROM entities"))
    today = db.clock().astimezone(LOCAL_TZ).date()
    year = reports.Period(today - timedelta(days=364), today)
    selective = AttendanceFilter(status="pendente", entity_text=sample["document"])

    _floor_states(db, paused=True)  # the wallboard reads states, pauses and wrap-ups
    figures = [
        measure(
            "painel ao vivo: atualização completa",
            lambda: dashboards.wallboard(db, supervisor),
            runs,
            target("wallboard"),
        ),
        measure(  # every tick of every viewer reads this (the rest is the shared snapshot)
            "painel ao vivo: operadores a cada tique",
            lambda: dashboards.live_operators(db, supervisor),
            runs,
            target("tick"),
        ),
    ]
    _floor_states(db, paused=False)  # everyone available: the presses below take calls
    figures += [
        measure(
            "lista Telemarketing: 1ª página (padrão)",
            lambda: tmk_maintenance.list_attendances(db, supervisor),
            runs,
            target("list"),
        ),
        measure(
            "lista Telemarketing: 1ª página (status + CPF)",
            lambda: tmk_maintenance.list_attendances(db, supervisor, selective),
            runs,
            target("list"),
        ),
        measure(
            "lista Televendas: 1ª página (padrão)",
            lambda: tlv_maintenance.list_orders(db, supervisor),
            runs,
            target("list"),
        ),
        measure(
            "lista Televendas: 1ª página (faturados + CPF)",
            lambda: tlv_maintenance.list_orders(
                db, supervisor, OrderFilter(status="faturado", entity_text=sample["document"])
            ),
            runs,
            target("list"),
        ),
        measure(
            "Atendimentos (três rotinas): 1ª página",
            lambda: attendances.list_all(db, supervisor),
            runs,
            target("list"),
        ),
        measure(
            "Atendimentos (três rotinas): cancelados + CPF",
            lambda: attendances.list_all(
                db,
                supervisor,
                attendances.AttendanceFilter(status="cancelado", entity_text=sample["document"]),
            ),
            runs,
            target("list"),
        ),
        measure(
            "lista Telecobrança: 1ª página (padrão)",
            lambda: tlc_maintenance.list_attendances(db, supervisor),
            runs,
            target("list"),
        ),
        measure(
            "lista Telecobrança: 1ª página (encerrados + CPF)",
            lambda: tlc_maintenance.list_attendances(
                db,
                supervisor,
                tlc_maintenance.AttendanceFilter(
                    status="encerrado", entity_text=sample["document"]
                ),
            ),
            runs,
            target("list"),
        ),
        measure(
            "busca de entidade por CPF",
            lambda: entities.search_entities(db, operator, sample["document"]),
            runs,
            target("search"),
        ),
        measure(
            "busca de entidade por telefone",
            lambda: entities.search_entities(db, operator, sample["phone"]),
            runs,
            target("search"),
        ),
        measure(
            "busca de entidade por início do nome",
            lambda: entities.search_entities(db, operator, sample["name"][:8]),
            runs,
            target("search"),
        ),
        _name_search_after_a_change(
            db, operator, sample["name"][:8], entity_id, runs, target("search")
        ),
        measure(
            "abrir um atendimento (Telemarketing)",
            lambda: tmk_service.get_attendance(db, supervisor, attendance_id),
            runs,
        ),
        measure(
            "gravar um atendimento (Telemarketing)",
            lambda: tmk_service.save_attendance(
                db, operator, AttendanceInput(entity_id, items=[ItemInput(occurrence)])
            ),
            runs,
            target("save"),
        ),
    ]
    figures += _next_debtor(db, runs, target("next_debtor_20"))
    figures += _next_contact(db, runs, target("next_contact_20"))
    figures += [
        measure(
            f"relatório {key} (12 meses)",
            lambda key=key: reports.run_report(db, supervisor, key, year),
            max(3, runs // 10),
            target("report"),
        )
        for key in [*reports.REPORTS, reports.COLLECTOR_HISTORY]
    ]
    return figures


def _name_search_after_a_change(
    db: Database, operator: User, text: str, entity_id: int, runs: int, target_ms: float
) -> Figure:
    """Each run first changes an entity (not timed), so the search's in-memory copy of the
    entity list must catch up before answering (core/entity_names.py)."""
    samples: list[float] = []
    for _ in range(runs):
        db.write(
            lambda tx: tx.execute(
                "UPDATE entities SET updated_at = now(), version = version + 1 WHERE id = ?",
                [entity_id],
            )
        )
        started = time.perf_counter()
        entities.search_entities(db, operator, text)
        samples.append((time.perf_counter() - started) * 1000)
    return figure("busca por nome logo após alterar uma entidade", samples, target_ms)


def _floor_states(db: Database, paused: bool) -> None:
    """The floor the wallboard reads: every operator logged in and available, and with
    `paused` a quarter paused and a quarter in wrap-up (S itself predates the states)."""

    def work(tx: Tx) -> None:
        rows = tx.all("SELECT u.id FROM users u JOIN operators o ON o.user_id = u.id ORDER BY u.id")
        ids = [row["id"] for row in rows]
        tx.execute(
            "INSERT INTO station_leases (user_id, station_id, claimed_at, heartbeat_at)"
            " SELECT unnest(?::BIGINT[]), 'bench', ?, ? ON CONFLICT (user_id) DO UPDATE"
            " SET heartbeat_at = excluded.heartbeat_at",
            [ids, tx.now, tx.now],
        )
        cafe = tx.scalar("SELECT id FROM pause_reasons WHERE name = 'Café'")
        operator_states.enter_all(tx, ids, operator_states.AVAILABLE)
        if paused:
            operator_states.enter_all(tx, ids[::4], operator_states.PAUSED, cafe)
            operator_states.enter_all(tx, ids[1::4], operator_states.WRAP_UP)

    db.write(work)


def _next_contact(db: Database, runs: int, target_ms: float) -> list[Figure]:
    """A Televendas campaign over the customers without a purchase in 90 days, worked by the
    groups of 20 Televendas operators; 20 of them press "Próximo contato" at once, each
    attempt ends as "não atende" (the entry waits the campaign's interval), and every
    contact given is checked for doubles."""
    sellers = [
        _user(db, row["username"])
        for row in db.read(
            lambda tx: tx.all(
                "SELECT u.username FROM operators o JOIN users u ON u.id = o.user_id"
                " WHERE o.televendas AND NOT o.telecobranca AND u.username LIKE 'op%'"
                " ORDER BY u.username LIMIT 20"
            )
        )
    ]
    supervisor = _user(db, "sup01")
    name = "Bench: reativação"
    campaign_id = db.read(lambda tx: tx.scalar("SELECT id FROM campaigns WHERE name = ?", [name]))
    if campaign_id is None:
        today = db.clock().astimezone(LOCAL_TZ).date()
        groups = tuple(
            sorted({seller.operator.main_group_id for seller in sellers if seller.operator})
        )
        year = CampaignInput(name, Routine.TELEVENDAS, today, today + timedelta(days=365), groups)
        campaign_id = campaigns.create_campaign(db, supervisor, year)
        started = time.perf_counter()
        added = call_lists.build_list(
            db, supervisor, campaign_id, "Sem compra há 90 dias", ListFilter("sem_compra", 90)
        )
        print(f"Lista da campanha: {added} contatos em {time.perf_counter() - started:.1f} s")
    for seller in sellers:  # a previous run's calls
        db.write(
            lambda tx, s=seller: tx.execute("DELETE FROM open_calls WHERE user_id = ?", [s.id])
        )
    samples: list[float] = []
    taken: list[int] = []
    for _ in range(max(3, runs // 10)):
        barrier = threading.Barrier(len(sellers))
        given: dict[int, int] = {}

        def press(user: User, barrier: threading.Barrier = barrier, given: dict = given) -> None:
            barrier.wait()
            started = time.perf_counter()
            contact = campaigns.next_contact(db, user)
            samples.append((time.perf_counter() - started) * 1000)
            if contact is not None:
                given[user.id] = contact.entry_id
                taken.append(contact.entity_id)

        threads = [threading.Thread(target=press, args=(u,)) for u in sellers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for user in sellers:  # not timed
            if user.id in given:
                campaigns.record_disposition(db, user, given[user.id], "nao_atende")
    doubles = len(taken) - len(set(taken))
    label = f"próximo contato (20 simultâneos; contatos duplicados: {doubles})"
    return [figure(label, samples, target_ms)]


def _next_debtor(db: Database, runs: int, target_ms: float) -> list[Figure]:
    """One collector at a time, then 20 at once; every reservation is checked for doubles."""
    collectors = [
        _user(db, row["username"])
        for row in db.read(
            lambda tx: tx.all(
                "SELECT u.username FROM operators o JOIN users u ON u.id = o.user_id"
                " WHERE o.telecobranca AND u.username LIKE 'op%' ORDER BY u.username LIMIT 20"
            )
        )
    ]

    ids = [collector.id for collector in collectors]  # calls a live load left open
    db.write(
        lambda tx: tx.execute("DELETE FROM open_calls WHERE user_id = ANY(?::BIGINT[])", [ids])
    )

    def hang_up(user: User) -> None:
        db.write(lambda tx: tx.execute("DELETE FROM open_calls WHERE user_id = ?", [user.id]))
        db.write(
            lambda tx: tx.execute(
                "UPDATE tlc_attendances SET status = 'cancelado', ended_at = now()"
                " WHERE user_id = ? AND status = 'atendimento'",
                [user.id],
            )
        )

    def timed(user: User, samples: list[float], taken: list[int]) -> None:
        started = time.perf_counter()
        found = taking.next_debtor(db, user)
        samples.append((time.perf_counter() - started) * 1000)
        if found is not None:
            taken.append(found.entity_id)

    alone: list[float] = []
    for _ in range(runs):  # hanging up between presses is not timed
        timed(collectors[0], alone, [])
        hang_up(collectors[0])
    samples: list[float] = []
    taken: list[int] = []
    for _ in range(max(3, runs // 10)):
        barrier = threading.Barrier(len(collectors))

        def press(user: User, barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            timed(user, samples, taken)

        threads = [threading.Thread(target=press, args=(u,)) for u in collectors]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for user in collectors:
            hang_up(user)
    doubles = len(taken) - len(set(taken))
    return [
        figure("próximo devedor (1 cobrador)", alone),
        figure(
            f"próximo devedor (20 simultâneos; reservas duplicadas: {doubles})", samples, target_ms
        ),
    ]


def run_on(url_or_path: str, scale_factor: float, runs: int, keep: bool) -> list[Figure]:
    """Every figure on one database: a DuckDB file generated here (or kept), or a PostgreSQL
    database (generated there too, or kept: e.g. one filled by `core.cli copy-db`)."""
    path = Path(url_or_path)
    if is_url(url_or_path):
        fresh = not keep
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        fresh = not (keep and path.exists())
        if fresh:
            for stale in (path, Path(f"{path}.wal")):
                stale.unlink(missing_ok=True)
    db = open_database(url_or_path, memory_limit=load_settings().db_memory_limit)
    print(f"— {db.engine}: {db.path}")
    if fresh:
        started = time.perf_counter()
        print(f"Gerando a escala {scale_factor:g}…")
        sizes = scale.generate(db, scale_factor)
        sealed = audit.seal(db)
        print(f"Geração: {time.perf_counter() - started:.1f} s ({sizes}; {sealed} selados)")
    figures = hot_paths(db, runs)
    figures += audit_bench.figures(db, max(100, runs))
    figures += import_bench.figures(db, _user(db, "sup01"))  # last: it adds 50,000 titles
    db.close()
    if not is_url(url_or_path):
        print(f"Arquivo: {path} · {os.path.getsize(path) / 2**20:.0f} MB")
    print_table(figures)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--scale", type=float, default=1.0, help="1 = a escala S")
    parser.add_argument(
        "--db",
        action="append",
        help="arquivo DuckDB ou postgresql://…; repetido, compara os bancos lado a lado",
    )
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="reusa o banco já gerado")
    args = parser.parse_args()

    databases = args.db or ["bench/data/bench.duckdb"]
    results = [run_on(db, args.scale, args.runs, args.keep) for db in databases]
    if len(results) > 1:
        print_side_by_side([engine_of(db) for db in databases], results)
    print(f"Pico de memória (RSS) do processo: {peak_rss_mb():.0f} MB")


def engine_of(url_or_path: str) -> str:
    return "PostgreSQL" if is_url(url_or_path) else "DuckDB"


if __name__ == "__main__":
    main()
