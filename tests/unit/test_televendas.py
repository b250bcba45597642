"""Televendas: money rules, quote -> order -> invoice, stock, titles, MV_ALTPED, list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest

from core import agenda, calls, parameters
from core.access import Routine, User
from core.db import Database
from core.errors import Conflict, Forbidden, Invalid
from core.televendas import catalogue as tlv_catalogue
from core.televendas import maintenance as tlv_maintenance
from core.televendas import rules
from core.televendas import service as tlv_service
from core.televendas.catalogue import PaymentConditionInput, PriceTableInput, ProductInput
from core.televendas.maintenance import OrderFilter
from core.televendas.service import ItemInput, OrderInput
from tests import factories
from tests.conftest import Clock

D = Decimal


# --- pure rules -----------------------------------------------------------------------------


def test_item_total_rounds_half_up_to_cents_after_the_discount() -> None:
    assert rules.item_total(D(3), D("33.33"), D(10)) == D("89.99")  # 89,991
    assert rules.item_total(D(1), D("0.05"), D(10)) == D("0.05")  # 0,045 rounds up
    assert rules.item_total(D("2.5"), D("10.00"), D(0)) == D("25.00")


def test_header_discount_applies_on_the_products_subtotal_and_freight_is_added() -> None:
    totals = rules.order_totals([D("89.99"), D("10.01")], D(10), D("15.50"))
    assert (totals.products, totals.discount, totals.freight, totals.total) == (
        D("100.00"),
        D("10.00"),
        D("15.50"),
        D("105.50"),
    )
    assert rules.order_totals([D("99.99")], D(10), D(0)).discount == D("10.00")  # 9,999


def test_installments_add_up_to_the_total_with_the_cents_on_the_last() -> None:
    parts = rules.installments(D("100.00"), [30, 60, 90], date(2026, 3, 10))
    assert [part.amount for part in parts] == [D("33.33"), D("33.33"), D("33.34")]
    assert [part.due_date for part in parts] == [
        date(2026, 4, 9),
        date(2026, 5, 9),
        date(2026, 6, 8),
    ]
    assert sum(part.amount for part in parts) == D("100.00")
    assert rules.installments(D("10.00"), [0], date(2026, 3, 10))[0].due_date == date(2026, 3, 10)


@pytest.mark.parametrize("text", ["", "30,abc", "60,30", "-1"])
def test_payment_condition_days_must_be_numbers_in_order(text: str) -> None:
    with pytest.raises(Invalid, match="Parcelas"):
        rules.parse_installments(text)


def test_a_price_below_the_list_counts_as_discount() -> None:
    assert rules.effective_discount_pct(D(100), D(90), D(0)) == D(10)
    assert rules.effective_discount_pct(D(100), D(100), D(5)) == D(5)
    assert rules.effective_discount_pct(D(100), D(120), D(10)) == D(0)


# --- against the database -------------------------------------------------------------------


@dataclass
class Shop:
    table: int
    cash: int  # à vista
    three: int  # 30/60/90
    pen: int  # R$ 33,33, stock 10
    box: int  # R$ 10,00, stock 5
    cheap: int  # R$ 1,00, stock 0


@pytest.fixture
def shop(db: Database, admin: User) -> Shop:
    def product(code: str, stock: str) -> int:
        return tlv_catalogue.save_product(
            db, admin, ProductInput(code=code, description=f"Produto {code}", stock=stock)
        )

    table = tlv_catalogue.save_price_table(
        db, admin, PriceTableInput(code="T01", description="Tabela Padrão")
    )
    pen, box, cheap = product("CANETA", "10"), product("CAIXA", "5"), product("CLIPS", "0")
    tlv_catalogue.set_prices(db, admin, table, {pen: "33,33", box: "10", cheap: "1"})
    cash = tlv_catalogue.save_payment_condition(
        db, admin, PaymentConditionInput(code="AV", description="À vista", installments="0")
    )
    three = tlv_catalogue.save_payment_condition(
        db, admin, PaymentConditionInput("369", "30/60/90", installments="30/60/90")
    )
    return Shop(table, cash, three, pen, box, cheap)


@pytest.fixture
def seller(db: Database) -> User:
    """A Televendas operator in a group whose discount limit is 10%, with access 192."""
    group = factories.make_group(db, "Vendas", max_discount_pct="10")
    return factories.make_operator(
        db, "vendedor", routines={Routine.TELEVENDAS}, personal=True, group_id=group
    )


def _order(entity_id: int, shop: Shop, operation: str = "orcamento", **overrides: object):
    values: dict = {
        "entity_id": entity_id,
        "operation": operation,
        "price_table_id": shop.table,
        "payment_condition_id": shop.three,
        "items": [ItemInput(shop.pen, 3, discount_pct=10), ItemInput(shop.box, 1)],
    }
    values.update(overrides)
    return OrderInput(**values)


def _count(db: Database, table: str) -> int:
    return int(db.read(lambda tx: tx.scalar(f"SELECT count(*) FROM {table}")))


def _stock(db: Database, product_id: int) -> Decimal:
    return db.read(lambda tx: tx.scalar("SELECT stock FROM products WHERE id = ?", [product_id]))


def _altped(db: Database, admin: User, value: str) -> None:
    version = db.read(
        lambda tx: tx.scalar("SELECT version FROM parameters WHERE name = 'MV_ALTPED'")
    )
    parameters.set_parameter(db, admin, "MV_ALTPED", version, value)


def _invoiced(db: Database, seller: User, shop: Shop, **overrides: object) -> tlv_service.Order:
    entity_id = factories.make_entity(db, seller)
    order = tlv_service.save_order(db, seller, _order(entity_id, shop, "faturamento", **overrides))
    return tlv_service.invoice_order(db, seller, order.id, order.version)


def test_a_quote_stores_the_priced_items_and_the_totals(
    db: Database, seller: User, shop: Shop
) -> None:
    entity_id = factories.make_entity(db, seller)
    quote = tlv_service.save_order(db, seller, _order(entity_id, shop, discount_pct=5, freight=7))
    assert (quote.status, quote.operation_label) == ("orcamento", "2 - Orçamento")
    assert [item["total"] for item in quote.items] == [D("89.99"), D("10.00")]
    assert [item["unit_price"] for item in quote.items] == [D("33.33"), D("10.00")]
    assert (quote.products_total, quote.discount_total, quote.freight, quote.total) == (
        D("99.99"),
        D("5.00"),
        D("7.00"),
        D("101.99"),
    )
    assert quote.quote_valid_until == date(2026, 3, 25)  # 15 days by default


def test_discounts_over_the_groups_limit_are_refused(
    db: Database, seller: User, shop: Shop
) -> None:
    entity_id = factories.make_entity(db, seller)
    with pytest.raises(Invalid, match="acima do limite do grupo") as refused:
        tlv_service.save_order(
            db, seller, _order(entity_id, shop, items=[ItemInput(shop.pen, 1, discount_pct=11)])
        )
    assert "item_1" in refused.value.problems
    with pytest.raises(Invalid, match="no total acima do limite"):
        tlv_service.save_order(db, seller, _order(entity_id, shop, discount_pct="10,5"))
    with pytest.raises(Invalid, match="preço abaixo da tabela"):
        tlv_service.save_order(
            db, seller, _order(entity_id, shop, items=[ItemInput(shop.box, 1, unit_price="8,99")])
        )
    assert _count(db, "tlv_orders") == 0
    within = tlv_service.save_order(
        db, seller, _order(entity_id, shop, items=[ItemInput(shop.box, 1, unit_price="9,00")])
    )
    assert within.items[0]["list_price"] == D("10.00")  # kept for reports
    assert _count(db, "audit_log WHERE detail LIKE '%precos_alterados%'") == 1


def test_quantity_must_be_positive_and_a_call_needs_no_products(
    db: Database, seller: User, shop: Shop
) -> None:
    entity_id = factories.make_entity(db, seller)
    with pytest.raises(Invalid, match="maior que zero"):
        tlv_service.save_order(db, seller, _order(entity_id, shop, items=[ItemInput(shop.pen, 0)]))
    with pytest.raises(Invalid, match="ao menos um produto"):
        tlv_service.save_order(db, seller, _order(entity_id, shop, items=[]))
    call_only = tlv_service.save_order(
        db, seller, OrderInput(entity_id=entity_id, operation="atendimento")
    )
    assert (call_only.status, call_only.total, call_only.items) == ("atendimento", D(0), [])


def test_quote_becomes_an_order_then_an_invoice_with_one_title_per_installment(
    db: Database, seller: User, shop: Shop
) -> None:
    entity_id = factories.make_entity(db, seller)
    call = calls.start_call(db, seller, Routine.TELEVENDAS, entity_id)
    quote = tlv_service.save_order(db, seller, _order(entity_id, shop), call_id=call.id)
    order = tlv_service.convert_quote_to_order(db, seller, quote.id, quote.version)
    assert (order.id, order.status, order.operation) == (quote.id, "pedido", "faturamento")

    invoiced = tlv_service.invoice_order(db, seller, order.id, order.version)

    assert invoiced.status == "faturado"
    assert (invoiced.invoice_number, invoiced.invoice_series) == ("000000001", "1")
    assert invoiced.invoice_date == date(2026, 3, 10)
    titles = invoiced.titles
    assert [(t["installment"], t["due_date"], t["amount"]) for t in titles] == [
        (1, date(2026, 4, 9), D("33.33")),
        (2, date(2026, 5, 9), D("33.33")),
        (3, date(2026, 6, 8), D("33.33")),
    ]
    assert sum(t["amount"] for t in titles) == invoiced.total == D("99.99")
    assert all(t["balance"] == t["amount"] and t["status"] == "aberto" for t in titles)
    assert {t["number"] for t in titles} == {"000000001"}
    assert _count(db, f"receivables WHERE entity_id = {entity_id}") == 3
    # One call for the whole conversation: it runs until the seller ends it, and records the
    # invoice (not the quote it began as) under Televendas.
    assert calls.current_call(db, seller) is not None
    assert calls.end_call(db, seller) == f"Televendas nº {quote.id}: Faturado"
    assert _count(db, "calls") == 1 and _count(db, "open_calls") == 0


def test_invoicing_decreases_the_stock_of_every_item(
    db: Database, seller: User, shop: Shop
) -> None:
    _invoiced(db, seller, shop)
    assert (_stock(db, shop.pen), _stock(db, shop.box)) == (D(7), D(4))


def test_insufficient_stock_refuses_the_invoice_and_writes_nothing(
    db: Database, seller: User, shop: Shop
) -> None:
    entity_id = factories.make_entity(db, seller)
    order = tlv_service.save_order(
        db, seller,
        _order(entity_id, shop, "faturamento",
               items=[ItemInput(shop.pen, 2), ItemInput(shop.box, 6), ItemInput(shop.cheap, 1)]),
    )  # fmt: skip
    tables = ("receivables", "audit_log", "tlv_orders WHERE status = 'faturado'")
    before = {table: _count(db, table) for table in tables}

    with pytest.raises(Invalid, match="Estoque insuficiente") as refused:
        tlv_service.invoice_order(db, seller, order.id, order.version)

    assert "CAIXA – Produto CAIXA: disponível 5 UN, pedido 6 UN" in refused.value.message
    assert "CLIPS" in refused.value.message and "CANETA" not in refused.value.message
    assert {table: _count(db, table) for table in tables} == before
    assert (_stock(db, shop.pen), _stock(db, shop.box)) == (D(10), D(5))
    assert tlv_service.get_order(db, seller, order.id).version == order.version


def test_a_prospect_may_get_a_quote_but_not_an_order(
    db: Database, seller: User, shop: Shop
) -> None:
    prospect = factories.make_entity(db, seller, kind="prospect")
    quote = tlv_service.save_order(db, seller, _order(prospect, shop))
    with pytest.raises(Invalid, match="converta o prospect em cliente"):
        tlv_service.convert_quote_to_order(db, seller, quote.id, quote.version)
    with pytest.raises(Invalid, match="converta o prospect em cliente"):
        tlv_service.save_order(db, seller, _order(prospect, shop, "faturamento"))
    assert tlv_service.get_order(db, seller, quote.id).status == "orcamento"


def test_an_expired_quote_is_not_converted(
    db: Database, seller: User, shop: Shop, clock: Clock
) -> None:
    entity_id = factories.make_entity(db, seller)
    quote = tlv_service.save_order(
        db, seller, _order(entity_id, shop, quote_valid_until=date(2026, 3, 12))
    )
    clock.advance(days=3)
    with pytest.raises(Invalid, match="vencido em 12/03/2026"):
        tlv_service.convert_quote_to_order(db, seller, quote.id, quote.version)


def test_a_quotes_next_call_goes_to_the_agenda_and_converting_settles_it(
    db: Database, seller: User, shop: Shop, clock: Clock
) -> None:
    entity_id = factories.make_entity(db, seller)
    when = clock.now + timedelta(days=2)
    quote = tlv_service.save_order(db, seller, _order(entity_id, shop, next_call_at=when))
    entry = agenda.next_call(db, seller)
    assert entry is not None
    assert (entry.source_type, entry.source_id, entry.due_from) == ("tlv_quote", quote.id, when)
    assert agenda.agenda_frame(db, seller)["kind"].to_list() == [
        "Retorno de orçamento (Televendas)"
    ]
    tlv_service.convert_quote_to_order(db, seller, quote.id, quote.version)
    assert agenda.next_call(db, seller) is None


def test_a_past_next_call_is_refused(db: Database, seller: User, shop: Shop, clock: Clock) -> None:
    entity_id = factories.make_entity(db, seller)
    with pytest.raises(Invalid, match="no futuro"):
        tlv_service.save_order(
            db, seller, _order(entity_id, shop, next_call_at=clock.now - timedelta(minutes=1))
        )


def test_a_stale_save_is_refused_and_changes_nothing(
    db: Database, seller: User, shop: Shop
) -> None:
    entity_id = factories.make_entity(db, seller)
    quote = tlv_service.save_order(db, seller, _order(entity_id, shop))
    tlv_service.save_order(
        db, seller, _order(entity_id, shop, freight=5), order_id=quote.id, version=quote.version
    )
    with pytest.raises(Conflict, match="alterado por outro usuário"):
        tlv_service.save_order(
            db, seller, _order(entity_id, shop, freight=9), order_id=quote.id,
            version=quote.version,
        )  # fmt: skip
    with pytest.raises(Conflict):
        tlv_service.convert_quote_to_order(db, seller, quote.id, quote.version)
    current = tlv_service.get_order(db, seller, quote.id)
    assert (current.freight, current.status, current.version) == (D(5), "orcamento", 2)


def test_invoiced_order_is_read_only_when_mv_altped_is_n(
    db: Database, seller: User, shop: Shop, admin: User
) -> None:
    invoiced = _invoiced(db, seller, shop)
    assert invoiced.read_only
    with pytest.raises(Invalid, match="MV_ALTPED"):
        tlv_service.save_order(
            db, seller, _order(invoiced.entity_id, shop, "faturamento", notes="mudou"),
            order_id=invoiced.id, version=invoiced.version,
        )  # fmt: skip
    with pytest.raises(Invalid, match="MV_ALTPED"):
        tlv_service.cancel_order(db, seller, invoiced.id, invoiced.version, "Cliente desistiu")
    assert tlv_service.get_order(db, seller, invoiced.id).version == invoiced.version


def test_invoiced_order_may_change_when_mv_altped_is_s_and_titles_and_stock_follow(
    db: Database, seller: User, shop: Shop, admin: User
) -> None:
    invoiced = _invoiced(db, seller, shop)
    _altped(db, admin, "S")
    assert not tlv_service.get_order(db, seller, invoiced.id).read_only

    changed = tlv_service.save_order(
        db, seller,
        _order(invoiced.entity_id, shop, "faturamento", payment_condition_id=shop.cash,
               items=[ItemInput(shop.pen, 1)]),
        order_id=invoiced.id, version=invoiced.version,
    )  # fmt: skip

    assert (changed.status, changed.total, changed.invoice_number) == (
        "faturado",
        D("33.33"),
        invoiced.invoice_number,
    )
    open_titles = [t for t in changed.titles if t["status"] == "aberto"]
    assert [(t["amount"], t["due_date"]) for t in open_titles] == [(D("33.33"), date(2026, 3, 10))]
    assert sum(t["status"] == "cancelado" for t in changed.titles) == 3
    # The re-issued title continues the invoice's installments: a title's key is never reused.
    assert [t["installment"] for t in open_titles] == [4]
    assert (_stock(db, shop.pen), _stock(db, shop.box)) == (D(9), D(5))
    assert _count(db, "audit_log WHERE event = 'televendas.faturado_alterado'") == 1


def test_cancelling_needs_a_reason_and_is_final(db: Database, seller: User, shop: Shop) -> None:
    entity_id = factories.make_entity(db, seller)
    quote = tlv_service.save_order(db, seller, _order(entity_id, shop))
    with pytest.raises(Invalid, match="motivo do cancelamento"):
        tlv_service.cancel_order(db, seller, quote.id, quote.version, " ")
    cancelled = tlv_service.cancel_order(db, seller, quote.id, quote.version, "Cliente desistiu")
    assert (cancelled.status, cancelled.cancellation_reason, cancelled.read_only) == (
        "cancelado",
        "Cliente desistiu",
        True,
    )
    with pytest.raises(Invalid, match="cancelado não pode ser alterado"):
        tlv_service.save_order(
            db, seller, _order(entity_id, shop), order_id=quote.id, version=cancelled.version
        )


def test_cancelling_an_invoiced_order_returns_stock_and_cancels_its_open_titles(
    db: Database, seller: User, shop: Shop, admin: User
) -> None:
    invoiced = _invoiced(db, seller, shop)
    _altped(db, admin, "S")
    cancelled = tlv_service.cancel_order(
        db, seller, invoiced.id, invoiced.version, "Devolução total"
    )
    assert cancelled.status == "cancelado"
    assert {(t["status"], t["balance"]) for t in cancelled.titles} == {("cancelado", D(0))}
    assert (_stock(db, shop.pen), _stock(db, shop.box)) == (D(10), D(5))


def test_an_invoiced_order_with_a_paid_title_is_not_cancelled(
    db: Database, seller: User, shop: Shop, admin: User
) -> None:
    invoiced = _invoiced(db, seller, shop)
    _altped(db, admin, "S")
    first = invoiced.titles[0]["id"]
    db.write(lambda tx: tx.execute("UPDATE receivables SET balance = 10 WHERE id = ?", [first]))
    with pytest.raises(Invalid, match="pagamento registrado \\(TLV 000000001/1\\)"):
        tlv_service.cancel_order(db, seller, invoiced.id, invoiced.version, "Devolução")
    current = tlv_service.get_order(db, seller, invoiced.id)
    assert current.status == "faturado"
    assert [t["status"] for t in current.titles] == ["aberto"] * 3
    assert _stock(db, shop.pen) == D(7)


def test_only_an_order_awaiting_invoice_is_invoiced(db: Database, seller: User, shop: Shop) -> None:
    entity_id = factories.make_entity(db, seller)
    quote = tlv_service.save_order(db, seller, _order(entity_id, shop))
    with pytest.raises(Invalid, match="Só pedidos a faturar"):
        tlv_service.invoice_order(db, seller, quote.id, quote.version)


def test_the_list_filters_by_status_and_pages_with_a_total(
    db: Database, seller: User, shop: Shop, clock: Clock
) -> None:
    entity_id = factories.make_entity(db, seller)
    for _ in range(5):
        tlv_service.save_order(db, seller, _order(entity_id, shop))
        clock.advance(days=1)
    _invoiced(db, seller, shop)
    page = tlv_maintenance.list_orders(db, seller, OrderFilter(), page=2, page_size=4)
    assert (page.total, page.pages, page.rows.height) == (6, 2, 2)
    invoiced = tlv_maintenance.list_orders(db, seller, OrderFilter(status="faturado"))
    row = invoiced.rows.row(0, named=True)
    assert (invoiced.total, row["status_label"], row["colour"]) == (1, "Faturado", "red")
    quotes = tlv_maintenance.list_orders(db, seller, OrderFilter(status="orcamento"))
    assert set(quotes.rows["colour"].to_list()) == {"blue"}


def test_the_list_and_its_export_mask_the_document_without_access_192(
    db: Database, admin: User, shop: Shop
) -> None:
    masked_user = factories.make_operator(db, routines={Routine.TELEVENDAS}, personal=False)
    cpf = factories.valid_cpf()
    entity_id = factories.make_entity(db, admin, document=cpf)
    tlv_service.save_order(db, masked_user, _order(entity_id, shop))
    row = tlv_maintenance.list_orders(db, masked_user).rows.row(0, named=True)
    assert row["document"].endswith(cpf[-2:]) and cpf not in row["document"]
    exported = tlv_maintenance.export_orders(db, masked_user).decode("utf-8")
    assert cpf[:9] not in exported and "***" in exported and ";99,99;" in exported
    assert _count(db, "audit_log WHERE event = 'dados.exportados'") == 1


def test_the_routine_is_refused_to_an_operator_without_it_and_audited(
    db: Database, admin: User, shop: Shop, operator: User
) -> None:
    entity_id = factories.make_entity(db, admin)
    with pytest.raises(Forbidden):
        tlv_service.save_order(db, operator, _order(entity_id, shop))
    with pytest.raises(Forbidden):
        tlv_maintenance.list_orders(db, operator)
    with pytest.raises(Forbidden):
        tlv_catalogue.save_product(db, operator, ProductInput(code="X1", description="Xis"))
    assert _count(db, "audit_log WHERE event = 'acesso.negado'") == 3
    assert _count(db, "tlv_orders") == 0


def test_operators_sell_only_active_priced_products(
    db: Database, seller: User, shop: Shop, admin: User
) -> None:
    unpriced = tlv_catalogue.save_product(
        db, admin, ProductInput(code="SEMPRECO", description="Sem")
    )
    entity_id = factories.make_entity(db, seller)
    with pytest.raises(Invalid, match="sem preço nesta tabela"):
        tlv_service.save_order(db, seller, _order(entity_id, shop, items=[ItemInput(unpriced, 1)]))
    offered = tlv_catalogue.products_for_sale(db, seller, shop.table, "cane")
    assert offered["code"].to_list() == ["CANETA"]
    assert tlv_catalogue.active_payment_conditions(db, seller)["installments"].to_list() == [
        "30,60,90",
        "0",
    ]


def test_moving_or_closing_the_quotes_agenda_item_updates_the_quote(
    db: Database, seller: User, shop: Shop, clock: Clock
) -> None:
    entity_id = factories.make_entity(db, seller)
    quote = tlv_service.save_order(
        db, seller, _order(entity_id, shop, next_call_at=clock.now + timedelta(days=1))
    )
    entry = agenda.next_call(db, seller)
    assert entry is not None
    later = clock.now + timedelta(days=3)
    agenda.reschedule(db, seller, entry.id, entry.version, later)
    assert tlv_service.get_order(db, seller, quote.id).next_call_at == later
    moved = agenda.next_call(db, seller)
    assert moved is not None
    agenda.close_item(db, seller, moved.id, moved.version)
    current = tlv_service.get_order(db, seller, quote.id)
    assert (current.status, current.next_call_at) == ("orcamento", None)
