"""A small horizontal bar chart as inline SVG, for the summary card (no plotting library needed).

The chart is plain markup: it shows in a notebook, in a saved notebook and in an exported HTML page
alike, and every label is escaped (a column named ``<script>`` is drawn as that text).

Example:
    >>> svg = bar_chart([("invalid_email · Email", 12), ("invalid_phone · Phone", 3)], title="Problems")
    >>> svg.startswith("<svg") and svg.count("<rect") == 2 and "invalid_email · Email" in svg
    True
"""

from __future__ import annotations

import html
from collections.abc import Sequence

__all__ = ["MAX_BARS", "bar_chart"]

#: Bars drawn at most; the rest are counted in a last line.
MAX_BARS = 12
_LABEL_WIDTH = 230
_BAR_WIDTH = 220
_ROW_HEIGHT = 20
_LABEL_CHARS = 34
_BAR_COLOR = "#ef4444"


def _short(label: str) -> str:
    return label if len(label) <= _LABEL_CHARS else label[: _LABEL_CHARS - 1] + "…"


def bar_chart(bars: Sequence[tuple[str, int]], *, title: str) -> str:
    """An SVG bar per ``(label, count)``, longest first as given, scaled to the largest count.

    Args:
        bars: the labels and their counts, in the order to draw them (at most :data:`MAX_BARS`).
        title: what the chart shows (read by screen readers, shown on hover).

    Returns:
        The ``<svg>`` element, or an empty string when there is nothing to draw.

    Example:
        >>> bar_chart([], title="Problems")
        ''
    """
    if not bars:
        return ""
    esc = html.escape
    drawn = list(bars[:MAX_BARS])
    left = len(bars) - len(drawn)
    peak = max((count for _, count in drawn), default=0) or 1
    height = _ROW_HEIGHT * (len(drawn) + (1 if left else 0)) + 4
    width = _LABEL_WIDTH + _BAR_WIDTH + 60
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' class='bulkprep-chart' role='img' width='{width}' "
        f"height='{height}' viewBox='0 0 {width} {height}' style='font: 12px sans-serif'>"
        f"<title>{esc(title)}</title>"
    ]
    for at, (label, count) in enumerate(drawn):
        y = at * _ROW_HEIGHT + 2
        length = max(1, round(_BAR_WIDTH * count / peak))
        parts.append(
            f"<text x='{_LABEL_WIDTH - 6}' y='{y + 13}' text-anchor='end' fill='currentColor'>"
            f"<title>{esc(label)}</title>{esc(_short(label))}</text>"
            f"<rect x='{_LABEL_WIDTH}' y='{y + 2}' width='{length}' height='{_ROW_HEIGHT - 6}' "
            f"fill='{_BAR_COLOR}' rx='2'></rect>"
            f"<text x='{_LABEL_WIDTH + length + 4}' y='{y + 13}' fill='currentColor'>{count:,}</text>"
        )
    if left:
        y = len(drawn) * _ROW_HEIGHT + 2
        parts.append(
            f"<text x='{_LABEL_WIDTH - 6}' y='{y + 13}' text-anchor='end' fill='currentColor'>"
            f"and {left} more</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
