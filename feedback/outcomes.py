"""Reads for the outcomes page: the seven figures that say whether customers are helped,
each with its weekly trend, from the outcome rollups only (one query for any period)."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Department, User
from feedback.charts import Chart, bar_chart, format_value, week_label
from feedback.models import OutcomeRollup
from feedback.services.outcomes import COUNTERS, HISTOGRAMS, Histogram
from journeys.selectors.reports import report_department_pick, report_departments

MAX_SPAN_DAYS = 371
DEFAULT_WEEKS = 12


@dataclass
class Totals:
    """Counters and histograms of a set of outcome rollup rows."""

    counters: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTERS, 0))
    histograms: dict[str, Histogram] = field(
        default_factory=lambda: {name: Histogram() for name in HISTOGRAMS}
    )

    def add(self, row: dict[str, Any]) -> None:
        for name in COUNTERS:
            self.counters[name] += row.get(name) or 0
        for name in HISTOGRAMS:
            self.histograms[name].merge(Histogram.load(row.get(name)))

    def __getitem__(self, name: str) -> int:
        return self.counters[name]


def _ratio(part: int, whole: int, scale: float = 1) -> float | None:
    return scale * part / whole if whole else None


def duration_label(minutes: float | None) -> str:
    """Minutes as people read them: "25 min", "3.5 h", "2.1 days"."""
    if minutes is None:
        return "–"
    if minutes < 90:
        return _("%(n)s min") % {"n": number_format(round(minutes), decimal_pos=0)}
    hours = minutes / 60
    if hours < 48:
        return _("%(n)s h") % {"n": format_value(hours)}
    return _("%(n)s days") % {"n": format_value(hours / 24)}


def _count(n: int) -> str:
    return number_format(n, force_grouping=True)


@dataclass(frozen=True)
class WeekValue:
    label: str
    start: dt.date
    value: str
    detail: str


@dataclass
class Figure:
    key: str
    title: str
    value: str
    detail: str
    how: str
    chart_caption: str
    chart: Chart
    weeks: list[WeekValue]
    note: str = ""


@dataclass(frozen=True)
class Spec:
    """How one figure is computed from totals: the headline value (a number for the chart),
    its text, and a detail line."""

    key: str
    title: str
    how: str
    chart_caption: str
    number: Callable[[Totals], float | None]
    text: Callable[[Totals], str]
    detail: Callable[[Totals], str]
    low: float = 0
    high: float | None = None
    unit: str = ""
    note: str = ""


def _specs() -> list[Spec]:
    def asked_rate(t: Totals) -> float | None:
        return _ratio(t["asked_again"], t["contacts"], 1000)

    def transfers_per_case(t: Totals) -> float | None:
        return _ratio(t["transfers"], t["cases_opened"])

    def followed_share(t: Totals) -> float | None:
        return _ratio(t["unhappy_followed_48h"], t["unhappy"], 100)

    def sla_share(t: Totals) -> float | None:
        return _ratio(t["response_met"], t["response_decided"], 100)

    def repeat_share(t: Totals) -> float | None:
        return _ratio(t["repeat_customers"], t["topic_customers"], 100)

    def median(name: str) -> Callable[[Totals], float | None]:
        return lambda t: t.histograms[name].percentile(0.5)

    def percent(fn: Callable[[Totals], float | None]) -> Callable[[Totals], str]:
        return lambda t: format_value(fn(t), unit=" %")

    def exception_detail(t: Totals) -> str:
        hist = t.histograms["exception_wait"]
        if not hist.total:
            return _("No contact in the exception queue.")
        return _("Waited: median %(median)s, 90 %% within %(p90)s.") % {
            "median": duration_label(hist.percentile(0.5)),
            "p90": duration_label(hist.percentile(0.9)),
        }

    def response_text(t: Totals) -> str:
        return duration_label(t.histograms["first_response"].percentile(0.5))

    def response_detail(t: Totals) -> str:
        return _("%(share)s answered within the SLA (%(met)s of %(decided)s).") % {
            "share": format_value(sla_share(t), unit=" %"),
            "met": _count(t["response_met"]),
            "decided": _count(t["response_decided"]),
        }

    return [
        Spec(
            key="asked_again",
            title=_("Asked again what we already knew"),
            how=_(
                "Each time an agent records an answer the customer had already given, per "
                "1,000 inbound contact moments of the department."
            ),
            chart_caption=_("Asked again per 1,000 contacts, per week"),
            number=asked_rate,
            text=lambda t: format_value(asked_rate(t)),
            detail=lambda t: (
                _("%(asked)s questions asked again in %(contacts)s contacts.")
                % {"asked": _count(t["asked_again"]), "contacts": _count(t["contacts"])}
            ),
        ),
        Spec(
            key="transfers",
            title=_("Transfers per case"),
            how=_(
                "Hand-offs made by the department, divided by the cases it opened; a case "
                "counts as transferred more than once on the day of its second transfer."
            ),
            chart_caption=_("Transfers per case, per week"),
            number=transfers_per_case,
            text=lambda t: format_value(transfers_per_case(t), decimals=2),
            detail=lambda t: (
                ngettext(
                    "%(transfers)s transfers for %(cases)s cases; %(twice)s case transferred "
                    "more than once.",
                    "%(transfers)s transfers for %(cases)s cases; %(twice)s cases transferred "
                    "more than once.",
                    t["cases_transferred_twice"],
                )
                % {
                    "transfers": _count(t["transfers"]),
                    "cases": _count(t["cases_opened"]),
                    "twice": _count(t["cases_transferred_twice"]),
                }
            ),
        ),
        Spec(
            key="exceptions",
            title=_("Fell into the exception queue"),
            how=_(
                "Cases no routing rule matched, on the day they arrived; the wait runs until "
                "the first transfer, answer or resolution (still waiting: until now)."
            ),
            chart_caption=_("Contacts in the exception queue, per week"),
            number=lambda t: t["exceptions"],
            text=lambda t: _count(t["exceptions"]),
            detail=exception_detail,
        ),
        Spec(
            key="unwarned_campaigns",
            title=_("Contacts about campaigns we were not warned about"),
            how=_(
                "Contact moments that mention a campaign the contact center received no "
                "warning for before its launch."
            ),
            chart_caption=_("Contacts about unannounced campaigns, per week"),
            number=lambda t: 0,
            text=lambda t: "0",
            detail=lambda t: "",
            note=_("Counted once channel replies are tracked."),
        ),
        Spec(
            key="unhappy_followed",
            title=_("Unhappy answers followed up within 48 hours"),
            how=_(
                "Unhappy survey answers whose follow-up case got an answer or was resolved "
                "within 48 hours of the survey answer."
            ),
            chart_caption=_("Followed up within 48 hours (%), per week"),
            number=followed_share,
            text=percent(followed_share),
            detail=lambda t: (
                _("%(done)s of %(all)s unhappy answers.")
                % {"done": _count(t["unhappy_followed_48h"]), "all": _count(t["unhappy"])}
            ),
            high=100,
            unit=" %",
        ),
        Spec(
            key="first_response",
            title=_("Time to first response"),
            how=_(
                "Median clock time from opening a case to its first answer, for cases opened "
                "in the period; within the SLA = answered before the first-response due time "
                "(cases still unanswered past it count as missed)."
            ),
            chart_caption=_("Answered within the SLA (%), per week"),
            number=sla_share,
            text=response_text,
            detail=response_detail,
            high=100,
            unit=" %",
        ),
        Spec(
            key="repeat_contacts",
            title=_("Needed two or more contacts for one question"),
            how=_(
                "One question = one topic: customers who contacted us again on the same "
                "topic within 7 days, as a share of the customers who contacted us on a "
                "topic (counted on each day they came back)."
            ),
            chart_caption=_("Customers who came back on the same topic (%), per week"),
            number=repeat_share,
            text=percent(repeat_share),
            detail=lambda t: (
                _("%(repeat)s of %(all)s customers.")
                % {"repeat": _count(t["repeat_customers"]), "all": _count(t["topic_customers"])}
            ),
            high=100,
            unit=" %",
        ),
    ]


@dataclass
class Outcomes:
    departments: list[Department]
    department: Department | None
    date_from: dt.date
    date_to: dt.date
    figures: list[Figure]
    refreshed_at: dt.datetime | None


def outcome_departments(*, user: User) -> list[Department]:
    """The departments ``user`` may see outcomes of; PermissionDenied when none."""
    departments = report_departments(user=user)
    if not departments:
        raise PermissionDenied
    return departments


def outcomes_period(*, today: dt.date, weeks: int = DEFAULT_WEEKS) -> tuple[dt.date, dt.date]:
    """The default period: the last ``weeks`` ISO weeks, this one last."""
    monday = today - dt.timedelta(days=today.weekday())
    return monday - dt.timedelta(weeks=weeks - 1), today


def outcomes_get(
    *,
    user: User,
    date_from: dt.date,
    date_to: dt.date,
    department_code: str | None = None,
) -> Outcomes:
    """The seven figures for the departments ``user`` may report on (or the one named by
    ``department_code``; 404 when not among them) over the period, each per ISO week.
    Two queries whatever the period and the number of departments."""
    departments = outcome_departments(user=user)
    if date_to < date_from:
        raise ValueError("date_to is before date_from")
    if (date_to - date_from).days > MAX_SPAN_DAYS:
        raise ValueError("period too long")
    chosen = report_department_pick(departments=departments, code=department_code)
    # Rows without a department (none could be named) belong to the all-departments view.
    in_scope = Q(department_id__in=[d.pk for d in chosen])
    if len(chosen) > 1:
        in_scope |= Q(department__isnull=True)
    rows = OutcomeRollup.objects.filter(in_scope, date__gte=date_from, date__lte=date_to)
    first_monday = date_from - dt.timedelta(days=date_from.weekday())
    weeks: dict[dt.date, Totals] = {}
    monday = first_monday
    while monday <= date_to:
        weeks[monday] = Totals()
        monday += dt.timedelta(weeks=1)
    total = Totals()
    refreshed: dt.datetime | None = None
    for row in rows.values("date", "refreshed_at", *COUNTERS, *HISTOGRAMS).order_by():
        day: dt.date = row["date"]
        weeks[day - dt.timedelta(days=day.weekday())].add(row)
        total.add(row)
        refreshed = max(refreshed or row["refreshed_at"], row["refreshed_at"])
    figures = []
    for spec in _specs():
        points = [(week_label(start), spec.number(t)) for start, t in weeks.items()]
        figures.append(
            Figure(
                key=spec.key,
                title=spec.title,
                value=spec.text(total),
                detail=spec.detail(total),
                how=spec.how,
                note=spec.note,
                chart_caption=spec.chart_caption,
                chart=bar_chart(points, low=spec.low, high=spec.high, unit=spec.unit),
                weeks=[
                    WeekValue(
                        label=week_label(start),
                        start=start,
                        value=spec.text(t),
                        detail=spec.detail(t),
                    )
                    for start, t in weeks.items()
                ],
            )
        )
    return Outcomes(
        departments=departments,
        department=chosen[0] if department_code else None,
        date_from=date_from,
        date_to=date_to,
        figures=figures,
        refreshed_at=refreshed,
    )
