"""Reads for the managers' pages: routing rules, canned replies, the weekly case report and
reachability (inbound demand by weekday × hour against opening hours and staffing)."""

import datetime as dt
import math
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Max,
    Q,
    QuerySet,
)
from django.db.models.functions import Coalesce, ExtractHour, ExtractIsoWeekDay, TruncWeek
from django.http import Http404
from django.utils import timezone

from accounts.models import Department, OpeningHours, User, Weekday
from accounts.roles import Role
from accounts.selectors import capacity_by_hour, department_list_manageable, user_roles
from contacts.models import Direction, Interaction
from journeys.models import OPEN_Q, CannedReply, Case, Escalation, RoutingRule

MAX_WEEKS = 52
# Bounds that keep one request cheap whatever the size of the tables.
CANNED_LIST_LIMIT = 500
EXCEPTION_COUNT_CAP = 1000
# On databases without percentile_cont the response times are computed in Python from at
# most this many cases; the page says so when the sample was cut.
RESPONSE_SAMPLE_LIMIT = 20_000


# --- Routing rules and canned replies ---------------------------------------------------


def routing_rule_list(*, user: User) -> list[RoutingRule]:
    """All rules in the order they are tried (a short list: tens, not thousands)."""
    if not user.has_perm("journeys.view_routingrule"):
        return []
    return list(
        RoutingRule.objects.select_related("department", "sla_policy").order_by("order", "id")
    )


def routing_rule_get(*, user: User, rule_id: int) -> RoutingRule:
    if not user.has_perm("journeys.view_routingrule"):
        raise Http404
    try:
        return RoutingRule.objects.select_related("department", "sla_policy").get(pk=rule_id)
    except RoutingRule.DoesNotExist:
        raise Http404 from None


def canned_reply_departments(*, user: User) -> QuerySet[Department]:
    """Departments whose canned replies ``user`` manages: a manager their own, an admin all."""
    roles = user_roles(user=user)
    if Role.ADMIN in roles or user.has_perm("journeys.change_cannedreply"):
        return department_list_manageable(user=user)
    return Department.objects.none()


def canned_reply_list(*, user: User) -> list[CannedReply]:
    return list(
        CannedReply.objects.filter(department__in=canned_reply_departments(user=user))
        .select_related("department")
        .order_by("department__name", "language", "title", "id")[:CANNED_LIST_LIMIT]
    )


def canned_reply_get(*, user: User, reply_id: int) -> CannedReply:
    """The reply, or Http404 when it does not exist or belongs to a department ``user``
    does not manage."""
    try:
        return CannedReply.objects.select_related("department").get(
            pk=reply_id, department__in=canned_reply_departments(user=user)
        )
    except CannedReply.DoesNotExist:
        raise Http404 from None


# --- Which departments a manager may report on --------------------------------------------


def report_may_view(*, user: User) -> bool:
    return bool(user_roles(user=user) & {Role.MANAGER, Role.ADMIN})


def report_departments(*, user: User) -> list[Department]:
    """Admins and the managers of the management department see every department; another
    manager sees their own."""
    roles = user_roles(user=user)
    if not roles & {Role.ADMIN, Role.MANAGER}:
        return []
    # Departments are few; one query answers both cases.
    active = list(Department.objects.filter(is_active=True).order_by("name"))
    if Role.ADMIN in roles:
        return active
    own = [d for d in active if d.pk == user.department_id]
    if own and own[0].code == Department.MANAGEMENT:
        return active
    return own


def report_department_pick(
    *, departments: list[Department], code: str | None, default: str | None = None
) -> list[Department]:
    """The departments a report covers: the one named by ``code`` (404 when it is not
    among ``departments``), else ``default`` when available, else all of them."""
    if code:
        for department in departments:
            if department.code == code:
                return [department]
        raise Http404
    if default:
        for department in departments:
            if department.code == default:
                return [department]
    return departments


# --- The weekly case report ------------------------------------------------------------


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


def _share(part: int, whole: int) -> float | None:
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
    transfers_avg: float | None = None
    transfers_max: int | None = None
    exceptions: int = 0
    escalations: int = 0

    @property
    def resolution_share(self) -> float | None:
        return _share(self.resolution_met, self.resolution_decided)

    @property
    def response_share(self) -> float | None:
        return _share(self.response_met, self.response_decided)


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
    weeks: list[dt.date]
    departments: list[DepartmentReport]
    exception_open: int
    exception_open_capped: bool
    exception_oldest: dt.datetime | None
    sample_cut: bool
    chart_width: int


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
        "transfers_avg": Avg("transfer_count"),
        "transfers_max": Max("transfer_count"),
        "exceptions": Count("id", filter=Q(is_exception=True)),
    }
    if postgres:
        seconds = EpochSeconds(_response_interval())
        aggregates["median"] = PercentileCont(seconds, fraction=0.5)
        aggregates["p90"] = PercentileCont(seconds, fraction=0.9)
    grouped = (
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
        row.transfers_avg = values["transfers_avg"]
        row.transfers_max = values["transfers_max"]
        row.exceptions = values["exceptions"]
        if postgres:
            row.response_median_hours = _hours(values["median"])
            row.response_p90_hours = _hours(values["p90"])

    sample_cut = False
    if not postgres:
        sample_cut = _response_times_in_python(rows=rows, ids=ids, start=start, tz=tz)

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
    return CaseReport(
        weeks=mondays,
        departments=reports,
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
        key = (department_id, _week_of(created_at, tz))
        seconds[key].append((responded_at - created_at).total_seconds())
    for key, values in seconds.items():
        row = rows.get(key)
        if row is not None:
            row.response_median_hours = _hours(percentile(values, 0.5))
            row.response_p90_hours = _hours(percentile(values, 0.9))
    return cut


# --- Reachability ----------------------------------------------------------------------


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
        return _share(self.closed_total, self.total)


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
