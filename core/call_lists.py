"""A campaign's call lists: imported from a CSV file, or built from a filter over the base.

The file (semicolon-separated, header row), one registered customer per line:

    documento;melhor_horario

documento is a registered entity's CPF/CNPJ; melhor_horario (optional) the local hours to call,
e.g. "9-12". As with the titles import, every line is checked and every problem reported with
its line, and a file with any problem writes nothing. A person already in the campaign is a
problem too (one entry per person per campaign is the table's key).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import IO, Any

from core.access import Action
from core.csv_lines import CsvLines, Progress, as_stream
from core.db import Tx
from core.errors import Invalid, NotFound
from core.localtime import LOCAL_TZ
from core.service import Work, command, query
from core.telecobranca import queue as tlc_queue
from core.telecobranca import setup as tlc_setup
from core.validation import digits

MAX_ROWS = 50_000
SAMPLE = "documento;melhor_horario\n529.982.247-25;9-12\n"
_HOURS = re.compile(r"^\s*(\d{1,2})\s*(?:h)?\s*-\s*(\d{1,2})\s*(?:h)?\s*$")
FILTERS = {
    "sem_compra": "Clientes sem compra faturada há N dias",
    "devedores": "Devedores de uma faixa de atraso (Telecobrança)",
}


@dataclass
class ListReport:
    rows: int = 0
    added: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line, message)
    encoding: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems and self.added > 0


@dataclass(frozen=True)
class ListFilter:
    kind: str  # a FILTERS key
    days: int = 90  # sem_compra: no invoiced order in this many days
    range_id: int | None = None  # devedores: the collection range


def _campaign(tx: Tx, campaign_id: int) -> dict[str, Any]:
    found = tx.one("SELECT id, name, active FROM campaigns WHERE id = ?", [campaign_id])
    if found is None:
        raise NotFound("Campanha não encontrada.")
    return found


def _list_name(name: str) -> str:
    clean = " ".join(name.split())
    if not 3 <= len(clean) <= 60:
        raise Invalid("Dê à lista um nome de 3 a 60 caracteres.")
    return clean


@command(Action.MANAGE_CAMPAIGNS, "listas de contato")
def import_list(
    work: Work,
    campaign_id: int,
    name: str,
    content: bytes | str | IO[bytes],
    progress: Progress | None = None,
) -> ListReport:
    """Validate the whole file; when every line is right, add its people to the campaign."""
    tx = work.tx
    _campaign(tx, campaign_id)
    title = _list_name(name)
    stream, size = as_stream(content)
    source = CsvLines(stream, size, progress)
    report = ListReport()
    documents: list[str] = []
    hours: list[tuple[int | None, int | None]] = []
    lines: list[int] = []
    first_line: dict[str, int] = {}
    reader = csv.reader(source, delimiter=";")
    header = [column.strip().lower() for column in next(reader, [])]
    if source.problem:
        report.problems.append(source.problem)
        return report
    if "documento" not in header or set(header) - {"documento", "melhor_horario", ""}:
        report.problems.append((1, "cabeçalho esperado: documento;melhor_horario"))
        return report
    for fields in reader:
        line = source.line
        if not any(value.strip() for value in fields):
            continue
        report.rows += 1
        if report.rows > MAX_ROWS:
            report.problems.append(
                (line, f"o arquivo passa de {MAX_ROWS:,} linhas".replace(",", "."))
            )
            return report
        row = dict(zip(header, fields, strict=False))
        document = digits(row.get("documento", ""))
        if len(document) not in (11, 14):
            report.problems.append((line, "documento: informe o CPF ou o CNPJ"))
            continue
        if document in first_line:
            report.problems.append(
                (line, f"documento repetido (já na linha {first_line[document]})")
            )
            continue
        first_line[document] = line
        best = _best_hours(row.get("melhor_horario", ""))
        if best is None:
            report.problems.append((line, "melhor_horario: use horas como 9-12 (das 9h às 12h)"))
            continue
        documents.append(document)
        hours.append(best)
        lines.append(line)
    if source.problem:
        report.problems.append(source.problem)
    report.encoding = source.encoding_label
    if report.rows == 0 and not report.problems:
        report.problems.append((1, "o arquivo não tem linhas"))
    known = {
        row["document"]: row
        for row in tx.all(
            "SELECT e.document, e.id, (SELECT x.id FROM call_list_entries x WHERE"
            " x.campaign_id = ? AND x.entity_id = e.id) AS listed"
            " FROM entities e WHERE e.document = ANY(?::VARCHAR[])",
            [campaign_id, documents],
        )
    }
    for document, line in zip(documents, lines, strict=True):
        if document not in known:
            report.problems.append((line, "documento não cadastrado: cadastre a pessoa antes"))
        elif known[document]["listed"] is not None:
            report.problems.append((line, "esta pessoa já está na campanha"))
    if report.problems:
        report.problems.sort()
        return report
    entity_ids = [known[document]["id"] for document in documents]
    report.added = _add(
        tx,
        work.user.id,
        campaign_id,
        title,
        "arquivo",
        entity_ids,
        [h[0] for h in hours],
        [h[1] for h in hours],
    )
    work.audit(
        "campanha.lista_importada",
        subject_type="campanha",
        subject_id=campaign_id,
        detail={"lista": title, "contatos": report.added},
    )
    return report


def _best_hours(text: str) -> tuple[int | None, int | None] | None:
    """(from, until) local hours, (None, None) when blank, None when unreadable."""
    if not text.strip():
        return None, None
    match = _HOURS.match(text)
    if match is None:
        return None
    start, end = int(match[1]), int(match[2])
    return (start, end) if 0 <= start < end <= 24 else None


def _add(
    tx: Tx,
    user_id: int,
    campaign_id: int,
    title: str,
    source: str,
    entity_ids: list[int],
    best_from: list[int | None] | None = None,
    best_until: list[int | None] | None = None,
) -> int:
    """A list and its entries, set-based; people already in the campaign are skipped."""
    list_id = tx.scalar(
        "INSERT INTO call_lists (campaign_id, name, source, entries, created_at, user_id)"
        " VALUES (?, ?, ?, 0, ?, ?) RETURNING id",
        [campaign_id, title, source, tx.now, user_id],
    )
    none = [None] * len(entity_ids)
    added = tx.all(
        "INSERT INTO call_list_entries (campaign_id, list_id, entity_id, status, next_at,"
        " best_from, best_until)"
        " SELECT ?, ?, unnest(?::BIGINT[]), 'pendente', ?, unnest(?::SMALLINT[]),"
        " unnest(?::SMALLINT[])"
        " ON CONFLICT (campaign_id, entity_id) DO NOTHING RETURNING id",
        [campaign_id, list_id, entity_ids, tx.now, best_from or none, best_until or none],
    )
    tx.execute("UPDATE call_lists SET entries = ? WHERE id = ?", [len(added), list_id])
    return len(added)


@command(Action.MANAGE_CAMPAIGNS, "listas de contato")
def build_list(work: Work, campaign_id: int, name: str, chosen: ListFilter) -> int:
    """A list from the base: customers without an invoiced order for `days` days, or the
    debtors now in a collection range. Returns how many people were added (those already in
    the campaign are skipped)."""
    tx = work.tx
    _campaign(tx, campaign_id)
    title = _list_name(name)
    if chosen.kind == "sem_compra":
        if not 1 <= chosen.days <= 3650:
            raise Invalid("Informe de 1 a 3650 dias sem compra.")
        rows = tx.all(
            "SELECT e.id FROM entities e WHERE e.kind = 'cliente'"
            " AND NOT coalesce(e.do_not_call, FALSE) AND NOT EXISTS (SELECT 1 FROM tlv_orders o"
            " WHERE o.entity_id = e.id AND o.status = 'faturado' AND o.invoiced_at >= ?)"
            " ORDER BY e.id",
            [tx.now - timedelta(days=chosen.days)],
        )
        source = f"sem compra há {chosen.days} dias"
    elif chosen.kind == "devedores":
        ranges = {r.id: r for r in tlc_setup.active_ranges(tx)}
        if chosen.range_id not in ranges:
            raise Invalid("Escolha uma faixa de atraso ativa.")
        sql, params = tlc_queue.debtors_sql(
            list(ranges.values()), tx.now.astimezone(LOCAL_TZ).date()
        )
        rows = tx.all(
            f"SELECT d.entity_id AS id FROM ({sql}) d WHERE d.range_id = ? ORDER BY d.entity_id",
            [*params, chosen.range_id],
        )
        source = f"devedores da faixa {ranges[chosen.range_id].code}"
    else:
        raise Invalid("Filtro de lista desconhecido.")
    if not rows:
        raise Invalid("Ninguém atende a este filtro: nenhuma lista foi criada.")
    added = _add(tx, work.user.id, campaign_id, title, source, [row["id"] for row in rows])
    work.audit(
        "campanha.lista_filtrada",
        subject_type="campanha",
        subject_id=campaign_id,
        detail={"lista": title, "filtro": source, "contatos": added},
    )
    return added


@query(Action.MANAGE_CAMPAIGNS, "listas de contato")
def lists_of(work: Work, campaign_id: int) -> list[dict[str, Any]]:
    return work.tx.all(
        "SELECT l.id, l.name, l.source, l.entries, l.created_at, u.name AS user_name,"
        " count(e.id) FILTER (WHERE e.status IN ('concluido', 'esgotado')) AS finished"
        " FROM call_lists l JOIN users u ON u.id = l.user_id"
        " LEFT JOIN call_list_entries e ON e.list_id = l.id WHERE l.campaign_id = ?"
        " GROUP BY l.id, l.name, l.source, l.entries, l.created_at, u.name ORDER BY l.id",
        [campaign_id],
    )


@query(Action.MANAGE_CAMPAIGNS, "listas de contato")
def range_choices(work: Work) -> dict[int, str]:
    """The active collection ranges a debtors' list may be built from."""
    return {r.id: f"{r.code} · {r.span}" for r in tlc_setup.active_ranges(work.tx)}
