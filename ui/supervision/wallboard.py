"""The supervisor's live wallboard: filters, the shared snapshot and the board fragment.

Only the board (an `st.fragment(run_every=...)` inside the `wallboard` container) reruns on
its own, so each tick must be cheap: one snapshot per view is shared by every viewer, keyed by
the filters, the interval and the viewer's 192/193 flags (N supervisors watching the same view
cost about one set of queries per interval), and the charts are built once per snapshot. When
an interval ends, the first tick starts the next read in the background and, like every other
viewer, goes on showing the previous snapshot until it lands: no tick waits for the queries
(only the very first viewer of a view does). The viewer's permission is checked before the
shared snapshot is touched, so it never reaches someone who may not see it. The operators'
cards are one HTML element (a Streamlit element per card line cost ~2,000 messages per tick at
200 operators). Who is on a call (and which station is live) is read fresh on every tick, one
light query per viewer, so a call shows at the next tick; the KPIs and charts stay on the
snapshot. Call timers advance on every tick: elapsed = now − the call's stored start.
"""

from __future__ import annotations

import html
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

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
from core.operator_states import AVAILABLE, OFFLINE, ON_CALL, PAUSED, STATE_LABELS, WRAP_UP
from core.telemarketing.service import STATUS_COLOURS, STATUS_LABELS
from core.timer import UNDER_COLOUR, format_elapsed, read_timer
from ui import runtime
from ui.kit.charts import bar_chart, count_axis
from ui.kit.feedback import attempt
from ui.kit.formats import LOCAL_TZ, money, plain
from ui.kit.forms import CHOOSE
from ui.kit.legend import HEX

INTERVALS = (5, 10, 30, 60)  # seconds between refreshes
DEFAULT_INTERVAL = 10
CARDS_PER_ROW = 4
SUBJECT = "painel ao vivo"

_LOG = logging.getLogger(__name__)

STATE_BADGES = {  # state -> (CSS class, label): blue on a call, green free, amber in wrap-up,
    # purple paused, grey disconnected
    ON_CALL: ("wb-call", "📞 Em ligação"),
    AVAILABLE: ("wb-free", "✔ Disponível"),
    WRAP_UP: ("wb-wrap", "📝 Pós-atendimento"),
    PAUSED: ("wb-pause", "☕ Em pausa"),
    OFFLINE: ("wb-off", "⏻ Desconectado"),
}
_CHART_CONFIG = {"displayModeBar": False}

# Readable from two metres: large timers and names on the cards. The cards keep the class
# names their Streamlit containers had (st-key-wb_op_<code>, st-key-wb_name_<code>,
# st-key-wb_timer_<code>), so styles and browser tests find them as before.
_STYLE = """<style>
.st-key-wallboard .wb-grid {
  display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 0.75rem;
}
.st-key-wallboard .wb-card {
  border: 1px solid rgba(49, 51, 63, 0.2); border-radius: 0.5rem; padding: 0.75rem 1rem;
}
.st-key-wallboard .wb-name {
  font-size: 1.3rem; font-weight: 600; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis;
}
.st-key-wallboard .wb-timer {
  font-size: 2.6rem; font-weight: 700; line-height: 1.1; font-variant-numeric: tabular-nums;
}
.st-key-wallboard .wb-badge { border-radius: 0.5rem; padding: 0.1rem 0.5rem; font-size: 0.9rem; }
.st-key-wallboard .wb-call { background: #dbe7fb; color: #1c64d9; }
.st-key-wallboard .wb-free { background: #dcf1e1; color: #1f8a3b; }
.st-key-wallboard .wb-off { background: #ececec; color: #6b6b6b; }
.st-key-wallboard .wb-wrap { background: #fdf0d5; color: #9a5b00; }
.st-key-wallboard .wb-pause { background: #ece3f7; color: #6a3fa0; }
.st-key-wallboard .wb-caption { font-size: 0.875rem; color: rgba(49, 51, 63, 0.6); }
.st-key-wallboard [data-testid="stMetricValue"] { font-size: 2rem; }
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
        format_func=lambda g: "Todos os grupos" if g is None else groups[g], placeholder=CHOOSE,
    )  # fmt: skip
    routine = middle.selectbox(
        "Rotina", [None, *Routine], key="wb_routine",
        format_func=lambda r: "Todas" if r is None else r.label, placeholder=CHOOSE,
    )  # fmt: skip
    interval = right.selectbox(
        "Atualizar a cada", INTERVALS, index=INTERVALS.index(DEFAULT_INTERVAL),
        key="wb_interval", format_func=lambda s: f"{s} s", placeholder=CHOOSE,
    )  # fmt: skip
    return WallboardFilter(group_id=group_id, routine=routine), int(interval)


# --- the shared snapshot -------------------------------------------------------------------


def time_bucket(interval: int, at: float | None = None) -> int:
    """Which refresh window `at` (default: now) falls in: every viewer of one window shares it."""
    return int((time.time() if at is None else at) // interval)


@dataclass
class Prepared:
    """A snapshot and what every viewer draws from it alike (built once, then only read)."""

    board: Wallboard
    charts: list[list[tuple[str, go.Figure]]] = field(default_factory=list)


class SharedBoards:
    """The last snapshot of each view, refreshed once per interval without making anyone wait.

    A view whose snapshot is from the previous window is read again in a background thread,
    started by the first tick that notices; meanwhile every tick gets the previous snapshot
    (its caption shows when it was taken), so what a board shows is at most two intervals old;
    a lone viewer sees, at each tick, the snapshot its previous tick asked for.
    Only a view nobody has watched for longer is read in the tick, once, while its other
    viewers wait for that read.
    """

    MAX_VIEWS = 64

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._views: OrderedDict[tuple[object, ...], _View] = OrderedDict()

    def get(
        self, db: Database, key: tuple[object, ...], bucket: int, read: Callable[[], Wallboard]
    ) -> Prepared:
        with self._lock:
            view = self._views.get(key)
            if view is None:
                view = self._views[key] = _View()
                while len(self._views) > self.MAX_VIEWS:
                    self._views.popitem(last=False)
            self._views.move_to_end(key)
            # One window behind: shown while the next read runs. Older (nobody watched this
            # view for a while): read now, as for a view nobody has watched yet.
            cold = view.prepared is None or view.bucket < bucket - 1
            start = not cold and view.bucket < bucket and view.refresh is None
            if start:
                view.refresh = threading.Thread(
                    target=self._refresh, args=(view, bucket, read), daemon=True
                )
                db.add_worker(view.refresh)  # closing the database waits for this read
                view.refresh.start()
        if cold:
            with view.first_read:  # the view's first viewers: one reads, the others wait
                if view.prepared is None or view.bucket < bucket - 1:
                    self._read(view, bucket, read)
        assert view.prepared is not None
        return view.prepared

    def _read(self, view: _View, bucket: int, read: Callable[[], Wallboard]) -> None:
        prepared = prepare(read())  # the queries, then the charts: ~0.1-0.2 s at scale S
        with self._lock:
            view.prepared, view.bucket = prepared, bucket

    def _refresh(self, view: _View, bucket: int, read: Callable[[], Wallboard]) -> None:
        try:
            self._read(view, bucket, read)
        except Exception:  # the previous snapshot stays; the next tick tries again
            _LOG.exception("painel ao vivo: falha ao atualizar o retrato")
        finally:
            with self._lock:
                view.refresh = None

    def settle(self, timeout: float = 30) -> None:
        """Wait for the refreshes in flight (tests)."""
        with self._lock:
            running = [view.refresh for view in self._views.values() if view.refresh]
        for thread in running:
            thread.join(timeout)

    def clear(self) -> None:
        self.settle()
        with self._lock:
            self._views.clear()


@dataclass
class _View:
    prepared: Prepared | None = None
    bucket: int = -1
    refresh: threading.Thread | None = None
    first_read: threading.Lock = field(default_factory=threading.Lock)


SHARED = SharedBoards()


def snapshot(db: Database, user: User, filters: WallboardFilter, interval: int) -> Wallboard:
    """The board's data for this viewer: permission first, then the shared snapshot."""
    return shared_view(db, user, filters, interval).board


def shared_view(db: Database, user: User, filters: WallboardFilter, interval: int) -> Prepared:
    require(db, user, Action.SUPERVISE, SUBJECT)
    lease_seconds = runtime.settings().station_lease_seconds
    # The snapshot depends on the viewer only through the masking flags, which are in the key.
    key = (
        str(db.path), filters.group_id, filters.routine, interval,
        user.personal_access, user.sensitive_access, lease_seconds,
    )  # fmt: skip
    return SHARED.get(
        db,
        key,
        time_bucket(interval),
        lambda: dashboards.wallboard(db, user, filters, lease_seconds),
    )


def prepare(board: Wallboard) -> Prepared:
    rows = [[(key, SharedFigure(figure)) for key, figure in row] for row in chart_rows(board)]
    for row in rows:
        for _, figure in row:
            figure.to_dict()  # built here, in the refresh, not in a viewer's tick
    return Prepared(board, rows)


class SharedFigure(go.Figure):
    """A chart drawn by every viewer of one snapshot. st.plotly_chart asks each tick for the
    figure's dict, which plotly deep-copies every time (half of a board tick's CPU at scale S);
    this figure computes it once. Never changed after `prepare`."""

    def to_dict(self) -> dict[str, Any]:
        shared = self.__dict__.get("_shared_dict")
        if shared is None:
            shared = super().to_dict()
            for trace in shared.get("data", []):
                trace.pop("uid", None)  # what plotly.io.to_json removes: the dict stays as is
            self.__dict__["_shared_dict"] = shared
        return shared


# --- the board -----------------------------------------------------------------------------


def live_board(db: Database, user: User, filters: WallboardFilter, interval: int) -> None:
    """The board as a fragment that reruns itself every `interval` seconds."""
    st.html(_STYLE)
    st.fragment(_board, run_every=interval)(db, user, filters, interval)


def _board(db: Database, user: User, filters: WallboardFilter, interval: int) -> None:
    with st.container(key="wallboard"):
        view = attempt(lambda: shared_view(db, user, filters, interval))
        if view is None:
            return
        board = view.board
        # Who is on a call is read fresh on every tick (one light query); the rest is shared.
        lease = runtime.settings().station_lease_seconds
        live = attempt(lambda: dashboards.live_operators(db, user, filters, lease))
        operators = board.operators if live is None else live
        now = utc_now()
        taken = board.now.astimezone(LOCAL_TZ)
        st.caption(
            f"Atualiza a cada {interval} s · operadores agora, indicadores das {taken:%H:%M:%S}"
        )
        group_states(operators)
        operator_grid(operators, now)
        directions_row(board.directions)
        if board.telemarketing is not None:
            telemarketing_row(board.telemarketing)
        if board.televendas is not None:
            televendas_row(board.televendas)
        if board.telecobranca is not None:
            telecobranca_row(board.telecobranca)
        charts(view.charts)
        alerts(dashboards.operator_alerts(operators, now) + board.kpi_alerts)


def _age(seconds: float) -> str:
    """A short age: 12 s, 5 min, 2 h 05."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d}"


def group_states(operators: list[OperatorState]) -> None:
    """Per group: how many operators are available, on a call, in wrap-up, paused, away."""
    counts = dashboards.state_counts(operators)
    if not counts:
        return
    st.markdown("##### Estados por grupo")
    rows = [
        {"Grupo": group, **{STATE_LABELS[s]: n for s, n in by_state.items()}}
        for group, by_state in counts.items()
    ]
    st.dataframe(rows, hide_index=True, key="wb_group_states")


def operator_grid(states: list[OperatorState], now: datetime) -> None:
    st.markdown("##### Operadores")
    if not states:
        st.info("Nenhum operador neste filtro.", icon="👥")
        return
    cards = "".join(operator_card(state, now) for state in states)
    with st.container(key="wb_operators"):
        st.html(f'<div class="wb-grid">{cards}</div>')


def operator_card(state: OperatorState, now: datetime) -> str:
    """Name and code, state badge, live timer (blue under / red over the ideal time), routine
    and entity on the line, time in the current state and the station's last heartbeat."""
    code = html.escape(state.code)
    badge_class, badge = STATE_BADGES[state.state]
    if state.state == ON_CALL and state.call_started_at is not None:
        reading = read_timer(state.call_started_at, now, state.ideal_seconds)
        colour = HEX["red"] if reading.over_limit else HEX["blue"]
        timer = f'<span style="color: {colour}">{reading.text}</span>'
    elif state.limit_seconds and state.since is not None:  # a pause or a wrap-up: its maximum
        colour = HEX["red"] if state.over_limit(now) else "#6b6b6b"
        timer = (
            f'<span style="color: {colour}">{format_elapsed(state.seconds_in_state(now))}</span>'
        )
    else:
        timer = '<span style="color: #9e9e9e">—</span>'
    if state.state == ON_CALL:
        routine = state.routine.label if state.routine else "—"
        line = f"{routine} · {state.entity_name or '—'}"
    elif state.state == PAUSED:
        line = f"{state.pause_reason or 'Pausa'} · {state.group_name}"
    else:
        line = state.group_name
    in_state = _age((now - state.since).total_seconds()) if state.since else "—"
    beat = (
        f"sinal há {_age((now - state.heartbeat_at).total_seconds())}"
        if state.heartbeat_at
        else "sem sinal"
    )
    limit = (
        f"Máximo: {format_elapsed(state.limit_seconds)}"
        if state.limit_seconds
        else f"Ideal: {format_elapsed(state.ideal_seconds)}"
    )
    details = f"Neste estado: {in_state} · {limit} · Estação: {beat}"
    return (
        f'<div class="wb-card st-key-wb_op_{code}">'
        f'<div class="wb-name st-key-wb_name_{code}">{html.escape(state.name)}</div>'
        f'<div><code>{code}</code> <span class="wb-badge {badge_class}">{badge}</span></div>'
        f'<div class="wb-timer st-key-wb_timer_{code}">{timer}</div>'
        f'<div class="wb-caption">{html.escape(line)}</div>'
        f'<div class="wb-caption">{html.escape(details)}</div>'
        "</div>"
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


def directions_row(directions: dict[str, dict[str, int]]) -> None:
    """Inbound vs outbound: what the receptivo and ativo groups did today, per routine."""
    if not directions:
        return
    _metrics(
        "Ligações hoje: receptivas × ativas",
        [
            Kpi(
                Routine(routine).label,
                f"{counts['receptivo']} × {counts['ativo']}",
                note="receptivas × ativas",
                help="Receptiva: o cliente ligou (busca do chamador). Ativa: o operador ligou "
                "(próximo devedor, agenda ou lista).",
            )
            for routine, counts in directions.items()
        ],
    )


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
            marker_color=[HEX[STATUS_COLOURS[s]] for s in statuses],
            text=[tmk.by_status[s] for s in statuses], textposition="auto",
        )
    )  # fmt: skip
    empty = None if statuses else "Nenhum atendimento hoje"
    figure.update_layout(yaxis=count_axis(tmk.by_status.get(s, 0) for s in statuses))
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


def chart_rows(board: Wallboard) -> list[list[tuple[str, go.Figure]]]:
    """The day's pictures in one row, the month's rankings in a second one (built once per
    snapshot and shared: a figure is only read after this)."""
    today: list[tuple[str, go.Figure]] = []
    month: list[tuple[str, go.Figure]] = []
    if board.telemarketing is not None:
        today.append(("wb_chart_tmk_status", status_chart(board.telemarketing)))
    if board.televendas is not None:
        today.append(("wb_chart_tlv_funnel", funnel_chart(board.televendas)))
        top = board.televendas.top_operators
        title = "Televendas: faturado no mês"
        figure = ranking_chart(
            top["name"].to_list(), top["amount"].to_list(), title, "Nenhum faturamento no mês"
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
            recovery["name"].to_list(),
            recovery["recovered"].to_list(),
            title,
            "Nada recuperado no mês",
        )
        month.append(("wb_chart_tlc_recovery", figure))
    return [row for row in (today, month) if row]


def charts(rows: list[list[tuple[str, go.Figure]]]) -> None:
    for row in rows:
        for column, (key, figure) in zip(st.columns(3), row, strict=False):
            with column:
                st.plotly_chart(figure, width="stretch", key=key, config=_CHART_CONFIG)


ALERTS_SHOWN = 10  # lines in the alert box; the rest are counted (the cards show them too)


def alerts(messages: list[str]) -> None:
    """One box for every alert: at 200 operators a box per late call was 200 elements a tick."""
    with st.container(key="wb_alerts"):
        if not messages:
            st.success("Nenhum alerta no momento.", icon="✅")
            return
        # Alerts name operators (names typed by an admin): shown as text, never Markdown.
        lines = [f"- {plain(message)}" for message in messages[:ALERTS_SHOWN]]
        if len(messages) > ALERTS_SHOWN:
            lines.append(f"- … e mais {len(messages) - ALERTS_SHOWN} alerta(s)")
        st.warning("\n".join(lines), icon="⚠️")
