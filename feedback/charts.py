"""Bar charts as SVG geometry for server-rendered templates: a value axis with labelled
ticks, a label under every bar, the value on every bar, and no script or inline style, so
they work under the CSP and without JavaScript."""

import datetime as dt
import math
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import gettext as _

# Geometry in SVG user units; the SVG scales to its container (viewBox).
LEFT = 44
RIGHT = 8
TOP = 18
BOTTOM = 30
PLOT_HEIGHT = 140
SLOT = 40
BAR_WIDTH = 26
# Above this many bars the value and the label go on every other bar only (the table
# below the chart still has all of them).
DENSE = 16


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: float | None
    value_label: str
    negative: bool
    show_label: bool
    show_value: bool

    @property
    def center(self) -> float:
        return self.x + self.width / 2

    @property
    def value_y(self) -> float:
        """Where the value is written: above a positive bar, below a negative one."""
        return self.y + self.height + 12 if self.negative else self.y - 4


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    baseline: float
    bars: list[Bar]
    ticks: list[Tick]
    unit: str

    @property
    def empty(self) -> bool:
        return all(bar.value is None for bar in self.bars)

    @property
    def middle_x(self) -> float:
        return (self.left + self.right) / 2

    @property
    def middle_y(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def label_y(self) -> float:
        return self.bottom + 16


def week_label(monday: dt.date) -> str:
    """ "wk 47": the ISO week number, as people say it."""
    return _("wk %(week)s") % {"week": monday.isocalendar().week}


def format_value(value: float | None, *, decimals: int = 1, unit: str = "") -> str:
    if value is None:
        return "–"
    if float(value).is_integer():
        decimals = 0
    text = number_format(round(value, decimals), decimal_pos=decimals)
    return f"{text}{unit}"


def _nice_step(span: float, target: int = 4) -> float:
    raw = span / target
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def bar_chart(
    points: list[tuple[str, float | None]],
    *,
    low: float,
    high: float | None = None,
    unit: str = "",
    decimals: int = 1,
) -> Chart:
    """Bars from a zero line between ``low`` and ``high`` (NPS runs from −100 to 100);
    ``high=None`` scales to the largest value. A missing value gets no bar but keeps its
    place and its label on the axis."""
    values = [v for _label, v in points if v is not None]
    if high is None:
        top_value = max([*values, 0])
        step = _nice_step(top_value or 1)
        high = max(step, math.ceil(top_value / step) * step)
    else:
        step = _nice_step(high - low)
    span = (high - low) or 1
    top, bottom = TOP, TOP + PLOT_HEIGHT

    def y_of(value: float) -> float:
        return round(bottom - (value - low) * PLOT_HEIGHT / span, 1)

    baseline = y_of(max(low, min(high, 0)))
    ticks = []
    tick = low
    while tick <= high + step / 1000:
        ticks.append(Tick(y=y_of(tick), label=format_value(tick, decimals=decimals)))
        tick += step
    dense = len(points) > DENSE
    bars = []
    for i, (label, value) in enumerate(points):
        x = LEFT + i * SLOT + (SLOT - BAR_WIDTH) / 2
        visible = not dense or i % 2 == (len(points) - 1) % 2
        text = format_value(value, decimals=decimals, unit=unit)
        if value is None:
            bars.append(Bar(x, baseline, BAR_WIDTH, 0, label, None, text, False, visible, False))
            continue
        clamped = max(low, min(high, value))
        y = y_of(clamped)
        negative = clamped < 0
        upper, lower = (baseline, y) if negative else (y, baseline)
        bars.append(
            Bar(
                x,
                upper,
                BAR_WIDTH,
                max(lower - upper, 1),
                label,
                value,
                text,
                negative,
                visible,
                visible,
            )
        )
    width = LEFT + max(len(points), 1) * SLOT + RIGHT
    return Chart(
        width=width,
        height=bottom + BOTTOM,
        left=LEFT,
        right=width - RIGHT,
        top=top,
        bottom=bottom,
        baseline=baseline,
        bars=bars,
        ticks=ticks,
        unit=unit,
    )
