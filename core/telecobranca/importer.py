"""CSV import of customers and their receivable titles (titles that did not come from our
invoices: another ERP, a legacy portfolio).

Every row is validated and every problem reported with its line; a file with any problem
writes nothing. The layout (semicolon-separated, header row, UTF-8; pt-BR dates and money):

    documento;nome;telefone;email;prefixo;numero;parcela;tipo;emissao;vencimento;valor;saldo

documento is the customer's CPF/CNPJ; nome, telefone and email are needed only to create a
customer not registered yet; tipo defaults to NF; saldo defaults to valor (0: already paid).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from core import audit, entities
from core.access import Action, User, require
from core.db import Database, Tx
from core.errors import Invalid
from core.telecobranca import rules
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

    @property
    def ok(self) -> bool:
        return not self.problems and self.rows > 0


@dataclass
class _Row:
    line: int
    document: str
    person_type: str
    name: str
    phone: str
    email: str
    prefix: str
    number: str
    installment: int
    type: str
    issue_date: date
    due_date: date
    amount: Decimal
    balance: Decimal


def import_receivables(db: Database, user: User, content: bytes) -> ImportReport:
    """Validate the whole file; when every row is right, write it all in one transaction."""
    require(db, user, Action.MANAGE_LEDGER, "importar títulos")
    report = ImportReport()
    table = _read(content, report)
    if table is None:
        return report

    def work(tx: Tx) -> ImportReport:
        report = ImportReport(rows=len(table))  # fresh on every attempt of the unit of work
        today = local_today(tx)
        rows = [row for row in (_parse(line, raw, today, report) for line, raw in table) if row]
        _check_duplicates(tx, rows, report)
        known = _known_customers(tx, {row.document for row in rows})
        creating: dict[str, _Row] = {}
        for row in rows:
            if row.document in known or row.document in creating:
                continue
            try:
                entities.clean_entity(_customer(row), today)
            except Invalid as error:
                details = "; ".join(error.problems.values()) or error.message
                report.problems.append((row.line, f"cliente novo: {details}"))
                continue
            creating[row.document] = row
        if report.problems:
            report.problems.sort()
            return report
        for document, row in creating.items():
            known[document] = entities.insert_entity(tx, user, _customer(row))
        for row in rows:
            tx.execute(
                "INSERT INTO receivables (prefix, number, installment, type, entity_id,"
                " issue_date, due_date, amount, balance, status, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    row.prefix, row.number, row.installment, row.type, known[row.document],
                    row.issue_date, row.due_date, row.amount, row.balance,
                    "aberto" if row.balance > 0 else "pago", tx.now, tx.now,
                ],
            )  # fmt: skip
        report.customers_created = len(creating)
        report.titles_created = len(rows)
        audit.record(
            tx, user, "cobranca.titulos_importados", subject_type="titulo",
            detail={"titulos": len(rows), "clientes_novos": len(creating)},
        )  # fmt: skip
        return report

    return db.write(work)


def _read(content: bytes, report: ImportReport) -> list[tuple[int, dict[str, str]]] | None:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.problems.append((1, "o arquivo deve estar em UTF-8"))
        return None
    reader = csv.DictReader(io.StringIO(text), delimiter=";")
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    missing = sorted(REQUIRED - set(header))
    if missing:
        report.problems.append(
            (1, f"cabeçalho sem a(s) coluna(s): {', '.join(missing)} (separador: ponto e vírgula)")
        )
        return None
    reader.fieldnames = header
    table = [
        (number, {k: (v or "").strip() for k, v in raw.items() if k})
        for number, raw in enumerate(reader, start=2)
        if any((v or "").strip() for v in raw.values() if isinstance(v, str))
    ]
    if not table:
        report.problems.append((1, "o arquivo não tem linhas de títulos"))
        return None
    if len(table) > MAX_ROWS:
        report.problems.append((1, f"no máximo {MAX_ROWS} linhas por arquivo"))
        return None
    return table


def _parse(line: int, raw: dict[str, str], today: date, report: ImportReport) -> _Row | None:
    problems: list[str] = []

    def day(column: str, required: bool) -> date | None:
        text = raw.get(column, "")
        if not text:
            if required:
                problems.append(f"{column}: obrigatório")
            return None
        try:
            return datetime.strptime(text, "%d/%m/%Y").date()
        except ValueError:
            problems.append(f"{column}: data inválida “{text}” (use dd/mm/aaaa)")
            return None

    def value(column: str, default: Decimal | None) -> Decimal | None:
        text = raw.get(column, "")
        if not text:
            if default is None:
                problems.append(f"{column}: obrigatório")
            return default
        try:
            return rules.parse_money(text)
        except Invalid:
            problems.append(f"{column}: valor inválido “{text}” (use 1.234,56)")
            return None

    document = digits(raw.get("documento"))
    if len(document) not in (11, 14):
        problems.append("documento: informe o CPF (11 dígitos) ou CNPJ (14 dígitos)")
    prefix = raw.get("prefixo", "").upper()
    if not _CODE.match(prefix):
        problems.append("prefixo: até 3 letras ou números")
    number = raw.get("numero", "")
    if not _NUMBER.match(number):
        problems.append("numero: até 20 letras, números, ponto, barra ou hífen")
    installment = raw.get("parcela", "")
    if not installment.isdigit() or not 1 <= int(installment) <= 999:
        problems.append("parcela: número de 1 a 999")
    title_type = (raw.get("tipo") or "NF").upper()
    if not _CODE.match(title_type):
        problems.append("tipo: até 3 letras ou números (ex.: NF, DP, BOL)")
    due = day("vencimento", True)
    issue = day("emissao", False) or due
    amount = value("valor", None)
    balance = value("saldo", amount) if raw.get("saldo") or amount is not None else None
    if amount is not None and amount <= 0:
        problems.append("valor: deve ser maior que zero")
    if amount is not None and balance is not None and not 0 <= balance <= amount:
        problems.append("saldo: deve ficar entre 0 e o valor do título")
    if issue and due and issue > due:
        problems.append("emissao: posterior ao vencimento")
    if issue and issue > today:
        problems.append("emissao: data futura")
    if problems:
        report.problems.append((line, "; ".join(problems)))
        return None
    assert due is not None and issue is not None and amount is not None and balance is not None
    return _Row(
        line, document, "F" if len(document) == 11 else "J", raw.get("nome", ""),
        raw.get("telefone", ""), raw.get("email", ""), prefix, number, int(installment),
        title_type, issue, due, amount, balance,
    )  # fmt: skip


def _check_duplicates(tx: Tx, rows: list[_Row], report: ImportReport) -> None:
    seen: dict[tuple[str, str, int], int] = {}
    for row in rows:
        key = (row.prefix, row.number, row.installment)
        if key in seen:
            report.problems.append(
                (row.line, f"título {row.prefix} {row.number}/{row.installment} repetido "
                           f"(linha {seen[key]})")
            )  # fmt: skip
        else:
            seen[key] = row.line
    if not seen:
        return
    existing = tx.all(
        "SELECT prefix, number, installment FROM receivables"
        " WHERE (prefix, number, installment) IN (SELECT unnest(?), unnest(?), unnest(?))",
        [[k[0] for k in seen], [k[1] for k in seen], [k[2] for k in seen]],
    )
    for title in existing:
        key = (title["prefix"], title["number"], title["installment"])
        report.problems.append(
            (seen[key], f"título {key[0]} {key[1]}/{key[2]} já existe no contas a receber")
        )


def _known_customers(tx: Tx, documents: set[str]) -> dict[str, int]:
    if not documents:
        return {}
    return {
        row["document"]: row["id"]
        for row in tx.all(
            "SELECT document, id FROM entities WHERE document IN (SELECT unnest(?))",
            [sorted(documents)],
        )
    }


def _customer(row: _Row) -> entities.EntityInput:
    values: dict[str, Any] = {
        "kind": "cliente", "person_type": row.person_type, "name": row.name,
        "document": row.document, "phone": row.phone or None, "email": row.email or None,
    }  # fmt: skip
    if row.phone and digits(row.phone)[2:3] == "9":
        values["mobile"], values["phone"] = row.phone, None
    return entities.EntityInput(**values)
