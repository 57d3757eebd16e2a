"""Geometry of the dashboard's server-rendered SVG charts, as plain numbers for the templates.

The templates only place what is computed here, so the charts need no JavaScript, print as
they are, and their arithmetic is tested without a browser.
"""
from dataclasses import dataclass, field

# Distinguishable on screen and in grey print; the first is the app's accent.
PALETTE = ("#1d6fb8", "#d9480f", "#2b8a3e", "#7048e8", "#c2255c", "#0b7285", "#e67700", "#495057")


@dataclass
class Line:
    name: str
    colour: str
    points: str  # "x,y x,y ..." for <polyline>
    dots: list = field(default_factory=list)  # (x, y, value) of every known point
    href: str = ""


@dataclass
class LineChart:
    width: int
    height: int
    lines: list[Line]
    x_labels: list[tuple[float, str]]  # (x, text)
    y_grid: list[tuple[float, int]]  # (y, value)
    left: int
    right: float


def stack(counts: list[tuple[str, int]]) -> list[dict]:
    """Segments of a 100%-wide stacked bar: each key's ``start`` and ``width`` in percent."""
    total = sum(count for _key, count in counts)
    segments, start = [], 0.0
    for key, count in counts:
        width = 100 * count / total if total else 0.0
        segments.append({"key": key, "count": count, "start": round(start, 3), "width": round(width, 3)})
        start += width
    return segments


def line_chart(labels: list[str], series: list[dict], width: int = 640, height: int = 240,
               top_value: int = 100) -> LineChart:
    """Lines of ``series`` (``name``, ``values`` with None for a gap, optional ``href``) over
    ``labels``, on a 0..``top_value`` scale."""
    left, right_pad, top, bottom = 50, 28, 12, 30
    plot_width, plot_height = width - left - right_pad, height - top - bottom
    step = plot_width / (len(labels) - 1) if len(labels) > 1 else 0

    def x(index: int) -> float:
        return round(left + (index * step if len(labels) > 1 else plot_width / 2), 1)

    def y(value: float) -> float:
        return round(top + plot_height * (1 - min(max(value, 0), top_value) / top_value), 1)

    lines = []
    for number, item in enumerate(series):
        dots = [(x(i), y(v), v) for i, v in enumerate(item["values"]) if v is not None]
        lines.append(Line(item["name"], PALETTE[number % len(PALETTE)],
                          " ".join(f"{dx},{dy}" for dx, dy, _ in dots), dots, item.get("href", "")))
    grid = [(y(value), value) for value in range(0, top_value + 1, top_value // 4)]
    return LineChart(width, height, lines, [(x(i), label) for i, label in enumerate(labels)], grid,
                     left, left + plot_width)


def sparkline(values: list, width: float, height: float, min_span: float = 10.0) -> dict:
    """A small line of ``values`` (None for a gap) across ``width``, scaled to the values' own
    range but never to less than ``min_span`` (so a change of 0.3 points does not look like a
    leap): ``points`` for <polyline> and ``dots`` (x, y, value) of every known value."""
    known = [value for value in values if value is not None]
    if not known:
        return {"points": "", "dots": []}
    low, high = min(known), max(known)
    if high - low < min_span:
        middle = (low + high) / 2
        low, high = max(middle - min_span / 2, 0), max(middle - min_span / 2, 0) + min_span
    step = width / (len(values) - 1) if len(values) > 1 else 0
    dots = [(round(index * step if len(values) > 1 else width / 2, 1),
             round(height * (1 - (value - low) / (high - low)), 1), value)
            for index, value in enumerate(values) if value is not None]
    return {"points": " ".join(f"{x},{y}" for x, y, _ in dots), "dots": dots}
