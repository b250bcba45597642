"""No export hands a spreadsheet a formula: text typed by people (an entity name, a group,
catalogue or product name, a cancellation reason, a username tried at the login form) that
starts like a formula reaches every CSV with OWASP's leading apostrophe, numbers stay plain
numbers, and the XLSX reports keep such text as strings.

The files are the ones the pages' download buttons hand over (the deferred core call the click
runs, as the page's user), plus every report in both formats.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import polars as pl
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager

from core import auth, calls, reports
from core.access import Routine
from core.exports import FORMULA_STARTS, csv_bytes
from core.telemarketing import service as tmk_service
from core.televendas import service as tlv_service
from tests import factories
from tests.ui.conftest import UiHarness
from ui.kit.formats import LOCAL_TZ
from ui.runtime import settings

PAYLOADS = ('=HYPERLINK("http://x")', "+1+1", "-1+1", "@SUM(1)", "\t=1", "\r=1")
LOGIN_PAYLOAD = "=cmd|' /C calc'!A0"
# Page -> who opens it: the routines' lists as a supervisor of all three, the rest as admin.
SUPERVISOR = "sup_formulas"
PAGES = {"pages/entidades.py": "admin", "pages/auditoria.py": "admin",
         "pages/telemarketing.py": SUPERVISOR, "pages/televendas.py": SUPERVISOR,
         "pages/telecobranca.py": SUPERVISOR, "pages/relatorios.py": SUPERVISOR,
         "pages/atendimentos.py": SUPERVISOR}  # fmt: skip
LIST_EXPORTS = {"entidades.csv", "telemarketing.csv", "televendas.csv", "telecobranca.csv",
                "auditoria.csv", "atendimentos.csv"}  # fmt: skip

Exports = dict[str, Callable[[], Any]]


@pytest.fixture
def exports(monkeypatch: pytest.MonkeyPatch) -> Iterator[Exports]:
    """Every file a rendered download button would hand over, by file name."""
    found: Exports = {}
    deferred = MediaFileManager.add_deferred

    def spy(self: MediaFileManager, data: Any, *args: Any, **kwargs: Any) -> str:
        found[str(kwargs.get("file_name") or args[2])] = data
        return deferred(self, data, *args, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", spy)
    yield found


def _year(ui: UiHarness) -> reports.Period:
    today = ui.db.clock().astimezone(LOCAL_TZ).date()
    return reports.Period(today - timedelta(days=365), today)


def _typed_payloads(ui: UiHarness) -> None:
    """The payloads wherever a person types text that an export carries."""
    db, admin = ui.db, ui.user("admin")
    factories.make_supervisor(db, SUPERVISOR, routines=tuple(Routine))
    multi = int(ui.scalar("SELECT id FROM attendance_groups WHERE name = 'Multi'"))
    operator = factories.make_operator(db, "op_formulas", group_id=multi)
    now = db.clock()
    today = now.astimezone(LOCAL_TZ).date()
    occurrence = ui.scalar(
        "SELECT id FROM catalogue_items WHERE catalogue = 'ocorrencia'"
        " AND routine = 'telemarketing' AND active ORDER BY id LIMIT 1"
    )
    for payload in PAYLOADS:
        # Names need three letters; the payload leads, as a formula would.
        entity = factories.make_entity(db, admin, name=f"{payload} Ana")
        call = calls.start_call(db, operator, Routine.TELEMARKETING, entity)
        tmk_service.save_attendance(
            db, operator,
            tmk_service.AttendanceInput(
                entity, return_at=now + timedelta(days=2),
                items=[tmk_service.ItemInput(occurrence, notes=payload)],
            ),
            call_id=call.id,
        )  # fmt: skip
        calls.end_call(db, operator)
        call = calls.start_call(db, operator, Routine.TELEVENDAS, entity)
        tlv_service.save_order(
            db, operator,
            tlv_service.OrderInput(entity, operation="atendimento",
                                  next_call_at=now + timedelta(days=3)),
            call_id=call.id,
        )  # fmt: skip
        calls.end_call(db, operator)
        factories.make_title(db, entity, today - timedelta(days=45), "350.00")
    # Names an administrator types in the maintenance screens (set directly: the screens'
    # own validation is not what this test is about).
    renames = (
        ("UPDATE attendance_groups SET name = ? WHERE id = ?", [PAYLOADS[0], multi]),
        ("UPDATE users SET name = ? WHERE username = 'op_formulas'", [PAYLOADS[1]]),
        ("UPDATE catalogue_items SET description = ? || id", [PAYLOADS[2]]),
        ("UPDATE products SET description = ? || id", [PAYLOADS[3]]),
        ("UPDATE tlv_orders SET cancellation_reason = ? WHERE status = 'cancelado'",
         [PAYLOADS[4]]),
        ("UPDATE collection_ranges SET code = ? || id", [PAYLOADS[5]]),
        ("UPDATE users SET name = ? || id WHERE username <> 'op_formulas'", [PAYLOADS[0]]),
    )  # fmt: skip
    db.write(lambda tx: [tx.execute(sql, params) for sql, params in renames])
    # The worst path needs no login at all: a username typed at the login form.
    assert not auth.check_login(db, settings(), LOGIN_PAYLOAD, "qualquer-coisa").ok


def _rows(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8")
    assert text.startswith("\ufeff"), "the BOM Excel pt-BR needs is kept"
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert len(rows) > 1, "the export has data rows"
    return rows


def _formulas(rows: list[list[str]]) -> list[str]:
    return [cell for row in rows for cell in row if cell.startswith(FORMULA_STARTS)]


def _neutralised(rows: list[list[str]]) -> list[str]:
    return [cell for row in rows for cell in row if cell[1:2] and cell[1] in "=+-@\t\r"
            and cell.startswith("'")]  # fmt: skip


def _xlsx_parts(data: bytes) -> tuple[list[bytes], bytes]:
    """The worksheets' XML and the shared strings of an XLSX file."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        sheets = [archive.read(name) for name in names if name.startswith("xl/worksheets/")]
        strings = b"".join(archive.read(name) for name in names if name.endswith("Strings.xml"))
    return sheets, strings


def _column(rows: list[list[str]], header: str) -> list[str]:
    index = rows[0].index(header)
    return [row[index] for row in rows[1:]]


def test_no_export_hands_a_spreadsheet_a_formula_and_numbers_stay_numbers(
    ui: UiHarness, exports: Exports
) -> None:
    _typed_payloads(ui)
    for page, username in PAGES.items():
        at = ui.page(page, username).run()
        assert not at.exception, (page, [e.value for e in at.exception])
    assert set(exports) >= LIST_EXPORTS, sorted(exports)

    # Every CSV a button hands over (the lists and the report on screen), then every report.
    files = {name: exports[name]() for name in exports if name.endswith(".csv")}
    supervisor = ui.user(SUPERVISOR)
    xlsx_formulas: list[str] = []
    for key in [*reports.REPORTS, reports.COLLECTOR_HISTORY]:
        files[f"relatorio {key}"] = reports.export_report(ui.db, supervisor, key, _year(ui), "csv")
        sheets, strings = _xlsx_parts(
            reports.export_report(ui.db, supervisor, key, _year(ui), "xlsx")
        )
        xlsx_formulas += [key for sheet in sheets if b"<f>" in sheet or b"<f " in sheet]
        if key == "tmk_midias":  # the XLSX keeps the payload as a plain string cell
            assert PAYLOADS[2].encode() in strings

    # Every list's XLSX button: string cells only, the payload carried as text.
    for name in sorted(LIST_EXPORTS):
        sheets, strings = _xlsx_parts(exports[name.replace(".csv", ".xlsx")]())
        xlsx_formulas += [name for sheet in sheets if b"<f>" in sheet or b"<f " in sheet]
        assert b"HYPERLINK" in strings or b"cmd|" in strings, name

    assert xlsx_formulas == []
    parsed = {name: _rows(data) for name, data in files.items()}
    assert {name: _formulas(rows) for name, rows in parsed.items() if _formulas(rows)} == {}
    # The payloads really went through each list (and the text reports), neutralised.
    carried = ["entidades.csv", "telemarketing.csv", "televendas.csv", "telecobranca.csv",
               "auditoria.csv", "atendimentos.csv", "relatorio tmk_ranking", "relatorio tmk_midias",
               "relatorio tlv_operador", "relatorio tlv_produtos", "relatorio tlc_posicao",
               "relatorio tlc_cobradores", "relatorio tlv_cancelados",
               "relatorio tmk_encerramento"]  # fmt: skip
    assert [name for name in carried if not _neutralised(parsed[name])] == []
    # check_login audits the username lowercased.
    assert f"'{LOGIN_PAYLOAD.lower()}" in _column(parsed["auditoria.csv"], "Usuário")
    assert f"'{PAYLOADS[0]} Ana" in _column(parsed["entidades.csv"], "Nome")
    assert "'" + PAYLOADS[0] in _column(parsed["telemarketing.csv"], "Grupo")
    # Numbers stay numbers: ids are bare digits, money is 1234,56 without an apostrophe.
    assert all(cell.isdigit() for cell in _column(parsed["telemarketing.csv"], "Atendimento"))
    money = re.compile(r"-?\d+,\d\d")
    assert all(money.fullmatch(c) for c in _column(parsed["televendas.csv"], "Total (R$)"))
    balance = _column(parsed["relatorio tlc_posicao"], "Valor (R$)")
    assert balance and all(money.fullmatch(cell) for cell in balance)


def test_the_writer_neutralises_text_only() -> None:
    frame = pl.DataFrame(
        {
            "text": ["-5", "=1+1", "@x", "\t=1", "\r=1", "+1", "a-1", ""],
            "number": [-5, 1, 2, 3, 4, 5, 6, 7],
            "money": [Decimal("-1.50")] * 8,
            "day": [date(2026, 1, 2)] * 8,
        },
        schema_overrides={"money": pl.Decimal(14, 2)},
    )
    rows = list(csv.reader(io.StringIO(csv_bytes(frame).decode("utf-8-sig")), delimiter=";"))

    assert [row[0] for row in rows[1:]] == ["'-5", "'=1+1", "'@x", "'\t=1", "'\r=1", "'+1", "a-1",
                                            ""]  # fmt: skip
    assert rows[1][1:] == ["-5", "-1,50", "02/01/2026"]


def test_the_xlsx_writer_keeps_types_and_pt_br_formats() -> None:
    from core.exports import xlsx_bytes

    frame = pl.DataFrame(
        {
            "name": ["=1+1"],
            "count": [7],
            "money": [Decimal("1500.50")],
            "day": [date(2026, 1, 2)],
        },
        schema_overrides={"money": pl.Decimal(14, 2)},
    )
    sheets, strings = _xlsx_parts(
        xlsx_bytes(frame, {"name": "Nome", "count": "Qtd", "money": "Valor", "day": "Dia"})
    )
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes(frame, {"money": "Valor", "day": "Dia"}))) as xl:
        styles = xl.read("xl/styles.xml")
    sheet = sheets[0]
    assert b"<f" not in sheet and b"=1+1" in strings  # a string cell, not a formula
    assert b"<v>7</v>" in sheet and b"<v>1500.5</v>" in sheet  # numbers stay numbers
    assert b"<v>46024</v>" in sheet  # 02/01/2026 as an Excel date serial
    assert b"dd/mm/yyyy" in styles and b"#,##0.00" in styles
