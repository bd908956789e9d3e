"""Expected extra contact volume of campaigns against the contact center's staffed capacity.

Per campaign and channel: audience after suppression × expected response rate, spread over
the days after launch by a geometric curve (most replies come in the first days), weights
normalised over the campaign window (at most 28 days). Baseline: the average number of
inbound contact moments on the same weekday over the last four weeks. Capacity: agents on
duty in the contact center per hour of that weekday × contacts an agent handles per hour;
zero on the contact center's holidays.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count
from django.db.models.functions import ExtractIsoWeekDay
from django.utils import timezone

from accounts.business_hours import BusinessCalendar, business_calendar
from accounts.models import Department
from accounts.selectors import capacity_by_hour, department_by_code
from contacts.models import Direction, Interaction
from journeys.models import Campaign

MAX_WINDOW_DAYS = 28
BASELINE_WEEKS = 4


def forecast_decay() -> float:
    """Share of a day's replies that still come the next day (0 < decay ≤ 1)."""
    return float(getattr(settings, "CAMPAIGN_RESPONSE_DECAY", 0.7))


def forecast_weights(*, days: int, decay: float) -> list[float]:
    """Geometric weights decay⁰, decay¹, … normalised to sum to one over ``days``."""
    raw = [decay**i for i in range(max(days, 1))]
    total = sum(raw)
    return [w / total for w in raw]


def campaign_window(*, campaign: Campaign, tz: dt.tzinfo) -> list[dt.date]:
    """The days of the campaign in the contact center's time zone, at most 28."""
    first = timezone.localtime(campaign.launch_at, tz).date()
    last = timezone.localtime(campaign.end_at, tz).date()
    days = min((last - first).days + 1, MAX_WINDOW_DAYS)
    return [first + dt.timedelta(days=i) for i in range(max(days, 1))]


def campaign_expected(
    *, campaign: Campaign, tz: dt.tzinfo, decay: float | None = None
) -> dict[dt.date, dict[str, float]]:
    """Expected contacts per day and channel caused by ``campaign`` (no queries)."""
    audience = campaign.audience_count or 0
    window = campaign_window(campaign=campaign, tz=tz)
    weights = forecast_weights(days=len(window), decay=forecast_decay() if decay is None else decay)
    rates = {ch: float(campaign.response_rates.get(ch) or 0) / 100 for ch in campaign.channels}
    return {
        day: {ch: audience * rate * weight for ch, rate in rates.items()}
        for day, weight in zip(window, weights, strict=True)
    }


@dataclass(frozen=True)
class ForecastContext:
    """What the forecast needs from the database, loaded once per page or task."""

    department: Department | None
    tz: dt.tzinfo
    calendar: BusinessCalendar | None
    baseline_by_weekday: dict[int, float] = field(default_factory=dict)
    capacity_by_weekday: dict[int, int] = field(default_factory=dict)

    def capacity(self, day: dt.date) -> int:
        if self.calendar is not None and day in self.calendar.holidays:
            return 0
        return self.capacity_by_weekday.get(day.weekday(), 0)

    def baseline(self, day: dt.date) -> float:
        return self.baseline_by_weekday.get(day.weekday(), 0.0)

    def is_working_day(self, day: dt.date) -> bool:
        if self.calendar is None:
            return day.weekday() < 5
        return day not in self.calendar.holidays and bool(self.calendar.ranges.get(day.weekday()))

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end``."""
        return sum(
            1
            for i in range(1, (end - start).days + 1)
            if self.is_working_day(start + dt.timedelta(days=i))
        )


def baseline_by_weekday(*, today: dt.date, tz: dt.tzinfo) -> dict[int, float]:
    """Average inbound contact moments per weekday (0 = Monday) over the last four weeks.

    One grouped query over the occurred-at index; days are counted in ``tz``.
    """
    start = dt.datetime.combine(today - dt.timedelta(weeks=BASELINE_WEEKS), dt.time(0), tzinfo=tz)
    end = dt.datetime.combine(today, dt.time(0), tzinfo=tz)
    rows = (
        Interaction.objects.filter(
            direction=Direction.INBOUND, occurred_at__gte=start, occurred_at__lt=end
        )
        .annotate(weekday=ExtractIsoWeekDay("occurred_at", tzinfo=tz))
        .values("weekday")
        .annotate(n=Count("*"))  # COUNT(*) lets the partial inbound index answer alone
        .order_by()
    )
    return {row["weekday"] - 1: row["n"] / BASELINE_WEEKS for row in rows}


def forecast_context_load(*, today: dt.date | None = None) -> ForecastContext:
    """Capacity, holidays and baseline of the contact center (five small queries)."""
    department = department_by_code(code=Department.CONTACT_CENTER)
    if department is None:
        tz = timezone.get_current_timezone()
        return ForecastContext(department=None, tz=tz, calendar=None)
    tz = department.tz
    today = today or timezone.localdate(timezone.now(), tz)
    per_weekday: dict[int, int] = {}
    for (weekday, _hour), contacts in capacity_by_hour(department=department).items():
        per_weekday[weekday] = per_weekday.get(weekday, 0) + contacts
    return ForecastContext(
        department=department,
        tz=tz,
        calendar=business_calendar(department=department),
        baseline_by_weekday=baseline_by_weekday(today=today, tz=tz),
        capacity_by_weekday=per_weekday,
    )


@dataclass(frozen=True)
class ForecastDay:
    day: dt.date
    by_channel: dict[str, float]
    campaign: float
    others: float
    baseline: float
    capacity: int
    # Contacts that arrived while the contact center was closed wait for the next open day.
    carried: float = 0.0

    @property
    def total(self) -> float:
        return self.campaign + self.others + self.baseline + self.carried

    @property
    def closed(self) -> bool:
        return self.capacity == 0

    @property
    def utilisation(self) -> float | None:
        """Expected demand as a share of capacity; None when the contact center is closed."""
        return self.total / self.capacity if self.capacity else None

    @property
    def over(self) -> bool:
        """Campaigns push the demand of an open day over its capacity."""
        campaigns = self.campaign + self.others + self.carried
        return not self.closed and campaigns > 0 and round(self.total) > self.capacity


def campaign_forecast_days(
    *, campaign: Campaign, ctx: ForecastContext, others: Iterable[Campaign] = ()
) -> list[ForecastDay]:
    """Day by day: this campaign per channel, other planned campaigns, baseline, capacity."""
    own = campaign_expected(campaign=campaign, tz=ctx.tz)
    other_load: dict[dt.date, float] = {}
    for other in others:
        if other.pk == campaign.pk:
            continue
        for day, channels in campaign_expected(campaign=other, tz=ctx.tz).items():
            if day in own:
                other_load[day] = other_load.get(day, 0.0) + sum(channels.values())
    days = []
    waiting = 0.0
    for day, channels in own.items():
        row = ForecastDay(
            day=day,
            by_channel=channels,
            campaign=sum(channels.values()),
            others=other_load.get(day, 0.0),
            baseline=ctx.baseline(day),
            capacity=ctx.capacity(day),
            carried=waiting,
        )
        waiting = row.total if row.closed else 0.0
        days.append(row)
    return days


def load_by_day(*, campaigns: Iterable[Campaign], ctx: ForecastContext) -> dict[dt.date, float]:
    """Expected campaign contacts per day, all ``campaigns`` together."""
    load: dict[dt.date, float] = {}
    for campaign in campaigns:
        for day, channels in campaign_expected(campaign=campaign, tz=ctx.tz).items():
            load[day] = load.get(day, 0.0) + sum(channels.values())
    return load


def forecast_summary(*, days: Sequence[ForecastDay]) -> dict[str, object]:
    """Totals for warnings and the API: expected contacts, the peak day, days over capacity."""
    if not days:
        return {"expected": 0, "peak_day": None, "peak": 0, "over_days": []}
    peak = max(days, key=lambda d: d.campaign)
    return {
        "expected": round(sum(d.campaign for d in days)),
        "peak_day": peak.day,
        "peak": round(peak.campaign),
        "peak_capacity": peak.capacity,
        "over_days": [d.day for d in days if d.over],
    }
