"""Reads of feedback: figures from the daily rollups (dashboard, summary API), verbatims,
the wallboard, a customer's answers. Every read checks the asking user's permission."""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Max, Min, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.models import Department, User
from accounts.roles import Role
from accounts.selectors import staffing_on_duty, user_has_role
from contacts.models import Channel, Customer
from contacts.selectors.data import Page, keyset_desc
from feedback.models import (
    UNHAPPY_AT_OR_BELOW,
    AspectScore,
    DailyRollup,
    Dimension,
    Response,
    Survey,
    SurveyAspect,
)
from feedback.services.rollups import COUNTERS, response_aggregates
from journeys.models import OPEN_Q, Case

VIEW_PERMISSION = "feedback.view_response"
MAX_SPAN_DAYS = 731
WALLBOARD_CAP = 999
GROUPINGS = ("day", "week", "month")
BREAKDOWNS = (Dimension.PRODUCT, Dimension.CHANNEL, Dimension.DEPARTMENT)


def feedback_allowed(*, user: User) -> bool:
    return user.is_authenticated and user.has_perm(VIEW_PERMISSION)


def _require(user: User) -> None:
    if not feedback_allowed(user=user):
        raise PermissionDenied


@dataclass
class Figures:
    """Scores of a set of rollup rows (or live responses)."""

    counters: Mapping[str, Any]
    key: str = ""
    label: str = ""
    start: dt.date | None = None
    target: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def _get(self, name: str) -> int:
        return self.counters.get(name) or 0

    @property
    def responses(self) -> int:
        return self._get("responses")

    @property
    def invitations_sent(self) -> int:
        return self._get("invitations_sent")

    @property
    def response_rate(self) -> float | None:
        sent = self.invitations_sent
        return round(100 * self.responses / sent, 1) if sent else None

    @property
    def nps(self) -> float | None:
        n = self._get("nps_count")
        if not n:
            return None
        return round(100 * (self._get("nps_promoters") - self._get("nps_detractors")) / n, 1)

    @property
    def csat(self) -> float | None:
        """Share of CSAT answers of 4 or 5, in percent."""
        n = self._get("csat_count")
        return round(100 * self._get("csat_satisfied") / n, 1) if n else None

    @property
    def csat_average(self) -> float | None:
        n = self._get("csat_count")
        return round(self._get("csat_sum") / n, 2) if n else None

    @property
    def grade_average(self) -> float | None:
        n = self._get("grade_count")
        return round(self._get("grade_sum") / n, 2) if n else None

    @property
    def aspect_average(self) -> float | None:
        n = self._get("aspect_count")
        return round(self._get("aspect_sum") / n, 2) if n else None

    @property
    def aspect_gap(self) -> float | None:
        avg = self.aspect_average
        if avg is None or self.target is None:
            return None
        return round(avg - self.target, 2)

    @property
    def followup_share(self) -> float | None:
        """Unhappy answers whose follow-up case was resolved within 48 hours, in percent."""
        n = self._get("unhappy")
        return round(100 * self._get("unhappy_resolved_48h") / n, 1) if n else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "responses": self.responses,
            "invitations_sent": self.invitations_sent,
            "response_rate": self.response_rate,
            "nps": self.nps,
            "csat": self.csat,
            "csat_average": self.csat_average,
            "grade_average": self.grade_average,
            "unhappy": self._get("unhappy"),
            "followup_within_48h": self.followup_share,
        }


def _sum(rows: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    total = dict.fromkeys(COUNTERS, 0)
    for row in rows:
        for name in COUNTERS:
            total[name] += row.get(name) or 0
    return total


def _period_start(day: dt.date, group_by: str) -> dt.date:
    if group_by == "week":
        return day - dt.timedelta(days=day.weekday())
    if group_by == "month":
        return day.replace(day=1)
    return day


def _check_range(date_from: dt.date, date_to: dt.date) -> None:
    if date_to < date_from:
        raise ValueError("to is before from")
    if (date_to - date_from).days > MAX_SPAN_DAYS:
        raise ValueError("range too long")


def rollup_periods(
    *, date_from: dt.date, date_to: dt.date, group_by: str = "week"
) -> list[Figures]:
    """The 'all' rollups of the range summed per day, week (Monday) or month; one query."""
    _check_range(date_from, date_to)
    rows = (
        DailyRollup.objects.filter(dimension=Dimension.ALL, date__gte=date_from, date__lte=date_to)
        .order_by("date")
        .values("date", *COUNTERS)
    )
    buckets: dict[dt.date, list[dict[str, Any]]] = {}
    # Every period appears, also one without answers, so charts keep their time axis.
    day = date_from
    while day <= date_to:
        buckets.setdefault(_period_start(day, group_by), [])
        day += dt.timedelta(days=1)
    for row in rows:
        buckets[_period_start(row["date"], group_by)].append(row)
    return [Figures(counters=_sum(items), start=start) for start, items in buckets.items()]


def rollup_breakdown(
    *, dimension: str, date_from: dt.date, date_to: dt.date, limit: int = 20
) -> list[Figures]:
    """Sums per key of one dimension over the range, most answers first; one query."""
    _check_range(date_from, date_to)
    rows = (
        DailyRollup.objects.filter(dimension=dimension, date__gte=date_from, date__lte=date_to)
        .values("key")
        .annotate(label_max=Max("label"), **{name: Sum(name) for name in COUNTERS})
        .order_by("-responses", "key")[:limit]
    )
    channel_labels = dict(Channel.choices)
    result = []
    for row in rows:
        label = row["label_max"] or ""
        if dimension == Dimension.CHANNEL:
            label = str(channel_labels.get(row["key"], row["key"]))
        elif dimension == Dimension.DEPARTMENT and not row["key"]:
            label = _("No case before the answer")
        result.append(Figures(counters=row, key=row["key"], label=label or row["key"]))
    return result


def rollup_aspects(*, date_from: dt.date, date_to: dt.date) -> list[Figures]:
    """Each aspect's average against its target, with the gap; two queries."""
    rows = rollup_breakdown(
        dimension=Dimension.ASPECT, date_from=date_from, date_to=date_to, limit=50
    )
    ids = [int(r.key) for r in rows if r.key.isdigit()]
    aspects = {a.pk: a for a in SurveyAspect.objects.filter(pk__in=ids).select_related("survey")}
    lang = _lang()
    for row in rows:
        aspect = aspects.get(int(row.key)) if row.key.isdigit() else None
        if aspect is not None:
            row.label = aspect.label(lang)
            row.target = float(aspect.target)
            row.extra["survey"] = aspect.survey.name
    return rows


def _lang() -> str:
    return (get_language() or "en")[:2]


@dataclass
class Dashboard:
    date_from: dt.date
    date_to: dt.date
    total: Figures
    periods: list[Figures]
    breakdowns: dict[str, list[Figures]]
    aspects: list[Figures]
    survey: Survey | None


def dashboard_get(*, user: User, weeks: int = 12, today: dt.date | None = None) -> Dashboard:
    """The manager dashboard for the last ``weeks`` weeks, from the rollups only."""
    _require(user)
    today = today or timezone.localdate()
    date_to = today
    date_from = _period_start(today, "week") - dt.timedelta(weeks=weeks - 1)
    periods = rollup_periods(date_from=date_from, date_to=date_to, group_by="week")
    total = Figures(counters=_sum(p.counters for p in periods))
    breakdowns = {
        str(dim): rollup_breakdown(dimension=dim, date_from=date_from, date_to=date_to)
        for dim in BREAKDOWNS
    }
    return Dashboard(
        date_from=date_from,
        date_to=date_to,
        total=total,
        periods=periods,
        breakdowns=breakdowns,
        aspects=rollup_aspects(date_from=date_from, date_to=date_to),
        survey=Survey.objects.filter(is_active=True).first(),
    )


def summary_get(
    *,
    user: User,
    date_from: dt.date,
    date_to: dt.date,
    group_by: str = "week",
    breakdown: str | None = None,
) -> dict[str, Any]:
    """The summary API's content: totals, periods and an optional breakdown."""
    _require(user)
    periods = rollup_periods(date_from=date_from, date_to=date_to, group_by=group_by)
    result: dict[str, Any] = {
        "from": date_from,
        "to": date_to,
        "group_by": group_by,
        "totals": Figures(counters=_sum(p.counters for p in periods)).as_dict(),
        "periods": [{"start": p.start, **p.as_dict()} for p in periods],
        "breakdown": None,
    }
    if breakdown:
        rows = rollup_breakdown(dimension=breakdown, date_from=date_from, date_to=date_to)
        result["breakdown"] = {
            "dimension": breakdown,
            "rows": [{"key": r.key, "label": r.label, **r.as_dict()} for r in rows],
        }
    return result


def figures_live(*, date_from: dt.date, date_to: dt.date, **filters: Any) -> Figures:
    """The same figures computed from the raw answers and invitations (the wallboard's
    today, and the check that rollups are right)."""
    from feedback.models import Invitation
    from feedback.services.rollups import _day_bounds

    start, end = _day_bounds(date_from, date_to)
    counters = Response.objects.filter(
        answered_at__gte=start, answered_at__lt=end, **filters
    ).aggregate(**response_aggregates())
    counters["invitations_sent"] = Invitation.objects.filter(
        sent_at__gte=start, sent_at__lt=end
    ).count()
    return Figures(counters=counters)


def verbatim_list(
    *,
    user: User,
    sentiment: str = "",
    product: str = "",
    channel: str = "",
    unhappy: bool = False,
    cursor: str | None = None,
    limit: int = 20,
) -> Page[Response]:
    """Answers with a comment, newest first, keyset-paginated (index response_verbatim_idx)."""
    _require(user)
    qs: QuerySet[Response] = Response.objects.exclude(comment="").select_related(
        "customer", "followup_case"
    )
    if sentiment:
        qs = qs.filter(sentiment=sentiment)
    if product:
        qs = qs.filter(product_sku=product)
    if channel:
        qs = qs.filter(channel=channel)
    if unhappy:
        qs = qs.filter(is_unhappy=True)
    return keyset_desc(qs, field="answered_at", cursor=cursor, limit=limit)


def _capped(qs: QuerySet[Any], cap: int = WALLBOARD_CAP) -> tuple[int, bool]:
    n = len(qs.values_list("pk", flat=True)[: cap + 1])
    return min(n, cap), n > cap


@dataclass
class QueueRow:
    """One department on the wallboard."""

    department: Department
    waiting: int = 0
    oldest: dt.datetime | None = None
    sla_met: int = 0
    sla_resolved: int = 0
    escalated: int = 0
    agents: int = 0
    at: dt.datetime | None = None

    @property
    def longest_wait(self) -> dt.timedelta | None:
        return self.at - self.oldest if self.oldest and self.at else None

    @property
    def sla_share(self) -> float | None:
        return round(100 * self.sla_met / self.sla_resolved, 1) if self.sla_resolved else None

    @property
    def longest_wait_label(self) -> str:
        return _wait_label(self.longest_wait)


def _wait_label(wait: dt.timedelta | None) -> str:
    from feedback.outcomes import duration_label

    return duration_label(wait.total_seconds() / 60) if wait is not None else "–"


@dataclass
class Wallboard:
    today: Figures
    comments: list[Response]
    queues: list[QueueRow]
    escalated_cases: list[Case]
    exceptions: int
    exceptions_capped: bool
    at: dt.datetime

    def _sum(self, name: str) -> int:
        return sum(getattr(row, name) for row in self.queues)

    @property
    def sla_met(self) -> int:
        return self._sum("sla_met")

    @property
    def sla_resolved(self) -> int:
        return self._sum("sla_resolved")

    @property
    def sla_share(self) -> float | None:
        return round(100 * self.sla_met / self.sla_resolved, 1) if self.sla_resolved else None

    @property
    def waiting(self) -> int:
        return self._sum("waiting")

    @property
    def escalated(self) -> int:
        return self._sum("escalated")

    @property
    def agents(self) -> int:
        return self._sum("agents")

    @property
    def longest_wait(self) -> dt.timedelta | None:
        return max((r.longest_wait for r in self.queues if r.longest_wait), default=None)

    @property
    def longest_wait_label(self) -> str:
        return _wait_label(self.longest_wait)


def wallboard_get(*, user: User, now: dt.datetime | None = None) -> Wallboard:
    """The live queue: per active department the cases waiting for someone and the longest
    wait, SLA attainment of cases resolved today, open escalated cases and the agents
    scheduled this hour; today's scores and comments. A fixed number of queries, each on a
    partial index (queue, resolved, escalated, exception queue)."""
    _require(user)
    now = now or timezone.now()
    today = timezone.localdate(now)
    start = dt.datetime.combine(today, dt.time.min, tzinfo=timezone.get_current_timezone())
    figures = figures_live(date_from=today, date_to=today)
    comments = list(
        Response.objects.exclude(comment="")
        .filter(answered_at__gte=start)
        .select_related("customer")
        .order_by("-answered_at", "-id")[:6]
    )
    departments = list(Department.objects.filter(is_active=True).order_by("name"))
    rows = {d.pk: QueueRow(department=d, at=now) for d in departments}
    waiting = (
        Case.objects.filter(OPEN_Q, owner__isnull=True, department__in=departments)
        .values("department_id")
        .annotate(n=Count("id"), oldest=Min("created_at"))
        .order_by()
    )
    # The loops below read other aggregates into ``item``.
    item: Mapping[str, Any]
    for item in waiting:
        rows[item["department_id"]].waiting = item["n"]
        rows[item["department_id"]].oldest = item["oldest"]
    # Cases resolved today, met when resolved by their resolution due time.
    resolved = (
        Case.objects.filter(resolved_at__gte=start, resolved_at__lte=now)
        .values("department_id")
        .annotate(
            resolved=Count("id"),
            met=Count(
                "id",
                filter=Q(resolution_due__isnull=False, resolved_at__lte=F("resolution_due")),
            ),
        )
        .order_by()
    )
    for item in resolved:
        if item["department_id"] in rows:
            rows[item["department_id"]].sla_resolved = item["resolved"]
            rows[item["department_id"]].sla_met = item["met"]
    escalated = Case.objects.filter(OPEN_Q, escalated_at__isnull=False)
    for item in escalated.values("department_id").annotate(n=Count("id")).order_by():
        if item["department_id"] in rows:
            rows[item["department_id"]].escalated = item["n"]
    for department_id, agents in staffing_on_duty(departments=departments, at=now).items():
        rows[department_id].agents = agents
    exceptions, exceptions_capped = _capped(Case.objects.filter(OPEN_Q, is_exception=True))
    return Wallboard(
        today=figures,
        comments=comments,
        queues=list(rows.values()),
        escalated_cases=list(
            escalated.select_related("department").order_by("-escalated_at", "-id")[:5]
        ),
        exceptions=exceptions,
        exceptions_capped=exceptions_capped,
        at=now,
    )


def response_comments_visible(*, user: User) -> bool:
    """Verbatim comments: for who reads feedback and for the agents following the customer
    up; sales and marketers see scores only."""
    return feedback_allowed(user=user) or user_has_role(user=user, role=Role.AGENT)


def customer_get_for_panel(*, user: User, customer_id: int) -> Customer:
    """The customer for the feedback panel: anyone who may see customers; 404 otherwise."""
    if not user.has_perm("contacts.view_customer"):
        raise Http404
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        raise Http404
    return customer


def customer_responses(*, customer: Customer, limit: int = 10) -> list[Response]:
    return list(
        Response.objects.filter(customer=customer)
        .select_related("survey", "followup_case")
        .order_by("-answered_at", "-id")[:limit]
    )


@dataclass(frozen=True)
class FollowupDetail:
    """What triggered a follow-up case: the answer, its order and its low aspect scores."""

    response: Response
    low_aspects: list[AspectScore]


def case_followup_detail(*, case: Case) -> FollowupDetail | None:
    """The answer that opened ``case`` as its follow-up (None for any other case), with the
    order it was about and the aspects scored at or below the unhappy mark; two queries."""
    response = (
        Response.objects.filter(followup_case=case)
        .select_related("survey", "invitation__order")
        .order_by("answered_at", "id")
        .first()
    )
    if response is None:
        return None
    low = list(
        AspectScore.objects.filter(response=response, score__lte=UNHAPPY_AT_OR_BELOW[response.kind])
        .select_related("aspect")
        .order_by("score", "aspect__order", "aspect_id")
    )
    return FollowupDetail(response=response, low_aspects=low)


def survey_list(*, user: User) -> list[Survey]:
    if not user.has_perm("feedback.view_survey"):
        raise PermissionDenied
    return list(Survey.objects.prefetch_related("aspects"))


def survey_get(*, user: User, survey_id: int) -> Survey:
    if not user.has_perm("feedback.change_survey"):
        raise PermissionDenied
    survey = Survey.objects.filter(pk=survey_id).first()
    if survey is None:
        raise Http404
    return survey
