"""What the three routines' maintenance lists share (core/listing.py): the filter's checks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from core.access import User
from core.db import Database
from core.errors import Invalid
from core.telecobranca import maintenance as tlc_maintenance
from core.telemarketing import maintenance as tmk_maintenance
from core.televendas import maintenance as tlv_maintenance

LISTS: dict[str, tuple[Callable[..., Any], Callable[..., Any]]] = {
    "telemarketing": (tmk_maintenance.list_attendances, tmk_maintenance.AttendanceFilter),
    "televendas": (tlv_maintenance.list_orders, tlv_maintenance.OrderFilter),
    "telecobranca": (tlc_maintenance.list_attendances, tlc_maintenance.AttendanceFilter),
}


@pytest.mark.parametrize("routine", LISTS)
def test_an_unknown_status_is_refused(db: Database, multi_operator: User, routine: str) -> None:
    listing, filters = LISTS[routine]

    with pytest.raises(Invalid, match="Status inválido"):
        listing(db, multi_operator, filters(status="sumido"))


@pytest.mark.parametrize("routine", LISTS)
def test_a_period_ending_before_it_starts_is_refused(
    db: Database, multi_operator: User, routine: str
) -> None:
    listing, filters = LISTS[routine]

    with pytest.raises(Invalid, match="O período termina antes de começar"):
        listing(db, multi_operator, filters(start=date(2026, 5, 2), end=date(2026, 5, 1)))
