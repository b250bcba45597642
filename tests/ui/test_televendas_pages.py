"""Televendas through AppTest on the demo data: the workspace tab (quote -> order -> invoice,
MV_ALTPED read-only, discount limit) and the maintenance list. bruno works Televendas."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from streamlit.testing.v1 import AppTest

from core import calls
from core.access import Routine
from core.money import typed_text
from core.televendas import maintenance as tlv_maintenance
from core.televendas import service as tlv_service
from core.televendas.maintenance import OrderFilter
from tests.ui.conftest import UiHarness, texts, widget
from ui.kit.formats import money
from ui.kit.workspace import TLV_ORDER
from ui.televendas.tab import READ_ONLY_INFO

WORKSPACE = "pages/chamadas.py"
TLV = "pages/televendas.py"


def _customer(ui: UiHarness) -> int:
    return int(ui.scalar("SELECT min(id) FROM entities WHERE kind = 'cliente' AND active"))


def _on_call(ui: UiHarness, entity_id: int, order_id: int | None = None) -> AppTest:
    calls.start_call(ui.db, ui.user("bruno"), Routine.TELEVENDAS, entity_id)
    at = ui.page(WORKSPACE, "bruno")
    if order_id is not None:
        at.session_state[TLV_ORDER] = order_id
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _table_with(at: AppTest, column: str) -> Any:
    """The dataframe showing this column (plain tables carry no key in AppTest)."""
    found = [frame.value for frame in at.dataframe if column in frame.value.columns]
    assert len(found) == 1, f"{len(found)} tables with {column!r}"
    return found[0]


def _last_order(ui: UiHarness) -> dict[str, Any]:
    return ui.db.read(
        lambda tx: tx.one("SELECT id, status, entity_id, total FROM tlv_orders ORDER BY id DESC")
    )


def test_bruno_builds_a_quote_converts_and_invoices_it(ui: UiHarness) -> None:
    entity_id = _customer(ui)
    at = _on_call(ui, entity_id)
    call = calls.current_call(ui.db, ui.user("bruno"))
    assert call is not None
    assert not at.tabs and "tlv_save" in [button.key for button in at.button]
    widget(at.selectbox, "Produto 1").select_index(1).run()
    widget(at.text_input, "Quantidade 1").input("2").run()
    total = [m.value for m in at.metric if m.label == "Total"]
    assert total and total[0].startswith("R$")

    widget(at.button, "Gravar").click().run()

    assert not at.exception and not at.error, [e.value for e in at.error]
    saved = _last_order(ui)
    assert saved["status"] == "orcamento" and saved["entity_id"] == entity_id
    assert ui.scalar("SELECT count(*) FROM tlv_items WHERE order_id = ?", [saved["id"]]) == 1
    assert total[0] == money(saved["total"])  # the live summary matches what core stored

    # The same call goes on with the quote on screen: convert and invoice it in the conversation.
    assert any(f"Atendimento Televendas nº {saved['id']}" in text for text in texts(at))
    widget(at.button, "Converter em pedido").click().run()
    assert ui.scalar("SELECT status FROM tlv_orders WHERE id = ?", [saved["id"]]) == "pedido"
    assert any("Operação: 1 - Faturamento" in text for text in texts(at))

    widget(at.button, "Faturar").click().run()

    assert not at.exception and not at.error, [e.value for e in at.error]
    assert ui.scalar("SELECT status FROM tlv_orders WHERE id = ?", [saved["id"]]) == "faturado"
    titles = ui.scalar("SELECT count(*) FROM receivables WHERE order_id = ?", [saved["id"]])
    assert titles >= 1
    shown = _table_with(at, "Parcela")
    assert list(shown.columns)[:4] == ["Número", "Parcela", "Vencimento", "Valor"]
    assert len(shown) == titles

    # One call for the whole conversation, ended by the seller, recording the invoice.
    at.button(key="ws_end_call").click().run()
    bruno_calls = ui.db.read(
        lambda tx: tx.all(
            "SELECT routine, result FROM calls WHERE user_id = ? AND id >= ?",
            [ui.user("bruno").id, call.id],
        )
    )
    assert [(c["routine"], c["result"]) for c in bruno_calls] == [
        ("televendas", f"Televendas nº {saved['id']}: Faturado")
    ]
    assert any(f"Televendas nº {saved['id']}: Faturado" in text for text in texts(at))


def test_invoiced_order_opens_read_only_with_mv_altped_n(ui: UiHarness) -> None:
    bruno = ui.user("bruno")
    invoiced = tlv_maintenance.list_orders(ui.db, bruno, OrderFilter(status="faturado"))
    assert invoiced.total > 0, "the demo seeds invoiced orders"
    order_id = int(invoiced.rows["id"][0])
    order = tlv_service.get_order(ui.db, bruno, order_id)

    at = _on_call(ui, order.entity_id, order_id)

    assert READ_ONLY_INFO in [info.value for info in at.info]
    assert not [b for b in at.button if b.label in ("Gravar", "Faturar", "Converter em pedido")]
    typed = [t for t in at.text_input if t.label.startswith(("Frete", "Quantidade", "Preço"))]
    assert typed  # the money and quantity fields are pt-BR text inputs
    inputs = [*at.selectbox, *at.number_input, *typed, *at.date_input, *at.radio]
    assert inputs and all(element.disabled for element in inputs)
    assert len(_table_with(at, "Parcela")) == len(order.titles)


def test_discount_over_the_group_limit_is_refused_and_nothing_written(ui: UiHarness) -> None:
    before = ui.scalar("SELECT count(*) FROM tlv_orders")
    at = _on_call(ui, _customer(ui))
    widget(at.selectbox, "Produto 1").select_index(1).run()
    widget(at.text_input, "Desconto % no total").input("15").run()

    widget(at.button, "Gravar").click().run()

    assert any("acima do limite do grupo (10%)" in error.value for error in at.error)
    assert ui.scalar("SELECT count(*) FROM tlv_orders") == before
    assert calls.current_call(ui.db, ui.user("bruno")) is not None  # still on the line


def test_list_shows_rows_and_filters_by_status(ui: UiHarness) -> None:
    bruno = ui.user("bruno")
    expected = tlv_maintenance.list_orders(ui.db, bruno)
    at = ui.page(TLV, "bruno").run()
    assert not at.exception, [e.value for e in at.exception]
    shown = at.dataframe[0].value
    assert len(shown) == min(expected.total, 50) > 0
    assert f"{expected.total} atendimento(s) · página 1 de {expected.pages}" in texts(at)
    assert [b.label for b in at.download_button] == ["Exportar CSV", "XLSX"]
    assert any(":blue[● Orçamento]" in text and ":red[● Faturado]" in text for text in texts(at))

    at.segmented_control(key="tlv_status").set_value("faturado").run()

    shown = at.dataframe[0].value
    assert len(shown) > 0 and {tuple(tag) for tag in shown["status"]} == {("faturado",)}
    key = at.dataframe[0].key
    at.session_state[key] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    order_id = int(shown["id"][0])
    assert f"Atendimento Televendas nº {order_id}" in [s.value for s in at.subheader]
    order = tlv_service.get_order(ui.db, bruno, order_id)
    assert len(_table_with(at, "Produto")) == len(order.items)
    assert len(_table_with(at, "Parcela")) == len(order.titles)


def test_operator_without_televendas_is_refused(ui: UiHarness) -> None:
    at = ui.page(TLV, "ana").run()

    assert any("Acesso negado" in error.value for error in at.error)
    assert len(at.dataframe) == 0 and len(at.title) == 0


def _quote(ui: UiHarness, entity_id: int) -> tuple[AppTest, int]:
    """A quote saved through the tab; the call goes on with it on screen."""
    at = _on_call(ui, entity_id)
    widget(at.selectbox, "Produto 1").select_index(1).run()
    widget(at.button, "Gravar").click().run()
    assert not at.error, [e.value for e in at.error]
    return at, int(_last_order(ui)["id"])


def test_cancelar_needs_a_reason_and_then_cancels(ui: UiHarness) -> None:
    entity_id = _customer(ui)
    at, order_id = _quote(ui, entity_id)

    at.button(key="tlv_cancel").click().run()
    assert [e.value for e in at.error] == ["Informe o motivo do cancelamento."]
    at.text_input(key=f"tlv_reason_{order_id}").input("Cliente desistiu da compra.")
    at.button(key="tlv_cancel").click().run()

    assert ui.scalar("SELECT status FROM tlv_orders WHERE id = ?", [order_id]) == "cancelado"
    assert not [b for b in at.button if b.label == "Gravar"]  # cancelled: read-only


def test_prospect_quote_cannot_become_an_order(ui: UiHarness) -> None:
    prospect = int(ui.scalar("SELECT min(id) FROM entities WHERE kind = 'prospect' AND active"))
    at, order_id = _quote(ui, prospect)

    widget(at.button, "Converter em pedido").click().run()

    assert any("converta o prospect em cliente" in e.value for e in at.error)
    assert ui.scalar("SELECT status FROM tlv_orders WHERE id = ?", [order_id]) == "orcamento"


def test_a_prospect_converted_to_customer_lets_its_quote_become_an_order(ui: UiHarness) -> None:
    prospect = int(
        ui.scalar("SELECT min(id) FROM entities WHERE kind = 'prospect' AND document IS NOT NULL")
    )
    at, order_id = _quote(ui, prospect)

    at.button(key="tlv_prospect").click().run()
    assert ui.scalar("SELECT kind FROM entities WHERE id = ?", [prospect]) == "cliente"
    widget(at.button, "Converter em pedido").click().run()

    assert ui.scalar("SELECT status FROM tlv_orders WHERE id = ?", [order_id]) == "pedido"


def test_selected_row_opens_in_the_workspace(ui: UiHarness) -> None:
    at = ui.page("app.py", "bruno").run()
    at.switch_page(TLV).run()
    at.segmented_control(key="tlv_status").set_value("orcamento").run()
    key = at.dataframe[0].key
    at.session_state[key] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    order_id = int(at.dataframe[0].value["id"][0])
    entity_id = tlv_service.get_order(ui.db, ui.user("bruno"), order_id).entity_id

    at.button(key=f"tlv_open_{order_id}").click().run()

    assert not at.exception, [e.value for e in at.exception]
    call = calls.current_call(ui.db, ui.user("bruno"))
    assert call is not None and call.entity_id == entity_id
    assert at.session_state[TLV_ORDER] == order_id
    assert any(f"Atendimento Televendas nº {order_id}" in text for text in texts(at))


def test_unit_price_defaults_to_the_table_and_a_lower_price_counts_as_discount(
    ui: UiHarness,
) -> None:
    before = ui.scalar("SELECT count(*) FROM tlv_orders")
    at = _on_call(ui, _customer(ui))
    widget(at.selectbox, "Produto 1").select_index(1).run()
    product_id = widget(at.selectbox, "Produto 1").value
    table_id = widget(at.selectbox, "Tabela de preços").value
    listed = ui.scalar(
        "SELECT price FROM price_table_items WHERE price_table_id = ? AND product_id = ?",
        [table_id, product_id],
    )
    price = widget(at.text_input, "Preço unitário 1")
    assert price.value == typed_text(listed)  # pt-BR, as a person types it

    price.input(typed_text(listed * Decimal("0.8"))).run()
    widget(at.button, "Gravar").click().run()

    assert any("o preço abaixo da tabela também conta" in e.value for e in at.error)
    assert ui.scalar("SELECT count(*) FROM tlv_orders") == before


def test_invoiced_order_stays_editable_with_mv_altped_s(ui: UiHarness) -> None:
    ui.db.write(lambda tx: tx.execute("UPDATE parameters SET value = 'S' WHERE name = 'MV_ALTPED'"))
    bruno = ui.user("bruno")
    order_id = int(
        tlv_maintenance.list_orders(ui.db, bruno, OrderFilter(status="faturado")).rows["id"][0]
    )
    order = tlv_service.get_order(ui.db, bruno, order_id)

    at = _on_call(ui, order.entity_id, order_id)

    assert READ_ONLY_INFO not in [info.value for info in at.info]
    assert not widget(at.selectbox, "Produto 1").disabled
    assert [b.label for b in at.button if b.label == "Gravar"] == ["Gravar"]


def test_looking_at_an_invoiced_order_from_the_list_starts_no_call(ui: UiHarness) -> None:
    bruno = ui.user("bruno")
    at = ui.page("app.py", "bruno").run()
    at.switch_page(TLV).run()
    at.segmented_control(key="tlv_status").set_value("faturado").run()
    key = at.dataframe[0].key
    at.session_state[key] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    order_id = int(at.dataframe[0].value["id"][0])

    assert any(f"Atendimento Televendas nº {order_id}" in text for text in texts(at))
    assert f"tlv_open_{order_id}" not in [button.key for button in at.button]
    assert any("só consulta" in caption.value for caption in at.caption)
    assert calls.current_call(ui.db, bruno) is None


def test_percentages_are_typed_and_shown_the_pt_br_way(ui: UiHarness) -> None:
    at = _on_call(ui, _customer(ui))
    widget(at.selectbox, "Produto 1").select_index(1).run()
    header = widget(at.text_input, "Desconto % no total")
    assert header.value == "0"  # not Streamlit's "0.00"
    widget(at.text_input, "Quantidade 1").input("2").run()
    widget(at.text_input, "Desc. % 1").input("12,5").run()

    price = Decimal(_money_text(widget(at.text_input, "Preço unitário 1").value))
    products = [m.value for m in at.metric if m.label == "Produtos"]
    assert products == [money((2 * price * Decimal("0.875")).quantize(Decimal("0.01")))]
    widget(at.text_input, "Desc. % 1").input("12.5.0").run()
    refused = [c.value for c in at.caption if "não é um valor válido" in c.value]
    assert refused and "item 1" in refused[0]


def _money_text(text: str) -> str:
    return text.replace(".", "").replace(",", ".")
