"""The supervisor's live wallboard: filters, the shared snapshot cache and the board fragment.

Only the board (an `st.fragment(run_every=...)` inside the `wallboard` container) reruns on
its own. Every viewer's tick reads one snapshot shared through `st.cache_data`, keyed by the
filters, the interval, the current time bucket and the viewer's 192/193 flags: N supervisors
watching the same view cost about one set of queries per interval. The viewer's permission
is checked before the cache is touched, so a cached snapshot never reaches someone who may
not see it. Call timers advance on every tick: elapsed = now − the call's stored start.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from core import dashboards
from core.access import Action, Routine, User, require
from core.dashboards import (
    Funnel,
    OperatorState,
    TelecobrancaKpis,
    TelemarketingKpis,
    TelevendasKpis,
    Wallboard,
    WallboardFilter,
)
from core.db import Database, utc_now
from core.telemarketing import STATUS_COLOURS, STATUS_LABELS
from core.timer import UNDER_COLOUR, format_elapsed, read_timer
from ui import runtime
from ui.feedback import attempt
from ui.formats import LOCAL_TZ, money
from ui.tlc_ledger import bar_chart

INTERVALS = (5, 10, 30, 60)  # seconds between refreshes
DEFAULT_INTERVAL = 10
CARDS_PER_ROW = 4
SUBJECT = "painel ao vivo"

STATE_BADGES = {  # markdown badges: blue on a call, green free, grey disconnected
    "em_ligacao": ":blue-badge[:material/call: Em ligação]",
    "livre": ":green-badge[:material/check_circle: Disponível]",
    "offline": ":gray-badge[:material/power_off: Desconectado]",
}
_HEX = {"blue": "#1c64d9", "red": "#d32f2f", "green": "#1f8a3b", "black": "#1e1e1e"}
_CHART_CONFIG = {"displayModeBar": False}

# Readable from two metres: large timers and names on the cards.
_STYLE = """<style>
.st-key-wallboard [class*="st-key-wb_timer_"] p {
  font-size: 2.6rem; font-weight: 700; line-height: 1.1; margin: 0;
  font-variant-numeric: tabular-nums;
}
.st-key-wallboard [data-testid="stMetricValue"] { font-size: 2rem; }
.st-key-wallboard [class*="st-key-wb_name_"] p {
  font-size: 1.3rem; font-weight: 600; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; margin: 0;
}
</style>"""


# --- filters (outside the fragment: changing one reruns the page and the fragment) -----------


def group_options(db: Database, user: User) -> dict[int, str]:
    """Every active group: a supervisor watches the whole floor."""
    return dashboards.group_choices(db, user)


def filter_bar(db: Database, user: User) -> tuple[WallboardFilter, int]:
    """Grupo, Rotina and "Atualizar a cada" in one row above the board."""
    groups = group_options(db, user)
    left, middle, right = st.columns([2, 2, 1.2])
    group_id = left.selectbox(
        "Grupo", [None, *groups], key="wb_group",
        format_func=lambda g: "Todos os grupos" if g is None else groups[g],
    )  # fmt: skip
    routine = middle.selectbox(
        "Rotina", [None, *Routine], key="wb_routine",
        format_func=lambda r: "Todas" if r is None else r.label,
    )  # fmt: skip
    interval = right.selectbox(
        "Atualizar a cada", INTERVALS, index=INTERVALS.index(DEFAULT_INTERVAL),
        key="wb_interval", format_func=lambda s: f"{s} s",
    )  # fmt: skip
    return WallboardFilter(group_id=group_id, routine=routine), int(interval)


# --- the shared snapshot -------------------------------------------------------------------


def time_bucket(interval: int, at: float | None = None) -> int:
    """Which refresh window `at` (default: now) falls in: every viewer of one window shares it."""
    return int((time.time() if at is None else at) // interval)


def snapshot(db: Database, user: User, filters: WallboardFilter, interval: int) -> Wallboard:
    """The board's data for this viewer: permission first, then the shared cache."""
    require(db, user, Action.SUPERVISE, SUBJECT)
    return _shared_snapshot(
        db, user,
        database=str(db.path),
        group_id=filters.group_id,
        routine=filters.routine.value if filters.routine else None,
        interval=interval,
        bucket=time_bucket(interval),
        personal_access=user.personal_access,
        sensitive_access=user.sensitive_access,
        lease_seconds=runtime.settings().station_lease_seconds,
    )  # fmt: skip


@st.cache_data(ttl=2 * max(INTERVALS), max_entries=256, show_spinner=False)
def _shared_snapshot(
    _db: Database,
    _user: User,
    *,
    database: str,
    group_id: int | None,
    routine: str | None,
    interval: int,
    bucket: int,
    personal_access: bool,
    sensitive_access: bool,
    lease_seconds: int,
) -> Wallboard:
    """One core read per (view, interval, bucket, masking flags); the first viewer pays.

    `_db` and `_user` are not part of the key (the underscore tells Streamlit): the snapshot
    depends on the user only through the masking flags, which are.
    """
    filters = WallboardFilter(group_id, Routine(routine) if routine else None)
    return dashboards.wallboard(_db, _user, filters, lease_seconds)


# --- the board -----------------------------------------------------------------------------


def live_board(db: Database, user: User, filters: WallboardFilter, interval: int) -> None:
    """The board as a fragment that reruns itself every `interval` seconds."""
    st.html(_STYLE)
    st.fragment(_board, run_every=interval)(db, user, filters, interval)


def _board(db: Database, user: User, filters: WallboardFilter, interval: int) -> None:
    with st.container(key="wallboard"):
        board = attempt(lambda: snapshot(db, user, filters, interval))
        if board is None:
            return
        now = utc_now()
        taken = board.now.astimezone(LOCAL_TZ)
        st.caption(f"Atualiza a cada {interval} s · dados das {taken:%H:%M:%S}")
        operator_grid(board.operators, now)
        if board.telemarketing is not None:
            telemarketing_row(board.telemarketing)
        if board.televendas is not None:
            televendas_row(board.televendas)
        if board.telecobranca is not None:
            telecobranca_row(board.telecobranca)
        charts(board)
        alerts(board.alerts)


def _age(seconds: float) -> str:
    """A short age: 12 s, 5 min, 2 h 05."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d}"


def operator_grid(states: list[OperatorState], now: datetime) -> None:
    st.markdown("##### Operadores")
    if not states:
        st.info("Nenhum operador neste filtro.", icon="👥")
        return
    for start in range(0, len(states), CARDS_PER_ROW):
        row = states[start : start + CARDS_PER_ROW]
        cells = st.columns(CARDS_PER_ROW)
        for cell, state in zip(cells, row, strict=False):
            with cell:
                operator_card(state, now)


def operator_card(state: OperatorState, now: datetime) -> None:
    """Name and code, state badge, live timer (blue under / red over the ideal time), routine
    and entity on the line, time in the current state and the station's last heartbeat."""
    with st.container(border=True, key=f"wb_op_{state.code}"):
        with st.container(key=f"wb_name_{state.code}"):
            st.markdown(state.name)
        st.markdown(f"`{state.code}` {STATE_BADGES[state.state]}")
        with st.container(key=f"wb_timer_{state.code}"):
            if state.state == "em_ligacao" and state.call_started_at is not None:
                reading = read_timer(state.call_started_at, now, state.ideal_seconds)
                colour = "red" if reading.over_limit else "blue"
                st.markdown(f":{colour}[{reading.text}]")
            else:
                st.markdown(":gray[—]")
        if state.state == "em_ligacao":
            routine = state.routine.label if state.routine else "—"
            st.caption(f"{routine} · {state.entity_name or '—'}")
        else:
            st.caption(state.group_name)
        in_state = _age((now - state.since).total_seconds()) if state.since else "—"
        beat = (
            f"sinal há {_age((now - state.heartbeat_at).total_seconds())}"
            if state.heartbeat_at
            else "sem sinal"
        )
        st.caption(
            f"Neste estado: {in_state} · Ideal: {format_elapsed(state.ideal_seconds)} · "
            f"Estação: {beat}"
        )


@dataclass(frozen=True)
class Kpi:
    label: str
    value: str
    note: str | None = None  # a few grey words under the number
    help: str | None = None


def _metrics(title: str, kpis: list[Kpi]) -> None:
    """One row of large numbers under a short title."""
    st.markdown(f"##### {title}")
    for column, kpi in zip(st.columns(len(kpis)), kpis, strict=True):
        column.metric(
            kpi.label, kpi.value, delta=kpi.note, delta_color="off", delta_arrow="off",
            help=kpi.help, border=True,
        )  # fmt: skip


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} %"


def short_money(value: Decimal | None) -> str:
    """Reais for a big screen, under an "(R$)" label: 8.472 · 45,2 mil · 312 mil · 4,12 mi."""
    if value is None:
        return "—"
    size = abs(value)
    if size < 10_000:
        return f"{value:,.0f}".replace(",", ".")
    if size < 100_000:
        return f"{value / 1000:.1f} mil".replace(".", ",")
    if size < 1_000_000:
        return f"{value / 1000:.0f} mil"
    return f"{value / 1_000_000:.2f} mi".replace(".", ",")


def telemarketing_row(tmk: TelemarketingKpis) -> None:
    handle = tmk.average_handle_seconds
    ideal = f"ideal {format_elapsed(tmk.ideal_seconds)}" if tmk.ideal_seconds else None
    with st.container(key="wb_kpi_telemarketing"):
        _metrics("Telemarketing hoje", [
            Kpi("Atendimentos", str(sum(tmk.by_status.values()))),
            Kpi("Recebidos", str(tmk.received), "receptivo"),
            Kpi("Realizados", str(tmk.made), "ativo"),
            Kpi("TMA", format_elapsed(round(handle)) if handle is not None else "—", ideal,
                "Tempo médio das ligações de hoje, do início ao fim"),
            Kpi("Retornos atrasados", str(tmk.overdue_returns), "na agenda"),
        ])  # fmt: skip


def _funnel_kpis(funnel: Funnel) -> list[Kpi]:
    return [
        Kpi("Ligações", str(funnel.calls)),
        Kpi("Orçamentos", str(funnel.quotes)),
        Kpi("Pedidos", str(funnel.orders)),
        Kpi("Faturado (R$)", short_money(funnel.invoiced_amount),
            f"{funnel.invoiced} pedido(s)", money(funnel.invoiced_amount)),
        Kpi("Conversão", _pct(funnel.conversion_pct), "por ligação",
            "Pedidos faturados por ligação de Televendas"),
        Kpi("Ticket (R$)", short_money(funnel.average_ticket), None,
            "Ticket médio: faturado por pedido faturado"),
    ]  # fmt: skip


def televendas_row(tlv: TelevendasKpis) -> None:
    with st.container(key="wb_kpi_televendas"):
        _metrics("Televendas hoje", _funnel_kpis(tlv.today))
        _metrics("Televendas no mês", _funnel_kpis(tlv.month))


def telecobranca_row(tlc: TelecobrancaKpis) -> None:
    balance = sum(tlc.queue["balance"].to_list(), Decimal(0))
    waiting = int(tlc.queue["waiting"].sum())
    with st.container(key="wb_kpi_telecobranca"):
        _metrics("Telecobrança", [
            Kpi("Na fila", str(int(tlc.queue["debtors"].sum())), f"{waiting} aguardando",
                "Devedores na fila; aguardando: sem reserva nem promessa pendente"),
            Kpi("Vencido (R$)", short_money(balance), "na fila", money(balance)),
            Kpi("Prometido (R$)", short_money(tlc.promised_today), "hoje",
                money(tlc.promised_today)),
            Kpi("Recebido (R$)", short_money(tlc.collected_today), "hoje",
                money(tlc.collected_today)),
            Kpi("Cumpridas", _pct(tlc.kept_rate_pct), "das promessas",
                "Promessas do mês vencidas até ontem que foram pagas"),
            Kpi("Quebradas", str(tlc.broken_today), "hoje", "Promessas para ontem não pagas"),
        ])  # fmt: skip


# --- charts --------------------------------------------------------------------------------


def _layout(figure: go.Figure, title: str, empty: str | None = None) -> go.Figure:
    """Common look; `empty`: the words shown instead of blank axes when there is no data."""
    figure.update_layout(
        title={"text": title, "font": {"size": 18}}, height=320, separators=",.",
        margin={"l": 10, "r": 10, "t": 50, "b": 10}, showlegend=False,
    )  # fmt: skip
    if empty is not None:
        figure.update_layout(
            xaxis={"visible": False}, yaxis={"visible": False},
            annotations=[{"text": empty, "showarrow": False, "font": {"size": 18},
                          "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5}],
        )  # fmt: skip
    return figure


def status_chart(tmk: TelemarketingKpis) -> go.Figure:
    statuses = [status for status in STATUS_LABELS if tmk.by_status.get(status)]
    figure = go.Figure(
        go.Bar(
            x=[STATUS_LABELS[s] for s in statuses], y=[tmk.by_status[s] for s in statuses],
            marker_color=[_HEX[STATUS_COLOURS[s]] for s in statuses],
            text=[tmk.by_status[s] for s in statuses], textposition="auto",
        )
    )  # fmt: skip
    empty = None if statuses else "Nenhum atendimento hoje"
    return _layout(figure, "Atendimentos de hoje por status", empty)


def funnel_chart(tlv: TelevendasKpis) -> go.Figure:
    """Calls → quotes → orders → invoiced, today and this month side by side (own scales)."""
    stages = ["Ligações", "Orçamentos", "Pedidos", "Faturados"]
    figure = make_subplots(rows=1, cols=2, shared_yaxes=True, subplot_titles=("Hoje", "Mês"),
                           horizontal_spacing=0.04)  # fmt: skip
    for column, funnel, colour in ((1, tlv.today, UNDER_COLOUR), (2, tlv.month, "#64b5f6")):
        figure.add_trace(
            go.Funnel(
                y=stages, x=[funnel.calls, funnel.quotes, funnel.orders, funnel.invoiced],
                marker={"color": colour}, textinfo="value", connector={"visible": False},
            ),
            row=1, col=column,
        )  # fmt: skip
    return _layout(figure, "Funil de Televendas")


def ranking_chart(labels: list[str], values: list[Decimal], title: str, empty: str) -> go.Figure:
    figure = bar_chart(labels, values)
    return _layout(figure, title, None if labels else empty)


def charts(board: Wallboard) -> None:
    """The day's pictures in one row, the month's rankings in a second one."""
    today: list[tuple[str, go.Figure]] = []
    month: list[tuple[str, go.Figure]] = []
    if board.telemarketing is not None:
        today.append(("wb_chart_tmk_status", status_chart(board.telemarketing)))
    if board.televendas is not None:
        today.append(("wb_chart_tlv_funnel", funnel_chart(board.televendas)))
        top = board.televendas.top_operators
        title = "Televendas: faturado no mês"
        figure = ranking_chart(
            top["code"].to_list(), top["amount"].to_list(), title, "Nenhum faturamento no mês"
        )
        month.append(("wb_chart_tlv_top", figure))
    if board.telecobranca is not None:
        queue, recovery = board.telecobranca.queue, board.telecobranca.recovery
        title = "Saldo vencido por faixa"
        figure = ranking_chart(
            queue["range"].to_list(), queue["balance"].to_list(), title, "Nenhuma faixa ativa"
        )
        today.append(("wb_chart_tlc_queue", figure))
        title = "Telecobrança: recuperado no mês"
        figure = ranking_chart(
            recovery["code"].to_list(),
            recovery["recovered"].to_list(),
            title,
            "Nada recuperado no mês",
        )
        month.append(("wb_chart_tlc_recovery", figure))
    for row in (today, month):
        if not row:
            continue
        for column, (key, figure) in zip(st.columns(3), row, strict=False):
            with column:
                st.plotly_chart(figure, width="stretch", key=key, config=_CHART_CONFIG)


def alerts(messages: list[str]) -> None:
    with st.container(key="wb_alerts"):
        if not messages:
            st.success("Nenhum alerta no momento.", icon="✅")
        for message in messages:
            st.warning(message, icon="⚠️")
