"""Telecobrança against a real database: the live queue, the next-debtor reservation (also under
20 concurrent collectors), outcomes per title, promises kept and broken, renegotiation,
finishing, refusals, the collector's balance and the CSV import."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import duckdb
import pytest
from psycopg.errors import UniqueViolation

from core import agenda, calls, catalogues, operator_states, parameters
from core.access import Routine, User
from core.auth import claim_station
from core.catalogues import EntryInput
from core.config import Settings
from core.db import Database
from core.errors import AlreadyRegistered, Conflict, Forbidden, Invalid
from core.telecobranca import attendance as tlc_attendance
from core.telecobranca import importer, queue, taking
from core.telecobranca import ledger as tlc_ledger
from core.telecobranca import maintenance as tlc_maintenance
from core.telecobranca import outcomes as tlc_outcomes
from core.telecobranca import rules as tlc_rules
from core.telecobranca import setup as tlc_setup
from tests import factories
from tests.conftest import Clock

TODAY = date(2026, 3, 10)  # the test clock's São Paulo day


@dataclass
class Desk:
    """A collection group with its ranges, one collector without access 192, the admin, and
    the reasons a collector picks when finishing."""

    admin: User
    group_id: int
    collector: User
    ranges: dict[str, int]
    closing: int
    cancelling: int

    def debtor(self, db: Database, days: int, amount: str = "1000.00", **title: object) -> int:
        """A customer with one open title `days` overdue; returns the entity id."""
        entity_id = factories.make_entity(db, self.admin)
        factories.make_title(db, entity_id, TODAY - timedelta(days=days), amount, **title)
        return entity_id


@pytest.fixture
def desk(db: Database) -> Desk:
    return make_desk(db)


def make_desk(db: Database) -> Desk:
    admin = factories.make_admin(db, username="admin")
    group_id = factories.make_group(db, "Cobrança")
    collector = factories.make_operator(
        db, "carla", routines={Routine.TELECOBRANCA}, group_id=group_id
    )
    ranges = factories.make_collection_setup(db, admin, group_id)

    def reason(catalogue: str, code: str) -> int:
        return catalogues.create_entry(db, admin, catalogue, EntryInput(code, f"Motivo {code}"))

    return Desk(
        admin,
        group_id,
        collector,
        ranges,
        reason("motivo_encerramento", "ENC"),
        reason("motivo_cancelamento", "CAN"),
    )


def _collector(db: Database, desk: Desk, username: str) -> User:
    return factories.make_operator(
        db, username, routines={Routine.TELECOBRANCA}, group_id=desk.group_id
    )


def _count(db: Database, sql: str, params: list | None = None) -> int:
    return int(db.read(lambda tx: tx.scalar(sql, params or [])))


def _title(db: Database, entity_id: int) -> dict:
    return db.read(lambda tx: tx.one("SELECT * FROM receivables WHERE entity_id = ?", [entity_id]))


# --- the queue ------------------------------------------------------------------------------


@pytest.mark.parametrize(("days", "code"), [(30, "F1"), (31, "F2"), (120, "F3"), (121, "F4")])
def test_the_debtors_range_comes_from_the_ledger_at_the_boundaries(
    db: Database, desk: Desk, days: int, code: str
) -> None:
    entity_id = desk.debtor(db, days)
    factories.make_title(db, entity_id, TODAY - timedelta(days=2), "50.00")  # a younger title

    place = db.read(lambda tx: queue.position_of(tx, entity_id))

    assert place is not None and place.range_id == desk.ranges[code]
    assert place.days == days and place.balance == Decimal("1050.00")


def test_the_queue_is_live_a_payment_or_a_new_day_moves_the_debtor(
    db: Database, desk: Desk, clock: Clock
) -> None:
    entity_id = desk.debtor(db, 30)
    title = _title(db, entity_id)

    clock.advance(days=1)
    moved = db.read(lambda tx: queue.position_of(tx, entity_id))
    db.write(
        lambda tx: tx.execute(
            "UPDATE receivables SET status = 'pago', balance = 0 WHERE id = ?", [title["id"]]
        )
    )
    paid = db.read(lambda tx: queue.position_of(tx, entity_id))

    assert moved is not None and moved.range_id == desk.ranges["F2"]
    assert paid is None


def test_next_debtor_gives_the_oldest_debt_first_or_the_largest_with_mv_tlcsald(
    db: Database, desk: Desk
) -> None:
    older = desk.debtor(db, 90, "100.00")
    larger = desk.debtor(db, 10, "9000.00")

    first = taking.next_debtor(db, desk.collector)
    assert first is not None and first.entity_id == older

    parameters.set_parameter(db, desk.admin, "MV_TLCSALD", 1, "S")
    other = _collector(db, desk, "davi")
    second = taking.next_debtor(db, other)
    assert second is not None and second.entity_id == larger


def test_a_group_only_gets_debtors_in_the_ranges_it_is_wired_to(db: Database, desk: Desk) -> None:
    desk.debtor(db, 200)  # F4
    early = factories.make_group(db, "Cobrança preventiva")
    factories.make_collection_setup(db, desk.admin, early, ranges=(), wired=())
    tlc_setup.save_group_settings(
        db, desk.admin, early, 1, [desk.ranges["F1"]], tlc_rules.NegotiationRules()
    )
    junior = factories.make_operator(db, "junior", routines={Routine.TELECOBRANCA}, group_id=early)

    assert taking.next_debtor(db, junior) is None
    young = desk.debtor(db, 3)
    taken = taking.next_debtor(db, junior)
    assert taken is not None and taken.entity_id == young


def test_next_debtor_reserves_opens_the_attendance_and_starts_the_call_together(
    db: Database, desk: Desk
) -> None:
    entity_id = desk.debtor(db, 45)

    taken = taking.next_debtor(db, desk.collector)

    assert taken is not None and taken.reason == "fila"
    attendance = tlc_attendance.get_attendance(db, desk.collector, taken.attendance_id)
    assert (attendance.status, attendance.origin) == ("atendimento", "fila")
    assert attendance.portfolio_amount == Decimal("1000.00")
    assert [t.updated.total for t in attendance.titles] == [Decimal("1035.00")]
    assert (
        _count(
            db,
            "SELECT count(*) FROM collection_reservations WHERE entity_id = ? AND user_id = ?",
            [entity_id, desk.collector.id],
        )
        == 1
    )
    call = db.read(
        lambda tx: tx.one(
            "SELECT c.routine, c.entity_id FROM open_calls o JOIN calls c ON c.id = o.call_id"
            " WHERE o.user_id = ?",
            [desk.collector.id],
        )
    )
    assert call == {"routine": "telecobranca", "entity_id": entity_id}


def test_a_reserved_debtor_is_not_given_to_another_collector(db: Database, desk: Desk) -> None:
    desk.debtor(db, 45)
    other = _collector(db, desk, "davi")

    assert taking.next_debtor(db, desk.collector) is not None
    assert taking.next_debtor(db, other) is None


def test_an_expired_reservation_is_taken_over_and_the_idle_attendance_cancelled(
    db: Database, desk: Desk, clock: Clock
) -> None:
    entity_id = desk.debtor(db, 45)
    idle = taking.next_debtor(db, desk.collector)
    assert idle is not None
    other = _collector(db, desk, "davi")

    clock.advance(minutes=31)  # MV_TLCRESV = 30
    taken = taking.next_debtor(db, other)

    assert taken is not None and taken.entity_id == entity_id
    holder = "SELECT user_id, attendance_id FROM collection_reservations WHERE entity_id = ?"
    held = db.read(lambda tx: tx.one(holder, [entity_id]))
    assert held == {"user_id": other.id, "attendance_id": taken.attendance_id}
    stale = tlc_attendance.get_attendance(db, desk.admin, idle.attendance_id)
    assert stale.status == "cancelado" and "Reserva expirada" in (stale.closing_text or "")
    with pytest.raises(Invalid, match="não aceita lançamentos"):
        tlc_outcomes.record_payment(
            db,
            desk.collector,
            idle.attendance_id,
            stale.titles[0].id,
            stale.titles[0].version,
            "10",
        )


def test_a_collector_with_a_call_running_cannot_ask_for_the_next_debtor(
    db: Database, desk: Desk
) -> None:
    desk.debtor(db, 45)
    desk.debtor(db, 50)
    assert taking.next_debtor(db, desk.collector) is not None

    with pytest.raises(Conflict, match="ligação em andamento"):
        taking.next_debtor(db, desk.collector)
    assert _count(db, "SELECT count(*) FROM collection_reservations") == 1


def test_the_collectors_own_unfinished_attendance_comes_back_before_the_queue(
    db: Database, desk: Desk
) -> None:
    first = desk.debtor(db, 45)
    desk.debtor(db, 300)
    taken = taking.next_debtor(db, desk.collector)
    assert taken is not None and taken.entity_id != first
    db.write(lambda tx: tx.execute("DELETE FROM open_calls"))  # the browser was closed

    again = taking.next_debtor(db, desk.collector)

    assert again is not None and again.reason == "em_andamento"
    assert again.attendance_id == taken.attendance_id


# --- concurrency ----------------------------------------------------------------------------


def _race(db: Database, collectors: list[User]) -> list[int | None]:
    results: list[int | None] = [None] * len(collectors)
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(collectors))

    def press(index: int, user: User) -> None:
        try:
            barrier.wait()
            taken = taking.next_debtor(db, user)
            results[index] = taken.entity_id if taken else None
        except BaseException as error:  # reported below: a thread must not fail silently
            errors.append(error)

    threads = [threading.Thread(target=press, args=(i, u)) for i, u in enumerate(collectors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


def test_twenty_collectors_pressing_at_once_never_get_the_same_debtor(
    db: Database, desk: Desk
) -> None:
    debtors = {desk.debtor(db, days) for days in range(10, 35)}  # 25 waiting
    collectors = [_collector(db, desk, f"cobrador{n}") for n in range(20)]

    given = _race(db, collectors)

    assert None not in given
    assert len(set(given)) == 20 and set(given) <= debtors
    reserved = db.read(lambda tx: tx.all("SELECT entity_id, user_id FROM collection_reservations"))
    assert len(reserved) == 20 and len({row["entity_id"] for row in reserved}) == 20
    assert _count(db, "SELECT count(*) FROM tlc_attendances") == 20


def test_with_more_collectors_than_debtors_every_debtor_is_given_once_and_none_is_lost(
    db: Database, desk: Desk
) -> None:
    debtors = {desk.debtor(db, days) for days in range(10, 22)}  # 12 waiting
    collectors = [_collector(db, desk, f"cobrador{n}") for n in range(20)]

    given = [entity for entity in _race(db, collectors) if entity is not None]

    assert sorted(given) == sorted(debtors)


def _race_outcomes(db: Database, collectors: list[User]) -> list[int | BaseException | None]:
    """Like _race, keeping what each press raised in its place."""
    outcomes: list[int | BaseException | None] = [None] * len(collectors)
    barrier = threading.Barrier(len(collectors))

    def press(index: int, user: User) -> None:
        barrier.wait()
        try:
            taken = taking.next_debtor(db, user)
            outcomes[index] = taken.entity_id if taken else None
        except BaseException as error:
            outcomes[index] = error

    threads = [threading.Thread(target=press, args=(i, u)) for i, u in enumerate(collectors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_a_collector_on_a_call_is_refused_without_failing_the_others_pressing_with_them(
    db: Database, desk: Desk
) -> None:
    debtors = {desk.debtor(db, days) for days in range(10, 20)}
    collectors = [_collector(db, desk, f"cobrador{n}") for n in range(5)]
    calls.start_call(db, collectors[2], Routine.TELECOBRANCA, next(iter(debtors)))

    outcomes = _race_outcomes(db, collectors)

    assert isinstance(outcomes[2], Conflict) and "ligação em andamento" in str(outcomes[2])
    given = [outcomes[i] for i in (0, 1, 3, 4)]
    assert all(isinstance(entity, int) for entity in given) and len(set(given)) == 4
    assert _count(db, "SELECT count(*) FROM collection_reservations") == 4


def test_one_collector_pressing_twice_at_once_gets_one_debtor(db: Database, desk: Desk) -> None:
    for days in range(10, 15):
        desk.debtor(db, days)

    outcomes = _race_outcomes(db, [desk.collector, desk.collector])

    assert sum(isinstance(o, int) for o in outcomes) == 1
    assert sum(isinstance(o, Conflict) for o in outcomes) == 1
    assert _count(db, "SELECT count(*) FROM collection_reservations") == 1
    assert _count(db, "SELECT count(*) FROM open_calls") == 1


def test_debtors_taken_together_are_each_audited_for_their_own_collector(
    db: Database, desk: Desk
) -> None:
    for days in range(10, 16):
        desk.debtor(db, days)
    collectors = [_collector(db, desk, f"cobrador{n}") for n in range(3)]

    given = _race(db, collectors)

    rows = db.read(
        lambda tx: tx.all(
            "SELECT user_id, event, subject_id, detail FROM audit_log"
            " WHERE event IN ('cobranca.devedor_reservado', 'ligacao.iniciada')"
        )
    )
    for collector, entity_id in zip(collectors, given, strict=True):
        own = [row for row in rows if row["user_id"] == collector.id]
        assert sorted(row["event"] for row in own) == [
            "cobranca.devedor_reservado",
            "ligacao.iniciada",
        ]
        call = next(row for row in own if row["event"] == "ligacao.iniciada")
        assert call["subject_id"] == str(entity_id)
        attendance = db.read(
            lambda tx, c=collector: tx.one(
                "SELECT entity_id, call_id FROM tlc_attendances WHERE user_id = ?", [c.id]
            )
        )
        assert attendance["entity_id"] == entity_id
        assert f'"ligacao": {attendance["call_id"]}' in call["detail"]


def test_the_database_itself_refuses_a_second_reservation_of_a_debtor(
    db: Database, desk: Desk
) -> None:
    """The lock in core only spares retries; the primary key is what guarantees it."""
    entity_id = desk.debtor(db, 45)
    insert = (
        "INSERT INTO collection_reservations (entity_id, user_id, attendance_id, reserved_at,"
        " expires_at) VALUES (?, ?, 0, now(), now() + INTERVAL '30 minutes')"
    )
    db.write(lambda tx: tx.execute(insert, [entity_id, 1]))

    with pytest.raises(AlreadyRegistered) as refused:  # pt-BR for the user, once retries end
        db.write(lambda tx: tx.execute(insert, [entity_id, 2]))

    assert isinstance(refused.value.__cause__, (duckdb.ConstraintException, UniqueViolation))


# --- outcomes -------------------------------------------------------------------------------


def _taken(
    db: Database, desk: Desk, days: int = 45, amount: str = "1000.00"
) -> tlc_attendance.CollectionAttendance:
    desk.debtor(db, days, amount)
    taken = taking.next_debtor(db, desk.collector)
    assert taken is not None
    return tlc_attendance.get_attendance(db, desk.collector, taken.attendance_id)


def test_a_partial_payment_pays_charges_first_and_lowers_the_balance(
    db: Database, desk: Desk
) -> None:
    attendance = _taken(db, desk)
    title = attendance.titles[0]

    after = tlc_outcomes.record_payment(
        db, desk.collector, attendance.id, title.id, title.version, "535,00"
    )

    assert after is not None
    paid = after.titles[0]
    assert (paid.balance, paid.status) == (Decimal("500.00"), "aberto")
    assert paid.updated.fine == Decimal("0.00")  # settled today: no second fine
    assert after.outcomes[-1]["principal"] == Decimal("500.00")
    assert after.outcomes[-1]["charges"] == Decimal("35.00")


def test_paying_the_updated_value_settles_the_title(db: Database, desk: Desk) -> None:
    attendance = _taken(db, desk)
    title = attendance.titles[0]

    after = tlc_outcomes.record_payment(
        db, desk.collector, attendance.id, title.id, title.version, title.updated.total
    )

    assert after is not None
    assert (after.titles[0].balance, after.titles[0].status) == (Decimal("0.00"), "pago")


def test_a_payment_against_a_stale_title_is_a_conflict_and_writes_nothing(
    db: Database, desk: Desk
) -> None:
    attendance = _taken(db, desk)
    title = attendance.titles[0]
    tlc_outcomes.record_payment(db, desk.collector, attendance.id, title.id, title.version, "100")

    with pytest.raises(Conflict):
        tlc_outcomes.record_payment(
            db, desk.collector, attendance.id, title.id, title.version, "100"
        )
    assert _count(db, "SELECT count(*) FROM tlc_outcomes") == 1


def test_protest_write_off_and_rebate_change_the_title_as_named(db: Database, desk: Desk) -> None:
    attendance = _taken(db, desk)
    for days in (50, 60):
        factories.make_title(db, attendance.entity_id, TODAY - timedelta(days=days), "200.00")
    db.write(lambda tx: tx.execute("DELETE FROM open_calls"))
    attendance = tlc_attendance.get_attendance(
        db,
        desk.collector,
        taking.next_debtor(db, desk.collector).attendance_id,  # type: ignore[union-attr]
    )
    first, second, third = attendance.titles

    tlc_outcomes.send_to_protest(db, desk.collector, attendance.id, first.id, first.version)
    with pytest.raises(Invalid, match="motivo da baixa"):
        tlc_outcomes.write_off(db, desk.collector, attendance.id, second.id, second.version, "")
    tlc_outcomes.write_off(db, desk.collector, attendance.id, second.id, second.version, "Falência")
    after = tlc_outcomes.grant_rebate(
        db, desk.collector, attendance.id, third.id, third.version, "50"
    )

    assert after is not None
    by_id = {t.id: t for t in after.titles}
    assert (by_id[first.id].status, by_id[first.id].balance) == ("cartorio", Decimal("200.00"))
    assert (by_id[second.id].status, by_id[second.id].balance) == ("baixado", Decimal("0.00"))
    assert (by_id[third.id].status, by_id[third.id].balance) == ("aberto", Decimal("950.00"))


def test_a_rebate_above_the_groups_principal_discount_is_refused(db: Database, desk: Desk) -> None:
    attendance = _taken(db, desk)
    title = attendance.titles[0]

    with pytest.raises(Invalid, match="acima do limite"):
        tlc_outcomes.grant_rebate(
            db, desk.collector, attendance.id, title.id, title.version, "100,01"
        )
    assert _title(db, attendance.entity_id)["balance"] == Decimal("1000.00")


def test_a_title_outside_the_attendance_cannot_be_worked_in_it(db: Database, desk: Desk) -> None:
    attendance = _taken(db, desk)
    stranger = desk.debtor(db, 80)
    title = _title(db, stranger)

    with pytest.raises(Invalid, match="não faz parte desta cobrança"):
        tlc_outcomes.record_payment(
            db, desk.collector, attendance.id, title["id"], title["version"], "1"
        )


# --- promises -------------------------------------------------------------------------------


def test_a_promise_goes_on_the_agenda_and_the_attendance_waits_in_cobranca(
    db: Database, desk: Desk
) -> None:
    attendance = _taken(db, desk)

    after = tlc_outcomes.record_promise(
        db,
        desk.collector,
        attendance.id,
        [attendance.titles[0].id],
        TODAY + timedelta(days=5),
        "600",
    )
    waiting = tlc_outcomes.finish_attendance(
        db, desk.collector, after.id, after.version, outcome="cobranca"
    )

    assert after.pending_promises[0]["amount"] == Decimal("600.00")
    assert waiting.status == "cobranca"
    items = agenda.open_items(db, desk.collector)
    assert [(i.source_type, i.entity_id) for i in items] == [
        (tlc_attendance.SOURCE, attendance.entity_id)
    ]
    assert items[0].due_from.date() == TODAY + timedelta(days=5)
    assert _count(db, "SELECT count(*) FROM collection_reservations") == 0
    # The call goes on until the collector ends it, and records how the collection was left.
    assert calls.end_call(db, desk.collector) == f"Telecobrança nº {attendance.id}: Cobrança"
    assert _count(db, "SELECT count(*) FROM open_calls") == 0
    assert taking.next_debtor(db, _collector(db, desk, "davi")) is None  # promised: not in queue


@pytest.mark.parametrize(
    ("days_ahead", "amount", "reason"),
    [
        (11, "100", "no máximo 10 dia"),
        (-1, "100", "passado"),
        (3, "2000", "passa do devido"),
        (3, "0", "valor prometido"),
    ],
)
def test_a_promise_outside_the_rules_is_refused_and_nothing_is_written(
    db: Database, desk: Desk, days_ahead: int, amount: str, reason: str
) -> None:
    attendance = _taken(db, desk)

    with pytest.raises(Invalid, match=reason):
        tlc_outcomes.record_promise(
            db,
            desk.collector,
            attendance.id,
            [attendance.titles[0].id],
            TODAY + timedelta(days=days_ahead),
            amount,
        )
    assert _count(db, "SELECT count(*) FROM tlc_promises") == 0
    assert _count(db, "SELECT count(*) FROM agenda_items") == 0


def test_a_payment_reaching_the_promise_keeps_it_and_closes_the_waiting_attendance(
    db: Database, desk: Desk, clock: Clock
) -> None:
    attendance = _taken(db, desk)
    title = attendance.titles[0]
    promised = tlc_outcomes.record_promise(
        db, desk.collector, attendance.id, [title.id], TODAY + timedelta(days=5), "600"
    )
    tlc_outcomes.finish_attendance(
        db, desk.collector, promised.id, promised.version, outcome="cobranca"
    )
    calls.end_call(db, desk.collector)
    clock.advance(days=5)  # the follow-up is due: the collector gets the debtor from the agenda
    resumed = taking.next_debtor(db, desk.collector)
    assert resumed is not None and resumed.reason == "agenda"
    assert resumed.attendance_id == attendance.id

    title = tlc_attendance.get_attendance(db, desk.collector, resumed.attendance_id).titles[0]
    half = tlc_outcomes.record_payment(
        db, desk.collector, attendance.id, title.id, title.version, "300"
    )
    assert half is not None and half.pending_promises[0]["paid_amount"] == Decimal("300.00")
    title = half.titles[0]
    done = tlc_outcomes.record_payment(
        db, desk.collector, attendance.id, title.id, title.version, "300"
    )

    assert done is not None
    assert [p["status"] for p in done.promises] == ["cumprida"]
    assert done.status == "encerrado" and done.closing_text == "Promessa de pagamento cumprida."
    assert agenda.open_items(db, desk.collector) == []


def test_a_promise_not_paid_by_its_date_breaks_and_the_debtor_returns_first_in_the_queue(
    db: Database, desk: Desk, clock: Clock
) -> None:
    attendance = _taken(db, desk, days=10)
    promised = tlc_outcomes.record_promise(
        db,
        desk.collector,
        attendance.id,
        [attendance.titles[0].id],
        TODAY + timedelta(days=2),
        "500",
    )
    tlc_outcomes.finish_attendance(
        db, desk.collector, promised.id, promised.version, outcome="cobranca"
    )
    desk.debtor(db, 400)  # a much older debt waits in the queue too
    other = _collector(db, desk, "davi")

    clock.advance(days=2)  # the promise date: still pending
    assert taking.next_debtor(db, other).entity_id != attendance.entity_id  # type: ignore[union-attr]
    clock.advance(days=1)  # the day after: broken
    third = _collector(db, desk, "edu")
    again = taking.next_debtor(db, third)

    assert again is not None and again.reason == "quebra"
    assert again.entity_id == attendance.entity_id
    old = tlc_attendance.get_attendance(db, desk.admin, attendance.id)
    assert old.status == "encerrado" and [p["status"] for p in old.promises] == ["quebrada"]
    assert agenda.open_items(db, desk.collector) == []


# --- renegotiation --------------------------------------------------------------------------


def test_a_renegotiation_replaces_the_titles_by_installments_that_add_up(
    db: Database, desk: Desk
) -> None:
    attendance = _taken(db, desk)
    ids = [t.id for t in attendance.titles]

    after = tlc_outcomes.renegotiate_titles(
        db,
        desk.collector,
        attendance.id,
        ids,
        installments=3,
        first_due=TODAY + timedelta(days=10),
        principal_discount="50",
        charges_discount="17,50",
    )

    old = after.titles[0]
    assert (old.status, old.balance) == ("renegociado", Decimal("0.00"))
    new = db.read(
        lambda tx: tx.all(
            "SELECT amount, due_date, prefix FROM receivables WHERE renegotiation_id IS NOT NULL"
            " ORDER BY installment"
        )
    )
    assert sum(row["amount"] for row in new) == Decimal("967.50")  # 1000 + 35 − 50 − 17.50
    assert [row["due_date"] for row in new] == [TODAY + timedelta(days=d) for d in (10, 40, 70)]
    assert {row["prefix"] for row in new} == {"REN"}


def test_a_renegotiation_beyond_the_limits_writes_nothing(db: Database, desk: Desk) -> None:
    attendance = _taken(db, desk)

    with pytest.raises(Invalid, match="entre 1 e 6"):
        tlc_outcomes.renegotiate_titles(
            db,
            desk.collector,
            attendance.id,
            [attendance.titles[0].id],
            installments=7,
            first_due=TODAY + timedelta(days=5),
        )
    assert _count(db, "SELECT count(*) FROM receivables") == 1
    assert _count(db, "SELECT count(*) FROM tlc_renegotiations") == 0


# --- finishing ------------------------------------------------------------------------------


def test_finishing_needs_the_right_reason_for_each_outcome(db: Database, desk: Desk) -> None:
    attendance = _taken(db, desk)
    finish = tlc_outcomes.finish_attendance

    with pytest.raises(Invalid, match="motivo de encerramento"):
        finish(
            db,
            desk.collector,
            attendance.id,
            attendance.version,
            outcome="encerrar",
            text="Cliente sem condições",
        )
    with pytest.raises(Invalid, match="texto de encerramento"):
        finish(
            db,
            desk.collector,
            attendance.id,
            attendance.version,
            outcome="encerrar",
            reason_id=desk.closing,
        )
    with pytest.raises(Invalid, match="Sem promessa pendente"):
        finish(db, desk.collector, attendance.id, attendance.version, outcome="cobranca")
    with pytest.raises(Invalid, match="motivo de cancelamento"):
        finish(
            db,
            desk.collector,
            attendance.id,
            attendance.version,
            outcome="cancelar",
            reason_id=desk.closing,
        )

    closed = finish(
        db,
        desk.collector,
        attendance.id,
        attendance.version,
        outcome="encerrar",
        reason_id=desk.closing,
        text="Cliente sem condições",
    )
    assert closed.status == "encerrado" and closed.ended_at is not None
    assert _count(db, "SELECT count(*) FROM collection_reservations") == 0
    assert _count(db, "SELECT count(*) FROM open_calls") == 1  # until "Encerrar ligação"
    with pytest.raises(Invalid, match="não aceita lançamentos"):
        finish(
            db,
            desk.collector,
            closed.id,
            closed.version,
            outcome="cancelar",
            reason_id=desk.cancelling,
        )


def test_closing_with_a_promise_pending_is_refused_and_cancelling_drops_the_promise(
    db: Database, desk: Desk
) -> None:
    attendance = _taken(db, desk)
    promised = tlc_outcomes.record_promise(
        db,
        desk.collector,
        attendance.id,
        [attendance.titles[0].id],
        TODAY + timedelta(days=3),
        "200",
    )

    with pytest.raises(Invalid, match="promessa de pagamento pendente"):
        tlc_outcomes.finish_attendance(
            db,
            desk.collector,
            promised.id,
            promised.version,
            outcome="encerrar",
            reason_id=desk.closing,
            text="Fim",
        )
    cancelled = tlc_outcomes.finish_attendance(
        db,
        desk.collector,
        promised.id,
        promised.version,
        outcome="cancelar",
        reason_id=desk.cancelling,
    )

    assert cancelled.status == "cancelado"
    assert [p["status"] for p in cancelled.promises] == ["cancelada"]
    assert agenda.open_items(db, desk.collector) == []


def test_a_stale_attendance_version_cannot_be_finished(db: Database, desk: Desk) -> None:
    attendance = _taken(db, desk)
    tlc_outcomes.record_promise(
        db,
        desk.collector,
        attendance.id,
        [attendance.titles[0].id],
        TODAY + timedelta(days=3),
        "200",
    )

    with pytest.raises(Conflict):
        tlc_outcomes.finish_attendance(
            db, desk.collector, attendance.id, attendance.version, outcome="cobranca"
        )


# --- refusals -------------------------------------------------------------------------------


def test_an_operator_without_telecobranca_is_refused_and_the_refusal_audited(
    db: Database, desk: Desk, operator: User
) -> None:
    desk.debtor(db, 45)

    with pytest.raises(Forbidden):
        taking.next_debtor(db, operator)
    with pytest.raises(Forbidden):
        tlc_maintenance.list_attendances(db, operator)

    assert (
        _count(
            db,
            "SELECT count(*) FROM audit_log WHERE event = 'acesso.negado' AND user_id = ?",
            [operator.id],
        )
        == 2
    )
    assert _count(db, "SELECT count(*) FROM collection_reservations") == 0


def test_only_supervisors_and_admins_record_payments_outside_a_call_or_import(
    db: Database, desk: Desk, supervisor: User
) -> None:
    entity_id = desk.debtor(db, 45)
    title = _title(db, entity_id)

    with pytest.raises(Forbidden):
        tlc_outcomes.record_payment(db, desk.collector, None, title["id"], title["version"], "10")
    with pytest.raises(Forbidden):
        importer.import_receivables(db, desk.collector, importer.SAMPLE.encode())
    tlc_outcomes.record_payment(db, supervisor, None, title["id"], title["version"], "35")

    assert _title(db, entity_id)["balance"] == Decimal("1000.00")  # charges first
    assert _title(db, entity_id)["charges_from"] == TODAY


def test_a_collector_cannot_work_a_debtor_reserved_by_someone_else(
    db: Database, desk: Desk
) -> None:
    attendance = _taken(db, desk)
    other = _collector(db, desk, "davi")
    title = attendance.titles[0]

    with pytest.raises(Conflict, match="Outro cobrador"):
        tlc_outcomes.record_payment(db, other, attendance.id, title.id, title.version, "10")


# --- the collector's balance ----------------------------------------------------------------


def test_the_collectors_balance_adds_up_and_carries_over_between_periods(
    db: Database, desk: Desk, clock: Clock
) -> None:
    first = _taken(db, desk, days=45, amount="1000.00")
    title = first.titles[0]
    tlc_outcomes.record_payment(db, desk.collector, first.id, title.id, title.version, "435")  # 400
    first = tlc_attendance.get_attendance(db, desk.collector, first.id)
    tlc_outcomes.finish_attendance(
        db,
        desk.collector,
        first.id,
        first.version,
        outcome="encerrar",
        reason_id=desk.closing,
        text="Pagou parte",
    )  # 600 not done
    calls.end_call(db, desk.collector)
    clock.advance(days=1)
    second = _taken(db, desk, days=100, amount="500.00")  # older: first in the queue
    title = second.titles[0]
    second = tlc_outcomes.grant_rebate(db, desk.collector, second.id, title.id, title.version, "50")
    assert second is not None
    tlc_outcomes.record_promise(
        db, desk.collector, second.id, [title.id], TODAY + timedelta(days=4), "100"
    )  # still in the portfolio: 450

    day_one = tlc_maintenance.collector_balance(db, desk.collector, TODAY, TODAY).row(0, named=True)
    day_two = tlc_maintenance.collector_balance(
        db, desk.collector, TODAY + timedelta(days=1), TODAY + timedelta(days=1)
    ).row(0, named=True)

    assert (
        day_one["opening"],
        day_one["sent"],
        day_one["recovered"],
        day_one["not_done"],
        day_one["cancelled"],
        day_one["closing"],
    ) == (0, Decimal("1000.00"), Decimal("400.00"), Decimal("600.00"), 0, 0)
    assert day_two["opening"] == day_one["closing"]
    assert (day_two["sent"], day_two["cancelled"], day_two["closing"]) == (
        Decimal("500.00"),
        Decimal("50.00"),
        Decimal("450.00"),
    )
    assert day_one["share_pct"] == 40.0


def test_a_collector_sees_only_their_own_balance_and_a_supervisor_everyones(
    db: Database, desk: Desk, supervisor: User
) -> None:
    _taken(db, desk)
    other = _collector(db, desk, "davi")
    desk.debtor(db, 50)
    taking.next_debtor(db, other)

    mine = tlc_maintenance.collector_balance(db, desk.collector, TODAY, TODAY)
    everyone = tlc_maintenance.collector_balance(db, supervisor, TODAY, TODAY)

    assert mine["operator_code"].to_list() == [desk.collector.operator.code]  # type: ignore[union-attr]
    assert everyone.height == 2


# --- ledger, list and import ----------------------------------------------------------------


def test_the_financial_position_splits_open_overdue_paid_and_buckets(
    db: Database, desk: Desk
) -> None:
    entity_id = desk.debtor(db, 45, "1000.00")
    factories.make_title(db, entity_id, TODAY + timedelta(days=10), "300.00")
    factories.make_title(db, entity_id, TODAY - timedelta(days=5), "200.00", balance="150.00")
    factories.make_title(
        db, entity_id, TODAY - timedelta(days=90), "80.00", balance="0", status="pago"
    )

    position = tlc_ledger.financial_position(db, desk.collector, entity_id)

    assert position.open_total == Decimal("1450.00")
    assert position.overdue_total == Decimal("1150.00")
    assert position.paid_total == Decimal("130.00")
    assert position.days_overdue == 45 and position.range_label.startswith("F2")
    buckets = dict(zip(position.buckets["faixa"], position.buckets["saldo"], strict=True))
    assert buckets["A vencer"] == Decimal("300.00")
    assert buckets["F1 · 1–30 dias"] == Decimal("150.00")
    assert buckets["F2 · 31–60 dias"] == Decimal("1000.00")
    assert "***" in position.document  # carla has no access 192


def test_the_maintenance_list_masks_the_document_for_a_user_without_access_192(
    db: Database, desk: Desk
) -> None:
    attendance = _taken(db, desk)
    document = db.read(
        lambda tx: tx.scalar("SELECT document FROM entities WHERE id = ?", [attendance.entity_id])
    )

    page = tlc_maintenance.list_attendances(db, desk.collector)
    export = tlc_maintenance.export_attendances(db, desk.collector).decode("utf-8-sig")

    assert page.total == 1 and page.rows["status_label"].to_list() == ["Atendimento"]
    assert document not in str(page.rows["document"].to_list())
    assert document[:9] not in export.replace(".", "").replace("-", "")
    assert "Enviado (R$)" in export and "1000,00" in export


def test_a_good_csv_imports_customers_and_titles_in_one_go(db: Database, desk: Desk) -> None:
    existing = desk.debtor(db, 10)
    document = db.read(
        lambda tx: tx.scalar("SELECT document FROM entities WHERE id = ?", [existing])
    )
    content = (
        "documento;nome;telefone;email;prefixo;numero;parcela;tipo;emissao;vencimento;valor;saldo\n"
        f"{factories.valid_cpf(901, formatted=True)};Joana Prado;(11) 98888-7777;;LEG;77;1;DP;"
        "01/01/2026;01/02/2026;1.500,00;\n"
        f"{document};;;;LEG;77;2;BOL;01/01/2026;01/03/2026;200,00;0\n"
    ).encode()

    report = importer.import_receivables(db, desk.admin, content)

    assert report.ok and (report.customers_created, report.titles_created) == (1, 2)
    rows = db.read(
        lambda tx: tx.all(
            "SELECT e.name, r.installment, r.balance, r.status FROM receivables r"
            " JOIN entities e ON e.id = r.entity_id WHERE r.prefix = 'LEG' ORDER BY r.installment"
        )
    )
    assert [(r["name"], r["balance"], r["status"]) for r in rows] == [
        ("Joana Prado", Decimal("1500.00"), "aberto"),
        (rows[1]["name"], Decimal("0.00"), "pago"),
    ]


def test_a_csv_with_bad_rows_reports_each_line_and_writes_nothing(db: Database, desk: Desk) -> None:
    entities_before = _count(db, "SELECT count(*) FROM entities")
    content = (
        "documento;nome;telefone;email;prefixo;numero;parcela;tipo;emissao;vencimento;valor;saldo\n"
        f"{factories.valid_cpf(902)};Ok Silva;(11) 98888-7777;;LEG;1;1;DP;;01/02/2026;10,00;\n"
        "123;Fulano;;;LEG;2;1;DP;;31/02/2026;abc;\n"
        f"{factories.valid_cpf(903)};Sem Contato;;;LEG;3;1;DP;;01/02/2026;10,00;20,00\n"
        f"{factories.valid_cpf(904)};Repetido Souza;(11) 98888-7777;;LEG;1;1;DP;;01/02/2026;5;\n"
    ).encode()

    report = importer.import_receivables(db, desk.admin, content)

    assert not report.ok
    lines = {line: message for line, message in report.problems}
    assert set(lines) == {3, 4, 5}
    assert "CPF" in lines[3] and "vencimento" in lines[3] and "valor" in lines[3]
    assert "saldo" in lines[4]
    assert "repetido (linha 2)" in lines[5]
    assert _count(db, "SELECT count(*) FROM receivables WHERE prefix = 'LEG'") == 0
    assert _count(db, "SELECT count(*) FROM entities") == entities_before


def test_a_csv_without_the_required_columns_is_refused_at_the_header(
    db: Database, desk: Desk
) -> None:
    report = importer.import_receivables(db, desk.admin, b"cpf,valor\n1,2\n")

    assert not report.ok and report.problems[0][0] == 1
    assert "documento" in report.problems[0][1]


def test_a_debtor_worked_today_without_a_promise_is_offered_again_only_tomorrow(
    db: Database, desk: Desk, clock: Clock
) -> None:
    older, younger = desk.debtor(db, 45), desk.debtor(db, 40)

    def work_next() -> int | None:
        taken = taking.next_debtor(db, desk.collector)
        if taken is None:
            return None
        attendance = tlc_attendance.get_attendance(db, desk.collector, taken.attendance_id)
        tlc_outcomes.finish_attendance(
            db,
            desk.collector,
            attendance.id,
            attendance.version,
            outcome="encerrar",
            reason_id=desk.closing,
            text="Não atende",
        )
        calls.end_call(db, desk.collector)
        return attendance.entity_id

    assert [work_next(), work_next(), work_next()] == [older, younger, None]
    clock.advance(days=1)
    assert work_next() == older


def test_a_broken_promise_reached_by_search_stops_jumping_the_queue(
    db: Database, desk: Desk, clock: Clock
) -> None:
    attendance = _taken(db, desk, days=10)
    promised = tlc_outcomes.record_promise(
        db, desk.collector, attendance.id, [attendance.titles[0].id], TODAY, "100"
    )
    tlc_outcomes.finish_attendance(
        db, desk.collector, promised.id, promised.version, outcome="cobranca"
    )
    clock.advance(days=1)  # broken
    older = desk.debtor(db, 300)
    other = _collector(db, desk, "davi")
    calls.start_call(db, other, Routine.TELECOBRANCA, attendance.entity_id)
    by_search = taking.take_debtor(db, other, attendance.entity_id)
    tlc_outcomes.finish_attendance(
        db,
        other,
        by_search.id,
        by_search.version,
        outcome="encerrar",
        reason_id=desk.closing,
        text="Acordo verbal",
    )
    clock.advance(days=1)  # both may be offered again: the broken promise has no priority left

    third = taking.next_debtor(db, _collector(db, desk, "edu"))

    assert third is not None and (third.entity_id, third.reason) == (older, "fila")


def test_a_range_limited_to_a_title_type_places_debtors_by_those_titles_only(
    db: Database, desk: Desk
) -> None:
    tlc_setup.save_range(
        db,
        desk.admin,
        tlc_setup.RangeInput("F1", "Até 30 dias (duplicatas)", 1, 30, ("DP",)),
        desk.ranges["F1"],
        1,
    )
    duplicate = desk.debtor(db, 20, title_type="DP")
    invoice = desk.debtor(db, 20, title_type="NF")

    placed = db.read(lambda tx: (queue.position_of(tx, duplicate), queue.position_of(tx, invoice)))

    assert placed[0] is not None and placed[0].range_id == desk.ranges["F1"]
    assert placed[1] is None  # a 20-day NF title is in no range: F1 looks at DP only


def test_a_paused_collector_gets_no_debtor_until_available(
    db: Database, desk: Desk, settings: Settings
) -> None:
    desk.debtor(db, 10)
    claim_station(db, settings, desk.collector, "estacao-a")
    cafe = db.read(lambda tx: tx.scalar("SELECT id FROM pause_reasons WHERE name = 'Café'"))
    operator_states.pause(db, desk.collector, cafe)
    with pytest.raises(Invalid, match=r"em pausa \(Café\)"):
        taking.next_debtor(db, desk.collector)
    assert _count(db, "SELECT count(*) FROM collection_reservations") == 0
    operator_states.become_available(db, desk.collector)
    assert taking.next_debtor(db, desk.collector) is not None
    reading = operator_states.my_state(db, desk.collector)
    assert reading is not None and reading.state == operator_states.ON_CALL


def test_a_call_from_next_debtor_counts_as_outbound(db: Database, desk: Desk) -> None:
    """The collector dials (ativo); before, these calls were stored without a direction and
    counted as inbound on the wallboard and in the report."""
    desk.debtor(db, 10)
    taken = taking.next_debtor(db, desk.collector)
    assert taken is not None
    direction = db.read(
        lambda tx: tx.scalar(
            "SELECT c.direction FROM open_calls o JOIN calls c ON c.id = o.call_id"
            " WHERE o.user_id = ?",
            [desk.collector.id],
        )
    )
    assert direction == "ativo"
