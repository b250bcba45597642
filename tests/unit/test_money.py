"""One reader of typed money and numbers, the Brazilian way (`1.500` is one thousand five
hundred), and every input that goes through it: payments, rebates, promises, renegotiation
discounts, Televendas prices, discounts, freight and quantities, product prices and stock,
group limits and numeric parameters. Refusals name the field and write nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from core import operators, parameters
from core.access import Routine, User
from core.db import Database
from core.errors import Invalid
from core.money import PERCENT, brl, parse_decimal, parse_money
from core.operators import GroupInput
from core.telecobranca import attendance as tlc_attendance
from core.telecobranca import outcomes, taking
from core.telecobranca import rules as tlc_rules
from core.telecobranca import setup as tlc_setup
from core.televendas import catalogue as tlv_catalogue
from core.televendas import service as tlv_service
from core.televendas.catalogue import PaymentConditionInput, PriceTableInput, ProductInput
from core.televendas.service import ItemInput, OrderInput
from core.validation import Problems
from tests import factories

D = Decimal
TODAY = date(2026, 3, 10)  # the test clock's São Paulo day

# What the issue found wrong or unsafe: a US-style number, a malformed one, not-a-numbers,
# and more digits than DECIMAL(14, 2) holds (today a raw DuckDB error).
BAD = ["1,234.56", "1.50.0", "NaN", "inf", "99.999.999.999.999,99"]


# --- the parser -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("1.500", "1500.00"),  # the bug: was R$ 1,50
        ("1.500,00", "1500.00"),
        ("R$ 1.500,00", "1500.00"),
        ("r$1.500", "1500.00"),
        ("R$\u00a01.500,00", "1500.00"),  # a non-breaking space, as copied from a spreadsheet
        ("1500", "1500.00"),
        ("1500,5", "1500.50"),
        ("0,75", "0.75"),
        ("  12  ", "12.00"),
        ("1.234.567,89", "1234567.89"),
        ("999.999.999.999,99", "999999999999.99"),  # the largest DECIMAL(14, 2)
        ("0", "0.00"),
    ],
)
def test_money_typed_the_brazilian_way_is_read_as_it_means(typed: str, value: str) -> None:
    assert parse_money(typed, "Valor pago") == D(value)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("1,234.56", "não é um valor válido"),
        ("1.50.0", "não é um valor válido"),
        ("1.50", "ambíguo"),  # 1,50 or 150? refused, never guessed
        ("99.9", "ambíguo"),
        ("1,234", "mais de 2 casas decimais"),
        ("NaN", "não é um valor válido"),
        ("nan", "não é um valor válido"),
        ("inf", "não é um valor válido"),
        ("-Infinity", "não é um valor válido"),
        ("1e3", "não é um valor válido"),
        ("12,345,678", "não é um valor válido"),
        ("dez reais", "não é um valor válido"),
        ("99.999.999.999.999,99", "acima do limite"),
        ("1.000.000.000.000", "acima do limite"),
        ("-5", "não pode ser negativo"),
        ("", "informe um valor"),
        ("   ", "informe um valor"),
    ],
)
def test_ambiguous_or_malformed_money_is_refused_naming_the_field(typed: str, reason: str) -> None:
    with pytest.raises(Invalid) as refused:
        parse_money(typed, "Valor pago")

    assert refused.value.message.startswith("Valor pago: ")
    assert reason in refused.value.message
    assert list(refused.value.problems) == ["Valor pago"]


@pytest.mark.parametrize(
    "value", [float("nan"), float("inf"), D("NaN"), D("-Infinity"), D("sNaN"), True, 10**13]
)
def test_numbers_from_widgets_or_code_are_checked_too(value: object) -> None:
    with pytest.raises(Invalid, match=r"^Frete: "):
        parse_money(value, "Frete")  # type: ignore[arg-type]


def test_numbers_from_widgets_are_rounded_to_the_columns_places() -> None:
    assert parse_money(0.1 + 0.2, "Frete") == D("0.30")
    assert parse_money(D("2.345"), "Frete") == D("2.35")  # half up, like the rest of the money
    assert parse_money(1500, "Frete") == D("1500.00")


def test_blank_gives_the_default_when_there_is_one_and_negatives_only_when_allowed() -> None:
    assert parse_money("", "Desconto no principal", default=D(0)) == D(0)
    assert parse_money(None, "Desconto no principal", default=D(0)) == D(0)
    assert parse_money("-1.500,5", "Ajuste", allow_negative=True) == D("-1500.50")


def test_quantities_and_percentages_follow_their_columns() -> None:
    assert parse_decimal("1.500", "Quantidade", places=3) == D("1500.000")
    assert parse_decimal("2,125", "Quantidade", places=3) == D("2.125")
    assert parse_decimal("12,5", "Desconto (%)", **PERCENT) == D("12.50")
    with pytest.raises(Invalid, match=r"^Quantidade: .*mais de 3 casas"):
        parse_decimal("1,2345", "Quantidade", places=3)
    with pytest.raises(Invalid, match=r"^Desconto \(%\): valor acima do limite"):
        parse_decimal("1.000", "Desconto (%)", **PERCENT)  # DECIMAL(5, 2) holds up to 999,99


def test_a_form_collects_every_unreadable_field_at_once() -> None:
    from core.money import parse_into

    problems = Problems()
    assert parse_into(problems, "freight", "NaN", "Frete") is None
    assert parse_into(problems, "discount_pct", "1,5", "Desconto (%)", **PERCENT) == D("1.50")
    assert parse_into(problems, "item_1", "1,234.56", "Preço unitário (item 1)") is None

    assert set(problems.fields) == {"freight", "item_1"}
    assert problems.fields["item_1"].startswith("Preço unitário (item 1): ")


# --- Telecobrança: payment, rebate, promise, renegotiation ----------------------------------


@dataclass
class Desk:
    admin: User
    collector: User


@pytest.fixture
def desk(db: Database) -> Desk:
    admin = factories.make_admin(db, username="admin")
    group_id = factories.make_group(db, "Cobrança")
    collector = factories.make_operator(
        db, "carla", routines={Routine.TELECOBRANCA}, group_id=group_id
    )
    # 10 % of the principal may be discounted: R$ 2.000,00 of a R$ 20.000,00 title
    factories.make_collection_setup(db, admin, group_id)
    return Desk(admin, collector)


def _taken(db: Database, desk: Desk) -> tlc_attendance.CollectionAttendance:
    entity_id = factories.make_entity(db, desk.admin)
    factories.make_title(db, entity_id, TODAY - timedelta(days=45), "20000.00")
    taken = taking.next_debtor(db, desk.collector)
    assert taken is not None
    return tlc_attendance.get_attendance(db, desk.collector, taken.attendance_id)


def _payment(db: Database, desk: Desk, a: tlc_attendance.CollectionAttendance, typed: str) -> None:
    title = a.titles[0]
    outcomes.record_payment(db, desk.collector, a.id, title.id, title.version, typed)


def _ledger_payment(
    db: Database, desk: Desk, a: tlc_attendance.CollectionAttendance, typed: str
) -> None:
    title = a.titles[0]  # finance, outside the call: "Registrar pagamento" in Títulos
    outcomes.record_payment(db, desk.admin, None, title.id, title.version, typed)


def _rebate(db: Database, desk: Desk, a: tlc_attendance.CollectionAttendance, typed: str) -> None:
    title = a.titles[0]
    outcomes.grant_rebate(db, desk.collector, a.id, title.id, title.version, typed)


def _promise(db: Database, desk: Desk, a: tlc_attendance.CollectionAttendance, typed: str) -> None:
    outcomes.record_promise(
        db, desk.collector, a.id, [a.titles[0].id], TODAY + timedelta(days=5), typed
    )


def _renegotiation(
    db: Database, desk: Desk, a: tlc_attendance.CollectionAttendance, typed: str
) -> None:
    outcomes.renegotiate_titles(
        db, desk.collector, a.id, [a.titles[0].id], installments=2,
        first_due=TODAY + timedelta(days=5), principal_discount=typed,
    )  # fmt: skip


def _charges_discount(
    db: Database, desk: Desk, a: tlc_attendance.CollectionAttendance, typed: str
) -> None:
    outcomes.renegotiate_titles(
        db, desk.collector, a.id, [a.titles[0].id], installments=2,
        first_due=TODAY + timedelta(days=5), charges_discount=typed,
    )  # fmt: skip


COLLECTION_INPUTS: dict[str, tuple[Callable[..., None], str, str]] = {
    # name: (action, the field the refusal names, SQL reading what "1.500" recorded)
    "payment": (_payment, "Valor do pagamento",
                "SELECT amount FROM tlc_outcomes WHERE outcome = 'pago'"),
    "ledger payment": (_ledger_payment, "Valor do pagamento",
                       "SELECT amount FROM tlc_outcomes WHERE outcome = 'pago'"),
    "rebate": (_rebate, "Valor do abatimento",
               "SELECT amount FROM tlc_outcomes WHERE outcome = 'abatimento'"),
    "promise": (_promise, "Valor prometido", "SELECT amount FROM tlc_promises"),
    "renegotiation": (_renegotiation, "Desconto no principal",
                      "SELECT principal_discount FROM tlc_renegotiations"),
    "charges discount": (_charges_discount, "Desconto em multa e juros", ""),
}  # fmt: skip


def _collection_state(db: Database) -> tuple[Any, ...]:
    def read(tx: Any) -> tuple[Any, ...]:
        return (
            tx.all("SELECT id, balance, status, version FROM receivables ORDER BY id"),
            tx.all("SELECT id, status, version FROM tlc_attendances ORDER BY id"),
            *(
                tx.scalar(f"SELECT count(*) FROM {table}")
                for table in ("tlc_outcomes", "tlc_promises", "tlc_renegotiations", "audit_log")
            ),
        )

    return db.read(read)


@pytest.mark.parametrize("name", [n for n, (_, _, sql) in COLLECTION_INPUTS.items() if sql])
def test_one_thousand_five_hundred_typed_with_a_dot_records_r_1500(
    db: Database, desk: Desk, name: str
) -> None:
    action, _, recorded = COLLECTION_INPUTS[name]
    attendance = _taken(db, desk)

    action(db, desk, attendance, "1.500")

    assert db.read(lambda tx: tx.scalar(recorded)) == D("1500.00")


def test_a_payment_typed_1_500_takes_1500_off_the_debt(db: Database, desk: Desk) -> None:
    attendance = _taken(db, desk)
    charges = attendance.titles[0].updated.charges

    _payment(db, desk, attendance, "1.500")  # was R$ 1,50

    balance = db.read(lambda tx: tx.scalar("SELECT balance FROM receivables"))
    assert balance == D("20000.00") - (D("1500.00") - charges)


@pytest.mark.parametrize("typed", BAD)
@pytest.mark.parametrize("name", list(COLLECTION_INPUTS))
def test_unreadable_collection_money_is_refused_naming_the_field_and_nothing_is_written(
    db: Database, desk: Desk, name: str, typed: str
) -> None:
    action, field, _ = COLLECTION_INPUTS[name]
    attendance = _taken(db, desk)
    before = _collection_state(db)

    with pytest.raises(Invalid) as refused:
        action(db, desk, attendance, typed)

    assert refused.value.message.startswith(f"{field}: ")
    assert _collection_state(db) == before


def test_the_groups_discount_limits_are_read_the_brazilian_way(db: Database, admin: User) -> None:
    group_id = factories.make_group(db, "Cobrança")
    ids = factories.make_collection_setup(db, admin, group_id)
    limits = tlc_rules.NegotiationRules(10, "12,5", "50", 6)  # type: ignore[arg-type]

    tlc_setup.save_group_settings(db, admin, group_id, 1, list(ids.values()), limits)

    saved = db.read(
        lambda tx: tx.one(
            "SELECT max_principal_discount_pct AS p, version FROM group_negotiation_rules"
            " WHERE group_id = ?",
            [group_id],
        )
    )
    assert (saved["p"], saved["version"]) == (D("12.50"), 2)
    for typed in ["NaN", "inf", "1,234.56", "1.000"]:
        bad = tlc_rules.NegotiationRules(10, typed, "50", 6)  # type: ignore[arg-type]
        with pytest.raises(Invalid) as refused:
            tlc_setup.save_group_settings(db, admin, group_id, 2, list(ids.values()), bad)
        assert "Desconto máximo no principal (%)" in refused.value.message
        assert "max_principal_discount_pct" in refused.value.problems
    sql = "SELECT version FROM group_negotiation_rules WHERE group_id = ?"
    assert db.read(lambda tx: tx.scalar(sql, [group_id])) == 2  # nothing written


# --- Televendas: item price, discounts, freight, quantity; product price and stock -----------


@dataclass
class Shop:
    admin: User
    seller: User
    table: int
    cash: int
    pen: int


@pytest.fixture
def shop(db: Database, admin: User) -> Shop:
    group = factories.make_group(db, "Vendas", max_discount_pct="10")
    seller = factories.make_operator(
        db, "vendedor", routines={Routine.TELEVENDAS}, personal=True, group_id=group
    )
    table = tlv_catalogue.save_price_table(db, admin, PriceTableInput("T01", "Tabela Padrão"))
    pen = tlv_catalogue.save_product(db, admin, ProductInput("CANETA", "Caneta", stock="10"))
    tlv_catalogue.set_prices(db, admin, table, {pen: "33,33"})
    cash = tlv_catalogue.save_payment_condition(
        db, admin, PaymentConditionInput("AV", "À vista", installments="0")
    )
    return Shop(admin, seller, table, cash, pen)


def _quote(db: Database, shop: Shop, item: dict[str, Any] | None = None, **header: Any) -> Any:
    entity_id = factories.make_entity(db, shop.seller)
    data = OrderInput(
        entity_id=entity_id, price_table_id=shop.table, payment_condition_id=shop.cash,
        items=[ItemInput(shop.pen, **({"quantity": 1} | (item or {})))], **header,
    )  # fmt: skip
    return tlv_service.save_order(db, shop.seller, data)


def _sales_state(db: Database) -> tuple[Any, ...]:
    def read(tx: Any) -> tuple[Any, ...]:
        return (
            tx.all("SELECT * FROM products ORDER BY id"),
            tx.all("SELECT * FROM price_table_items ORDER BY product_id"),
            *(tx.scalar(f"SELECT count(*) FROM {t}") for t in ("tlv_orders", "tlv_items")),
            tx.scalar("SELECT count(*) FROM audit_log"),
        )

    return db.read(read)


def test_a_televendas_item_price_freight_and_quantity_of_1_500_mean_1500(
    db: Database, shop: Shop
) -> None:
    quote = _quote(db, shop, {"quantity": "1.500", "unit_price": "1.500"}, freight="1.500")

    item = quote.items[0]
    assert (item["quantity"], item["unit_price"]) == (D("1500.000"), D("1500.00"))
    assert quote.freight == D("1500.00")
    assert item["total"] == D("2250000.00")


def test_televendas_discounts_are_read_with_a_decimal_comma(db: Database, shop: Shop) -> None:
    quote = _quote(db, shop, {"discount_pct": "2,5"}, discount_pct="7,5")

    assert quote.items[0]["discount_pct"] == D("2.50")
    assert quote.discount_pct == D("7.50")


@pytest.mark.parametrize("typed", BAD)
@pytest.mark.parametrize(
    ("where", "field"),
    [
        ("unit_price", "Preço unitário (item 1)"),
        ("discount_pct", "Desc. % (item 1)"),
        ("quantity", "Quantidade (item 1)"),
        ("freight", "Frete"),
        ("header discount_pct", "Desconto % no total"),
    ],
)
def test_unreadable_televendas_numbers_are_refused_naming_the_field_and_nothing_is_written(
    db: Database, shop: Shop, where: str, field: str, typed: str
) -> None:
    entity_id = factories.make_entity(db, shop.seller)
    item: dict[str, Any] = {"quantity": 1}
    header: dict[str, Any] = {}
    if where in ("unit_price", "discount_pct", "quantity"):
        item[where] = typed
    else:
        header[where.split()[-1]] = typed
    before = _sales_state(db)

    with pytest.raises(Invalid) as refused:
        tlv_service.save_order(
            db, shop.seller,
            OrderInput(entity_id=entity_id, price_table_id=shop.table,
                       payment_condition_id=shop.cash, items=[ItemInput(shop.pen, **item)],
                       **header),
        )  # fmt: skip

    assert f"{field}: " in refused.value.message
    assert _sales_state(db) == before


def test_a_product_price_and_stock_of_1_500_mean_1500(db: Database, shop: Shop) -> None:
    tlv_catalogue.set_prices(db, shop.admin, shop.table, {shop.pen: "R$ 1.500,00"})
    product = tlv_catalogue.save_product(
        db, shop.admin, ProductInput("LAPIS", "Lápis", stock="1.500")
    )

    prices = tlv_catalogue.table_prices(db, shop.admin, shop.table)
    assert prices.filter(prices["id"] == shop.pen)["price"].to_list() == [D("1500.00")]
    stock = db.read(lambda tx: tx.scalar("SELECT stock FROM products WHERE id = ?", [product]))
    assert stock == D("1500.000")


@pytest.mark.parametrize("typed", BAD)
def test_an_unreadable_product_price_or_stock_is_refused_naming_it(
    db: Database, shop: Shop, typed: str
) -> None:
    before = _sales_state(db)

    with pytest.raises(Invalid) as price:
        tlv_catalogue.set_prices(db, shop.admin, shop.table, {shop.pen: typed})
    with pytest.raises(Invalid) as stock:
        tlv_catalogue.save_product(db, shop.admin, ProductInput("LAPIS", "Lápis", stock=typed))

    assert "Preço (CANETA): " in price.value.message
    assert "Estoque: " in stock.value.message
    assert _sales_state(db) == before


# --- admin: a group's discount limit and numeric parameters ----------------------------------


@pytest.mark.parametrize("typed", BAD)
def test_an_unreadable_group_discount_is_refused_naming_it(
    db: Database, admin: User, typed: str
) -> None:
    with pytest.raises(Invalid) as refused:
        operators.create_group(db, admin, GroupInput("Vendas", max_discount_pct=typed))

    assert "Desconto máximo (%): " in refused.value.message
    assert "max_discount_pct" in refused.value.problems
    assert db.read(lambda tx: tx.scalar("SELECT count(*) FROM attendance_groups")) == 0


def test_a_numeric_parameter_is_read_the_brazilian_way(db: Database, admin: User) -> None:
    def version() -> int:
        return db.read(
            lambda tx: tx.scalar("SELECT version FROM parameters WHERE name = 'MV_TLCRESV'")
        )

    parameters.set_parameter(db, admin, "MV_TLCRESV", version(), "1.500")
    assert parameters.get_value(db, "MV_TLCRESV") == "1500"

    for typed in BAD[:4]:  # a parameter holds more digits than money
        with pytest.raises(Invalid, match="Parâmetro MV_TLCRESV: "):
            parameters.set_parameter(db, admin, "MV_TLCRESV", version(), typed)
    assert parameters.get_value(db, "MV_TLCRESV") == "1500"


def test_money_is_shown_in_brazilian_format() -> None:
    assert brl(Decimal("1234.5")) == "R$ 1.234,50"
    assert brl(Decimal("0.005")) == "R$ 0,01"
