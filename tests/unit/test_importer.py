"""The Telecobrança CSV import as real files come: Windows-1252 from Excel, UTF-8 with or
without BOM, extra columns, pt-BR money, files past the row limit read only up to it, and
thousands of rows written set-based."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from core import csv_lines
from core.access import User
from core.csv_lines import CHUNK_BYTES
from core.db import Database
from core.telecobranca import importer
from core.telecobranca import importer as tlc_importer
from tests import factories

HEADER = "documento;nome;telefone;email;prefixo;numero;parcela;tipo;emissao;vencimento;valor;saldo"


def _count(db: Database, sql: str, params: list | None = None) -> int:
    return int(db.read(lambda tx: tx.scalar(sql, params or [])))


def _row(seed: int, name: str = "", *, number: str = "1", amount: str = "100,00",
         balance: str = "", installment: int = 1) -> str:  # fmt: skip
    return (
        f"{factories.valid_cpf(seed)};{name or f'Cliente {seed}'};(11) 98888-7777;;IMP;"
        f"{number};{installment};DP;01/01/2026;01/02/2026;{amount};{balance}"
    )


def _names(db: Database) -> list[str]:
    sql = (
        "SELECT e.name FROM receivables r JOIN entities e ON e.id = r.entity_id"
        " WHERE r.prefix = 'IMP' ORDER BY r.number"
    )
    return [row["name"] for row in db.read(lambda tx: tx.all(sql))]


def test_a_windows_1252_file_saved_by_excel_imports_with_its_accents(
    db: Database, admin: User
) -> None:
    text = "\r\n".join(
        [HEADER, _row(1, "João Araújo", number="1"), _row(2, "Conceição de São Paulo", number="2")]
    )

    report = tlc_importer.import_receivables(db, admin, text.encode("cp1252"))

    assert report.ok, report.problems
    assert report.encoding == "Windows-1252"
    assert _names(db) == ["João Araújo", "Conceição de São Paulo"]


def test_a_windows_1252_accent_far_into_the_file_switches_without_losing_earlier_lines(
    db: Database, admin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(csv_lines, "CHUNK_BYTES", 1_024)  # the accent arrives many chunks in
    rows = [_row(seed, number=f"{seed:03d}") for seed in range(1, 200)]
    text = "\r\n".join([HEADER, *rows, _row(200, "Araújo São Paulo", number="200")])

    report = tlc_importer.import_receivables(db, admin, io.BytesIO(text.encode("cp1252")))

    assert report.ok and report.titles_created == 200, report.problems
    assert report.encoding == "Windows-1252"
    assert _names(db)[-1] == "Araújo São Paulo"
    assert _names(db)[0] == "Cliente 1"


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"], ids=["sem BOM", "com BOM"])
def test_a_utf8_upload_with_or_without_bom_imports_with_its_accents(
    db: Database, admin: User, bom: bytes
) -> None:
    text = "\n".join([HEADER, _row(1, "João Araújo", number="1"), _row(2, "Zé Ávila", number="2")])
    upload = io.BytesIO(bom + text.encode("utf-8"))  # what the UI hands over: a stream

    report = tlc_importer.import_receivables(db, admin, upload)

    assert report.ok, report.problems
    assert report.encoding == "UTF-8"
    assert _names(db) == ["João Araújo", "Zé Ávila"]


def test_a_file_mixing_utf8_and_windows_1252_is_refused_at_the_mixed_line(
    db: Database, admin: User
) -> None:
    content = (
        f"{HEADER}\n{_row(1, 'João', number='1')}\n".encode()
        + f"{_row(2, 'Araújo', number='2')}\n".encode("cp1252")
    )

    report = tlc_importer.import_receivables(db, admin, content)

    assert [line for line, _ in report.problems] == [3]
    assert "codificações" in report.problems[0][1]
    assert _count(db, "SELECT count(*) FROM receivables") == 0


def test_an_extra_trailing_column_is_reported_with_its_line_and_nothing_is_written(
    db: Database, admin: User
) -> None:
    entities_before = _count(db, "SELECT count(*) FROM entities")
    text = "\n".join(
        [
            HEADER,
            _row(1, number="1"),
            _row(2, number="2") + ";observação perdida",
            _row(3, number="3") + ";;",  # empty trailing fields lose nothing
        ]
    )

    report = tlc_importer.import_receivables(db, admin, text)

    assert not report.ok
    assert [line for line, _ in report.problems] == [3]
    assert "além das colunas" in report.problems[0][1]
    assert "observação perdida" in report.problems[0][1]
    assert _count(db, "SELECT count(*) FROM receivables") == 0
    assert _count(db, "SELECT count(*) FROM entities") == entities_before


class _LongUpload(io.RawIOBase):
    """A CSV of `rows` rows made as it is read, counting the bytes handed out; reading past
    `allowed` bytes fails the test (the importer must stop at the row limit)."""

    def __init__(self, rows: int, allowed: int) -> None:
        self.rows, self.allowed, self.handed = rows, allowed, 0
        self._buffer = (HEADER + "\n").encode()
        self._next = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        assert size > 0, "the importer must read in chunks, never the whole file"
        while len(self._buffer) < size and self._next < self.rows:
            self._buffer += (_row(self._next + 10, number=str(self._next)) + "\n").encode()
            self._next += 1
        out, self._buffer = self._buffer[:size], self._buffer[size:]
        self.handed += len(out)
        assert self.handed <= self.allowed, f"read {self.handed} bytes, past the row limit"
        return out


def test_a_file_past_the_row_limit_is_refused_without_reading_the_rest(
    db: Database, admin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "MAX_ROWS", 1_000)
    row_bytes = len(_row(10, number="1")) + 1
    upload = _LongUpload(rows=100_000, allowed=1_000 * row_bytes + 2 * CHUNK_BYTES)

    report = tlc_importer.import_receivables(db, admin, upload)

    assert not report.ok
    assert len(report.problems) == 1 and report.problems[0][0] == 1
    assert "passa de 1.000 linhas" in report.problems[0][1]
    assert upload.handed < 100_000 * row_bytes / 10
    assert _count(db, "SELECT count(*) FROM receivables") == 0


def test_money_is_read_the_pt_br_way_and_ambiguous_values_are_reported_by_line(
    db: Database, admin: User
) -> None:
    good = "\n".join(
        [HEADER, _row(1, number="1", amount="1.500"), _row(2, number="2", amount="R$ 2.000",
                                                           balance="R$ 1.999,99")]
    )  # fmt: skip
    bad = "\n".join(
        [HEADER, _row(3, number="3", amount="1.000,00"), _row(4, number="4", amount="1,234.56")]
    )

    imported = tlc_importer.import_receivables(db, admin, good)
    refused = tlc_importer.import_receivables(db, admin, bad)

    assert imported.ok, imported.problems
    sql = "SELECT number, amount, balance FROM receivables WHERE prefix = 'IMP' ORDER BY number"
    amounts = db.read(lambda tx: tx.all(sql))
    assert [(r["number"], r["amount"], r["balance"]) for r in amounts] == [
        ("1", Decimal("1500.00"), Decimal("1500.00")),
        ("2", Decimal("2000.00"), Decimal("1999.99")),
    ]
    assert [line for line, _ in refused.problems] == [3]
    assert "valor" in refused.problems[0][1] and "1,234.56" in refused.problems[0][1]
    assert _count(db, "SELECT count(*) FROM receivables") == 2


def test_the_progress_callback_follows_the_reading_up_to_the_whole_file(
    db: Database, admin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(csv_lines, "CHUNK_BYTES", 1_024)
    content = "\n".join([HEADER, *(_row(seed, number=str(seed)) for seed in range(1, 201))])
    calls: list[tuple[int, int | None]] = []

    report = tlc_importer.import_receivables(
        db, admin, content.encode(), lambda d, t: calls.append((d, t))
    )

    assert report.ok and report.titles_created == 200
    done = [d for d, _ in calls]
    assert len(calls) >= 10 and done == sorted(set(done))
    assert {t for _, t in calls} == {len(content.encode())}
    assert calls[-1] == (len(content.encode()), len(content.encode()))


def test_five_thousand_rows_import_with_the_right_totals(db: Database, admin: User) -> None:
    existing = factories.make_entity(db, admin, document=factories.valid_cpf(7))
    audit_before = _count(db, "SELECT count(*) FROM audit_log WHERE event = 'entidade.incluida'")
    lines = [HEADER]
    for n in range(5_000):
        seed = 7 if n % 5 == 0 else 1_000 + n // 2  # 1 in 5 rows: an existing customer
        paid = n % 10 == 3
        lines.append(_row(seed, number=f"{n // 2}", installment=n % 2 + 1,
                          amount=f"{n % 7 + 1}.000", balance="0" if paid else ""))  # fmt: skip
    upload = io.BytesIO("\r\n".join(lines).encode("cp1252"))

    report = tlc_importer.import_receivables(db, admin, upload)

    new_customers = len({1_000 + n // 2 for n in range(5_000) if n % 5})
    assert report.ok, report.problems[:5]
    assert (report.rows, report.titles_created) == (5_000, 5_000)
    assert report.customers_created == new_customers
    totals = db.read(lambda tx: tx.one(
        "SELECT count(*) AS n, sum(amount) AS amount, sum(balance) AS balance,"
        " count(*) FILTER (WHERE status = 'pago') AS paid,"
        " count(*) FILTER (WHERE entity_id = ?) AS existing FROM receivables WHERE prefix = 'IMP'",
        [existing]))  # fmt: skip
    amount = sum(Decimal((n % 7 + 1) * 1000) for n in range(5_000))
    paid = sum(Decimal((n % 7 + 1) * 1000) for n in range(5_000) if n % 10 == 3)
    assert totals == {
        "n": 5_000, "amount": amount, "balance": amount - paid, "paid": 500, "existing": 1_000,
    }  # fmt: skip
    assert (
        _count(db, "SELECT count(*) FROM audit_log WHERE event = 'entidade.incluida'")
        == audit_before + new_customers
    )
    assert _count(db, "SELECT count(DISTINCT document) FROM entities") == _count(
        db, "SELECT count(*) FROM entities"
    )


def test_a_new_customer_without_contact_is_reported_once_at_its_first_line(
    db: Database, admin: User
) -> None:
    """Regression guard for the customers validated before the write transaction."""
    factories.make_entity(db, admin, document=factories.valid_cpf(5))
    no_contact = f"{factories.valid_cpf(6)};Sem Contato;;;IMP;{{n}};1;DP;;01/02/2026;10,00;"
    content = "\n".join(
        [
            HEADER,
            f"{factories.valid_cpf(5)};;;;IMP;1;1;DP;;01/02/2026;10,00;",  # known: no data needed
            no_contact.format(n=2),
            no_contact.format(n=3),
        ]
    )

    report = tlc_importer.import_receivables(db, admin, content.encode())

    assert [line for line, _ in report.problems] == [3]
    assert report.problems[0][1].startswith("cliente novo:")
    assert _count(db, "SELECT count(*) FROM receivables") == 0


@pytest.mark.parametrize(
    ("sample", "encoding", "titles", "customers"),
    [
        ("exemplo_titulos_excel.csv", "Windows-1252", 4, 3),
        ("exemplo_titulos_utf8.csv", "UTF-8", 2, 2),
    ],
)
def test_the_sample_files_in_data_import_as_documented(
    db: Database, admin: User, sample: str, encoding: str, titles: int, customers: int
) -> None:
    """data/ ships the files README and data/LEIA-ME.md point a new user to."""
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "data" / sample
    with path.open("rb") as upload:
        report = tlc_importer.import_receivables(db, admin, upload)

    assert report.ok, report.problems
    assert report.encoding == encoding
    assert (report.titles_created, report.customers_created) == (titles, customers)
    amounts = db.read(
        lambda tx: tx.all(
            "SELECT amount, balance FROM receivables ORDER BY prefix, number, installment"
        )
    )
    if encoding == "Windows-1252":  # 1.250,00 is one thousand two hundred and fifty
        assert amounts[0] == {"amount": Decimal("1250.00"), "balance": Decimal("1250.00")}
        assert amounts[2] == {"amount": Decimal("12480.90"), "balance": Decimal("8000.00")}
        assert "Padaria Pão de Açúcar Ltda" in _all_names(db)


def _all_names(db: Database) -> list[str]:
    return [row["name"] for row in db.read(lambda tx: tx.all("SELECT name FROM entities"))]
