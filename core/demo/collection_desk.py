"""Weeks of Telecobrança collection calls, replayed in memory over the ledger by
`_CollectionDesk` and written in bulk."""

from __future__ import annotations

import functools
import heapq
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import polars as pl

from core.access import Routine
from core.db import Tx
from core.localtime import LOCAL_TZ

if TYPE_CHECKING:
    from core.telecobranca.rules import NegotiationRules, Updated

COLLECTION_DAYS = 60
COLLECTORS = ("carla", "diego")
FINANCE = "admin"  # records the payments that arrive after a call (boleto, PIX)
PENDING_PROMISES = {"carla": 3, "diego": 2}  # calls of the last days that left one pending
# name, weight, fewest days ago it can have happened (a kept promise needs days to be paid)
QUEUE_SCENARIOS = (
    ("quitado", 12, 1), ("promessa_cumprida", 8, 4), ("promessa_quebrada", 3, 30),
    ("renegociacao", 4, 1),
)  # fmt: skip
SEARCH_SCENARIOS = (
    ("parcial", 9, 1), ("abatimento", 3, 1), ("cartorio", 3, 1), ("baixa", 2, 1),
    ("sem_acordo", 9, 1), ("cancelado", 5, 1),
)  # fmt: skip
NO_DEAL_TEXTS = (
    "Devedor não atendeu; nova tentativa na próxima rodada.",
    "Cliente alega dificuldade financeira e não fez proposta.",
    "Número não pertence mais ao devedor; cadastro a atualizar.",
)
CANCEL_TEXTS = {"ERR": "Atendimento aberto por engano.", "DUP": "Ligação registrada em dobro."}


def _local(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL_TZ).astimezone(UTC)


def _scenario(rng: random.Random, days_ago: int) -> str:
    options = [(name, weight) for name, weight, fewest in (*QUEUE_SCENARIOS, *SEARCH_SCENARIOS)
               if days_ago >= fewest]  # fmt: skip
    return rng.choices([name for name, _ in options], [weight for _, weight in options])[0]


@dataclass(frozen=True)
class _Debtor:
    entity_id: int
    range_id: int
    days: int  # of the oldest overdue title
    balance: Decimal  # overdue
    broken: bool  # a broken promise waiting to be called back: first in the queue
    promised: bool  # a promise pending: out of the queue


class _CollectionDesk:
    """Weeks of collection calls of carla and diego replayed in memory over the ledger, in time
    order, then written in bulk: through the services (a hundred statements a call) the demo
    took seconds per week of calls.

    The replay writes the rows the services write, the way they write them: the same pure
    rules (core.telecobranca.rules) for charges, payments, promises and renegotiations, the
    queue's order for "Próximo devedor", the agenda follow-up of each promise, promises broken
    the day after their date, and not_done_amount = portfolio − what outcomes removed. Every
    call ends: nothing is left open or reserved, and the only promises pending are dated
    after today. tests/unit/test_demo.py checks the ledger against the attendances.
    """

    def __init__(self, tx: Tx, rng: random.Random) -> None:
        from core.telecobranca import setup

        self.tx, self.rng = tx, rng
        self.started = tx.now
        self.now = tx.now
        self.today = self.day
        self.rates = setup.charge_rates(tx)
        self.ranges = setup.active_ranges(tx)
        self.titles: dict[int, dict[str, Any]] = {}
        self.by_entity: dict[int, list[dict[str, Any]]] = {}
        self.new_titles: list[dict[str, Any]] = []  # not in the database yet
        self.changed: set[int] = set()  # titles in the database that the calls changed
        self.calls: dict[int, dict[str, Any]] = {}
        self.attendances: dict[int, dict[str, Any]] = {}
        self.portfolio: dict[int, list[dict[str, Any]]] = {}  # attendance -> its titles
        self.removed: dict[int, Decimal] = {}  # attendance -> principal its outcomes removed
        self.outcomes: list[dict[str, Any]] = []
        self.promises: dict[int, dict[str, Any]] = {}
        self.promised: dict[int, list[int]] = {}  # promise -> its titles
        self.follow_ups: dict[int, dict[str, Any]] = {}  # promise -> its agenda item
        self.renegotiations: list[dict[str, Any]] = []
        self.events: list[tuple[datetime, int, Callable[[], None]]] = []
        self.order = itertools.count()
        self.ids: dict[str, list[int]] = {}  # sequence -> [first id drawn, next id]
        self.finance = 0  # the user recording payments made after a call (set by replay)
        self.reasons: dict[str, int] = {}  # closing and cancellation reasons by code
        self.rules: dict[int, NegotiationRules] = {}  # by group
        self.group_ranges: dict[int, set[int]] = {}  # the ranges each group works
        for title in tx.all(
            "SELECT id, prefix, number, installment, type, entity_id, due_date, amount, balance,"
            " status, charges_from, version FROM receivables ORDER BY id"
        ):
            self._track(title)

    @property
    def day(self) -> date:
        return self.now.astimezone(LOCAL_TZ).date()

    def add_titles(self, titles: list[dict[str, Any]]) -> None:
        """Titles not in the database yet (written by `save` as the calls left them)."""
        for title in titles:
            self._track(title)
            self.new_titles.append(title)

    def _track(self, title: dict[str, Any]) -> None:
        self.titles[title["id"]] = title
        self.by_entity.setdefault(title["entity_id"], []).append(title)

    # --- replaying the calls ----------------------------------------------------------------

    def replay(self, size: int) -> None:
        rows = self.tx.all(
            "SELECT u.id AS user_id, u.username, o.id AS operator_id,"
            " o.main_group_id AS group_id FROM users u JOIN operators o ON o.user_id = u.id"
            " WHERE u.username IN (SELECT unnest(?::VARCHAR[])) AND o.active AND o.telecobranca"
            " ORDER BY u.username",
            [list(COLLECTORS)],
        )
        finance = self.tx.scalar("SELECT id FROM users WHERE username = ?", [FINANCE])
        reasons = {
            row["code"]: row["id"]
            for row in self.tx.all(
                "SELECT code, id FROM catalogue_items WHERE active"
                " AND catalogue IN ('motivo_encerramento', 'motivo_cancelamento')"
            )
        }
        needed = {"PAG", "ACO", "CAR", "NLO", "SEM", *CANCEL_TEXTS}
        if len(rows) < len(COLLECTORS) or finance is None or not needed <= set(reasons):
            return
        from core.telecobranca import setup

        self.finance, self.reasons = int(finance), reasons
        for row in rows:
            self.rules[row["group_id"]] = setup.negotiation_rules(self.tx, row["group_id"])
            self.group_ranges[row["group_id"]] = set(
                setup.group_range_ids(self.tx, row["group_id"])
            )
        size = min(size, len(self._debtors()) // 4)
        slots = [
            (days, slot)
            for days in range(1, COLLECTION_DAYS + 1)
            for slot in range(14)  # half-hour slots from 09:00 to 15:30
            if (self.today - timedelta(days=days)).weekday() != 6  # no calls on Sundays
        ]
        for index, collector in enumerate(rows):
            count = (size + 1 - index) // 2
            pending = min(PENDING_PROMISES.get(collector["username"], 0), count // 5)
            recent = [(days, slot) for days, slot in slots if days <= 6]
            chosen = self.rng.sample(recent, pending)
            chosen += self.rng.sample([s for s in slots if s not in chosen], count - pending)
            for number, (days, slot) in enumerate(chosen):
                scenario = "promessa_pendente" if number < pending else _scenario(self.rng, days)
                moment = _local(self.today - timedelta(days=days), 9, self.rng.randint(0, 10))
                self._later(moment + timedelta(minutes=30 * slot),
                            self._call(collector, scenario, days))  # fmt: skip
        while self.events:
            moment, _, action = heapq.heappop(self.events)
            self.now = moment
            self._sweep()
            action()
        self.now = self.started

    def _later(self, moment: datetime, action: Callable[[], None]) -> None:
        heapq.heappush(self.events, (moment, next(self.order), action))

    def _call(self, user: dict[str, Any], scenario: str, days_ago: int) -> Callable[[], None]:
        def call() -> None:
            if scenario in {name for name, _, _ in QUEUE_SCENARIOS} | {"promessa_pendente"}:
                attendance = self._from_queue(user)
            else:
                attendance = self._by_search(user, {"cartorio": 91, "baixa": 181}.get(scenario, 1))
            if attendance is None:
                return
            handlers: dict[str, Callable[[dict[str, Any], dict[str, Any], int], None]] = {
                "quitado": self._paid_in_full, "promessa_cumprida": self._promise_kept,
                "promessa_quebrada": self._promise_broken,
                "promessa_pendente": self._promise_pending, "renegociacao": self._renegotiation,
                "parcial": self._partial_payment, "abatimento": self._rebate,
                "cartorio": self._protest, "baixa": self._write_off, "sem_acordo": self._no_deal,
                "cancelado": self._cancelled,
            }  # fmt: skip
            handlers[scenario](user, attendance, days_ago)

        return call

    def _from_queue(self, user: dict[str, Any]) -> dict[str, Any] | None:
        """ "Próximo devedor": a promise follow-up already due first, then the queue."""
        due = self._due_follow_up(user["user_id"])
        if due is not None:
            # The promise's day came and the money has not: the collector calls, the debtor
            # asks for the rest of the day, and the promise breaks tomorrow if still unpaid.
            self._settle(due["source_id"], "concluido")
            attendance = self.attendances[self.promises[due["source_id"]]["attendance_id"]]
            self._extend(attendance)
            attendance["call_id"] = self._start_call(user, attendance["entity_id"])
            self._finish(user, attendance, "cobranca")
            return None
        ranges = self.group_ranges[user["group_id"]]
        waiting = [d for d in self._debtors() if d.range_id in ranges and not d.promised]
        if not waiting:
            return None
        first = min(waiting, key=lambda d: (not d.broken, -d.days, -d.balance, d.entity_id))
        call_id = self._start_call(user, first.entity_id)
        origin = "quebra" if first.broken else "fila"
        return self._open(user, first.entity_id, first.range_id, origin, call_id)

    def _by_search(self, user: dict[str, Any], fewest_days: int) -> dict[str, Any] | None:
        """The collector searches a debtor by name: one that nobody is working on."""
        free = [d for d in self._debtors()
                if d.days >= fewest_days and not d.broken and not d.promised]  # fmt: skip
        if not free:
            return None
        chosen = self.rng.choice(free)
        call_id = self._start_call(user, chosen.entity_id)
        self._pause()
        return self._open(user, chosen.entity_id, chosen.range_id, "manual", call_id)

    # --- what the calls did -----------------------------------------------------------------

    def _paid_in_full(self, user: dict[str, Any], attendance: dict[str, Any], _: int) -> None:
        for title in self._open_titles(attendance):
            self._pause()
            self._pay(user["user_id"], attendance, title, self._value(title).total,
                      "Pagamento via PIX durante a ligação.")  # fmt: skip
        self._finish(user, attendance, "encerrar", "PAG", "Débito quitado à vista na ligação.")

    def _promise_kept(self, user: dict[str, Any], attendance: dict[str, Any], ago: int) -> None:
        postpone = self.rules[attendance["group_id"]].max_postpone_days
        if postpone < 3:
            self._no_deal(user, attendance, ago)
            return
        titles = self._open_titles(attendance)
        # Paid the day before the promised date: the follow-up never falls due.
        promised_on = self.day + timedelta(days=self.rng.randint(3, min(postpone, ago)))
        self._promise(user, attendance, titles, promised_on, full=True)
        self._finish(user, attendance, "cobranca")
        pay_at = _local(promised_on - timedelta(days=1), self.rng.randint(10, 16),
                        self.rng.randint(0, 59))  # fmt: skip
        self._later(pay_at, lambda: self._finance_pays(titles, "Pagamento da promessa (PIX)."))

    def _promise_broken(self, user: dict[str, Any], attendance: dict[str, Any], ago: int) -> None:
        postpone = self.rules[attendance["group_id"]].max_postpone_days
        if postpone < 2:
            self._no_deal(user, attendance, ago)
            return
        promised_on = self.day + timedelta(days=self.rng.randint(2, min(5, postpone)))
        self._promise(user, attendance, self._open_titles(attendance)[:1], promised_on,
                      full=False)  # fmt: skip
        self._finish(user, attendance, "cobranca")

    def _promise_pending(self, user: dict[str, Any], attendance: dict[str, Any], ago: int) -> None:
        room = self.rules[attendance["group_id"]].max_postpone_days - ago  # days after today
        if room < 1:
            self._no_deal(user, attendance, ago)
            return
        promised_on = self.today + timedelta(days=self.rng.randint(1, room))
        self._promise(user, attendance, self._open_titles(attendance), promised_on,
                      full=self.rng.random() < 0.6)  # fmt: skip
        self._finish(user, attendance, "cobranca")

    def _renegotiation(self, user: dict[str, Any], attendance: dict[str, Any], _: int) -> None:
        from core.telecobranca import rules

        limits = self.rules[attendance["group_id"]]
        titles = self._open_titles(attendance)
        values = [self._value(title) for title in titles]
        installments = self.rng.randint(min(2, limits.max_installments), limits.max_installments)
        first_due = self.day + timedelta(
            days=self.rng.randint(min(5, limits.max_postpone_days), limits.max_postpone_days)
        )
        charges = sum((value.charges for value in values), Decimal(0))
        self._pause()
        deal = rules.renegotiate(
            values, installments=installments, first_due=first_due, today=self.day,
            rules=limits,
            charges_discount=rules.money(charges * limits.max_charges_discount_pct / 100),
        )  # fmt: skip
        renegotiation_id = self._id("tlc_renegotiations_seq")
        self.renegotiations.append({
            "id": renegotiation_id, "attendance_id": attendance["id"],
            "entity_id": attendance["entity_id"], "user_id": user["user_id"],
            "principal": deal.principal, "charges": deal.charges,
            "principal_discount": deal.principal_discount,
            "charges_discount": deal.charges_discount, "total": deal.total,
            "installments": installments, "first_due": first_due, "created_at": self.now,
        })  # fmt: skip
        for title, value in zip(titles, values, strict=True):
            self._outcome(attendance, user["user_id"], title, "renegociado", value.total,
                          title["balance"], renegotiation_id=renegotiation_id)  # fmt: skip
            self._change(title, status="renegociado", balance=Decimal(0))
        parts = []
        for part in deal.installments:
            parts.append({
                "id": self._id("receivables_seq"), "prefix": "REN",
                "number": f"{renegotiation_id:09d}", "installment": part.number, "type": "RN",
                "entity_id": attendance["entity_id"], "order_id": None, "issue_date": self.day,
                "due_date": part.due_date, "amount": part.amount, "balance": part.amount,
                "status": "aberto", "charges_from": None, "renegotiation_id": renegotiation_id,
                "created_at": self.now, "updated_at": self.now, "version": 1,
            })  # fmt: skip
        self.add_titles(parts)
        self._finish(user, attendance, "encerrar", "ACO",
                     f"Acordo em {installments} parcela(s) a partir de {first_due:%d/%m/%Y},"
                     " com desconto nos juros.")  # fmt: skip
        for due in parts:  # paid on the due date, in order, until one is missed
            if due["due_date"] >= self.today or self.rng.random() < 0.2:
                break
            self._later(
                _local(due["due_date"], self.rng.randint(9, 16), self.rng.randint(0, 59)),
                functools.partial(self._finance_pays, [due], "Parcela do acordo paga no boleto."),
            )

    def _partial_payment(self, user: dict[str, Any], attendance: dict[str, Any], _: int) -> None:
        from core.telecobranca.rules import money

        title = self._open_titles(attendance)[0]
        self._pause()
        share = money(self._value(title).total * self.rng.randint(30, 70) / 100)
        self._pay(user["user_id"], attendance, title, share, "Pagamento parcial via boleto.")
        self._finish(user, attendance, "encerrar", "PAG",
                     "Pagamento parcial; o saldo restante segue em cobrança.")  # fmt: skip

    def _rebate(self, user: dict[str, Any], attendance: dict[str, Any], ago: int) -> None:
        from core.telecobranca import rules

        title = self._open_titles(attendance)[0]
        given = sum(
            (o["principal"] for o in self.outcomes
             if o["receivable_id"] == title["id"] and o["outcome"] == "abatimento"),
            Decimal(0),
        )  # fmt: skip
        base = min(title["amount"], title["balance"] + given)
        pct = self.rules[attendance["group_id"]].max_principal_discount_pct
        value = rules.money(base * pct / 100) - given
        if value <= 0:
            self._partial_payment(user, attendance, ago)
            return
        rules.check_discount(value + given, base, pct, "o principal")
        self._pause()
        balance = title["balance"] - value
        self._change(title, status="baixado" if balance == 0 else "aberto", balance=balance)
        self._outcome(attendance, user["user_id"], title, "abatimento", value, value,
                      note="Abatimento para quitação à vista.")  # fmt: skip
        self._pause()
        self._pay(user["user_id"], attendance, title, self._value(title).total,
                  "Saldo quitado via PIX após o abatimento.")  # fmt: skip
        self._finish(user, attendance, "encerrar", "PAG",
                     "Abatimento concedido e saldo do título quitado.")  # fmt: skip

    def _protest(self, user: dict[str, Any], attendance: dict[str, Any], ago: int) -> None:
        old = [t for t in self._open_titles(attendance) if self._value(t).days_overdue > 90]
        if not old:
            self._no_deal(user, attendance, ago)
            return
        for title in old:
            self._pause()
            self._change(title, status="cartorio")
            self._outcome(attendance, user["user_id"], title, "cartorio", Decimal(0),
                          Decimal(0), note="Protesto após 90 dias de atraso.")  # fmt: skip
        self._finish(user, attendance, "encerrar", "CAR",
                     "Sem acordo: títulos com mais de 90 dias enviados a cartório.")  # fmt: skip

    def _write_off(self, user: dict[str, Any], attendance: dict[str, Any], _: int) -> None:
        title = self._open_titles(attendance)[0]
        self._pause()
        self._outcome(attendance, user["user_id"], title, "baixa", title["balance"],
                      title["balance"], note="Devedor não localizado há mais de seis meses: "
                      "baixa como perda.")  # fmt: skip
        self._change(title, status="baixado", balance=Decimal(0))
        self._finish(user, attendance, "encerrar", "NLO",
                     "Devedor não localizado; o título mais antigo foi baixado.")  # fmt: skip

    def _no_deal(self, user: dict[str, Any], attendance: dict[str, Any], _: int) -> None:
        self._finish(user, attendance, "encerrar", self.rng.choice(("SEM", "NLO")),
                     self.rng.choice(NO_DEAL_TEXTS))  # fmt: skip

    def _cancelled(self, user: dict[str, Any], attendance: dict[str, Any], _: int) -> None:
        code = self.rng.choice(sorted(CANCEL_TEXTS))
        self._finish(user, attendance, "cancelar", code, CANCEL_TEXTS[code])

    def _finance_pays(self, titles: list[dict[str, Any]], note: str) -> None:
        """Payments recorded by finance, outside a call: they count for the attendance that
        holds the title and keep its promise."""
        for title in titles:
            if self._is_open(title):
                self._pay(self.finance, None, title, self._value(title).total, note)
            self.now += timedelta(minutes=1)

    # --- the ledger and the queue -----------------------------------------------------------

    @staticmethod
    def _is_open(title: dict[str, Any]) -> bool:
        return title["status"] == "aberto" and title["balance"] > 0

    def _value(self, title: dict[str, Any]) -> Updated:
        from core.telecobranca import rules

        balance = title["balance"] if title["status"] == "aberto" else Decimal(0)
        return rules.updated_value(balance, title["due_date"], self.day, self.rates,
                                   title["charges_from"])  # fmt: skip

    def _overdue(self, entity_id: int) -> list[dict[str, Any]]:
        day = self.day
        titles = [t for t in self.by_entity.get(entity_id, [])
                  if self._is_open(t) and t["due_date"] < day]  # fmt: skip
        return sorted(titles, key=lambda t: (t["due_date"], t["prefix"], t["number"],
                                             t["installment"]))  # fmt: skip

    def _debtors(self) -> list[_Debtor]:
        """Every debtor, placed in its range as queue.debtors_sql places it."""
        from core.telecobranca import rules

        day = self.day
        broken = {p["entity_id"] for p in self.promises.values() if p["requeued"]}
        pending = {p["entity_id"] for p in self.promises.values() if p["status"] == "pendente"}
        found = []
        for entity_id in sorted(self.by_entity):
            oldest: dict[str, int] = {}
            balance = Decimal(0)
            for title in self.by_entity[entity_id]:
                if self._is_open(title) and title["due_date"] < day:
                    days = (day - title["due_date"]).days
                    oldest[title["type"]] = max(days, oldest.get(title["type"], 0))
                    balance += title["balance"]
            place = rules.range_for(self.ranges, oldest) if oldest else None
            if place is not None:
                found.append(_Debtor(entity_id, place.id, max(oldest.values()), balance,
                                     entity_id in broken, entity_id in pending))  # fmt: skip
        return found

    def _open_titles(self, attendance: dict[str, Any]) -> list[dict[str, Any]]:
        held = [self.titles[row["receivable_id"]] for row in self.portfolio[attendance["id"]]]
        return sorted((t for t in held if self._is_open(t)),
                      key=lambda t: (t["due_date"], t["prefix"], t["number"],
                                     t["installment"]))  # fmt: skip

    def _change(self, title: dict[str, Any], **values: Any) -> None:
        title.update(values, updated_at=self.now, version=title["version"] + 1)
        self.changed.add(title["id"])

    def _pay(
        self,
        user_id: int,
        attendance: dict[str, Any] | None,
        title: dict[str, Any],
        amount: Decimal,
        note: str,
    ) -> None:
        """As outcomes.record_payment: charges first, the promise it covers, and a Cobrança
        attendance closed once its last promise is kept."""
        from core.telecobranca import rules

        split = rules.split_payment(amount, self._value(title))
        balance = title["balance"] - split.principal
        self._change(
            title, balance=balance, status="pago" if balance == 0 else "aberto",
            charges_from=self.day if split.settles_charges else title["charges_from"],
        )  # fmt: skip
        owner = attendance or self._holder(title)
        self._outcome(owner, user_id, title, "pago", split.amount, split.principal,
                      split.charges, note)  # fmt: skip
        for promise_id, titles in self.promised.items():
            promise = self.promises[promise_id]
            if title["id"] not in titles or promise["status"] != "pendente":
                continue
            paid = promise["paid_amount"] + split.amount
            kept = paid >= promise["amount"] or all(
                self.titles[t]["status"] != "aberto" for t in titles
            )
            promise.update(paid_amount=paid, version=promise["version"] + 1)
            if kept:
                promise.update(status="cumprida", settled_at=self.now)
                self._settle(promise_id, "concluido")
        if owner is not None and owner["status"] == "cobranca" and not self._pending_of(owner):
            self._finish_row(owner, "encerrado", text="Promessa de pagamento cumprida.")

    def _holder(self, title: dict[str, Any]) -> dict[str, Any] | None:
        holders = [
            a
            for a in self.attendances.values()
            if a["status"] in {"atendimento", "cobranca"}
            and any(r["receivable_id"] == title["id"] for r in self.portfolio[a["id"]])
        ]
        return max(holders, key=lambda a: a["id"], default=None)  # fmt: skip

    def _outcome(
        self,
        attendance: dict[str, Any] | None,
        user_id: int,
        title: dict[str, Any],
        outcome: str,
        amount: Decimal,
        principal: Decimal,
        charges: Decimal = Decimal(0),
        note: str = "",
        promise_id: int | None = None,
        renegotiation_id: int | None = None,
    ) -> None:
        attendance_id = attendance["id"] if attendance is not None else None
        if attendance_id is not None:
            self.removed[attendance_id] += principal
        self.outcomes.append({
            "attendance_id": attendance_id, "receivable_id": title["id"], "user_id": user_id,
            "outcome": outcome, "amount": amount, "principal": principal, "charges": charges,
            "promise_id": promise_id, "renegotiation_id": renegotiation_id, "note": note,
            "occurred_on": self.day, "created_at": self.now,
        })  # fmt: skip

    # --- attendances, calls, promises -------------------------------------------------------

    def _id(self, sequence: str) -> int:
        """The sequence's next id, counted here and drawn for real by `save` (one statement
        per sequence instead of one per row; nothing else draws from them meanwhile)."""
        if sequence not in self.ids:
            first = self.tx.next_ids(sequence, 1)[0]
            self.ids[sequence] = [first, first]
        self.ids[sequence][1] += 1
        return self.ids[sequence][1] - 1

    def _pause(self) -> None:
        self.now += timedelta(minutes=self.rng.randint(1, 3))

    def _start_call(self, user: dict[str, Any], entity_id: int) -> int:
        call_id = self._id("calls_seq")
        self.calls[call_id] = {
            "id": call_id, "user_id": user["user_id"], "operator_id": user["operator_id"],
            "group_id": user["group_id"], "routine": "telecobranca", "entity_id": entity_id,
            "started_at": self.now, "ended_at": None, "result": None,
        }  # fmt: skip
        return call_id

    def _open(
        self, user: dict[str, Any], entity_id: int, range_id: int, origin: str, call_id: int
    ) -> dict[str, Any]:
        attendance_id = self._id("tlc_attendances_seq")
        attendance = {
            "id": attendance_id, "entity_id": entity_id, "contact_id": None,
            "user_id": user["user_id"], "operator_id": user["operator_id"],
            "group_id": user["group_id"], "call_id": call_id, "range_id": range_id,
            "origin": origin, "status": "atendimento", "portfolio_amount": Decimal(0),
            "not_done_amount": None, "notes": "", "started_at": self.now, "ended_at": None,
            "closing_reason_id": None, "closing_text": None, "closed_at": None,
            "cancellation_reason_id": None, "cancelled_at": None, "created_at": self.now,
            "updated_at": self.now, "version": 1,
        }  # fmt: skip
        self.attendances[attendance_id] = attendance
        self.portfolio[attendance_id] = []
        self.removed[attendance_id] = Decimal(0)
        if origin == "quebra":
            for promise in self.promises.values():
                if promise["entity_id"] == entity_id:
                    promise["requeued"] = False
        self._extend(attendance)
        return attendance

    def _extend(self, attendance: dict[str, Any]) -> None:
        """Hand the debtor's overdue titles not handed yet to the attendance."""
        held = {row["receivable_id"] for row in self.portfolio[attendance["id"]]}
        added = [t for t in self._overdue(attendance["entity_id"]) if t["id"] not in held]
        for title in added:
            self.portfolio[attendance["id"]].append({
                "attendance_id": attendance["id"], "receivable_id": title["id"],
                "balance_at_start": title["balance"],
            })  # fmt: skip
        if added:
            attendance["portfolio_amount"] += sum((t["balance"] for t in added), Decimal(0))
            attendance["updated_at"] = self.now

    def _promise(
        self,
        user: dict[str, Any],
        attendance: dict[str, Any],
        titles: list[dict[str, Any]],
        promised_on: date,
        *,
        full: bool,
    ) -> None:
        from core.agenda import WINDOW
        from core.telecobranca import rules
        from core.telecobranca.attendance import PROMISE_CHECK_TIME, SOURCE

        self._pause()
        rules.check_promise_date(promised_on, self.day, self.rules[attendance["group_id"]])
        owed = sum((self._value(t).total for t in titles), Decimal(0))
        amount = owed if full else rules.money(owed * self.rng.randint(40, 70) / 100)
        promise_id = self._id("tlc_promises_seq")
        self.promises[promise_id] = {
            "id": promise_id, "attendance_id": attendance["id"],
            "entity_id": attendance["entity_id"], "user_id": user["user_id"],
            "promised_on": promised_on, "amount": amount, "paid_amount": Decimal(0),
            "status": "pendente", "requeued": False, "created_at": self.now,
            "settled_at": None, "version": 1,
        }  # fmt: skip
        self.promised[promise_id] = [t["id"] for t in titles]
        note = "Quitação total prometida." if full else "Entrada prometida; saldo a negociar."
        for title in titles:
            self._outcome(attendance, user["user_id"], title, "negociado", Decimal(0),
                          Decimal(0), note=note, promise_id=promise_id)  # fmt: skip
        due = datetime.combine(promised_on, PROMISE_CHECK_TIME, tzinfo=LOCAL_TZ).astimezone(UTC)
        keys = ", ".join(f"{t['prefix']} {t['number']}/{t['installment']}" for t in titles)
        self.follow_ups[promise_id] = {
            "user_id": user["user_id"], "routine": Routine.TELECOBRANCA.value,
            "source_type": SOURCE, "source_id": promise_id,
            "entity_id": attendance["entity_id"], "due_from": due, "due_until": due + WINDOW,
            "status": "aberto", "note": f"Promessa de R$ {amount} ({keys})",
            "created_at": self.now, "updated_at": self.now, "version": 1,
        }  # fmt: skip
        attendance.update(status="cobranca", updated_at=self.now,
                          version=attendance["version"] + 1)  # fmt: skip

    def _pending_of(self, attendance: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            p
            for p in self.promises.values()
            if p["attendance_id"] == attendance["id"] and p["status"] == "pendente"
        ]

    def _settle(self, promise_id: int, status: str) -> None:
        item = self.follow_ups[promise_id]
        if item["status"] == "aberto":
            item.update(status=status, updated_at=self.now, version=item["version"] + 1)

    def _due_follow_up(self, user_id: int) -> dict[str, Any] | None:
        due = [item for item in self.follow_ups.values()
               if item["user_id"] == user_id and item["status"] == "aberto"
               and item["due_from"] <= self.now]  # fmt: skip
        return min(due, key=lambda item: (item["due_from"], item["source_id"]), default=None)

    def _sweep(self) -> None:
        """As attendance.sweep_broken_promises: a promise past its date is broken."""
        ended = set()
        for promise_id, promise in sorted(self.promises.items()):
            if promise["status"] == "pendente" and promise["promised_on"] < self.day:
                promise.update(status="quebrada", requeued=True, settled_at=self.now,
                               version=promise["version"] + 1)  # fmt: skip
                self._settle(promise_id, "cancelado")
                ended.add(promise["attendance_id"])
        for attendance_id in sorted(ended):
            attendance = self.attendances[attendance_id]
            if attendance["status"] == "cobranca" and not self._pending_of(attendance):
                self._finish_row(attendance, "encerrado",
                                 text="Promessa quebrada: devedor devolvido à fila.")  # fmt: skip

    def _finish(
        self, user: dict[str, Any], attendance: dict[str, Any], outcome: str, reason: str = "",
        text: str = "",
    ) -> None:  # fmt: skip
        """As outcomes.finish_attendance: wait for the promise, close or cancel; the call ends."""
        from core.telecobranca.attendance import STATUS_LABELS

        self._pause()
        if outcome == "cobranca":
            assert self._pending_of(attendance), "Cobrança needs a pending promise"
            attendance.update(status="cobranca", ended_at=self.now, updated_at=self.now,
                              version=attendance["version"] + 1)  # fmt: skip
        elif outcome == "encerrar":
            assert not self._pending_of(attendance), "a pending promise cannot be closed"
            self._finish_row(attendance, "encerrado", self.reasons[reason], text)
        else:
            for promise in self._pending_of(attendance):
                promise.update(status="cancelada", settled_at=self.now,
                               version=promise["version"] + 1)  # fmt: skip
                self._settle(promise["id"], "cancelado")
            self._finish_row(attendance, "cancelado", self.reasons[reason], text)
        call = self.calls[attendance["call_id"]]
        call.update(
            ended_at=self.now,
            result=f"Telecobrança nº {attendance['id']}: {STATUS_LABELS[attendance['status']]}",
        )

    def _finish_row(
        self, attendance: dict[str, Any], status: str, reason_id: int | None = None, text: str = ""
    ) -> None:
        """As attendance.finish_row: stamped, with what was left undone of the portfolio."""
        closed, cancelled = status == "encerrado", status == "cancelado"
        not_done = max(attendance["portfolio_amount"] - self.removed[attendance["id"]], Decimal(0))
        attendance.update(
            status=status, not_done_amount=not_done,
            closing_reason_id=reason_id if closed else None,
            cancellation_reason_id=reason_id if cancelled else None,
            closing_text=" ".join(text.split()), closed_at=self.now if closed else None,
            cancelled_at=self.now if cancelled else None,
            ended_at=attendance["ended_at"] or self.now, updated_at=self.now,
            version=attendance["version"] + 1,
        )  # fmt: skip

    # --- writing it all ---------------------------------------------------------------------

    def save(self) -> None:
        def insert(table: str, rows: list[dict[str, Any]]) -> None:
            if rows:
                self.tx.insert_frame(table, pl.DataFrame(rows, infer_schema_length=None))

        for sequence, (first, following) in self.ids.items():
            drawn = self.tx.next_ids(sequence, following - first - 1)
            assert drawn == list(range(first + 1, following)), f"{sequence} moved meanwhile"

        stored = [self.titles[i] for i in sorted(self.changed) if i not in
                  {t["id"] for t in self.new_titles}]  # fmt: skip
        for title in stored:  # a few invoice titles the calls paid or renegotiated
            self.tx.execute(
                "UPDATE receivables SET balance = ?, status = ?, charges_from = ?,"
                " updated_at = ?, version = ? WHERE id = ?",
                [title["balance"], title["status"], title["charges_from"], title["updated_at"],
                 title["version"], title["id"]],
            )  # fmt: skip
        insert("receivables", self.new_titles)
        insert("calls", list(self.calls.values()))
        insert("tlc_attendances", list(self.attendances.values()))
        insert("tlc_attendance_titles", [row for rows in self.portfolio.values() for row in rows])
        insert("tlc_renegotiations", self.renegotiations)
        insert("tlc_promises", list(self.promises.values()))
        insert("tlc_promise_titles", [
            {"promise_id": promise_id, "receivable_id": title_id}
            for promise_id, titles in self.promised.items() for title_id in titles
        ])  # fmt: skip
        insert("tlc_outcomes", self.outcomes)
        insert("agenda_items", list(self.follow_ups.values()))
