"""Telecobrança's pure rules: cumulative ranges, late charges, payment split, renegotiation."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from core.errors import Invalid
from core.telecobranca import rules
from core.telecobranca.rules import ChargeRates, NegotiationRules, Updated

TODAY = date(2026, 3, 10)
STANDARD = [
    (1, "F1", "Até 30", 30, ()),
    (2, "F2", "31 a 60", 60, ()),
    (3, "F3", "61 a 120", 120, ()),
    (4, "F4", "Acima de 120", None, ()),
]


@pytest.mark.parametrize(
    ("days", "code"),
    [(1, "F1"), (30, "F1"), (31, "F2"), (60, "F2"), (61, "F3"), (120, "F3"), (121, "F4"),
     (2000, "F4")],
)  # fmt: skip
def test_a_debtor_falls_in_the_range_of_its_oldest_overdue_title_at_the_boundaries(
    days: int, code: str
) -> None:
    ranges = rules.cumulative_ranges(STANDARD)

    found = rules.range_for(ranges, {"NF": days, "DP": 1})

    assert found is not None and found.code == code


def test_ranges_are_cumulative_each_starting_after_the_previous_one() -> None:
    ranges = rules.cumulative_ranges(STANDARD)

    assert [(r.min_days, r.max_days) for r in ranges] == [
        (1, 30), (31, 60), (61, 120), (121, None)
    ]  # fmt: skip
    assert ranges[3].span == "121+ dias"


def test_a_range_that_ends_before_it_starts_or_an_open_range_in_the_middle_is_refused() -> None:
    with pytest.raises(Invalid, match="F2 deve terminar em 31 dias ou mais"):
        rules.cumulative_ranges([(1, "F1", "a", 30, ()), (2, "F2", "b", 20, ())])
    with pytest.raises(Invalid, match="Só a última faixa"):
        rules.cumulative_ranges([(1, "F1", "a", None, ()), (2, "F2", "b", 60, ())])


def test_a_range_with_a_title_type_filter_only_looks_at_those_titles() -> None:
    ranges = rules.cumulative_ranges(
        [(1, "DP30", "Duplicatas", 30, ("DP",)), (2, "TODOS", "Demais", None, ())]
    )

    assert rules.range_for(ranges, {"DP": 10, "NF": 200}).code == "DP30"  # type: ignore[union-attr]
    assert rules.range_for(ranges, {"NF": 45}).code == "TODOS"  # type: ignore[union-attr]
    # Ranges stay cumulative: a 10-day NF title is before TODOS starts (31) and not a DP.
    assert rules.range_for(ranges, {"NF": 10}) is None
    assert rules.range_for(ranges, {}) is None


def test_late_charges_are_a_two_percent_fine_and_one_percent_a_month_pro_rata_die() -> None:
    updated = rules.updated_value(Decimal("1000.00"), TODAY - timedelta(days=45), TODAY,
                                  ChargeRates())  # fmt: skip

    assert updated.days_overdue == 45
    assert updated.fine == Decimal("20.00")
    assert updated.interest == Decimal("15.00")  # 1000 × 1 % / 30 × 45
    assert updated.total == Decimal("1035.00")


def test_charges_round_half_up_to_the_cent_and_follow_the_configured_rates() -> None:
    updated = rules.updated_value(
        Decimal("333.33"), TODAY - timedelta(days=7), TODAY,
        ChargeRates(fine_pct=Decimal("1.5"), interest_pct_month=Decimal("2")),
    )  # fmt: skip

    assert updated.fine == Decimal("5.00")  # 4.99995
    assert updated.interest == Decimal("1.56")  # 333.33 × 2 % / 30 × 7 = 1.555540


def test_a_title_not_yet_overdue_has_no_charges() -> None:
    for due in (TODAY, TODAY + timedelta(days=3)):
        updated = rules.updated_value(Decimal("500"), due, TODAY, ChargeRates())
        assert (updated.days_overdue, updated.charges) == (0, Decimal("0.00"))


def test_after_a_payment_settled_the_charges_interest_restarts_and_no_second_fine() -> None:
    updated = rules.updated_value(
        Decimal("600.00"), TODAY - timedelta(days=40), TODAY, ChargeRates(),
        charges_from=TODAY - timedelta(days=10),
    )  # fmt: skip

    assert updated.days_overdue == 40
    assert updated.fine == Decimal("0.00")
    assert updated.interest == Decimal("2.00")  # 600 × 1 % / 30 × 10


def test_a_payment_pays_the_charges_first_then_the_principal() -> None:
    updated = Updated(Decimal("1000.00"), 45, Decimal("20.00"), Decimal("15.00"))

    partial = rules.split_payment(Decimal("500.00"), updated)
    small = rules.split_payment(Decimal("30.00"), updated)

    assert (partial.charges, partial.principal, partial.settles_charges) == (
        Decimal("35.00"), Decimal("465.00"), True,
    )  # fmt: skip
    assert (small.charges, small.principal, small.settles_charges) == (
        Decimal("30.00"), Decimal("0.00"), False,
    )  # fmt: skip


@pytest.mark.parametrize(("amount", "reason"), [("0", "maior que zero"),
                                                 ("1035.01", "maior que o devido")])  # fmt: skip
def test_a_payment_of_nothing_or_above_the_updated_value_is_refused(
    amount: str, reason: str
) -> None:
    updated = Updated(Decimal("1000.00"), 45, Decimal("20.00"), Decimal("15.00"))

    with pytest.raises(Invalid, match=reason):
        rules.split_payment(Decimal(amount), updated)


def test_money_typed_the_brazilian_way_is_understood_and_garbage_is_refused() -> None:
    assert rules.parse_money("1.234,56") == Decimal("1234.56")
    assert rules.parse_money("R$ 10") == Decimal("10.00")
    assert rules.parse_money("1.500", "Valor pago") == Decimal("1500.00")  # not R$ 1,50
    with pytest.raises(Invalid, match=r"Valor pago: “99\.9” é ambíguo"):
        rules.parse_money("99.9", "Valor pago")  # once read as 99,90
    with pytest.raises(Invalid, match="não é um valor válido"):
        rules.parse_money("dez reais")


LIMITS = NegotiationRules(
    max_postpone_days=10, max_principal_discount_pct=Decimal("10"),
    max_charges_discount_pct=Decimal("50"), max_installments=3,
)  # fmt: skip
OWED = [
    Updated(Decimal("1000.00"), 45, Decimal("20.00"), Decimal("15.00")),
    Updated(Decimal("333.34"), 10, Decimal("6.67"), Decimal("1.11")),
]


def test_a_renegotiation_adds_up_to_principal_plus_charges_minus_discounts() -> None:
    deal = rules.renegotiate(
        OWED, installments=3, first_due=TODAY + timedelta(days=5), today=TODAY, rules=LIMITS,
        principal_discount=Decimal("100.00"), charges_discount=Decimal("21.39"),
    )  # fmt: skip

    assert deal.principal == Decimal("1333.34")
    assert deal.charges == Decimal("42.78")
    assert deal.total == Decimal("1254.73")
    assert sum(part.amount for part in deal.installments) == deal.total
    assert [part.amount for part in deal.installments] == [
        Decimal("418.25"), Decimal("418.24"), Decimal("418.24")
    ]  # fmt: skip
    assert [part.due_date for part in deal.installments] == [
        TODAY + timedelta(days=5), TODAY + timedelta(days=35), TODAY + timedelta(days=65)
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"installments": 4}, "entre 1 e 3"),
        ({"first_due": TODAY + timedelta(days=11)}, "no máximo 10 dia"),
        ({"first_due": TODAY - timedelta(days=1)}, "passado"),
        ({"principal_discount": Decimal("133.34")}, "acima do limite"),
        ({"charges_discount": Decimal("21.40")}, "acima do limite"),
        ({"principal_discount": Decimal("-1")}, "negativo"),
    ],
)
def test_a_renegotiation_outside_the_groups_rules_is_refused(changes: dict, reason: str) -> None:
    arguments: dict = {"installments": 2, "first_due": TODAY + timedelta(days=10)} | changes

    with pytest.raises(Invalid, match=reason):
        rules.renegotiate(OWED, today=TODAY, rules=LIMITS, **arguments)


def test_a_promise_may_be_dated_today_up_to_the_postponement_limit() -> None:
    rules.check_promise_date(TODAY, TODAY, LIMITS)
    rules.check_promise_date(TODAY + timedelta(days=10), TODAY, LIMITS)
    with pytest.raises(Invalid, match="até 20/03/2026"):
        rules.check_promise_date(TODAY + timedelta(days=11), TODAY, LIMITS)
