"""Fixtures shared by the core tests: a small hand-built call-center floor whose figures are
known (used by the wallboard and report tests)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from core.access import Routine, User
from core.db import Database
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
