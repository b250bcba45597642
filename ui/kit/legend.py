"""The Protheus status legend, drawn one way for every routine: a coloured "● label" in text
and a coloured tag in the lists' status column."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import streamlit as st

HEX = {
    "blue": "#1c64d9",
    "red": "#d32f2f",
    "orange": "#ef6c00",
    "green": "#1f8a3b",
    "brown": "#8d5524",
    "black": "#1e1e1e",
}


@dataclass(frozen=True)
class StatusLegend:
    labels: Mapping[str, str]  # status -> pt-BR label
    colours: Mapping[str, str]  # status -> a HEX colour name
    order: tuple[str, ...]  # as the legend reads

    def badge(self, status: str) -> str:
        """Markdown (HTML for brown, which Streamlit's markdown lacks); black is the text's
        own colour."""
        colour, label = self.colours[status], self.labels[status]
        if colour == "black":
            return f"● {label}"
        if colour == "brown":
            return f"<span style='color:{HEX['brown']}'>● {label}</span>"
        return f":{colour}[● {label}]"

    @property
    def caption(self) -> str:
        return "Legenda: " + " · ".join(self.badge(status) for status in self.order)

    def column(self, width: int) -> Any:
        """The status column: one coloured tag (the list frame wraps the status in a list)."""
        return st.column_config.MultiselectColumn(
            "Status",
            options=list(self.order),
            color=[HEX[self.colours[status]] for status in self.order],
            format_func=self.labels.__getitem__,
            width=width,
        )
