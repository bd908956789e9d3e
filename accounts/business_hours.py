"""Time counted in a department's business hours: its opening ranges, holidays and time zone.

SLA due times are "8 business hours after the customer wrote", so a message that arrives
on Friday evening is due on Monday afternoon, not on Saturday morning.
"""

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field

from .models import Department, Holiday, OpeningHours

# A department without opening hours is treated as always open, so no deadline is infinite.
ALWAYS_OPEN: dict[int, list[tuple[dt.time, dt.time | None]]] = {
    day: [(dt.time(0), None)] for day in range(7)
}
MAX_DAYS = 400


@dataclass(frozen=True)
class BusinessCalendar:
    tz: zoneinfo.ZoneInfo
    # weekday -> sorted [(opens, closes)], closes None meaning midnight.
    ranges: dict[int, list[tuple[dt.time, dt.time | None]]]
    holidays: frozenset[dt.date] = field(default_factory=frozenset)

    def _spans(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """Open periods of ``day`` as aware datetimes in the department's time zone."""
        if day in self.holidays:
            return []
        spans = []
        for opens, closes in self.ranges.get(day.weekday(), []):
            start = dt.datetime.combine(day, opens, tzinfo=self.tz)
            if closes is None:
                end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=self.tz)
            else:
                end = dt.datetime.combine(day, closes, tzinfo=self.tz)
            spans.append((start, end))
        return spans

    def add(self, start: dt.datetime, duration: dt.timedelta) -> dt.datetime:
        """The moment ``duration`` of business time after ``start``."""
        remaining = duration
        local = start.astimezone(self.tz)
        day = local.date()
        for _ in range(MAX_DAYS):
            for span_start, span_end in self._spans(day):
                begin = max(span_start, local)
                if begin >= span_end:
                    continue
                available = span_end - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
            day += dt.timedelta(days=1)
        return local + remaining

    def between(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """Business time between two moments (zero when ``end`` is not after ``start``)."""
        if end <= start:
            return dt.timedelta(0)
        total = dt.timedelta(0)
        local_start = start.astimezone(self.tz)
        local_end = end.astimezone(self.tz)
        day = local_start.date()
        while day <= local_end.date():
            for span_start, span_end in self._spans(day):
                begin, finish = max(span_start, local_start), min(span_end, local_end)
                if finish > begin:
                    total += finish - begin
            day += dt.timedelta(days=1)
        return total

    def is_open(self, moment: dt.datetime) -> bool:
        local = moment.astimezone(self.tz)
        return any(s <= local < e for s, e in self._spans(local.date()))


def business_calendar(*, department: Department) -> BusinessCalendar:
    """Build the calendar of ``department`` with two queries (opening hours, holidays)."""
    ranges: dict[int, list[tuple[dt.time, dt.time | None]]] = {}
    for row in OpeningHours.objects.filter(department=department).order_by("weekday", "opens"):
        ranges.setdefault(row.weekday, []).append((row.opens, row.closes))
    holidays = frozenset(
        Holiday.objects.filter(department=department).values_list("date", flat=True)
    )
    return BusinessCalendar(tz=department.tz, ranges=ranges or dict(ALWAYS_OPEN), holidays=holidays)
