"""The call center's clock: every date a person sees, types or is counted by is a São Paulo date."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("America/Sao_Paulo")


def local_day(moment: datetime) -> date:
    """The São Paulo calendar day of an aware moment."""
    return moment.astimezone(LOCAL_TZ).date()
