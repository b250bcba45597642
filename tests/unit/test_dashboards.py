"""The wallboard's KPIs against a small hand-built data set whose answers are known."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from core import dashboards
from core.access import Routine, User
from core.dashboards import WallboardFilter
from core.db import Database
from core.errors import Forbidden
from tests import factories
from tests.conftest import START

NOW = START  # 2026-03-10 10:00 in São Paulo
YESTERDAY = NOW - timedelta(days=1)


def _insert(db: Database, table: str, **values: Any) -> int:
    columns = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    return int(
        db.write(
            lambda tx: tx.scalar(
                f"INSERT INTO {table} ({columns}) VALUES ({marks}) RETURNING id",
                list(values.values()),
            )
        )
    )


@pytest.fixture
def floor(db: Database, admin: User) -> dict[str, Any]:
    """Two groups; ana (SAC, in a call for 7 min, ideal 5), bia (SAC, logged in, idle), caio
    (Vendas, logged out). Today: 3 Telemarketing attendances, 2 Televendas calls and orders,
    collections with one promise kept and one broken."""
    sac = factories.make_group(db, "SAC", ideal_seconds=300)
    sales = factories.make_group(db, "Vendas", ideal_seconds=600)
    ana = factories.make_operator(db, "ana", routines={Routine.TELEMARKETING}, group_id=sac,
                                  code="OP1")  # fmt: skip
    bia = factories.make_operator(db, "bia", routines={Routine.TELEMARKETING}, group_id=sac,
                                  code="OP2")  # fmt: skip
    caio = factories.make_operator(db, "caio", routines={Routine.TELEVENDAS, Routine.TELECOBRANCA},
                                   group_id=sales, code="OP3")  # fmt: skip
    customer = factories.make_entity(db, admin, name="Maria Cliente")
    for user, beat in ((ana, NOW), (bia, NOW - timedelta(seconds=10)),
                       (caio, NOW - timedelta(minutes=5))):  # fmt: skip
        db.write(
            lambda tx, u=user, b=beat: tx.execute(
                "INSERT INTO station_leases VALUES (?, 'st', ?, ?)",
                [u.id, b - timedelta(hours=1), b],
            )
        )
    # ana is on a call that started 7 minutes ago.
    live = _insert(db, "calls", user_id=ana.id, operator_id=ana.operator.id, group_id=sac,
                   routine="telemarketing", entity_id=customer,
                   started_at=NOW - timedelta(minutes=7))  # fmt: skip
    db.write(lambda tx: tx.execute("INSERT INTO open_calls VALUES (?, ?)", [ana.id, live]))
    # Telemarketing today: handle times 120 s and 240 s; one attendance from yesterday.
    for status, direction, seconds, started in (
        ("encerrado", "receptivo", 120, NOW - timedelta(hours=2)),
        ("pendente", "receptivo", 240, NOW - timedelta(hours=1)),
        ("planejado", "ativo", None, NOW - timedelta(minutes=30)),
        ("encerrado", "receptivo", 999, YESTERDAY),
    ):
        call = None
        if seconds is not None:
            call = _insert(
                db,
                "calls",
                user_id=bia.id,
                operator_id=bia.operator.id,
                group_id=sac,
                routine="telemarketing",
                entity_id=customer,
                started_at=started,
                ended_at=started + timedelta(seconds=seconds),
            )
        _insert(
            db,
            "tmk_attendances",
            entity_id=customer,
            user_id=bia.id,
            operator_id=bia.operator.id,
            group_id=sac,
            call_id=call,
            direction=direction,
            status=status,
            started_at=started,
            created_at=started,
            updated_at=started,
        )
    _insert(db, "agenda_items", user_id=bia.id, routine="telemarketing",
            source_type="tmk_attendance", source_id=1, entity_id=customer,
            due_from=NOW - timedelta(hours=3), due_until=NOW - timedelta(hours=2),
            status="aberto", created_at=NOW, updated_at=NOW)  # fmt: skip
    # Televendas: 2 calls today; a quote, an invoiced order (R$ 500) and one from March 2.
    for minutes in (50, 20):
        _insert(db, "calls", user_id=caio.id, operator_id=caio.operator.id, group_id=sales,
                routine="televendas", entity_id=customer,
                started_at=NOW - timedelta(minutes=minutes),
                ended_at=NOW - timedelta(minutes=minutes - 5))  # fmt: skip
    for operation, status, total, created, invoiced in (
        ("orcamento", "orcamento", "80.00", NOW - timedelta(minutes=45), None),
        ("faturamento", "faturado", "500.00", NOW - timedelta(minutes=15), NOW),
        ("faturamento", "faturado", "300.00", NOW - timedelta(days=8), NOW - timedelta(days=8)),
    ):
        _insert(db, "tlv_orders", entity_id=customer, user_id=caio.id,
                operator_id=caio.operator.id, group_id=sales, operation=operation,
                status=status, total=Decimal(total), invoiced_at=invoiced, created_at=created,
                updated_at=created)  # fmt: skip
    # Telecobrança: a promise due yesterday kept, one due yesterday not kept, R$ 150 paid today.
    attendance = _insert(db, "tlc_attendances", entity_id=customer, user_id=caio.id,
                         operator_id=caio.operator.id, group_id=sales, origin="fila",
                         status="cobranca", started_at=YESTERDAY, created_at=YESTERDAY,
                         updated_at=YESTERDAY)  # fmt: skip
    for status, amount in (("cumprida", "150.00"), ("pendente", "90.00")):
        _insert(db, "tlc_promises", attendance_id=attendance, entity_id=customer,
                user_id=caio.id, promised_on=YESTERDAY.date(), amount=Decimal(amount),
                status=status, created_at=NOW - timedelta(hours=1))  # fmt: skip
    title = factories.make_title(db, customer, NOW.date() - timedelta(days=40), "1000.00")
    _insert(db, "tlc_outcomes", attendance_id=attendance, receivable_id=title, user_id=caio.id,
            outcome="pago", amount=Decimal("150.00"), principal=Decimal("120.00"),
            charges=Decimal("30.00"), occurred_on=NOW.date(), created_at=NOW)  # fmt: skip
    factories.make_collection_setup(db, admin, sales)
    return {"sac": sac, "sales": sales, "ana": ana, "bia": bia, "caio": caio}


def test_operators_are_in_call_idle_or_offline_with_the_live_timer(
    db: Database, floor: dict[str, Any], supervisor: User
) -> None:
    board = dashboards.wallboard(db, supervisor)

    by_code = {op.code: op for op in board.operators}
    ana, bia, caio = by_code["OP1"], by_code["OP2"], by_code["OP3"]
    assert (ana.state, ana.entity_name, ana.routine) == (
        "em_ligacao", "Maria Cliente", Routine.TELEMARKETING)  # fmt: skip
    assert ana.elapsed_seconds(board.now) == 420 and ana.over_ideal(board.now)
    assert (bia.state, caio.state) == ("livre", "offline")
    assert bia.since == NOW - timedelta(minutes=56)  # her last call ended then
    assert any("OP1" in alert and "acima do tempo ideal de 5 min" in alert
               for alert in board.alerts)  # fmt: skip


def test_telemarketing_today_counts_statuses_directions_and_the_handle_time(
    db: Database, floor: dict[str, Any], supervisor: User
) -> None:
    tmk = dashboards.wallboard(db, supervisor).telemarketing

    assert tmk is not None
    assert tmk.by_status == {"encerrado": 1, "pendente": 1, "planejado": 1}
    assert (tmk.received, tmk.made) == (2, 1)
    assert tmk.average_handle_seconds == 180.0
    assert tmk.ideal_seconds == 300
    assert tmk.overdue_returns == 1


def test_televendas_funnel_today_and_this_month(
    db: Database, floor: dict[str, Any], supervisor: User
) -> None:
    tlv = dashboards.wallboard(db, supervisor).televendas

    assert tlv is not None
    today, month = tlv.today, tlv.month
    assert (today.calls, today.quotes, today.orders, today.invoiced) == (2, 1, 1, 1)
    assert today.invoiced_amount == Decimal("500.00") and today.average_ticket == Decimal("500.00")
    assert today.conversion_pct == 50.0
    assert (month.invoiced, month.invoiced_amount) == (2, Decimal("800.00"))
    assert tlv.top_operators["code"].to_list() == ["OP3"]


def test_telecobranca_promised_collected_kept_rate_and_queue(
    db: Database, floor: dict[str, Any], supervisor: User
) -> None:
    tlc = dashboards.wallboard(db, supervisor).telecobranca

    assert tlc is not None
    assert tlc.promised_today == Decimal("240.00")
    assert tlc.collected_today == Decimal("150.00")
    assert tlc.kept_rate_pct == 50.0 and tlc.broken_today == 1
    queue = dict(zip(tlc.queue["range"], tlc.queue["debtors"], strict=True))
    assert queue == {"F1": 0, "F2": 1, "F3": 0, "F4": 0}
    assert tlc.recovery.row(0, named=True)["recovered"] == Decimal("120.00")


def test_filters_narrow_to_a_group_and_a_routine(
    db: Database, floor: dict[str, Any], supervisor: User
) -> None:
    board = dashboards.wallboard(
        db, supervisor, WallboardFilter(group_id=floor["sac"], routine=Routine.TELEMARKETING)
    )

    assert [op.code for op in board.operators] == ["OP1", "OP2"]
    assert board.televendas is None and board.telecobranca is None
    sales = dashboards.wallboard(db, supervisor, WallboardFilter(group_id=floor["sales"]))
    assert sales.telemarketing is not None and sales.telemarketing.by_status == {}
    assert [op.code for op in sales.operators] == ["OP3"]


def test_operators_may_not_open_the_wallboard(db: Database, floor: dict[str, Any]) -> None:
    with pytest.raises(Forbidden):
        dashboards.wallboard(db, floor["ana"])


def test_the_timer_is_computed_against_the_call_start_not_the_read_time() -> None:
    state = dashboards.OperatorState(
        1, "OP9", "Zé", "SAC", "em_ligacao", None, Routine.TELEVENDAS, "X",
        datetime(2026, 3, 10, 13, 0, tzinfo=UTC), 300, None,
    )  # fmt: skip

    later = datetime(2026, 3, 10, 13, 5, 1, tzinfo=UTC)
    assert state.elapsed_seconds(later) == 301 and state.over_ideal(later)
