"""The call timer, pure: elapsed time against the group's ideal conversation time.

Computed from the stored start, never by counting ticks: a background browser tab is throttled
and would fall behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

UNDER_COLOUR = "#1565c0"  # blue: within the group's ideal time
OVER_COLOUR = "#c62828"  # red: over it


@dataclass(frozen=True)
class TimerReading:
    elapsed_seconds: int
    limit_seconds: int

    @property
    def over_limit(self) -> bool:
        return self.elapsed_seconds > self.limit_seconds

    @property
    def colour(self) -> str:
        return OVER_COLOUR if self.over_limit else UNDER_COLOUR

    @property
    def text(self) -> str:
        return format_elapsed(self.elapsed_seconds)


def format_elapsed(seconds: int) -> str:
    """mm:ss, or hh:mm:ss from one hour on."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def read_timer(started_at: datetime, now: datetime, limit_seconds: int) -> TimerReading:
    return TimerReading(max(0, int((now - started_at).total_seconds())), limit_seconds)
