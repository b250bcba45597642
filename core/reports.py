"""Management reports of the three routines over a period [TMKR*], for supervisors: each one a
polars frame with pt-BR column labels, exportable as CSV or XLSX (the export is audited).

The reports aggregate; none of them carries a personal field (no document, phone or e-mail),
so there is nothing to mask. Periods are São Paulo calendar days, both ends included.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import polars as pl

from core import audit, campaigns, operator_states, scripts
from core.access import Action, User, require
from core.db import Database, Tx, seconds_between
from core.errors import Invalid
from core.exports import export_bytes
from core.listing import local_midnight
from core.localtime import local_day
from core.telecobranca import queue as tlc_queue
from core.telecobranca import setup as tlc_setup
from core.telecobranca.maintenance import BALANCE_LABELS, collector_balance

MAX_DAYS = 366


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise Invalid("O período termina antes de começar.")
        if (self.end - self.start).days >= MAX_DAYS:
            raise Invalid("Escolha um período de até um ano.")

    @property
    def bounds(self) -> list[datetime]:
        """[start, end] as parameters of `col >= ? AND col < ? + INTERVAL '1 day'`."""
        return [local_midnight(self.start), local_midnight(self.end)]

    @property
    def span(self) -> tuple[datetime, datetime]:
        """The period as a half-open range: its first midnight, the midnight after its end."""
        return local_midnight(self.start), local_midnight(self.end + timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


_WITHIN = re.compile(r"WITHIN\(([\w.]+)\)")
_SECONDS = re.compile(r"SECONDS\(([\w.]+), ([\w.]+)\)")


def within_period(tx: Tx, sql: str, period: Period) -> tuple[str, list[datetime]]:
    """`WITHIN(col)` in a report's SQL means "col falls on one of the period's days", and
    `SECONDS(start, end)` the seconds between two timestamps; the statement to run and its
    parameters, the period's bounds once per WITHIN."""
    uses = len(_WITHIN.findall(sql))
    sql = _SECONDS.sub(lambda m: seconds_between(tx, m[1], m[2]), sql)
    return _WITHIN.sub(r"\1 >= ? AND \1 < ? + INTERVAL '1 day'", sql), [*period.bounds] * uses


@dataclass(frozen=True)
class Report:
    key: str
    routine: str
    title: str
    labels: dict[str, str]  # column -> pt-BR header, in display order
    sql: str = ""  # the rows, with WITHIN and SECONDS (see within_period), or `build`
    build: Callable[[Tx, Period], pl.DataFrame] | None = None
    chart: tuple[str, str] | None = None  # (x column, y column) a person would rather look at
    note: str = ""

    def rows(self, tx: Tx, period: Period) -> pl.DataFrame:
        if self.build is not None:
            return self.build(tx, period)
        return tx.frame(*within_period(tx, self.sql, period))


TMK_BY_DAY = Report(
    "tmk_dia",
    "Telemarketing",
    "Ligações recebidas e realizadas por dia",
    {"day": "Dia", "received": "Recebidas", "made": "Realizadas", "total": "Total"},
    """
    SELECT (a.started_at AT TIME ZONE 'America/Sao_Paulo')::DATE AS day,
        count(*) FILTER (WHERE a.direction = 'receptivo') AS received,
        count(*) FILTER (WHERE a.direction = 'ativo') AS made,
        count(*) AS total
    FROM tmk_attendances a
    WHERE WITHIN(a.started_at)
    GROUP BY day
    ORDER BY day
    """,
    chart=("day", "total"),
)
TMK_RANKING = Report(
    "tmk_ranking",
    "Telemarketing",
    "Ranking de operadores (TMA)",
    {
        "code": "Operador",
        "name": "Nome",
        "attendances": "Atendimentos",
        "closed": "Encerrados",
        "tma_minutes": "TMA (min)",
    },
    """
    SELECT o.code, u.name, count(*) AS attendances,
        count(*) FILTER (WHERE a.status = 'encerrado') AS closed,
        round(avg(SECONDS(c.started_at, c.ended_at)) / 60, 1)::DOUBLE PRECISION
            AS tma_minutes
    FROM tmk_attendances a
    JOIN operators o ON o.id = a.operator_id
    JOIN users u ON u.id = a.user_id
    LEFT JOIN calls c ON c.id = a.call_id AND c.ended_at IS NOT NULL
    WHERE WITHIN(a.started_at)
    GROUP BY 1, 2
    ORDER BY attendances DESC, tma_minutes, o.code
    """,
    chart=("code", "attendances"),
    note="TMA: média do fim menos o início das ligações dos atendimentos.",
)
TMK_MEDIA_CAMPAIGNS = Report(
    "tmk_midias",
    "Telemarketing",
    "Mídias e campanhas com mais atendimentos",
    {"kind": "Tipo", "description": "Mídia / campanha", "attendances": "Atendimentos"},
    """
    SELECT CASE k.catalogue WHEN 'midia' THEN 'Mídia' ELSE 'Campanha' END AS kind,
        k.description, count(*) AS attendances
    FROM tmk_attendances a
    JOIN catalogue_items k ON k.id IN (a.media_id, a.campaign_id)
    WHERE WITHIN(a.started_at)
    GROUP BY 1, 2
    ORDER BY attendances DESC, kind, k.description
    """,
    chart=("description", "attendances"),
)
TMK_TIME_TO_CLOSE = Report(
    "tmk_encerramento",
    "Telemarketing",
    "Tempo até o encerramento (horas)",
    {
        "grouping": "Por",
        "label": "Motivo / operador",
        "closed": "Encerrados",
        "max_h": "Máximo",
        "min_h": "Mínimo",
        "mean_h": "Média",
        "stddev_h": "Desvio",
    },
    """
    WITH closed AS (
        SELECT a.*, SECONDS(a.started_at, a.closed_at) / 3600 AS h
        FROM tmk_attendances a
        WHERE a.status = 'encerrado' AND WITHIN(a.closed_at)
    )
    SELECT 'Motivo' AS grouping, coalesce(k.description, '—') AS label, count(*) AS closed,
        round(max(h), 1)::DOUBLE PRECISION AS max_h,
        round(min(h), 1)::DOUBLE PRECISION AS min_h,
        round(avg(h), 1)::DOUBLE PRECISION AS mean_h,
        round(coalesce(stddev_samp(h), 0), 1)::DOUBLE PRECISION AS stddev_h
    FROM closed c
    LEFT JOIN catalogue_items k ON k.id = c.closing_reason_id
    GROUP BY 2
    UNION ALL
    SELECT 'Operador', o.code, count(*), round(max(h), 1)::DOUBLE PRECISION,
        round(min(h), 1)::DOUBLE PRECISION, round(avg(h), 1)::DOUBLE PRECISION,
        round(coalesce(stddev_samp(h), 0), 1)::DOUBLE PRECISION
    FROM closed c
    JOIN operators o ON o.id = c.operator_id
    GROUP BY 2
    ORDER BY grouping DESC, closed DESC, label
    """,
    chart=("label", "mean_h"),
)
_TLV_COUNTS = {
    "calls": "Ligações",
    "quotes": "Orçamentos",
    "invoiced": "Faturados",
    "amount": "Faturado (R$)",
}
TLV_BY_OPERATOR = Report(
    "tlv_operador",
    "Televendas",
    "Ligações × orçamentos × faturados por operador",
    {"code": "Operador", "name": "Nome", **_TLV_COUNTS},
    """
    WITH calls_ AS (
        SELECT user_id, count(*) AS calls
        FROM calls
        WHERE routine = 'televendas' AND WITHIN(started_at)
        GROUP BY user_id
    ),
    orders_ AS (
        SELECT user_id,
            count(*) FILTER (
                WHERE WITHIN(created_at) AND (operation = 'orcamento' OR converted_at IS NOT NULL)
            ) AS quotes,
            count(*) FILTER (WHERE status = 'faturado' AND WITHIN(invoiced_at)) AS invoiced,
            coalesce(sum(total) FILTER (WHERE status = 'faturado' AND WITHIN(invoiced_at)), 0)
                AS amount
        FROM tlv_orders
        GROUP BY user_id
    )
    SELECT o.code, u.name, coalesce(c.calls, 0) AS calls, coalesce(r.quotes, 0) AS quotes,
        coalesce(r.invoiced, 0) AS invoiced, coalesce(r.amount, 0)::DECIMAL(18, 2) AS amount
    FROM operators o
    JOIN users u ON u.id = o.user_id
    LEFT JOIN calls_ c ON c.user_id = o.user_id
    LEFT JOIN orders_ r ON r.user_id = o.user_id
    WHERE coalesce(c.calls, 0) + coalesce(r.quotes, 0) + coalesce(r.invoiced, 0) > 0
    ORDER BY amount DESC, o.code
    """,
    chart=("code", "amount"),
)
TLV_BY_DAY = Report(
    "tlv_dia",
    "Televendas",
    "Ligações × orçamentos × faturados por dia",
    {"day": "Dia", **_TLV_COUNTS},
    """
    WITH events AS (
        SELECT (started_at AT TIME ZONE 'America/Sao_Paulo')::DATE AS day,
            1 AS calls, 0 AS quotes, 0 AS invoiced, 0::DECIMAL(18, 2) AS amount
        FROM calls
        WHERE routine = 'televendas' AND WITHIN(started_at)
        UNION ALL
        SELECT (created_at AT TIME ZONE 'America/Sao_Paulo')::DATE, 0, 1, 0, 0
        FROM tlv_orders
        WHERE (operation = 'orcamento' OR converted_at IS NOT NULL) AND WITHIN(created_at)
        UNION ALL
        SELECT (invoiced_at AT TIME ZONE 'America/Sao_Paulo')::DATE, 0, 0, 1, total
        FROM tlv_orders
        WHERE status = 'faturado' AND WITHIN(invoiced_at)
    )
    SELECT day, sum(calls)::BIGINT AS calls, sum(quotes)::BIGINT AS quotes,
        sum(invoiced)::BIGINT AS invoiced, sum(amount) AS amount
    FROM events
    GROUP BY day
    ORDER BY day
    """,
    chart=("day", "amount"),
)
TLV_PRODUCTS = Report(
    "tlv_produtos",
    "Televendas",
    "Produtos faturados",
    {
        "code": "Código",
        "description": "Produto",
        "quantity": "Quantidade",
        "amount": "Valor (R$)",
        "orders": "Pedidos",
    },
    """
    SELECT p.code, p.description, sum(i.quantity) AS quantity, sum(i.total) AS amount,
        count(DISTINCT o.id) AS orders
    FROM tlv_items i
    JOIN tlv_orders o ON o.id = i.order_id
    JOIN products p ON p.id = i.product_id
    WHERE o.status = 'faturado' AND WITHIN(o.invoiced_at)
    GROUP BY 1, 2
    ORDER BY amount DESC, p.code
    """,
    chart=("description", "amount"),
)
TLV_CANCELLED = Report(
    "tlv_cancelados",
    "Televendas",
    "Atendimentos cancelados por motivo",
    {"reason": "Motivo", "cancelled": "Cancelados", "amount": "Valor (R$)"},
    """
    SELECT coalesce(cancellation_reason, '—') AS reason, count(*) AS cancelled,
        sum(total) AS amount
    FROM tlv_orders
    WHERE status = 'cancelado' AND WITHIN(cancelled_at)
    GROUP BY 1
    ORDER BY cancelled DESC, reason
    """,
    chart=("reason", "cancelled"),
)


# --- Telecobrança ---------------------------------------------------------------------------


def _tlc_queue_position(tx: Tx, period: Period) -> pl.DataFrame:
    """As of today (the period does not apply): per range, titles, customers, value, debtors
    never worked since their oldest title fell due, and the largest days overdue."""
    today = local_day(tx.now)
    ranges = tlc_setup.active_ranges(tx)
    sql, params = tlc_queue.debtors_sql(ranges, today)
    found = {
        row["range_id"]: row
        for row in tx.all(
            f"WITH debtors AS ({sql}) SELECT d.range_id, sum(d.titles) AS titles,"
            " count(*) AS customers, sum(d.balance) AS balance, max(d.days) AS max_days,"
            " count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM tlc_attendances a"
            "   WHERE a.entity_id = d.entity_id"
            "   AND a.started_at >= ? - d.days::INTEGER * INTERVAL '1 day')) AS not_worked"
            " FROM debtors d GROUP BY d.range_id",
            [*params, local_midnight(today)],
        )
    }
    rows = []
    for candidate in ranges:
        row = found.get(candidate.id, {})
        rows.append(
            {
                "range": f"{candidate.code} · {candidate.description}",
                "span": candidate.span,
                "titles": int(row.get("titles") or 0),
                "customers": int(row.get("customers") or 0),
                "balance": Decimal(row.get("balance") or 0),
                "not_worked": int(row.get("not_worked") or 0),
                "max_days": int(row.get("max_days") or 0),
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "range": pl.String,
            "span": pl.String,
            "titles": pl.Int64,
            "customers": pl.Int64,
            "balance": pl.Decimal(18, 2),
            "not_worked": pl.Int64,
            "max_days": pl.Int64,
        },
    )


CALLS_BY_DIRECTION = Report(
    "ligacoes_direcao",
    "Todas",
    "Ligações receptivas × ativas por dia e rotina",
    {"day": "Dia", "routine": "Rotina", "inbound": "Receptivas", "outbound": "Ativas"},
    """
    SELECT (c.started_at AT TIME ZONE 'America/Sao_Paulo')::DATE AS day,
        CASE c.routine WHEN 'telemarketing' THEN 'Telemarketing'
            WHEN 'televendas' THEN 'Televendas' ELSE 'Telecobrança' END AS routine,
        count(*) FILTER (WHERE coalesce(c.direction, 'receptivo') = 'receptivo') AS inbound,
        count(*) FILTER (WHERE c.direction = 'ativo') AS outbound
    FROM calls c
    WHERE WITHIN(c.started_at)
    GROUP BY 1, 2
    ORDER BY day, routine
    """,
    chart=("day", "outbound"),
    note="Receptiva: o cliente ligou. Ativa: o operador ligou (próximo devedor, agenda, listas).",
)
TLC_QUEUE_POSITION = Report(
    "tlc_posicao",
    "Telecobrança",
    "Posição geral da fila por faixa (hoje)",
    {
        "range": "Faixa",
        "span": "Atraso",
        "titles": "Títulos",
        "customers": "Clientes",
        "balance": "Valor (R$)",
        "not_worked": "Ainda não trabalhados",
        "max_days": "Maior atraso (dias)",
    },
    build=_tlc_queue_position,
    chart=("range", "balance"),
    note="Fotografia de hoje: o período não se aplica.",
)
OPERATOR_SHIFTS = Report(
    "jornada",
    "Todas",
    "Jornada dos operadores por dia: estados, pausas, ocupação e aderência",
    operator_states.SHIFT_LABELS,
    build=lambda tx, period: operator_states.shift_report(tx, *period.span),
    chart=("code", "occupancy_pct"),
    note=operator_states.SHIFT_NOTE,
)
CAMPAIGNS = Report(
    "campanhas",
    "Todas",
    "Campanhas ativas: contatos, sucesso, tentativas e penetração da lista",
    campaigns.REPORT_LABELS,
    build=lambda tx, period: campaigns.campaign_report(tx, *period.span),
    chart=("campaign", "success_pct"),
    note=campaigns.REPORT_NOTE,
)
SCRIPT_ANSWERS = Report(
    "roteiros",
    "Todas",
    "Roteiros: distribuição das respostas por pergunta",
    scripts.REPORT_LABELS,
    build=lambda tx, period: scripts.answers_report(tx, *period.span),
    note=scripts.REPORT_NOTE,
)
REPORTS: dict[str, Report] = {
    report.key: report
    for report in (
        TMK_BY_DAY,
        TMK_RANKING,
        TMK_MEDIA_CAMPAIGNS,
        TMK_TIME_TO_CLOSE,
        TLV_BY_OPERATOR,
        TLV_BY_DAY,
        TLV_PRODUCTS,
        TLV_CANCELLED,
        TLC_QUEUE_POSITION,
        CALLS_BY_DIRECTION,
        OPERATOR_SHIFTS,
        CAMPAIGNS,
        SCRIPT_ANSWERS,
    )
}
COLLECTOR_HISTORY = "tlc_cobradores"


def run_report(db: Database, user: User, key: str, period: Period) -> pl.DataFrame:
    """One report's rows for the period (the collector history included)."""
    require(db, user, Action.SUPERVISE, f"relatório {key}")
    if key == COLLECTOR_HISTORY:
        return collector_balance(db, user, period.start, period.end)
    if key not in REPORTS:
        raise Invalid("Relatório inexistente.")
    return db.read(lambda tx: REPORTS[key].rows(tx, period))


def daily_averages(key: str, frame: pl.DataFrame, period: Period) -> dict[str, float]:
    """Per-day averages over the whole period (days without calls count as zero): shown
    above the Telemarketing per-day report."""
    if key != "tmk_dia":
        return {}
    return {
        label: round(float(frame[column].sum() or 0) / period.days, 1)
        for column, label in (("received", "Recebidas por dia"), ("made", "Realizadas por dia"))
    }


def labels_of(key: str) -> dict[str, str]:
    return BALANCE_LABELS if key == COLLECTOR_HISTORY else REPORTS[key].labels


def export_report(db: Database, user: User, key: str, period: Period, fmt: str) -> bytes:
    """The report as CSV (;, BOM, decimal comma) or XLSX, with the export audited."""
    if fmt not in {"csv", "xlsx"}:
        raise Invalid("Formato de exportação inválido.")
    frame = run_report(db, user, key, period)
    labels = labels_of(key)
    data = export_bytes(frame, labels, fmt, sheet=key)
    db.write(
        lambda tx: audit.record(
            tx,
            user,
            "dados.exportados",
            subject_type="relatorio",
            subject_id=key,
            detail={
                "formato": fmt,
                "registros": frame.height,
                "periodo": [period.start.isoformat(), period.end.isoformat()],
            },
        )
    )
    return data
