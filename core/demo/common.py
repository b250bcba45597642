"""What the parts of the demo share: the seed of their random draws, how far back the
Telemarketing and Televendas histories go, and the local time zone of the collection days."""

from __future__ import annotations

SEED = 2026
DEMO_HISTORY_DAYS = 120
