"""What the Telemarketing and Telecobrança attendances share: a status the Protheus legend
names, and the two statuses after which the attendance takes no more work."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class AttendanceRecord:
    STATUSES: ClassVar[Mapping[str, str]]  # status -> pt-BR label

    id: int
    version: int
    status: str
    entity_id: int
    entity_name: str

    @property
    def status_label(self) -> str:
        return self.STATUSES[self.status]

    @property
    def is_final(self) -> bool:
        return self.status in {"encerrado", "cancelado"}
