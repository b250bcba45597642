"""What every maintenance list shares: one page of rows with its total, and period filters
given as São Paulo calendar days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import polars as pl

LOCAL_TZ = ZoneInfo("America/Sao_Paulo")
PAGE_SIZE = 50


@dataclass(frozen=True)
class ListPage:
    rows: pl.DataFrame
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def local_midnight(day: date) -> datetime:
    """The start of a São Paulo calendar day (timestamps are stored in UTC)."""
    return datetime.combine(day, datetime.min.time(), tzinfo=LOCAL_TZ)
