"""The Telecobrança tab of the workspace (pages/chamadas.py) and its entry points, through
AppTest: "Próximo devedor", the titles with updated values, promise, payment, Encerrar,
Cancelar, the agenda's "Abrir" on a promise, and masking for a collector without 192.

Each test builds its own collection set-up: a fresh group wired to the ranges, a fresh
collector in it and a debtor whose titles are years overdue, so the debtor heads the queue
whatever else the demo holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from streamlit.testing.v1 import AppTest

from core import agenda, calls
from core.access import Routine, User
from core.money import typed_text
from core.telecobranca import attendance as tlc_attendance
from core.telecobranca import setup as tlc_setup
from core.telecobranca.attendance import SOURCE, CollectionAttendance
from core.telecobranca.rules import NegotiationRules
from tests import factories
from tests.ui.conftest import UiHarness, select_row, texts, widget
from ui.kit.formats import LOCAL_TZ, money
from ui.kit.workspace import TLC_ATTENDANCE
from ui.telecobranca.tab import NO_DEBTOR

PAGE = "pages/chamadas.py"
AGENDA = "pages/agenda.py"
RULES = NegotiationRules(10, Decimal("10"), Decimal("50"), 6)


@dataclass(frozen=True)
class Debtor:
    entity_id: int
    document: str  # CPF digits, unformatted
    titles: tuple[int, int]  # the older title first


def _today() -> date:
    return datetime.now(LOCAL_TZ).date()


def _collector(ui: UiHarness, *, wired: bool = True, personal: bool = False) -> User:
    """A collector (Telecobrança only) in a fresh group, wired to every active range or none."""
    admin = ui.user("admin")
    group_id = factories.make_group(ui.db)
    if wired:
        ranges = tlc_setup.list_ranges(ui.db, admin).filter(active=True)
        if ranges.is_empty():
            factories.make_collection_setup(ui.db, admin, group_id)
        else:
            ids = [int(i) for i in ranges["id"]]
            tlc_setup.save_group_settings(ui.db, admin, group_id, 0, ids, RULES)
    return factories.make_operator(
        ui.db, routines=[Routine.TELECOBRANCA], group_id=group_id, personal=personal
    )


def _debtor(ui: UiHarness) -> Debtor:
    document = factories.valid_cpf(90210)
    entity_id = factories.make_entity(
        ui.db, ui.user("admin"), name="Devedora Teste Prioritária", document=document
    )
    today = _today()
    older = factories.make_title(ui.db, entity_id, today - timedelta(days=4000), "500.00")
    newer = factories.make_title(ui.db, entity_id, today - timedelta(days=3990), "300.00")
    return Debtor(entity_id, document, (older, newer))


def _next_debtor(ui: UiHarness, collector: User) -> AppTest:
    """The collector opens the workspace and presses "Próximo devedor"."""
    at = ui.page(PAGE, collector.username).run()
    at.button(key="tlc_next_debtor").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def _loaded(ui: UiHarness, at: AppTest, collector: User) -> CollectionAttendance:
    return tlc_attendance.get_attendance(ui.db, collector, at.session_state[TLC_ATTENDANCE])


def _table_with(at: AppTest, column: str) -> Any:
    """The dataframe showing this column (plain tables carry no key in AppTest)."""
    found = [frame.value for frame in at.dataframe if column in frame.value.columns]
    assert len(found) == 1, f"{len(found)} tables with {column!r}"
    return found[0]


def _keys(tree: Any) -> set[str]:
    """Every container key rendered (a keyed block's id is "$$ID-<hash>-<key>")."""
    found: set[str] = set()
    for node in getattr(tree, "children", {}).values():
        proto = getattr(node, "proto", None)
        if proto is not None and proto.DESCRIPTOR.name == "Block" and proto.id:
            found.add(proto.id.split("-", 2)[-1])
        found |= _keys(node)
    return found


def _shown_text(at: AppTest) -> str:
    """Everything a person could read on the page: texts, metrics, tables, widget options."""
    parts = [*texts(at), *(str(m.value) for m in at.metric)]
    parts += [frame.value.to_string() for frame in at.dataframe]
    for widgets in (at.selectbox, at.multiselect, at.radio):
        parts += [str(option) for w in widgets for option in w.options]
    return "\n".join(parts)


def test_next_debtor_shows_the_overdue_titles_with_updated_values(ui: UiHarness) -> None:
    collector, debtor = _collector(ui), _debtor(ui)

    at = _next_debtor(ui, collector)

    call = calls.current_call(ui.db, collector)
    assert call is not None and call.entity_id == debtor.entity_id
    assert call.routine is Routine.TELECOBRANCA
    attendance = _loaded(ui, at, collector)
    assert attendance.status == "atendimento" and attendance.entity_id == debtor.entity_id
    shown = _table_with(at, "Atualizado")
    assert list(shown["Título"]) == [title.key for title in attendance.titles]
    assert list(shown["Atualizado"]) == [money(t.updated.total) for t in attendance.titles]
    assert all(days >= 3990 for days in shown["Dias em atraso"])
    assert all(t.updated.total > t.balance for t in attendance.titles)  # fine and interest
    assert any(f"Cobrança nº {attendance.id}" in text for text in texts(at))
    figures = at.markdown  # the collection's figures, beside the finish
    assert any(f"Enviado **{money(Decimal('800.00'))}**" in str(m.value) for m in figures)
    assert "Status: Atendimento" in texts(at)  # the footer
    assert any(text.startswith("⏱") for text in texts(at))  # the timer
    assert {"call_timer", "call_footer", "tab_telecobranca"} <= _keys(at._tree)


def test_a_promise_puts_the_attendance_in_cobranca_with_a_follow_up(ui: UiHarness) -> None:
    collector, _ = _collector(ui), _debtor(ui)
    at = _next_debtor(ui, collector)
    attendance = _loaded(ui, at, collector)

    at.button(key="tlc_promise_submit").click().run()  # every title, the whole updated value

    assert not at.exception and not at.error, [e.value for e in at.error]
    attendance = tlc_attendance.get_attendance(ui.db, collector, attendance.id)
    assert attendance.status == "cobranca"
    [promise] = attendance.pending_promises
    assert promise["amount"] == sum((t.updated.total for t in attendance.titles), Decimal(0))
    follow_ups = [e for e in agenda.open_items(ui.db, collector) if e.source_type == SOURCE]
    assert [entry.source_id for entry in follow_ups] == [promise["id"]]
    assert any(":orange[● Cobrança]" in text for text in texts(at))
    assert "Status: Cobrança" in texts(at)


def test_an_unreadable_promise_amount_is_refused_naming_the_field(ui: UiHarness) -> None:
    collector, _ = _collector(ui), _debtor(ui)
    at = _next_debtor(ui, collector)
    attendance = _loaded(ui, at, collector)
    widget(at.text_input, "Valor prometido (R$)").input("1,234.56")  # US style: refused
    at.button(key="tlc_promise_submit").click().run()

    assert not at.exception, [e.value for e in at.exception]
    assert any(e.value.startswith("Valor prometido: ") for e in at.error), at.error
    assert not tlc_attendance.get_attendance(ui.db, collector, attendance.id).promises


def test_paying_the_promised_title_keeps_the_promise(ui: UiHarness) -> None:
    collector, debtor = _collector(ui), _debtor(ui)
    at = _next_debtor(ui, collector)
    attendance = _loaded(ui, at, collector)
    older = next(t for t in attendance.titles if t.id == debtor.titles[0])
    widget(at.multiselect, "Títulos prometidos").set_value([older.id])
    widget(at.text_input, "Valor prometido (R$)").input(typed_text(older.updated.total))
    at.button(key="tlc_promise_submit").click().run()
    assert not at.error, [e.value for e in at.error]

    assert widget(at.selectbox, "Título").value == older.id  # the oldest open title first
    assert widget(at.selectbox, "Lançamento").value == "pago"
    assert widget(at.text_input, "Valor pago (R$)").value == typed_text(older.updated.total)
    at.button(key="tlc_title_submit").click().run()

    assert not at.exception and not at.error, [e.value for e in at.error]
    promise = ui.db.read(
        lambda tx: tx.one(
            "SELECT id, status, paid_amount FROM tlc_promises WHERE attendance_id = ?",
            [attendance.id],
        )
    )
    assert promise["status"] == "cumprida" and promise["paid_amount"] == older.updated.total
    assert not [e for e in agenda.open_items(ui.db, collector) if e.source_type == SOURCE]
    assert ui.scalar("SELECT status FROM receivables WHERE id = ?", [older.id]) == "pago"
    # Its last pending promise kept, the attendance closed itself: read-only from now on.
    assert tlc_attendance.get_attendance(ui.db, collector, attendance.id).status == "encerrado"
    assert any("não aceita mais lançamentos" in info.value for info in at.info)
    assert not [b for b in at.button if b.key == "tlc_title_submit"]
    at.button(key="ws_end_call").click().run()
    assert calls.current_call(ui.db, collector) is None


def test_baixa_without_a_reason_is_refused(ui: UiHarness) -> None:
    collector, debtor = _collector(ui), _debtor(ui)
    at = _next_debtor(ui, collector)
    widget(at.selectbox, "Lançamento").set_value("baixa").run()

    at.button(key="tlc_title_submit").click().run()

    assert any("Informe o motivo da baixa" in error.value for error in at.error)
    assert ui.scalar("SELECT status FROM receivables WHERE id = ?", [debtor.titles[0]]) == "aberto"


def test_renegotiation_is_simulated_first_then_replaces_the_titles(ui: UiHarness) -> None:
    collector, debtor = _collector(ui), _debtor(ui)
    at = _next_debtor(ui, collector)
    attendance = _loaded(ui, at, collector)
    owed = sum((t.updated.total for t in attendance.titles), Decimal(0))
    widget(at.number_input, "Parcelas").set_value(3)

    at.button(key="tlc_reneg_simulate").click().run()

    assert not at.error, [e.value for e in at.error]
    assert any(f"Total renegociado: {money(owed)}" in text for text in texts(at))
    assert len(_table_with(at, "Parcela")) == 3
    renegotiated = "SELECT count(*) FROM receivables WHERE entity_id = ? AND prefix = 'REN'"
    assert ui.scalar(renegotiated, [debtor.entity_id]) == 0  # a simulation writes nothing

    at.button(key="tlc_reneg_submit").click().run()

    assert not at.exception and not at.error, [e.value for e in at.error]
    assert ui.scalar(renegotiated, [debtor.entity_id]) == 3
    statuses = {
        ui.scalar("SELECT status FROM receivables WHERE id = ?", [i]) for i in debtor.titles
    }
    assert statuses == {"renegociado"}


def test_encerrar_without_reason_shows_why_and_writes_nothing(ui: UiHarness) -> None:
    collector, _ = _collector(ui), _debtor(ui)
    at = _next_debtor(ui, collector)
    before = _loaded(ui, at, collector)

    at.button(key="tlc_close").click().run()

    assert any("Informe o motivo de encerramento" in error.value for error in at.error)
    after = tlc_attendance.get_attendance(ui.db, collector, before.id)
    assert (after.status, after.version) == ("atendimento", before.version)
    assert calls.current_call(ui.db, collector) is not None  # still on the line


def test_encerrar_with_reason_and_text_closes_it_and_ends_the_call(ui: UiHarness) -> None:
    collector, _ = _collector(ui), _debtor(ui)
    at = _next_debtor(ui, collector)
    attendance = _loaded(ui, at, collector)
    widget(at.selectbox, "Motivo de encerramento").select_index(1)
    widget(at.text_area, "Texto de encerramento").input("Devedor não reconhece a dívida.")

    at.button(key="tlc_close").click().run()

    assert not at.exception and not at.error, [e.value for e in at.error]
    assert tlc_attendance.get_attendance(ui.db, collector, attendance.id).status == "encerrado"
    # The closed collection stays on screen while the call goes on, until "Encerrar ligação".
    assert any("não aceita mais lançamentos" in info.value for info in at.info)
    assert calls.current_call(ui.db, collector) is not None
    at.button(key="ws_end_call").click().run()
    assert calls.current_call(ui.db, collector) is None
    last = calls.last_call(ui.db, collector)
    assert last is not None and last.result == f"Telecobrança nº {attendance.id}: Encerrado"
    assert TLC_ATTENDANCE not in at.session_state
    assert [b.key for b in at.button if b.key == "tlc_next_debtor"]  # ready for the next one


def test_cancelar_asks_for_confirmation_and_a_reason(ui: UiHarness) -> None:
    collector, _ = _collector(ui), _debtor(ui)
    at = _next_debtor(ui, collector)
    attendance = _loaded(ui, at, collector)
    assert "tlc_cancel_confirm" not in [button.key for button in at.button]

    at.button(key="tlc_cancel_ask").click().run()
    at.button(key="tlc_cancel_confirm").click().run()  # no reason yet

    assert any("Informe o motivo de cancelamento" in error.value for error in at.error)
    assert tlc_attendance.get_attendance(ui.db, collector, attendance.id).status == "atendimento"
    widget(at.selectbox, "Motivo de cancelamento").select_index(1)
    at.button(key="tlc_cancel_confirm").click().run()

    assert not at.exception, [e.value for e in at.exception]
    assert tlc_attendance.get_attendance(ui.db, collector, attendance.id).status == "cancelado"
    at.button(key="ws_end_call").click().run()
    assert calls.current_call(ui.db, collector) is None


def test_a_promise_on_the_agenda_reopens_the_attendance_in_the_workspace(ui: UiHarness) -> None:
    collector, debtor = _collector(ui), _debtor(ui)
    at = _next_debtor(ui, collector)
    attendance = _loaded(ui, at, collector)
    at.button(key="tlc_promise_submit").click().run()
    at.button(key="tlc_wait").click().run()  # Gravar (aguardar pagamento)
    assert not at.error, [e.value for e in at.error]
    at.button(key="ws_end_call").click().run()
    assert calls.current_call(ui.db, collector) is None
    assert tlc_attendance.get_attendance(ui.db, collector, attendance.id).status == "cobranca"

    at = ui.page("app.py", collector.username).run()
    at.switch_page(AGENDA).run()
    select_row(at, at.dataframe[0].key, "kind", "Promessa de pagamento (Telecobrança)")
    [entry] = [e for e in agenda.open_items(ui.db, collector) if e.source_type == SOURCE]
    at.button(key=f"agenda_open_{entry.id}").click().run()  # on to the workspace

    assert not at.exception and not at.error, [e.value for e in at.error]
    call = calls.current_call(ui.db, collector)
    assert call is not None and call.entity_id == debtor.entity_id
    assert call.routine is Routine.TELECOBRANCA
    assert at.session_state[TLC_ATTENDANCE] == attendance.id  # resumed, not a new one
    assert any(f"Cobrança nº {attendance.id}" in text for text in texts(at))
    assert "Status: Cobrança" in texts(at)


def test_an_operator_without_telecobranca_gets_no_next_debtor_button(ui: UiHarness) -> None:
    at = ui.page(PAGE, "ana").run()
    assert not at.exception
    assert "tlc_next_debtor" not in [button.key for button in at.button]


def test_empty_queue_says_nobody_is_waiting(ui: UiHarness) -> None:
    collector = _collector(ui, wired=False)  # a group with no range: nobody to call

    at = ui.page(PAGE, collector.username).run()
    at.button(key="tlc_next_debtor").click().run()

    assert not at.exception
    assert NO_DEBTOR in [info.value for info in at.info]
    assert calls.current_call(ui.db, collector) is None


def test_search_then_iniciar_cobranca_refuses_a_customer_with_nothing_overdue(
    ui: UiHarness,
) -> None:
    collector = _collector(ui)
    entity_id = factories.make_entity(ui.db, ui.user("admin"), name="Cliente Em Dia Teste")
    calls.start_call(ui.db, collector, Routine.TELECOBRANCA, entity_id)
    at = ui.page(PAGE, collector.username).run()
    assert any("Nenhum título vencido em aberto" in text for text in texts(at))

    at.button(key="tlc_take").click().run()

    assert any("não tem títulos vencidos" in error.value for error in at.error)
    assert TLC_ATTENDANCE not in at.session_state


def test_collector_without_192_never_sees_the_debtors_full_cpf(ui: UiHarness) -> None:
    collector, debtor = _collector(ui, personal=False), _debtor(ui)
    assert not collector.personal_access

    at = _next_debtor(ui, collector)

    assert _loaded(ui, at, collector).entity_id == debtor.entity_id
    shown = _shown_text(at)
    formatted = factories.valid_cpf(90210, formatted=True)
    assert debtor.document not in shown and formatted not in shown
    # the card shows it masked (markdown-escaped, so asterisks are not read as emphasis)
    assert f"***.***.***-{debtor.document[-2:]}" in shown.replace("\\", "")


def _set_pix(ui: UiHarness, key: str) -> None:
    from core import parameters, pix

    admin = ui.user("admin")
    for name, value in ((pix.KEY, key), (pix.NAME, "Empresa Teste"), (pix.CITY, "Sao Paulo")):
        version = ui.db.read(
            lambda tx, name=name: tx.scalar("SELECT version FROM parameters WHERE name = ?", [name])
        )
        parameters.set_parameter(ui.db, admin, name, int(version), value)


def test_a_promise_shows_its_pix_code_and_qr_or_says_why_there_is_none(ui: UiHarness) -> None:
    from core import pix

    collector, _ = _collector(ui), _debtor(ui)
    _set_pix(ui, "")
    at = _next_debtor(ui, collector)
    at.button(key="tlc_promise_submit").click().run()
    assert any(pix.NO_KEY in text for text in texts(at)) and not at.code

    _set_pix(ui, factories.valid_cpf(4242))
    at.run()  # the promise was made without a key: still none
    attendance = _loaded(ui, at, collector)
    assert attendance.pix_codes[0]["payload"] is None
    ui.db.write(lambda tx: tx.execute("UPDATE tlc_promises SET status = 'cancelada'"))
    at.run()  # the titles are free again
    at.button(key="tlc_promise_submit").click().run()

    attendance = _loaded(ui, at, collector)
    payload = attendance.pix_codes[0]["payload"]
    assert payload and payload.startswith("000201") and "br.gov.bcb.pix" in payload
    assert [code.value for code in at.code] == [payload]
    assert len(at.image) == 1  # the QR code
