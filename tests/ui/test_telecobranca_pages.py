"""Telecobrança's screens through AppTest: the maintenance list, the queue and the collector's
balance (carla collects, without access 192), Títulos a receber with its payment and CSV
import, and the admin's Regras de cobrança.

Each test first clears whatever Telecobrança state the demo seeded, so it starts from known
data: the standard ranges wired to carla's group and one debtor with known overdue titles.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from core.telecobranca import attendance as tlc_attendance
from core.telecobranca import importer, ledger, outcomes, taking
from core.telecobranca import maintenance as tlc_maintenance
from core.telecobranca import rules as tlc_rules
from core.telecobranca import setup as tlc_setup
from core.validation import format_document
from tests import factories
from tests.ui.conftest import UiHarness, texts, widget
from ui.kit.formats import LOCAL_TZ, money

TLC = "pages/telecobranca.py"
TITULOS = "pages/titulos.py"
REGRAS = "pages/cobranca_regras.py"
DEBTOR = "Zuleica Devedora Antiga"

_COLLECTION_TABLES = (
    "collection_reservations", "tlc_outcomes", "tlc_renegotiations", "tlc_promise_titles",
    "tlc_promises", "tlc_attendance_titles", "tlc_attendances", "group_negotiation_rules",
    "group_collection_ranges", "collection_ranges",
)  # fmt: skip


def _clear_collection(ui: UiHarness) -> None:
    def work(tx: Any) -> None:
        for table in _COLLECTION_TABLES:
            tx.execute(f"DELETE FROM {table}")
        tx.execute("DELETE FROM agenda_items WHERE source_type = ?", [tlc_attendance.SOURCE])

    ui.db.write(work)


def _today(ui: UiHarness) -> date:
    return ui.db.clock().astimezone(LOCAL_TZ).date()


@pytest.fixture
def collection(ui: UiHarness) -> Iterator[dict[str, int]]:
    """The standard ranges wired to carla's group, and a debtor whose titles are older than
    any the demo has: 1.000,00 and 500,00 overdue, 200,00 not due yet."""
    _clear_collection(ui)
    admin, carla = ui.user("admin"), ui.user("carla")
    assert carla.operator is not None
    factories.make_collection_setup(ui.db, admin, carla.operator.main_group_id)
    debtor = factories.make_entity(ui.db, admin, name=DEBTOR)
    today = _today(ui)
    yield {
        "entity": debtor,
        "old": factories.make_title(ui.db, debtor, today - timedelta(days=4000), "1000.00"),
        "recent": factories.make_title(ui.db, debtor, today - timedelta(days=3990), "500.00"),
        "future": factories.make_title(ui.db, debtor, today + timedelta(days=20), "200.00"),
    }


def _take(ui: UiHarness, entity_id: int) -> tlc_attendance.CollectionAttendance:
    """carla asks for the next debtor and gets ours (the oldest overdue title of the queue)."""
    taken = taking.next_debtor(ui.db, ui.user("carla"))
    assert taken is not None and taken.entity_id == entity_id
    return tlc_attendance.get_attendance(ui.db, ui.user("carla"), taken.attendance_id)


def _open(ui: UiHarness, path: str, username: str, section: str | None = None) -> AppTest:
    at = ui.page(path, username).run()
    assert not at.exception, [e.value for e in at.exception]
    if section is not None:
        at.session_state["tlc_section"] = section
        at.run()
        assert not at.exception, [e.value for e in at.exception]
    return at


def _errors(at: AppTest) -> list[str]:
    return [error.value for error in at.error]


def _table_with(at: AppTest, column: str) -> Any:
    """The one table showing this column (tables without a selection carry no key in AppTest)."""
    found = [frame.value for frame in at.dataframe if column in frame.value.columns]
    assert len(found) == 1, f"{len(found)} tables with {column!r}"
    return found[0]


def _metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


# --- Telecobrança: Atendimentos -------------------------------------------------------------


def test_collector_sees_her_attendances_with_status_labels_and_the_total(
    ui: UiHarness, collection: dict[str, int]
) -> None:
    attendance = _take(ui, collection["entity"])
    expected = tlc_maintenance.list_attendances(ui.db, ui.user("carla"))

    at = _open(ui, TLC, "carla")

    assert [t.value for t in at.title] == ["Telecobrança"]
    assert [tab.label for tab in at.tabs] == ["Atendimentos", "Fila por faixa", "Saldo do cobrador"]
    shown = at.dataframe[0].value
    assert shown["id"].tolist() == expected.rows["id"].to_list() == [attendance.id]
    assert [tuple(tag) for tag in shown["status"]] == [("atendimento",)]
    assert shown["entity_name"].tolist() == [DEBTOR]
    assert shown["portfolio_amount"].tolist() == [money(Decimal("1500.00"))]
    assert str(shown["started_at"].dt.tz) == "America/Sao_Paulo"
    assert f"{expected.total} atendimento(s) · página 1 de 1" in texts(at)
    assert any(":orange[● Cobrança]" in text and ":blue[● Atendimento]" in text
               for text in texts(at))  # fmt: skip
    assert [b.label for b in at.download_button] == ["Exportar CSV", "XLSX"]
    assert not [s for s in at.selectbox if s.label == "Operador"]  # supervisors only

    at.session_state[at.dataframe[0].key] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()

    assert not at.exception, [e.value for e in at.exception]
    assert f"Cobrança nº {attendance.id} · :blue[● Atendimento]" in [s.value for s in at.subheader]
    assert at.button(key=f"tlc_open_{attendance.id}").label == "Abrir no atendimento"


def test_filtering_by_status_shows_only_that_status(
    ui: UiHarness, collection: dict[str, int]
) -> None:
    _take(ui, collection["entity"])
    at = _open(ui, TLC, "carla")

    at.segmented_control(key="tlc_status").set_value("encerrado").run()

    assert "Nenhum atendimento de cobrança encontrado com esses filtros." in texts(at)
    assert len(at.dataframe) == 0


def test_supervisor_filters_by_collector_but_does_not_get_the_open_button(
    ui: UiHarness, collection: dict[str, int]
) -> None:
    attendance = _take(ui, collection["entity"])
    carla = ui.user("carla")
    assert carla.operator is not None
    at = _open(ui, TLC, "sofia")
    operator = at.selectbox(key="tlc_operator")
    assert operator.options[0] == "Todos"
    assert any(option.startswith(f"{carla.operator.code} – ") for option in operator.options)

    operator.set_value(carla.operator.id).run()
    at.session_state[at.dataframe[0].key] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()

    assert at.dataframe[0].value["id"].tolist() == [attendance.id]
    assert f"tlc_open_{attendance.id}" not in [button.key for button in at.button]


def test_filters_survive_a_visit_to_another_section(
    ui: UiHarness, collection: dict[str, int]
) -> None:
    at = _open(ui, TLC, "carla")
    at.segmented_control(key="tlc_status").set_value("cobranca").run()
    at.text_input(key="tlc_entity").input("Zuleica").run()

    at.session_state["tlc_section"] = "Fila por faixa"
    at.run()
    assert len(at.segmented_control) == 0  # the list's section does not run meanwhile
    at.session_state["tlc_section"] = "Atendimentos"
    at.run()

    assert at.segmented_control(key="tlc_status").value == "cobranca"
    assert at.text_input(key="tlc_entity").value == "Zuleica"


def test_operator_without_telecobranca_is_refused_and_the_refusal_audited(
    ui: UiHarness, collection: dict[str, int]
) -> None:
    _take(ui, collection["entity"])
    refusals = ui.audit_events("acesso.negado", "ana")

    at = ui.page(TLC, "ana").run()

    assert _errors(at) == ["Acesso negado: você não tem permissão para usar a rotina Telecobrança."]
    assert len(at.dataframe) == 0 and len(at.title) == 0 and len(at.tabs) == 0
    assert ui.audit_events("acesso.negado", "ana") == refusals + 1


def test_csv_export_is_masked_for_a_collector_without_access_192(
    ui: UiHarness, collection: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    _take(ui, collection["entity"])
    document = ui.scalar("SELECT document FROM entities WHERE id = ?", [collection["entity"]])
    exports: dict[str, Callable[[], bytes]] = {}
    register = MediaFileManager.add_deferred

    def spy(self: MediaFileManager, data: Any, mimetype: Any, *args: Any, **kwargs: Any) -> str:
        exports[kwargs.get("file_name") or args[1]] = data
        return register(self, data, mimetype, *args, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", spy)

    _open(ui, TLC, "carla")
    content = exports["telecobranca.csv"]().decode("utf-8-sig")

    header, row = content.splitlines()[:2]
    assert header.startswith("Atendimento;Status;Início;Cliente;CPF/CNPJ")
    assert DEBTOR in row and "Atendimento" in row
    assert document not in content and format_document(document) not in content
    assert f"***.***.***-{document[-2:]}" in row


# --- Telecobrança: Fila por faixa and Saldo do cobrador --------------------------------------


def test_queue_shows_each_range_a_chart_and_the_debtors(
    ui: UiHarness, collection: dict[str, int]
) -> None:
    overview = ledger.queue_overview(ui.db, ui.user("carla"))

    at = _open(ui, TLC, "carla", "Fila por faixa")

    queue = _table_with(at, "waiting")
    assert queue["range"].tolist() == overview["range"].to_list()
    assert len(at.get("plotly_chart")) == 1
    assert _metrics(at)["Devedores"] == str(int(overview["debtors"].sum()))
    debtors = _table_with(at, "state_label")
    assert DEBTOR in debtors["entity_name"].tolist()
    assert any("devedor(es) · página 1 de" in text for text in texts(at))


def test_collector_balance_shows_opening_plus_sent_minus_removed_equals_closing(
    ui: UiHarness, collection: dict[str, int]
) -> None:
    carla = ui.user("carla")
    attendance = _take(ui, collection["entity"])
    recent = next(t for t in attendance.titles if t.id == collection["recent"])
    outcomes.record_payment(  # the 500,00 title paid in full with its charges
        ui.db, carla, attendance.id, recent.id, recent.version, recent.updated.total
    )
    today = _today(ui)
    expected = tlc_maintenance.collector_balance(ui.db, carla, today.replace(day=1), today)

    at = _open(ui, TLC, "carla", "Saldo do cobrador")

    assert at.date_input(key="tlc_balance_start").value == today.replace(day=1)
    assert at.date_input(key="tlc_balance_end").value == today
    shown = _table_with(at, "closing")
    assert len(shown) == 1 == expected.height
    row, core_row = shown.iloc[0], expected.row(0, named=True)
    assert core_row["opening"] == 0
    assert core_row["sent"] == Decimal("1500.00")
    assert core_row["recovered"] == Decimal("500.00")
    assert core_row["closing"] == Decimal("1000.00")
    for column in ("opening", "sent", "recovered", "not_done", "cancelled", "closing"):
        assert row[column] == money(core_row[column])
    assert row["share_pct"] == "33,3 %"
    assert any("Saldo inicial + Enviado − (Recuperado + Não realizado + Cancelado) = Saldo final"
               in caption.value for caption in at.caption)  # fmt: skip


# --- Títulos a receber ----------------------------------------------------------------------


def test_titulos_shows_the_position_with_the_updated_total(
    ui: UiHarness, collection: dict[str, int]
) -> None:
    position = ledger.financial_position(ui.db, ui.user("sofia"), collection["entity"])
    assert position.updated_total > position.overdue_total == Decimal("1500.00")

    at = _open(ui, TITULOS, "sofia")
    at.text_input(key="ledger_search_text").input(DEBTOR).run()

    assert not at.exception, [e.value for e in at.exception]
    metrics = _metrics(at)
    assert metrics["Em aberto"] == money(Decimal("1700.00"))
    assert metrics["Vencido"] == money(Decimal("1500.00"))
    assert metrics["Atualizado com multa e juros"] == money(position.updated_total)
    assert metrics["Dias em atraso"] == "4000"
    assert metrics["Faixa"] == "F4" and position.range_label == "F4 · Acima de 120 dias"
    titles = next(frame.value for frame in at.dataframe if "updated_total" in frame.value)
    assert len(titles) == 3
    assert len(at.get("plotly_chart")) == 1


def test_finance_registers_a_payment_for_a_selected_title(
    ui: UiHarness, collection: dict[str, int]
) -> None:
    at = _open(ui, TITULOS, "sofia")
    at.text_input(key="ledger_search_text").input(DEBTOR).run()
    titles = next(frame for frame in at.dataframe if "updated_total" in frame.value)
    position = ledger.financial_position(ui.db, ui.user("sofia"), collection["entity"])
    row = [title.id for title in position.titles].index(collection["future"])
    at.session_state[titles.key] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    at.run()
    version = ui.scalar("SELECT version FROM receivables WHERE id = ?", [collection["future"]])
    key = f"ledger_pay_{collection['future']}_{version}"
    assert at.text_input(key=f"{key}_amount").value == "200,00"  # not due: no charges

    at.text_input(key=f"{key}_amount").input("50,00")
    at.button(key=f"{key}_submit").click().run()

    assert not at.exception and not _errors(at), _errors(at)
    balance = ui.scalar("SELECT balance FROM receivables WHERE id = ?", [collection["future"]])
    assert balance == Decimal("150.00")
    assert ui.audit_events("cobranca.pago", "sofia") == 1


def _payment_form(ui: UiHarness, collection: dict[str, int], title: str) -> tuple[AppTest, str]:
    at = _open(ui, TITULOS, "sofia")
    at.text_input(key="ledger_search_text").input(DEBTOR).run()
    titles = next(frame for frame in at.dataframe if "updated_total" in frame.value)
    position = ledger.financial_position(ui.db, ui.user("sofia"), collection["entity"])
    row = [t.id for t in position.titles].index(collection[title])
    at.session_state[titles.key] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    at.run()
    version = ui.scalar("SELECT version FROM receivables WHERE id = ?", [collection[title]])
    return at, f"ledger_pay_{collection[title]}_{version}"


def test_a_payment_typed_1_500_records_one_thousand_five_hundred(
    ui: UiHarness, collection: dict[str, int]
) -> None:
    at, key = _payment_form(ui, collection, "old")

    at.text_input(key=f"{key}_amount").input("1.500")  # "Formato 1.234,56": was R$ 1,50
    at.button(key=f"{key}_submit").click().run()

    assert not at.exception and not _errors(at), _errors(at)
    paid = ui.scalar("SELECT amount FROM tlc_outcomes WHERE receivable_id = ?", [collection["old"]])
    assert paid == Decimal("1500.00")


@pytest.mark.parametrize("typed", ["1,234.56", "NaN", "inf", "99.999.999.999.999,99"])
def test_an_unreadable_payment_is_refused_in_pt_br_and_nothing_is_written(
    ui: UiHarness, collection: dict[str, int], typed: str
) -> None:
    at, key = _payment_form(ui, collection, "old")
    before = ui.scalar("SELECT version FROM receivables WHERE id = ?", [collection["old"]])

    at.text_input(key=f"{key}_amount").input(typed)
    at.button(key=f"{key}_submit").click().run()

    assert not at.exception, [e.value for e in at.exception]  # no raw Python/DuckDB error
    assert [e for e in _errors(at) if e.startswith("Valor do pagamento: ")], _errors(at)
    assert ui.scalar("SELECT version FROM receivables WHERE id = ?", [collection["old"]]) == before
    assert ui.scalar("SELECT count(*) FROM tlc_outcomes WHERE receivable_id = ?",
                     [collection["old"]]) == 0  # fmt: skip


def test_collector_sees_the_position_but_neither_pays_nor_imports(
    ui: UiHarness, collection: dict[str, int]
) -> None:
    at = _open(ui, TITULOS, "carla")
    at.text_input(key="ledger_search_text").input(DEBTOR).run()

    assert not at.exception, [e.value for e in at.exception]
    assert "Vencido" in _metrics(at)
    assert len(at.tabs) == 0 and len(at.get("file_uploader")) == 0
    assert not [b for b in at.button if b.label == "Registrar pagamento"]


def _receivables(ui: UiHarness) -> int:
    return int(ui.scalar("SELECT count(*) FROM receivables"))


def _import(at: AppTest, content: str, encoding: str = "utf-8") -> AppTest:
    widget(at.get("file_uploader"), "Arquivo CSV").set_value(
        ("titulos.csv", content.encode(encoding), "text/csv")
    )
    return at.button(key="ledger_import_0_submit").click().run()


HEADER = (
    "documento;nome;telefone;email;prefixo;numero;parcela;tipo;emissao;vencimento;valor;saldo\n"
)


def test_a_bad_file_shows_every_problem_by_line_and_writes_nothing(ui: UiHarness) -> None:
    before = _receivables(ui)
    cpf = factories.valid_cpf(formatted=True)
    content = (
        HEADER
        + f"{cpf};Cliente Novo;(11) 3456-7890;;IMP;000001;1;NF;01/01/2026;01/02/2026;100,00;\n"
        + "123;Sem Documento;;;IMP;000002;1;NF;01/01/2026;31/02/2026;abc;\n"
    )
    at = _open(ui, TITULOS, "admin")
    assert [tab.label for tab in at.tabs] == ["Posição do cliente", "Importar títulos (CSV)"]

    _import(at, content)

    assert not at.exception, [e.value for e in at.exception]
    assert any(error.startswith("Nada foi gravado") for error in _errors(at)), _errors(at)
    problems = _table_with(at, "Problema")
    assert problems["Linha"].tolist() == [3]
    assert "documento" in problems["Problema"][0] and "vencimento" in problems["Problema"][0]
    assert _receivables(ui) == before


def test_a_good_file_writes_its_titles_and_new_customers(ui: UiHarness) -> None:
    before = _receivables(ui)
    cpf = factories.valid_cpf(formatted=True)
    content = (
        HEADER + f"{cpf};Importada da Silva;(11) 3456-7890;;IMP;000010;1;DP;01/01/2026;01/02/2026;"
        "1.250,00;\n" + f"{cpf};;;;IMP;000010;2;DP;01/01/2026;01/03/2026;1.250,00;0\n"
    )
    at = _open(ui, TITULOS, "admin")

    _import(at, content)

    assert not at.exception and not _errors(at), _errors(at)
    assert [s.value for s in at.success] == [
        "Importação concluída: 2 título(s) gravado(s), 1 cliente(s) novo(s) (arquivo em UTF-8)."
    ]
    assert _receivables(ui) == before + 2
    paid = ui.scalar("SELECT status FROM receivables WHERE number = '000010' AND installment = 2")
    assert paid == "pago"
    assert at.get("file_uploader")[0].value is None  # a fresh form for the next file


def test_an_excel_file_in_windows_1252_imports_with_its_accents(ui: UiHarness) -> None:
    cpf = factories.valid_cpf(formatted=True)
    content = HEADER + (
        f"{cpf};João Araújo;(11) 3456-7890;;IMP;000020;1;DP;01/01/2026;01/02/2026;1.500;\r\n"
    )
    at = _open(ui, TITULOS, "admin")

    _import(at, content, "cp1252")

    assert not at.exception and not _errors(at), _errors(at)
    assert [s.value for s in at.success] == [
        "Importação concluída: 1 título(s) gravado(s), 1 cliente(s) novo(s) "
        "(arquivo em Windows-1252)."
    ]
    title = ui.scalar(
        "SELECT e.name || ' ' || r.amount FROM receivables r JOIN entities e"
        " ON e.id = r.entity_id WHERE r.number = '000020'"
    )
    assert title == "João Araújo 1500.00"


def test_the_sample_layout_is_offered_for_download(ui: UiHarness) -> None:
    at = _open(ui, TITULOS, "admin")

    assert "Baixar modelo (CSV)" in [b.label for b in at.download_button]
    assert importer.SAMPLE.strip() in [code.value.strip() for code in at.code]


# --- Regras de cobrança ---------------------------------------------------------------------


def test_admin_creates_a_range_and_wires_a_group_to_it(ui: UiHarness) -> None:
    _clear_collection(ui)
    admin = ui.user("admin")
    group_id = ui.user("carla").operator.main_group_id  # type: ignore[union-attr]
    at = _open(ui, REGRAS, "admin")
    assert [tab.label for tab in at.tabs] == ["Faixas de atraso", "Grupos e negociação",
                                              "Parâmetros"]  # fmt: skip
    assert "Nenhuma faixa cadastrada: inclua a primeira abaixo." in texts(at)
    parameters = _table_with(at, "Parâmetro")
    assert parameters["Parâmetro"].tolist() == ["MV_TLCMULT", "MV_TLCJURO", "MV_TLCSALD",
                                                "MV_TLCRESV"]  # fmt: skip

    at.text_input(key="tlc_range_new_0_code").input("z1")
    at.text_input(key="tlc_range_new_0_description").input("Qualquer atraso")
    at.text_input(key="tlc_range_new_0_types").input("NF, dp")
    at.button(key="tlc_range_new_0_submit").click().run()

    assert not at.exception and not _errors(at), _errors(at)
    ranges = tlc_setup.list_ranges(ui.db, admin)
    assert ranges.select("code", "max_days", "title_types", "span").rows() == [
        ("Z1", None, "DP, NF", "1+ dias")
    ]
    assert [toast.value for toast in at.toast] == ["Faixa Z1 incluída."]
    shown = at.dataframe[0].value
    assert shown["until"].tolist() == ["sem limite"] and shown["span"].tolist() == ["1+ dias"]

    range_id = int(ranges["id"][0])
    at.selectbox(key="tlc_rules_group").set_value(group_id).run()
    key = f"tlc_group_{group_id}_0"
    at.multiselect(key=f"{key}_ranges").select(range_id)
    at.number_input(key=f"{key}_postpone").set_value(15)
    at.text_input(key=f"{key}_principal").input("5")
    at.text_input(key=f"{key}_charges").input("60")
    at.number_input(key=f"{key}_installments").set_value(4)
    at.button(key=f"{key}_submit").click().run()

    assert not at.exception and not _errors(at), _errors(at)
    wired = {g.group_id: g for g in tlc_setup.group_settings(ui.db, admin)}[group_id]
    assert wired.range_ids == (range_id,)
    assert wired.rules == tlc_rules.NegotiationRules(15, Decimal("5"), Decimal("60"), 4)
    assert ui.audit_events("cobranca.grupo_alterado", "admin") == 1


def test_a_range_with_a_bad_code_is_refused_and_nothing_written(ui: UiHarness) -> None:
    _clear_collection(ui)
    at = _open(ui, REGRAS, "admin")

    at.text_input(key="tlc_range_new_0_code").input("faixa com espaço")
    at.text_input(key="tlc_range_new_0_description").input("Inválida")
    at.button(key="tlc_range_new_0_submit").click().run()

    assert _errors(at), texts(at)
    assert tlc_setup.list_ranges(ui.db, ui.user("admin")).is_empty()


def test_non_admin_is_refused_on_regras_de_cobranca(ui: UiHarness) -> None:
    at = ui.page(REGRAS, "sofia").run()

    assert _errors(at) == [
        "Acesso negado: você não tem permissão para administrar os cadastros de atendimento."
    ]
    assert len(at.dataframe) == 0 and len(at.form) == 0
    assert ui.audit_events("acesso.negado", "sofia") == 1
