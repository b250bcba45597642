"""Charts shared by the screens (plotly, pt-BR labels)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go

from ui.kit.formats import money

BAR_BLUE = "#1c64d9"


def count_axis(values: Iterable[float | int]) -> dict[str, Any]:
    """An axis for counts: whole numbers only (plotly ticks small counts at 0.5 steps)."""
    axis: dict[str, Any] = {"tickformat": ",d", "rangemode": "tozero"}
    if max([0, *values]) <= 10:
        axis["dtick"] = 1
    return axis


def bar_chart(labels: Iterable[str], values: Iterable[Decimal]) -> go.Figure:
    """One blue bar per label, its R$ value written on it."""
    values = list(values)
    figure = go.Figure(
        go.Bar(
            x=list(labels),
            y=[float(value) for value in values],
            text=[money(value) for value in values],
            textposition="outside",
            cliponaxis=False,
            marker_color=BAR_BLUE,
            hovertemplate="%{x}<br>%{text}<extra></extra>",
        )
    )
    figure.update_layout(
        height=280,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        separators=",.",
        yaxis={"showticklabels": False, "rangemode": "tozero"},  # each bar shows its R$
    )
    return figure
