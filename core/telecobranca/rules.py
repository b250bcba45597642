"""Pure Telecobrança rules: overdue ranges, late charges, how a payment is applied, and the
limits of a renegotiation. No database here, so every boundary is cheap to test.

Late charges follow Brazilian norms: a fine (multa) once, as a % of the balance, and interest
(juros de mora) as a % a month pro rata die, i.e. monthly rate / 30 per day overdue. A payment
pays the charges first and the principal after (Código Civil art. 354). Once a payment has
covered the charges, they start again from that day on the remaining balance, without a
second fine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from core.errors import Invalid
from core.money import brl
from core.money import parse_money as read_money

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
DEFAULT_FINE_PCT = Decimal("2")
DEFAULT_INTEREST_PCT_MONTH = Decimal("1")


def money(value: Decimal | int | str) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def parse_money(
    text: str | Decimal | int | float | None, field: str = "Valor", default: Decimal | None = None
) -> Decimal:
    """Typed money the pt-BR way ('1.500' is one thousand five hundred): core.money's reader,
    kept here so the routine's callers read one name."""
    return read_money(text, field, default=default)


# --- overdue ranges -------------------------------------------------------------------------


@dataclass(frozen=True)
class Range:
    id: int
    code: str
    description: str
    min_days: int
    max_days: int | None  # None: no upper bound
    title_types: tuple[str, ...] = ()

    def holds(self, days: int) -> bool:
        return days >= self.min_days and (self.max_days is None or days <= self.max_days)

    @property
    def span(self) -> str:
        if self.max_days is None:
            return f"{self.min_days}+ dias"
        return f"{self.min_days}–{self.max_days} dias"


def cumulative_ranges(rows: list[tuple[int, str, str, int | None, tuple[str, ...]]]) -> list[Range]:
    """(id, code, description, max_days, types) in order -> ranges, each starting one day after
    the previous one ends. Only the last may be open-ended, and each must end after it starts."""
    ranges: list[Range] = []
    start = 1
    for position, (range_id, code, description, max_days, types) in enumerate(rows, start=1):
        if max_days is None and position < len(rows):
            raise Invalid(f"Só a última faixa pode ficar sem limite de dias ({code}).")
        if max_days is not None and max_days < start:
            raise Invalid(f"A faixa {code} deve terminar em {start} dias ou mais.")
        ranges.append(Range(range_id, code, description, start, max_days, types))
        start = (max_days or 0) + 1
    return ranges


def range_for(ranges: list[Range], oldest_days_by_type: dict[str, int]) -> Range | None:
    """The first range (in order) whose oldest overdue title, among the types it looks at,
    is within its bounds. With no type filters: the range of the oldest overdue title."""
    for candidate in ranges:
        ages = [
            days
            for title_type, days in oldest_days_by_type.items()
            if not candidate.title_types or title_type in candidate.title_types
        ]
        if ages and candidate.holds(max(ages)):
            return candidate
    return None


# --- late charges ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ChargeRates:
    fine_pct: Decimal = DEFAULT_FINE_PCT
    interest_pct_month: Decimal = DEFAULT_INTEREST_PCT_MONTH


@dataclass(frozen=True)
class Updated:
    """A title's value as of a day: balance + fine + interest."""

    balance: Decimal
    days_overdue: int
    fine: Decimal
    interest: Decimal

    @property
    def charges(self) -> Decimal:
        return self.fine + self.interest

    @property
    def total(self) -> Decimal:
        return self.balance + self.charges


def days_overdue(due_date: date, today: date) -> int:
    return max(0, (today - due_date).days)


def updated_value(
    balance: Decimal,
    due_date: date,
    today: date,
    rates: ChargeRates,
    charges_from: date | None = None,
) -> Updated:
    """The balance with its late charges as of `today`.

    `charges_from` is the day a previous payment settled the charges (the fine was paid then,
    and interest restarts from that day)."""
    days = days_overdue(due_date, today)
    if days == 0 or balance <= 0:
        return Updated(money(balance), days, ZERO, ZERO)
    fine = ZERO if charges_from is not None else money(balance * rates.fine_pct / 100)
    interest_days = days_overdue(charges_from or due_date, today)
    interest = money(balance * rates.interest_pct_month / 100 / 30 * interest_days)
    return Updated(money(balance), days, fine, interest)


@dataclass(frozen=True)
class PaymentSplit:
    charges: Decimal  # late charges received
    principal: Decimal  # taken off the balance
    settles_charges: bool  # the charges were fully paid: they restart from the payment day

    @property
    def amount(self) -> Decimal:
        return self.charges + self.principal


def split_payment(amount: Decimal, updated: Updated) -> PaymentSplit:
    """Charges first, then principal; more than the updated value is refused."""
    amount = money(amount)
    if amount <= 0:
        raise Invalid("Informe um valor pago maior que zero.")
    if amount > updated.total:
        raise Invalid(
            f"O valor pago ({brl(amount)}) é maior que o devido atualizado ({brl(updated.total)})."
        )
    charges = min(amount, updated.charges)
    return PaymentSplit(charges, amount - charges, settles_charges=amount >= updated.charges)


# --- negotiation ----------------------------------------------------------------------------


@dataclass(frozen=True)
class NegotiationRules:
    max_postpone_days: int = 0
    max_principal_discount_pct: Decimal = ZERO
    max_charges_discount_pct: Decimal = ZERO
    max_installments: int = 1


def check_promise_date(promised_on: date, today: date, rules: NegotiationRules) -> None:
    if promised_on < today:
        raise Invalid("A data da promessa não pode estar no passado.")
    limit = today + timedelta(days=rules.max_postpone_days)
    if promised_on > limit:
        raise Invalid(
            f"A promessa pode ser para no máximo {rules.max_postpone_days} dia(s) à frente "
            f"(até {limit:%d/%m/%Y}), pela regra de negociação do seu grupo."
        )


def check_discount(discount: Decimal, base: Decimal, max_pct: Decimal, what: str) -> None:
    if discount < 0:
        raise Invalid(f"O desconto sobre {what} não pode ser negativo.")
    if discount > base:
        raise Invalid(f"O desconto sobre {what} não pode passar de {brl(base)}.")
    limit = money(base * max_pct / 100)
    if discount > limit:
        raise Invalid(
            f"Desconto sobre {what} de {brl(discount)} acima do limite do seu grupo "
            f"({max_pct} % = {brl(limit)})."
        )


@dataclass(frozen=True)
class Installment:
    number: int
    due_date: date
    amount: Decimal


@dataclass(frozen=True)
class Renegotiation:
    principal: Decimal
    charges: Decimal
    principal_discount: Decimal
    charges_discount: Decimal
    installments: tuple[Installment, ...]

    @property
    def total(self) -> Decimal:
        return self.principal + self.charges - self.principal_discount - self.charges_discount


def renegotiate(
    titles: list[Updated],
    *,
    installments: int,
    first_due: date,
    today: date,
    rules: NegotiationRules,
    principal_discount: Decimal = ZERO,
    charges_discount: Decimal = ZERO,
) -> Renegotiation:
    """The new installments replacing `titles`, within the group's rules: every 30 days from
    `first_due`, the cents of the division on the first one so they add up to the total."""
    if not titles:
        raise Invalid("Selecione ao menos um título vencido para renegociar.")
    if not 1 <= installments <= rules.max_installments:
        raise Invalid(
            f"O número de parcelas deve ficar entre 1 e {rules.max_installments} "
            "(regra de negociação do seu grupo)."
        )
    check_promise_date(first_due, today, rules)
    principal = sum((title.balance for title in titles), ZERO)
    charges = sum((title.charges for title in titles), ZERO)
    principal_discount, charges_discount = money(principal_discount), money(charges_discount)
    check_discount(principal_discount, principal, rules.max_principal_discount_pct, "o principal")
    check_discount(charges_discount, charges, rules.max_charges_discount_pct, "multa e juros")
    total = principal + charges - principal_discount - charges_discount
    if total <= 0:
        raise Invalid("O valor renegociado deve ser maior que zero.")
    share = money(total / installments)
    if share * installments > total:  # rounding up would overshoot: round the share down
        share = (total / installments).quantize(CENT, rounding="ROUND_DOWN")
    first = total - share * (installments - 1)
    parts = tuple(
        Installment(number, first_due + timedelta(days=30 * (number - 1)),
                    first if number == 1 else share)
        for number in range(1, installments + 1)
    )  # fmt: skip
    return Renegotiation(principal, charges, principal_discount, charges_discount, parts)
