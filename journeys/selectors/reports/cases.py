"""The weekly case report: cases per department and ISO week, SLA attainment, response
times, transfers, exceptions and escalations."""

import datetime as dt
import math
import zoneinfo
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
)
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Department
from journeys.models import OPEN_Q, Case, Escalation, Transfer

MAX_WEEKS = 52
EXCEPTION_COUNT_CAP = 1000
# On databases without percentile_cont the response times are computed in Python from at
# most this many cases; the page says so when the sample was cut.
RESPONSE_SAMPLE_LIMIT = 20_000


class PercentileCont(Aggregate):
    """PostgreSQL's ordered-set aggregate ``percentile_cont(f) WITHIN GROUP (ORDER BY x)``."""

    function = "PERCENTILE_CONT"
    name = "PercentileCont"
    output_field = FloatField()
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression: Any, *, fraction: float) -> None:
        # A constant from this module, never user input, so it may be part of the SQL text.
        super().__init__(expression, fraction=float(fraction))


class EpochSeconds(Func):
    template = "EXTRACT(EPOCH FROM %(expressions)s)"
    output_field = FloatField()


def _response_interval() -> ExpressionWrapper:
    return ExpressionWrapper(
        F("first_responded_at") - F("created_at"), output_field=DurationField()
    )


def percentile(values: list[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks, as PostgreSQL's percentile_cont does."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class WeekRow:
    week: dt.date
    created: int = 0
    resolution_met: int = 0
    resolution_decided: int = 0
    response_met: int = 0
    response_decided: int = 0
    response_median_hours: float | None = None
    response_p90_hours: float | None = None
    # Hand-offs made by the department in the week, wherever the case is now.
    transfers_made: int = 0
    exceptions: int = 0
    escalations: int = 0

    @property
    def resolution_share(self) -> float | None:
        return share(self.resolution_met, self.resolution_decided)

    @property
    def response_share(self) -> float | None:
        return share(self.response_met, self.response_decided)

    @property
    def transfers_per_case(self) -> float | None:
        return round(self.transfers_made / self.created, 2) if self.created else None


SUMMED = (
    "created",
    "resolution_met",
    "resolution_decided",
    "response_met",
    "response_decided",
    "transfers_made",
    "exceptions",
    "escalations",
)


def week_rows_sum(rows: list[WeekRow], *, week: dt.date) -> WeekRow:
    """The counts of several rows added up (medians do not add up and stay empty)."""
    total = WeekRow(week=week)
    for row in rows:
        for name in SUMMED:
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return total


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    height: int
    value: float | int | None
    label: str


@dataclass
class DepartmentReport:
    department: Department
    weeks: list[WeekRow]
    created_bars: list[Bar] = field(default_factory=list)
    attainment_bars: list[Bar] = field(default_factory=list)


@dataclass
class CaseReport:
    """Per department and week; ``summary`` has each department's whole period and, when
    there are several, the total of all of them last."""

    weeks: list[dt.date]
    departments: list[DepartmentReport]
    exception_open: int
    exception_open_capped: bool
    exception_oldest: dt.datetime | None
    sample_cut: bool
    chart_width: int
    summary: list[tuple[str, WeekRow]] = field(default_factory=list)


CHART_HEIGHT = 100
BAR_WIDTH = 22
BAR_GAP = 8


def _bars(rows: list[WeekRow], value: str, *, scale_to: float | None = None) -> list[Bar]:
    values = [getattr(row, value) for row in rows]
    top = scale_to or max((v for v in values if v), default=0) or 1
    bars = []
    for i, (row, v) in enumerate(zip(rows, values, strict=True)):
        height = round(CHART_HEIGHT * (v or 0) / top)
        bars.append(
            Bar(
                x=i * (BAR_WIDTH + BAR_GAP),
                y=CHART_HEIGHT - height,
                height=height,
                value=v,
                label=row.week.isoformat(),
            )
        )
    return bars


def report_weeks(*, weeks: int, now: dt.datetime, tz: zoneinfo.ZoneInfo) -> list[dt.date]:
    """The Mondays of the last ``weeks`` ISO weeks, the current one last."""
    today = now.astimezone(tz).date()
    this_monday = today - dt.timedelta(days=today.weekday())
    return [this_monday - dt.timedelta(weeks=weeks - 1 - i) for i in range(weeks)]


def _week_of(moment: dt.datetime, tz: zoneinfo.ZoneInfo) -> dt.date:
    day = moment.astimezone(tz).date()
    return day - dt.timedelta(days=day.weekday())


def case_report(
    *, departments: list[Department], weeks: int = 8, now: dt.datetime | None = None
) -> CaseReport:
    """Cases per department and ISO week, grouped in the database; a fixed number of
    queries whatever the number of cases.

    SLA attainment counts only cases whose outcome is known: done (resolved or closed), or
    past their due time while still open. A case done before its due time met it.
    """
    now = now or timezone.now()
    weeks = max(1, min(weeks, MAX_WEEKS))
    tz = timezone.get_current_timezone()
    mondays = report_weeks(weeks=weeks, now=now, tz=tz)
    start = dt.datetime.combine(mondays[0], dt.time(0), tzinfo=tz)
    ids = [d.pk for d in departments]
    rows: dict[tuple[int, dt.date], WeekRow] = {
        (d.pk, monday): WeekRow(week=monday) for d in departments for monday in mondays
    }
    postgres = connection.vendor == "postgresql"

    done = Coalesce("resolved_at", "closed_at")
    resolution_decided = Q(resolution_due__isnull=False) & (
        Q(resolved_at__isnull=False) | Q(closed_at__isnull=False) | Q(resolution_due__lt=now)
    )
    response_decided = Q(first_response_due__isnull=False) & (
        Q(first_responded_at__isnull=False) | Q(first_response_due__lt=now)
    )
    aggregates: dict[str, Any] = {
        "created": Count("id"),
        "resolution_decided": Count("id", filter=resolution_decided),
        "resolution_met": Count(
            "id", filter=Q(resolution_due__isnull=False, done__lte=F("resolution_due"))
        ),
        "response_decided": Count("id", filter=response_decided),
        "response_met": Count("id", filter=Q(first_responded_at__lte=F("first_response_due"))),
        "exceptions": Count("id", filter=Q(is_exception=True)),
    }
    if postgres:
        seconds = EpochSeconds(_response_interval())
        aggregates["median"] = PercentileCont(seconds, fraction=0.5)
        aggregates["p90"] = PercentileCont(seconds, fraction=0.9)
    # Rows with the aggregates above, whose names the stubs cannot see through **aggregates.
    grouped: QuerySet[Case, Mapping[str, Any]] = (
        Case.objects.filter(department_id__in=ids, created_at__gte=start)
        .alias(done=done)
        .annotate(week=TruncWeek("created_at", tzinfo=tz))
        .values("department_id", "week")
        .annotate(**aggregates)
        .order_by()
    )
    for values in grouped:
        row = rows.get((values["department_id"], _week_of(values["week"], tz)))
        if row is None:
            continue
        row.created = values["created"]
        row.resolution_decided = values["resolution_decided"]
        row.resolution_met = values["resolution_met"]
        row.response_decided = values["response_decided"]
        row.response_met = values["response_met"]
        row.exceptions = values["exceptions"]
        if postgres:
            row.response_median_hours = _hours(values["median"])
            row.response_p90_hours = _hours(values["p90"])

    sample_cut = False
    if not postgres:
        sample_cut = _response_times_in_python(rows=rows, ids=ids, start=start, tz=tz)

    # Transfers count for the department that made them, in the week they were made.
    transfers = (
        Transfer.objects.filter(from_department_id__in=ids, at__gte=start)
        .annotate(week=TruncWeek("at", tzinfo=tz))
        .values("from_department_id", "week")
        .annotate(n=Count("id"))
        .order_by()
    )
    for values in transfers:
        row = rows.get((values["from_department_id"], _week_of(values["week"], tz)))
        if row is not None:
            row.transfers_made = values["n"]

    escalations = (
        Escalation.objects.filter(case__department_id__in=ids, at__gte=start)
        .annotate(week=TruncWeek("at", tzinfo=tz))
        .values("case__department_id", "week")
        .annotate(n=Count("id"))
        .order_by()
    )
    for values in escalations:
        row = rows.get((values["case__department_id"], _week_of(values["week"], tz)))
        if row is not None:
            row.escalations = values["n"]

    # Oldest first on the exception queue's partial index; the count stops at a cap.
    open_exceptions = list(
        Case.objects.filter(OPEN_Q, is_exception=True, department_id__in=ids)
        .order_by("created_at", "id")
        .values_list("created_at", flat=True)[: EXCEPTION_COUNT_CAP + 1]
    )

    reports = []
    for department in departments:
        week_rows = [rows[(department.pk, monday)] for monday in mondays]
        reports.append(
            DepartmentReport(
                department=department,
                weeks=week_rows,
                created_bars=_bars(week_rows, "created"),
                attainment_bars=_bars(week_rows, "resolution_share", scale_to=100),
            )
        )
    summary = [(r.department.name, week_rows_sum(r.weeks, week=mondays[0])) for r in reports]
    if len(summary) > 1:
        summary.append(
            (_("All departments"), week_rows_sum([t for _n, t in summary], week=mondays[0]))
        )
    return CaseReport(
        weeks=mondays,
        departments=reports,
        summary=summary,
        exception_open=min(len(open_exceptions), EXCEPTION_COUNT_CAP),
        exception_open_capped=len(open_exceptions) > EXCEPTION_COUNT_CAP,
        exception_oldest=open_exceptions[0] if open_exceptions else None,
        sample_cut=sample_cut,
        chart_width=weeks * (BAR_WIDTH + BAR_GAP),
    )


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 2)


def _response_times_in_python(
    *,
    rows: dict[tuple[int, dt.date], WeekRow],
    ids: list[int],
    start: dt.datetime,
    tz: zoneinfo.ZoneInfo,
) -> bool:
    """Median and p90 from a bounded sample, for databases without percentile_cont.
    Returns whether the sample was cut at its limit."""
    sample = list(
        Case.objects.filter(
            department_id__in=ids, created_at__gte=start, first_responded_at__isnull=False
        )
        .order_by()
        .values_list("department_id", "created_at", "first_responded_at")[
            : RESPONSE_SAMPLE_LIMIT + 1
        ]
    )
    cut = len(sample) > RESPONSE_SAMPLE_LIMIT
    seconds: dict[tuple[int, dt.date], list[float]] = defaultdict(list)
    for department_id, created_at, responded_at in sample[:RESPONSE_SAMPLE_LIMIT]:
        if responded_at is None:
            continue
        key = (department_id, _week_of(created_at, tz))
        seconds[key].append((responded_at - created_at).total_seconds())
    for key, values in seconds.items():
        row = rows.get(key)
        if row is not None:
            row.response_median_hours = _hours(percentile(values, 0.5))
            row.response_p90_hours = _hours(percentile(values, 0.9))
    return cut
