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
from tests.unit.conftest import NOW


def test_operators_are_in_call_idle_or_offline_with_the_live_timer(
    db: Database, floor: dict[str, Any], supervisor: User
) -> None:
    board = dashboards.wallboard(db, supervisor)

    by_code = {op.code: op for op in board.operators}
    ana, bia, caio = by_code["OP1"], by_code["OP2"], by_code["OP3"]
    assert (ana.state, ana.entity_name, ana.routine) == (
        "em_ligacao", "Maria Cliente", Routine.TELEMARKETING)  # fmt: skip
    assert ana.elapsed_seconds(board.now) == 420 and ana.over_ideal(board.now)
    assert (bia.state, caio.state) == ("disponivel", "desconectado")
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


def test_a_supervisor_may_filter_by_every_active_group_and_an_operator_may_not(
    db: Database, floor: dict[str, Any], supervisor: User
) -> None:
    groups = dashboards.group_choices(db, supervisor)

    assert {floor["sac"], floor["sales"]} <= set(groups)
    assert groups[floor["sac"]] == "SAC"
    with pytest.raises(Forbidden):
        dashboards.group_choices(db, floor["ana"])
