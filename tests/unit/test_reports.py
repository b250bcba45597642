"""Management reports against the wallboard's hand-built data set (known answers)."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from core import reports
from core.access import User
from core.db import Database
from core.errors import Forbidden, Invalid
from core.reports import Period
from tests.unit.conftest import NOW

TODAY = NOW.date()
MONTH = Period(date(2026, 3, 1), TODAY)


def test_telemarketing_by_day_splits_received_and_made(
    db: Database,
    floor: dict[str, Any],
    supervisor: User,
) -> None:
    rows = reports.run_report(db, supervisor, "tmk_dia", MONTH).to_dicts()

    assert rows == [
        {"day": TODAY - timedelta(days=1), "received": 1, "made": 0, "total": 1},
        {"day": TODAY, "received": 2, "made": 1, "total": 3},
    ]


def test_the_operator_ranking_has_the_mean_handle_time(
    db: Database,
    floor: dict[str, Any],
    supervisor: User,
) -> None:
    rows = reports.run_report(db, supervisor, "tmk_ranking", Period(TODAY, TODAY)).to_dicts()

    assert rows == [{"code": "OP2", "name": rows[0]["name"], "attendances": 3, "closed": 1,
                     "tma_minutes": 3.0}]  # fmt: skip


def test_televendas_by_operator_and_by_day(
    db: Database,
    floor: dict[str, Any],
    supervisor: User,
) -> None:
    by_operator = reports.run_report(db, supervisor, "tlv_operador", MONTH).to_dicts()
    by_day = reports.run_report(db, supervisor, "tlv_dia", MONTH).to_dicts()

    assert [(r["code"], r["calls"], r["quotes"], r["invoiced"], r["amount"])
            for r in by_operator] == [("OP3", 2, 1, 2, Decimal("800.00"))]  # fmt: skip
    assert [(r["day"], r["calls"], r["quotes"], r["invoiced"], r["amount"]) for r in by_day] == [
        (date(2026, 3, 2), 0, 0, 1, Decimal("300.00")),
        (TODAY, 2, 1, 1, Decimal("500.00")),
    ]


def test_the_queue_position_counts_titles_customers_and_not_yet_worked(
    db: Database,
    floor: dict[str, Any],
    supervisor: User,
) -> None:
    rows = {r["range"][:2]: r for r in reports.run_report(
        db, supervisor, "tlc_posicao", MONTH).to_dicts()}  # fmt: skip

    assert (rows["F2"]["titles"], rows["F2"]["customers"], rows["F2"]["balance"]) == (
        1, 1, Decimal("1000.00"))  # fmt: skip
    assert rows["F2"]["not_worked"] == 0  # attended yesterday
    assert rows["F2"]["max_days"] == 40 and rows["F1"]["customers"] == 0


def test_exports_are_csv_and_xlsx_with_pt_br_headers_and_audited(
    db: Database,
    floor: dict[str, Any],
    supervisor: User,
) -> None:
    text = reports.export_report(db, supervisor, "tlv_dia", MONTH, "csv").decode("utf-8-sig")
    workbook = reports.export_report(db, supervisor, "tlv_dia", MONTH, "xlsx")

    assert text.splitlines()[0] == "Dia;Ligações;Orçamentos;Faturados;Faturado (R$)"
    assert "10/03/2026;2;1;1;500,00" in text
    with zipfile.ZipFile(io.BytesIO(workbook)) as xlsx:  # an .xlsx is a zip of XML parts
        strings = xlsx.read("xl/sharedStrings.xml").decode()
        cells = xlsx.read("xl/worksheets/sheet1.xml").decode()
    assert all(f">{label}<" in strings for label in ("Dia", "Ligações", "Faturado (R$)"))
    assert "<v>300</v>" in cells and "<v>500</v>" in cells
    assert db.read(lambda tx: tx.scalar(
        "SELECT count(*) FROM audit_log WHERE event = 'dados.exportados'"
        " AND subject_type = 'relatorio'")) == 2  # fmt: skip


def test_reports_are_for_supervisors_and_periods_must_make_sense(
    db: Database,
    floor: dict[str, Any],
    supervisor: User,
) -> None:
    with pytest.raises(Forbidden):
        reports.run_report(db, floor["ana"], "tmk_dia", MONTH)
    with pytest.raises(Invalid, match="termina antes"):
        Period(TODAY, TODAY - timedelta(days=1))
    with pytest.raises(Invalid, match="até um ano"):
        Period(date(2025, 1, 1), TODAY)
    with pytest.raises(Invalid, match="inexistente"):
        reports.run_report(db, supervisor, "nada", MONTH)


def test_every_report_runs_on_an_empty_database(db: Database, supervisor: User) -> None:
    for key in [*reports.REPORTS, reports.COLLECTOR_HISTORY]:
        frame = reports.run_report(db, supervisor, key, MONTH)
        assert set(reports.labels_of(key)) <= set(frame.columns), key


def test_the_per_day_report_comes_with_daily_averages_over_the_whole_period(
    db: Database, floor: dict[str, Any], supervisor: User
) -> None:
    frame = reports.run_report(db, supervisor, "tmk_dia", MONTH)

    averages = reports.daily_averages("tmk_dia", frame, MONTH)

    # 3 received and 1 made over the 10 days of March 1–10.
    assert averages == {"Recebidas por dia": 0.3, "Realizadas por dia": 0.1}
    assert reports.daily_averages("tlv_dia", frame, MONTH) == {}
