"""Bar charts as SVG geometry for server-rendered templates (no script, no inline style)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    width: int
    height: int
    label: str
    value: float | None
    negative: bool


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    baseline: int
    bars: list[Bar]


def bar_chart(
    points: list[tuple[str, float | None]],
    *,
    low: float,
    high: float,
    bar_width: int = 18,
    gap: int = 6,
    height: int = 120,
) -> Chart:
    """Bars from a zero line between ``low`` and ``high`` (NPS runs from −100 to 100); a
    missing value gets no bar but keeps its place on the axis."""
    span = (high - low) or 1
    baseline = round(height * high / span) if low < 0 else height
    bars = []
    for i, (label, value) in enumerate(points):
        x = i * (bar_width + gap)
        if value is None:
            bars.append(Bar(x, baseline, bar_width, 0, label, None, False))
            continue
        clamped = max(low, min(high, value))
        size = (
            round(abs(clamped) * height / span)
            if low < 0
            else round((clamped - low) * height / span)
        )
        y = baseline - size if clamped >= 0 else baseline
        bars.append(Bar(x, y, bar_width, max(size, 1), label, value, clamped < 0))
    width = max(len(points) * (bar_width + gap) - gap, bar_width)
    return Chart(width=width, height=height, baseline=baseline, bars=bars)
