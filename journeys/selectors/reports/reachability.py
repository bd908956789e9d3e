"""Reachability: inbound demand by weekday × hour against opening hours and staffing."""

import datetime as dt
import math
from dataclasses import dataclass

from django.db.models import (
    Count,
)
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay
from django.utils import timezone

from accounts.models import Department, OpeningHours, Weekday
from accounts.selectors import capacity_by_hour
from contacts.models import Direction, Interaction
from journeys.selectors.reports.cases import MAX_WEEKS, share


@dataclass(frozen=True)
class ReachCell:
    hour: int
    count: int
    is_open: bool
    capacity: int
    level: int

    @property
    def closed_demand(self) -> bool:
        return self.count > 0 and not self.is_open

    @property
    def over_capacity(self) -> bool:
        return self.is_open and self.count > self.capacity


@dataclass(frozen=True)
class ReachRow:
    weekday: int
    label: str
    cells: list[ReachCell]


@dataclass(frozen=True)
class Reachability:
    department: Department
    weeks: int
    start: dt.datetime
    end: dt.datetime
    rows: list[ReachRow]
    total: int
    closed_total: int
    has_opening_hours: bool

    @property
    def closed_share(self) -> float | None:
        return share(self.closed_total, self.total)


def _open_hours(department: Department) -> tuple[set[tuple[int, int]], bool]:
    """(weekday, hour) cells in which ``department`` is open at some moment; holidays are
    left out, the pattern is about an ordinary week. No opening hours at all means always
    open, as in the business calendar."""
    ranges = list(
        OpeningHours.objects.filter(department=department).values_list("weekday", "opens", "closes")
    )
    if not ranges:
        return {(day, hour) for day in range(7) for hour in range(24)}, False
    cells = set()
    for weekday, opens, closes in ranges:
        begin = opens.hour * 60 + opens.minute
        end = closes.hour * 60 + closes.minute
        for hour in range(24):
            if begin < (hour + 1) * 60 and end > hour * 60:
                cells.add((weekday, hour))
    return cells, True


def reachability(
    *, department: Department, weeks: int = 4, now: dt.datetime | None = None
) -> Reachability:
    """Inbound contact moments of the last ``weeks`` whole weeks (up to the start of today
    in the department's time zone, so each weekday counts ``weeks`` times) by weekday × hour,
    against the department's opening hours and staffed capacity.

    The contact center is the front door, so it faces every inbound contact; another
    department faces those recorded for it.
    """
    now = now or timezone.now()
    weeks = max(1, min(weeks, MAX_WEEKS))
    tz = department.tz
    end = dt.datetime.combine(now.astimezone(tz).date(), dt.time(0), tzinfo=tz)
    start = end - dt.timedelta(weeks=weeks)
    inbound = Interaction.objects.filter(
        direction=Direction.INBOUND, occurred_at__gte=start, occurred_at__lt=end
    )
    if department.code != Department.CONTACT_CENTER:
        inbound = inbound.filter(department=department)
    counts: dict[tuple[int, int], int] = {
        (values["day"] - 1, values["hour"]): values["n"]
        for values in inbound.annotate(
            day=ExtractIsoWeekDay("occurred_at", tzinfo=tz),
            hour=ExtractHour("occurred_at", tzinfo=tz),
        )
        .values("day", "hour")
        .annotate(n=Count("id"))
        .order_by()
    }
    open_cells, has_hours = _open_hours(department)
    capacity = capacity_by_hour(department=department)
    top = max(counts.values(), default=0)
    rows = []
    total = closed = 0
    for day in Weekday:
        cells = []
        for hour in range(24):
            count = counts.get((day.value, hour), 0)
            is_open = (day.value, hour) in open_cells
            total += count
            if not is_open:
                closed += count
            cells.append(
                ReachCell(
                    hour=hour,
                    count=count,
                    is_open=is_open,
                    capacity=capacity.get((day.value, hour), 0) * weeks,
                    level=math.ceil(4 * count / top) if count else 0,
                )
            )
        rows.append(ReachRow(weekday=day.value, label=str(day.label), cells=cells))
    return Reachability(
        department=department,
        weeks=weeks,
        start=start,
        end=end,
        rows=rows,
        total=total,
        closed_total=closed,
        has_opening_hours=has_hours,
    )
