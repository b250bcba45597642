"""Read-only KPI queries for the supervisor's live wallboard [the TMKR* reports, live].

One call, `wallboard`, returns everything the screen shows for a group/routine filter: the
operators' states with their call timers, and today's (and this month's) figures of the three
routines, plus the alerts. "Today" is the São Paulo calendar day. Entity names are shown (they
are not masked by the product's policy: see core/privacy.py); no other personal field is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import polars as pl

from core.access import Action, Routine
from core.db import Tx, seconds_between
from core.listing import local_midnight
from core.localtime import LOCAL_TZ
from core.operator_states import AVAILABLE, OFFLINE, ON_CALL, PAUSED, STATE_LABELS, WRAP_UP
from core.service import Work, query
from core.telecobranca import queue as tlc_queue
from core.telecobranca import setup as tlc_setup


@dataclass(frozen=True)
class WallboardFilter:
    group_id: int | None = None
    routine: Routine | None = None


@dataclass(frozen=True)
class OperatorState:
    user_id: int
    code: str
    name: str
    group_name: str
    state: str  # a core.operator_states.STATE_LABELS key
    since: datetime | None  # when the current state began (None: unknown)
    routine: Routine | None  # of the call in progress
    entity_name: str | None  # who is on the line
    call_started_at: datetime | None
    ideal_seconds: int  # of the call's group (or the operator's main group)
    heartbeat_at: datetime | None  # the station lease's last beat
    pause_reason: str | None = None
    limit_seconds: int = 0  # a pause's or the wrap-up's maximum (0: none)

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    def elapsed_seconds(self, now: datetime) -> int:
        return int((now - self.call_started_at).total_seconds()) if self.call_started_at else 0

    def seconds_in_state(self, now: datetime) -> int:
        return int((now - self.since).total_seconds()) if self.since else 0

    def over_ideal(self, now: datetime) -> bool:
        return self.state == ON_CALL and self.elapsed_seconds(now) > self.ideal_seconds

    def over_limit(self, now: datetime) -> bool:
        """A pause or a wrap-up longer than its maximum."""
        return (
            self.state in (PAUSED, WRAP_UP)
            and self.limit_seconds > 0
            and self.seconds_in_state(now) > self.limit_seconds
        )


@dataclass(frozen=True)
class TelemarketingKpis:
    by_status: dict[str, int]  # attendances started today
    received: int
    made: int
    average_handle_seconds: float | None  # calls of today's attendances, start to end
    ideal_seconds: int | None  # mean ideal time of the groups in view
    overdue_returns: int  # open Telemarketing follow-ups already past their window


@dataclass(frozen=True)
class Funnel:
    calls: int
    quotes: int
    orders: int
    invoiced: int
    invoiced_amount: Decimal

    @property
    def conversion_pct(self) -> float | None:
        """Invoiced orders per Televendas call."""
        return round(self.invoiced * 100 / self.calls, 1) if self.calls else None

    @property
    def quote_to_order_pct(self) -> float | None:
        return round(self.orders * 100 / self.quotes, 1) if self.quotes else None

    @property
    def average_ticket(self) -> Decimal | None:
        return (
            (self.invoiced_amount / self.invoiced).quantize(Decimal("0.01"))
            if self.invoiced
            else None
        )


@dataclass(frozen=True)
class TelevendasKpis:
    today: Funnel
    month: Funnel
    top_operators: pl.DataFrame  # code, name, invoiced, amount (this month)


@dataclass(frozen=True)
class TelecobrancaKpis:
    queue: pl.DataFrame  # range, debtors, balance, waiting
    promised_today: Decimal
    collected_today: Decimal
    kept_rate_pct: float | None  # promises due this month until yesterday: kept / all
    broken_today: int  # promises due yesterday and not kept
    recovery: pl.DataFrame  # per collector this month: code, name, recovered


@dataclass(frozen=True)
class Wallboard:
    now: datetime
    operators: list[OperatorState]
    telemarketing: TelemarketingKpis | None
    televendas: TelevendasKpis | None
    telecobranca: TelecobrancaKpis | None
    alerts: list[str] = field(default_factory=list)
    # Today's calls per routine: {"telemarketing": {"receptivo": 12, "ativo": 3}, ...}
    directions: dict[str, dict[str, int]] = field(default_factory=dict)
    kpi_alerts: list[str] = field(default_factory=list)  # the alerts not about a running call


@query(Action.SUPERVISE, "painel ao vivo")
def wallboard(
    work: Work, filters: WallboardFilter | None = None, lease_seconds: int = 60
) -> Wallboard:
    """Everything the wallboard shows, read in one snapshot."""
    filters = filters or WallboardFilter()
    tx, now = work.tx, work.tx.now
    today = now.astimezone(LOCAL_TZ).date()
    show = {filters.routine} if filters.routine else set(Routine)
    operators = _operators(tx, filters, now, lease_seconds)
    tmk = _telemarketing(tx, filters, today, now) if Routine.TELEMARKETING in show else None
    tlv = _televendas(tx, filters, today) if Routine.TELEVENDAS in show else None
    tlc = _telecobranca(tx, filters, today) if Routine.TELECOBRANCA in show else None
    notices = kpi_alerts(tmk, tlc)
    alerts = operator_alerts(operators, now) + notices
    directions = _directions(tx, filters, today, show)
    return Wallboard(now, operators, tmk, tlv, tlc, alerts, directions, notices)


@query(Action.SUPERVISE, "painel ao vivo")
def live_operators(
    work: Work, filters: WallboardFilter | None = None, lease_seconds: int = 60
) -> list[OperatorState]:
    """The operators' live states (open calls, stations), read on every tick of the board so a
    call shows at the next tick; the heavy KPIs stay on the shared snapshot."""
    return _operators(work.tx, filters or WallboardFilter(), work.tx.now, lease_seconds)


def _directions(
    tx: Tx, filters: WallboardFilter, today: date, show: set[Routine]
) -> dict[str, dict[str, int]]:
    """Inbound (receptivo) and outbound (ativo) calls started today, per routine shown."""
    group, params = _group_clause("c.group_id", filters.group_id)
    rows = tx.all(
        f"""
        SELECT c.routine, coalesce(c.direction, 'receptivo') AS direction, count(*) AS calls
        FROM calls c
        WHERE c.started_at >= ?{group}
        GROUP BY c.routine, coalesce(c.direction, 'receptivo')
        """,
        [local_midnight(today), *params],
    )
    counts = {routine.value: {"receptivo": 0, "ativo": 0} for routine in Routine if routine in show}
    for row in rows:
        if row["routine"] in counts:
            counts[row["routine"]][row["direction"]] = int(row["calls"])
    return counts


@query(Action.SUPERVISE, "painel ao vivo")
def group_choices(work: Work) -> dict[int, str]:
    """The active attendance groups a supervisor may filter the wallboard by."""
    rows = work.tx.all("SELECT id, name FROM attendance_groups WHERE active ORDER BY name")
    return {row["id"]: row["name"] for row in rows}


# --- operators ------------------------------------------------------------------------------


def _group_clause(column: str, group_id: int | None) -> tuple[str, list[Any]]:
    return (f" AND {column} = ?", [group_id]) if group_id is not None else ("", [])


def _operators(
    tx: Tx, filters: WallboardFilter, now: datetime, lease_seconds: int
) -> list[OperatorState]:
    clauses, params = ["u.active"], []
    if filters.group_id is not None:
        clauses.append(
            "(o.main_group_id = ? OR EXISTS (SELECT 1 FROM operator_groups og"
            " WHERE og.operator_id = o.id AND og.group_id = ?))"
        )
        params += [filters.group_id, filters.group_id]
    if filters.routine is not None:
        clauses.append(f"o.{filters.routine.value}")  # a whitelisted enum value
    rows = tx.all(
        "SELECT u.id AS user_id, o.code, u.name, mg.name AS group_name,"
        " mg.ideal_seconds AS main_ideal, mg.wrapup_seconds, s.heartbeat_at, s.claimed_at,"
        " os.state AS stored_state, os.since AS stored_since, pr.name AS pause_reason,"
        " pr.max_seconds AS pause_max,"
        " c.routine, c.started_at AS call_started_at, e.name AS entity_name,"
        " cg.ideal_seconds AS call_ideal,"
        " lc.last_call_end, u.last_login_at"
        " FROM operators o JOIN users u ON u.id = o.user_id"
        # Idle since the last call ended, if that was during this login: today's calls only
        # (the year of calls behind them is never read).
        " LEFT JOIN (SELECT user_id, max(ended_at) AS last_call_end FROM calls"
        "   WHERE started_at >= ? GROUP BY user_id) lc ON lc.user_id = u.id"
        " JOIN attendance_groups mg ON mg.id = o.main_group_id"
        " LEFT JOIN station_leases s ON s.user_id = u.id"
        " LEFT JOIN operator_states os ON os.user_id = u.id"
        " LEFT JOIN pause_reasons pr ON pr.id = os.pause_reason_id"
        " LEFT JOIN open_calls oc ON oc.user_id = u.id"
        " LEFT JOIN calls c ON c.id = oc.call_id"
        " LEFT JOIN entities e ON e.id = c.entity_id"
        " LEFT JOIN attendance_groups cg ON cg.id = c.group_id"
        f" WHERE {' AND '.join(clauses)} ORDER BY o.code",
        [now - timedelta(days=1), *params],
    )
    live_after = now - timedelta(seconds=lease_seconds)
    states = []
    for row in rows:
        online = row["heartbeat_at"] is not None and row["heartbeat_at"] > live_after
        stored, limit = row["stored_state"], 0
        if row["call_started_at"] is not None:
            state, since = ON_CALL, row["call_started_at"]
        elif not online:
            state, since = OFFLINE, row["heartbeat_at"]
        elif stored in (PAUSED, WRAP_UP):
            state, since = stored, row["stored_since"]
            limit = row["pause_max"] if stored == PAUSED else row["wrapup_seconds"]
        elif stored == AVAILABLE:
            state, since = AVAILABLE, row["stored_since"]
        else:  # logged in before states were recorded
            marks = [m for m in (row["claimed_at"], row["last_call_end"]) if m is not None]
            state, since = AVAILABLE, max(marks) if marks else None
        states.append(
            OperatorState(
                user_id=row["user_id"], code=row["code"], name=row["name"],
                group_name=row["group_name"], state=state, since=since,
                routine=Routine(row["routine"]) if row["routine"] else None,
                entity_name=row["entity_name"], call_started_at=row["call_started_at"],
                ideal_seconds=row["call_ideal"] or row["main_ideal"],
                heartbeat_at=row["heartbeat_at"],
                pause_reason=row["pause_reason"] if state == PAUSED else None,
                limit_seconds=int(limit or 0),
            )
        )  # fmt: skip
    return states


# --- Telemarketing --------------------------------------------------------------------------


def _telemarketing(
    tx: Tx, filters: WallboardFilter, today: date, now: datetime
) -> TelemarketingKpis:
    group, params = _group_clause("a.group_id", filters.group_id)
    day = [local_midnight(today), local_midnight(today)]
    row = tx.one(
        "SELECT count(*) FILTER (WHERE a.direction = 'receptivo') AS received,"
        " count(*) FILTER (WHERE a.direction = 'ativo') AS made,"
        f" avg({seconds_between(tx, 'c.started_at', 'c.ended_at')}) AS handle,"
        " avg(g.ideal_seconds) AS ideal"
        " FROM tmk_attendances a JOIN attendance_groups g ON g.id = a.group_id"
        " LEFT JOIN calls c ON c.id = a.call_id AND c.ended_at IS NOT NULL"
        " WHERE a.started_at >= ? AND a.started_at < ? + INTERVAL '1 day'" + group,
        [*day, *params],
    )
    assert row is not None
    by_status = {
        r["status"]: int(r["n"])
        for r in tx.all(
            "SELECT a.status, count(*) AS n FROM tmk_attendances a"
            " WHERE a.started_at >= ? AND a.started_at < ? + INTERVAL '1 day'" + group
            + " GROUP BY a.status",
            [*day, *params],
        )
    }  # fmt: skip
    agenda_group, agenda_params = _group_clause("o.main_group_id", filters.group_id)
    overdue = tx.scalar(
        "SELECT count(*) FROM agenda_items i JOIN operators o ON o.user_id = i.user_id"
        " WHERE i.status = 'aberto' AND i.routine = 'telemarketing' AND i.due_until < ?"
        + agenda_group,
        [now, *agenda_params],
    )
    return TelemarketingKpis(
        by_status=by_status,
        received=int(row["received"]),
        made=int(row["made"]),
        average_handle_seconds=float(row["handle"]) if row["handle"] is not None else None,
        ideal_seconds=round(row["ideal"]) if row["ideal"] is not None else None,
        overdue_returns=int(overdue),
    )


# --- Televendas -----------------------------------------------------------------------------


def _funnel(tx: Tx, filters: WallboardFilter, start: date, end: date) -> Funnel:
    """Calls, quotes, orders and invoices of [start, end] (São Paulo days)."""
    group, params = _group_clause("o.group_id", filters.group_id)
    call_group, call_params = _group_clause("c.group_id", filters.group_id)
    span = [local_midnight(start), local_midnight(end)]
    within = "{0} >= ? AND {0} < ? + INTERVAL '1 day'"
    calls = tx.scalar(
        "SELECT count(*) FROM calls c WHERE c.routine = 'televendas' AND "
        + within.format("c.started_at") + call_group,
        [*span, *call_params],
    )  # fmt: skip
    row = tx.one(
        "SELECT count(*) FILTER (WHERE o.operation = 'orcamento' OR o.converted_at IS NOT NULL)"
        "   AS quotes,"
        " count(*) FILTER (WHERE o.status IN ('pedido', 'faturado')) AS orders"
        " FROM tlv_orders o WHERE " + within.format("o.created_at") + group,
        [*span, *params],
    )  # fmt: skip
    invoiced = tx.one(
        "SELECT count(*) AS n, coalesce(sum(o.total), 0) AS amount FROM tlv_orders o"
        " WHERE o.status = 'faturado' AND " + within.format("o.invoiced_at") + group,
        [*span, *params],
    )  # fmt: skip
    assert row is not None and invoiced is not None
    return Funnel(
        calls=int(calls), quotes=int(row["quotes"]), orders=int(row["orders"]),
        invoiced=int(invoiced["n"]), invoiced_amount=Decimal(invoiced["amount"]),
    )  # fmt: skip


def _televendas(tx: Tx, filters: WallboardFilter, today: date) -> TelevendasKpis:
    first = today.replace(day=1)
    group, params = _group_clause("o.group_id", filters.group_id)
    top = tx.frame(
        "SELECT op.code, u.name, count(*) AS invoiced, sum(o.total) AS amount"
        " FROM tlv_orders o JOIN operators op ON op.id = o.operator_id"
        " JOIN users u ON u.id = o.user_id"
        " WHERE o.status = 'faturado' AND o.invoiced_at >= ?" + group
        + " GROUP BY op.code, u.name ORDER BY amount DESC, op.code LIMIT 5",
        [local_midnight(first), *params],
    )  # fmt: skip
    return TelevendasKpis(
        today=_funnel(tx, filters, today, today),
        month=_funnel(tx, filters, first, today),
        top_operators=top,
    )


# --- Telecobrança ---------------------------------------------------------------------------


def _telecobranca(tx: Tx, filters: WallboardFilter, today: date) -> TelecobrancaKpis:
    ranges = tlc_setup.active_ranges(tx)
    if filters.group_id is not None:
        wired = set(tlc_setup.group_range_ids(tx, filters.group_id))
        ranges = [r for r in ranges if r.id in wired]
    sql, params = tlc_queue.debtors_sql(tlc_setup.active_ranges(tx), today)
    found = {
        row["range_id"]: row
        for row in tx.all(
            # Waiting: neither reserved nor holding a pending promise. One join against the
            # few such debtors, not two probes per debtor (~50 ms less on PostgreSQL at S).
            f"WITH debtors AS ({sql}), busy AS ("
            "  SELECT entity_id FROM collection_reservations WHERE expires_at > ?"
            "  UNION SELECT entity_id FROM tlc_promises WHERE status = 'pendente')"
            " SELECT d.range_id, count(*) AS debtors, sum(d.balance) AS balance,"
            " count(*) - count(b.entity_id) AS waiting"
            " FROM debtors d LEFT JOIN busy b ON b.entity_id = d.entity_id GROUP BY d.range_id",
            [*params, tx.now],
        )
    }
    queue = pl.DataFrame(
        [
            {"range": r.code, "span": r.span,
             "debtors": int(found[r.id]["debtors"]) if r.id in found else 0,
             "balance": Decimal(found[r.id]["balance"]) if r.id in found else Decimal(0),
             "waiting": int(found[r.id]["waiting"]) if r.id in found else 0}
            for r in ranges
        ],
        schema={"range": pl.String, "span": pl.String, "debtors": pl.Int64,
                "balance": pl.Decimal(18, 2), "waiting": pl.Int64},
    )  # fmt: skip
    group, group_params = _group_clause("a.group_id", filters.group_id)
    day = [local_midnight(today), local_midnight(today)]
    first = local_midnight(today.replace(day=1))
    promised = tx.scalar(
        "SELECT coalesce(sum(p.amount), 0) FROM tlc_promises p"
        " JOIN tlc_attendances a ON a.id = p.attendance_id"
        " WHERE p.created_at >= ? AND p.created_at < ? + INTERVAL '1 day'" + group,
        [*day, *group_params],
    )
    collected = tx.scalar(
        "SELECT coalesce(sum(t.amount), 0) FROM tlc_outcomes t"
        " JOIN tlc_attendances a ON a.id = t.attendance_id"
        " WHERE t.outcome = 'pago' AND t.created_at >= ? AND t.created_at < ? + INTERVAL '1 day'"
        + group,
        [*day, *group_params],
    )
    # Promises due this month up to yesterday: kept, or broken (swept or not yet swept).
    settled = tx.one(
        "SELECT count(*) FILTER (WHERE p.status = 'cumprida') AS kept,"
        " count(*) FILTER (WHERE p.status IN ('quebrada', 'pendente')) AS broken,"
        " count(*) FILTER (WHERE p.status IN ('quebrada', 'pendente') AND p.promised_on = ?)"
        "   AS broken_today"
        " FROM tlc_promises p JOIN tlc_attendances a ON a.id = p.attendance_id"
        " WHERE p.promised_on >= ? AND p.promised_on < ?" + group,
        [today - timedelta(days=1), today.replace(day=1), today, *group_params],
    )
    assert settled is not None
    decided = settled["kept"] + settled["broken"]
    recovery = tx.frame(
        "SELECT o.code, u.name, sum(t.principal) AS recovered"
        " FROM tlc_outcomes t JOIN tlc_attendances a ON a.id = t.attendance_id"
        " JOIN operators o ON o.id = a.operator_id JOIN users u ON u.id = a.user_id"
        " WHERE t.outcome = 'pago' AND t.created_at >= ?" + group
        + " GROUP BY o.code, u.name ORDER BY recovered DESC, o.code",
        [first, *group_params],
    )  # fmt: skip
    return TelecobrancaKpis(
        queue=queue,
        promised_today=Decimal(promised),
        collected_today=Decimal(collected),
        kept_rate_pct=round(settled["kept"] * 100 / decided, 1) if decided else None,
        broken_today=int(settled["broken_today"]),
        recovery=recovery,
    )


# --- alerts ---------------------------------------------------------------------------------


def operator_alerts(operators: list[OperatorState], now: datetime) -> list[str]:
    """Calls over their group's ideal time, pauses and wrap-ups over their maximum."""
    alerts = []
    for op in operators:
        if op.over_ideal(now):
            alerts.append(
                f"{op.code} · {op.name}: em ligação há {op.elapsed_seconds(now) // 60} min,"
                f" acima do tempo ideal de {op.ideal_seconds // 60} min"
            )
        elif op.over_limit(now):
            doing = f"em pausa ({op.pause_reason})" if op.state == PAUSED else "em pós-atendimento"
            alerts.append(
                f"{op.code} · {op.name}: {doing} há {op.seconds_in_state(now) // 60} min,"
                f" acima do máximo de {_minutes(op.limit_seconds)}"
            )
    return alerts


def _minutes(seconds: int) -> str:
    return f"{seconds // 60} min" if seconds >= 60 else f"{seconds} s"


COUNTED_STATES = (AVAILABLE, ON_CALL, WRAP_UP, PAUSED, OFFLINE)


def state_counts(operators: list[OperatorState]) -> dict[str, dict[str, int]]:
    """Per main group (by name): how many operators are in each state, for the board."""
    counts: dict[str, dict[str, int]] = {}
    for op in operators:
        group = counts.setdefault(op.group_name, dict.fromkeys(COUNTED_STATES, 0))
        group[op.state] += 1
    return dict(sorted(counts.items()))


def kpi_alerts(tmk: TelemarketingKpis | None, tlc: TelecobrancaKpis | None) -> list[str]:
    alerts = []
    if tmk is not None and tmk.overdue_returns:
        alerts.append(f"{tmk.overdue_returns} retorno(s) de Telemarketing atrasado(s) na agenda")
    if tlc is not None and tlc.broken_today:
        alerts.append(f"{tlc.broken_today} promessa(s) de pagamento quebrada(s) hoje")
    return alerts
