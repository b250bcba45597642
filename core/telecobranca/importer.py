"""CSV import of customers and their receivable titles (titles that did not come from our
invoices: another ERP, a legacy portfolio).

Every row is validated and every problem reported with its line; a file with any problem
writes nothing. The layout (semicolon-separated, header row; pt-BR dates and money):

    documento;nome;telefone;email;prefixo;numero;parcela;tipo;emissao;vencimento;valor;saldo

documento is the customer's CPF/CNPJ; nome, telefone and email are needed only to create a
customer not registered yet; tipo defaults to NF; saldo defaults to valor (0: already paid).

The file is read as a stream, line by line: UTF-8 (with or without BOM) or, as Excel saves it
in Brazil, Windows-1252. Rows are validated as they arrive and kept in columns; a file past
MAX_ROWS is refused as soon as the row after the limit shows up, without reading the rest.
What the file writes (customers, titles, audit rows) goes in set-based, in one transaction.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import IO, Any

import polars as pl

from core import audit, entities
from core.access import Action, User, require
from core.csv_lines import CsvLines, Progress, as_stream
from core.db import Database, Tx
from core.errors import Invalid
from core.money import parse_money
from core.telecobranca.attendance import local_today
from core.validation import digits

COLUMNS = (
    "documento", "nome", "telefone", "email", "prefixo", "numero", "parcela", "tipo",
    "emissao", "vencimento", "valor", "saldo",
)  # fmt: skip
REQUIRED = {"documento", "prefixo", "numero", "parcela", "vencimento", "valor"}
MAX_ROWS = 50_000
_CODE = re.compile(r"^[A-Z0-9]{1,3}$")
_NUMBER = re.compile(r"^[A-Za-z0-9./-]{1,20}$")
_DAY = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
SAMPLE = (
    "documento;nome;telefone;email;prefixo;numero;parcela;tipo;emissao;vencimento;valor;saldo\n"
    "529.982.247-25;Maria da Silva;(11) 98765-4321;;LEG;000123;1;DP;05/01/2026;05/02/2026;"
    "1.250,00;1.250,00\n"
)


@dataclass
class ImportReport:
    rows: int = 0
    customers_created: int = 0
    titles_created: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line, message)
    encoding: str = ""  # "UTF-8" or "Windows-1252", as detected

    @property
    def ok(self) -> bool:
        return not self.problems and self.rows > 0


@dataclass
class _Rows:
    """The file's clean rows, one list per column (cheaper than an object per row)."""

    line: list[int] = field(default_factory=list)
    document: list[str] = field(default_factory=list)
    name: list[str] = field(default_factory=list)
    phone: list[str] = field(default_factory=list)
    email: list[str] = field(default_factory=list)
    prefix: list[str] = field(default_factory=list)
    number: list[str] = field(default_factory=list)
    installment: list[int] = field(default_factory=list)
    type: list[str] = field(default_factory=list)
    issue_date: list[date] = field(default_factory=list)
    due_date: list[date] = field(default_factory=list)
    amount: list[Decimal] = field(default_factory=list)
    balance: list[Decimal] = field(default_factory=list)


def import_receivables(
    db: Database,
    user: User,
    content: bytes | str | IO[bytes],
    progress: Progress | None = None,
) -> ImportReport:
    """Validate the whole file; when every row is right, write it all in one transaction.

    `content` is the file's bytes, its text, or a binary stream (an upload) read in chunks.
    """
    require(db, user, Action.MANAGE_LEDGER, "importar títulos")
    stream, size = as_stream(content)
    today = db.read(local_today)
    parsed = _Parsed(today)
    source = CsvLines(stream, size, progress)
    _read(source, parsed)
    report = ImportReport(
        rows=parsed.count, problems=list(parsed.problems), encoding=source.encoding_label
    )
    if parsed.stopped:
        return report
    rows = parsed.rows
    documents = set(rows.document)
    # New customers are validated before the transaction (the slow part, in Python), so the
    # write holds its transaction only for the set-based statements.
    registered = db.read(lambda tx: _known_customers(tx, documents))
    cleaned, refused = _new_customers(rows, registered, today)

    def work(tx: Tx) -> ImportReport:
        # Fresh on every attempt of the unit of work: another import may have won meanwhile.
        attempt = ImportReport(
            rows=report.rows, problems=list(report.problems), encoding=report.encoding
        )
        _check_existing_titles(tx, rows, attempt)
        known = _known_customers(tx, documents)  # entities are never deleted: only more known
        creating = {doc: clean for doc, clean in cleaned.items() if doc not in known}
        attempt.problems += [problem for doc, problem in refused.items() if doc not in known]
        if attempt.problems:
            attempt.problems.sort()
            return attempt
        ids = _insert_customers(tx, user, creating)
        known.update(zip(creating, ids, strict=True))
        _insert_titles(tx, rows, known)
        attempt.customers_created = len(creating)
        attempt.titles_created = len(rows.line)
        audit.record(
            tx, user, "cobranca.titulos_importados", subject_type="titulo",
            detail={"titulos": len(rows.line), "clientes_novos": len(creating)},
        )  # fmt: skip
        return attempt

    if report.problems:  # nothing will be written: the database's checks need no transaction
        return db.read(work)
    return db.write(work)


# --- reading ---------------------------------------------------------------------------------


class _Parsed:
    """What reading the file found: clean rows, problems, and whether it stopped early."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.rows = _Rows()
        self.problems: list[tuple[int, str]] = []
        self.count = 0  # data rows seen (clean or not)
        self.stopped = False  # refused as a whole: nothing more to check
        self.titles: dict[tuple[str, str, int], int] = {}  # key -> first line

    def refuse(self, line: int, message: str) -> None:
        self.problems.append((line, message))
        self.stopped = True


def _read(source: CsvLines, parsed: _Parsed) -> None:
    reader = csv.reader(source, delimiter=";")
    try:
        header_fields = next(reader, None)
    except csv.Error as error:
        header_fields = None
        source.problem = source.problem or (1, f"cabeçalho ilegível: {error}")
    if source.problem:
        parsed.refuse(*source.problem)
        return
    if header_fields is None:
        parsed.refuse(1, "o arquivo está vazio")
        return
    header = [name.strip().lower() for name in header_fields]
    if not _header_ok(header, parsed):
        return
    while True:
        start = source.line + 1
        try:
            fields = next(reader, None)
        except csv.Error as error:
            parsed.problems.append((start, f"linha ilegível: {error}"))
            continue
        if source.problem:
            parsed.refuse(*source.problem)
            return
        if fields is None:
            break
        if not any(value.strip() for value in fields):
            continue
        parsed.count += 1
        if parsed.count > MAX_ROWS:
            parsed.refuse(
                1,
                f"o arquivo passa de {_thousands(MAX_ROWS)} linhas de títulos (a linha {start} "
                f"já é a {_thousands(MAX_ROWS + 1)}ª): divida-o em arquivos menores",
            )
            return
        _parse(start, header, fields, parsed)
    if parsed.count == 0 and not parsed.problems:
        parsed.refuse(1, "o arquivo não tem linhas de títulos")


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def _header_ok(header: list[str], parsed: _Parsed) -> bool:
    named = [name for name in header if name]
    missing = sorted(REQUIRED - set(named))
    if missing:
        parsed.refuse(
            1, f"cabeçalho sem a(s) coluna(s): {', '.join(missing)} (separador: ponto e vírgula)"
        )
        return False
    unknown = [name for name in named if name not in COLUMNS]
    repeated = sorted({name for name in named if named.count(name) > 1})
    if unknown or repeated:
        parts = []
        if unknown:
            parts.append(f"coluna(s) desconhecida(s): {', '.join(unknown)}")
        if repeated:
            parts.append(f"coluna(s) repetida(s): {', '.join(repeated)}")
        parsed.refuse(1, f"cabeçalho: {'; '.join(parts)} (colunas aceitas: {';'.join(COLUMNS)})")
        return False
    return True


def _parse(line: int, header: list[str], fields: list[str], parsed: _Parsed) -> None:
    # Called once per row (50,000 at most): plain code, no closures, one dict per row.
    if len(fields) <= len(header) and "" not in header:
        raw = dict(zip(header, map(str.strip, fields), strict=False))
        extra: list[str] = []
    else:
        raw, extra = _spread(header, fields)
    problems: list[str] = []
    if extra:
        shown = "; ".join(f"“{value[:30]}”" for value in extra[:3])
        problems.append(
            f"{len(extra)} valor(es) além das colunas do cabeçalho ({shown}): confira os "
            "separadores (ponto e vírgula dentro de um campo precisa de aspas)"
        )
    get = raw.get
    document = digits(get("documento"))
    if len(document) not in (11, 14):
        problems.append("documento: informe o CPF (11 dígitos) ou CNPJ (14 dígitos)")
    before_key = len(problems)
    prefix = get("prefixo", "").upper()
    if not _CODE.match(prefix):
        problems.append("prefixo: até 3 letras ou números")
    number = get("numero", "")
    if not _NUMBER.match(number):
        problems.append("numero: até 20 letras, números, ponto, barra ou hífen")
    installment_text = get("parcela", "")
    installment = int(installment_text) if installment_text.isdecimal() else 0
    if not 1 <= installment <= 999:
        problems.append("parcela: número de 1 a 999")
    key_ok = len(problems) == before_key
    title_type = (get("tipo") or "NF").upper()
    if not _CODE.match(title_type):
        problems.append("tipo: até 3 letras ou números (ex.: NF, DP, BOL)")
    due = _day(get("vencimento", ""), "vencimento", problems, required=True)
    issue = _day(get("emissao", ""), "emissao", problems, required=False) or due
    amount = _money(get("valor", ""), "valor", problems, None)
    saldo = get("saldo", "")
    balance = _money(saldo, "saldo", problems, amount) if saldo or amount is not None else None
    if amount is not None and amount <= 0:
        problems.append("valor: deve ser maior que zero")
    if amount is not None and balance is not None and not 0 <= balance <= amount:
        problems.append("saldo: deve ficar entre 0 e o valor do título")
    if issue and due and issue > due:
        problems.append("emissao: posterior ao vencimento")
    if issue and issue > parsed.today:
        problems.append("emissao: data futura")
    if key_ok:
        first = parsed.titles.setdefault((prefix, number, installment), line)
        if first != line:
            problems.append(f"título {prefix} {number}/{installment} repetido (linha {first})")
    if problems:
        parsed.problems.append((line, "; ".join(problems)))
        return
    assert due is not None and issue is not None and amount is not None and balance is not None
    rows = parsed.rows
    rows.line.append(line)
    rows.document.append(document)
    rows.name.append(get("nome", ""))
    rows.phone.append(get("telefone", ""))
    rows.email.append(get("email", ""))
    rows.prefix.append(prefix)
    rows.number.append(number)
    rows.installment.append(installment)
    rows.type.append(title_type)
    rows.issue_date.append(issue)
    rows.due_date.append(due)
    rows.amount.append(amount)
    rows.balance.append(balance)


def _spread(header: list[str], fields: list[str]) -> tuple[dict[str, str], list[str]]:
    """The row's values by column, and the values under no column (which would be lost)."""
    raw: dict[str, str] = {}
    extra: list[str] = []
    for position, value in enumerate(fields):
        name = header[position] if position < len(header) else ""
        value = value.strip()
        if name:
            raw[name] = value
        elif value:
            extra.append(value)
    return raw, extra


def _day(text: str, column: str, problems: list[str], *, required: bool) -> date | None:
    if not text:
        if required:
            problems.append(f"{column}: obrigatório")
        return None
    match = _DAY.fullmatch(text)
    try:
        if match is None:
            raise ValueError(text)
        return date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        problems.append(f"{column}: data inválida “{text}” (use dd/mm/aaaa)")
        return None


def _money(text: str, column: str, problems: list[str], default: Decimal | None) -> Decimal | None:
    if not text:
        if default is None:
            problems.append(f"{column}: obrigatório")
        return default
    try:
        return parse_money(text, column)
    except Invalid as error:
        problems.append(error.message.rstrip("."))
        return None


# --- checking against the database and writing ----------------------------------------------


def _check_existing_titles(tx: Tx, rows: _Rows, report: ImportReport) -> None:
    if not rows.line:
        return
    existing = tx.all(
        """
        SELECT k.line, k.prefix, k.number, k.installment
        FROM (SELECT unnest(?::BIGINT[]) AS line, unnest(?::VARCHAR[]) AS prefix,
                     unnest(?::VARCHAR[]) AS number, unnest(?::INTEGER[]) AS installment) AS k
        WHERE EXISTS (SELECT 1 FROM receivables r WHERE r.prefix = k.prefix
                      AND r.number = k.number AND r.installment = k.installment)
        """,
        [rows.line, rows.prefix, rows.number, rows.installment],
    )
    for title in existing:
        report.problems.append(
            (
                title["line"],
                f"título {title['prefix']} {title['number']}/{title['installment']} já existe "
                "no contas a receber",
            )
        )


def _known_customers(tx: Tx, documents: set[str]) -> dict[str, int]:
    """One query for every document of the file."""
    if not documents:
        return {}
    return {
        row["document"]: row["id"]
        for row in tx.all(
            "SELECT document, min(id) AS id FROM entities"
            " WHERE document IN (SELECT unnest(?::VARCHAR[]))"
            " GROUP BY document",
            [sorted(documents)],
        )
    }


def _new_customers(
    rows: _Rows, known: dict[str, int], today: date
) -> tuple[dict[str, dict[str, Any]], dict[str, tuple[int, str]]]:
    """Documents not registered yet -> their clean entity, from the first row naming each;
    and those whose data would not make a valid customer -> (line, problem)."""
    creating: dict[str, dict[str, Any]] = {}
    refused: dict[str, tuple[int, str]] = {}
    for index, document in enumerate(rows.document):
        if document in known or document in creating or document in refused:
            continue
        try:
            creating[document] = entities.clean_entity(_customer(rows, index), today)
        except Invalid as error:
            details = "; ".join(error.problems.values()) or error.message
            refused[document] = (rows.line[index], f"cliente novo: {details}")
    return creating, refused


def _insert_customers(tx: Tx, user: User, creating: dict[str, dict[str, Any]]) -> list[int]:
    if not creating:
        return []
    ids = tx.next_ids("entities_seq", len(creating))
    cleans = list(creating.values())
    columns = list(cleans[0])
    frame = pl.DataFrame(
        {
            column: pl.Series(
                column,
                [clean[column] for clean in cleans],
                dtype=pl.Date if column == "birth_date" else pl.String,
            )
            for column in columns
        }
    ).with_columns(
        id=pl.Series(ids, dtype=pl.Int64),
        created_at=pl.lit(tx.now),
        updated_at=pl.lit(tx.now),
    )
    tx.insert_frame("entities", frame)
    audit.record_many(
        tx,
        [
            audit.Change(user, "entidade.incluida", subject_type="entidade", subject_id=entity)
            for entity in ids
        ],
    )
    return ids


def _insert_titles(tx: Tx, rows: _Rows, known: dict[str, int]) -> None:
    # Money goes as its exact text ('1500.00'), which the INSERT casts to DECIMAL(14,2):
    # building polars Decimal series from 100,000 Decimal objects costs more than the insert.
    frame = pl.DataFrame(
        {
            "prefix": pl.Series(rows.prefix, dtype=pl.String),
            "number": pl.Series(rows.number, dtype=pl.String),
            "installment": pl.Series(rows.installment, dtype=pl.Int32),
            "type": pl.Series(rows.type, dtype=pl.String),
            "entity_id": pl.Series([known[d] for d in rows.document], dtype=pl.Int64),
            "issue_date": pl.Series(rows.issue_date, dtype=pl.Date),
            "due_date": pl.Series(rows.due_date, dtype=pl.Date),
            "amount": pl.Series(list(map(str, rows.amount)), dtype=pl.String),
            "balance": pl.Series(list(map(str, rows.balance)), dtype=pl.String),
            "status": pl.Series(["aberto" if b > 0 else "pago" for b in rows.balance]),
        }
    ).with_columns(
        created_at=pl.lit(tx.now),
        updated_at=pl.lit(tx.now),
    )
    tx.insert_frame("receivables", frame)


def _customer(rows: _Rows, index: int) -> entities.EntityInput:
    document, phone = rows.document[index], rows.phone[index]
    values: dict[str, Any] = {
        "kind": "cliente", "person_type": "F" if len(document) == 11 else "J",
        "name": rows.name[index], "document": document, "phone": phone or None,
        "email": rows.email[index] or None,
    }  # fmt: skip
    if phone and digits(phone)[2:3] == "9":
        values["mobile"], values["phone"] = phone, None
    return entities.EntityInput(**values)
