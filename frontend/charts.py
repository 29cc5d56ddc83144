"""Bar charts drawn on the server as SVG: no JavaScript, no chart library, readable without colour.

`bar_chart` turns labelled figures into what `frontend/components/bar_chart.html` draws: one bar
per row, its label above it and its value written beside it, so nothing depends on colour. The
template puts a table with the same figures next to the chart and gives the SVG a text
alternative that lists them.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import count

ROW_HEIGHT = 44
BAR_SPACE = 80  # per cent of the width the longest bar takes; the rest holds its value
_ids = count(1)


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    shown: str  # the value as people read it: "12", "1.234 kr.", "fewer than 10"
    width: float  # per cent of the chart's width
    label_y: int
    bar_y: int
    value_x: float


@dataclass(frozen=True)
class BarChart:
    id: str
    title: str
    column: str  # heading of the value column in the table beside the chart
    bars: list[Bar]
    height: int

    @property
    def description(self) -> str:
        return "; ".join(f"{bar.label}: {bar.shown}" for bar in self.bars)


def bar_chart(
    rows: Iterable[tuple[str, int, str]], *, title: str, column: str, prefix: str = "chart"
) -> BarChart:
    """rows: (label, value, value as shown). Values below zero are drawn as zero."""
    rows = list(rows)
    top = max((max(value, 0) for _, value, _ in rows), default=0) or 1
    bars = []
    for index, (label, value, shown) in enumerate(rows):
        width = round(BAR_SPACE * max(value, 0) / top, 2)
        bars.append(
            Bar(
                label=label,
                value=value,
                shown=shown,
                width=width,
                label_y=index * ROW_HEIGHT + 15,
                bar_y=index * ROW_HEIGHT + 21,
                value_x=round(width + 1.5, 2),
            )
        )
    return BarChart(
        id=f"{prefix}-{next(_ids)}",
        title=title,
        column=column,
        bars=bars,
        height=max(len(bars), 1) * ROW_HEIGHT,
    )
