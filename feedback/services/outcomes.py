"""Outcome rollups: per local day and department, the counts behind the outcomes page.

A rebuild deletes the days of a range and computes them again from the raw rows (contact
moments, cases, transfers, answers) with a fixed number of grouped queries, so running it
twice gives the same rows. Medians come from histograms of minutes that add up over days
and departments: a percentile is the mean of the bucket its rank falls in, exact when that
bucket holds one value and within the bucket's width otherwise.
"""

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from accounts.models import Department
from contacts.models import Direction, FactAskedAgain, Interaction
from feedback.models import OutcomeRollup, Response
from feedback.services.rollups import FOLLOWUP_WINDOW, _day_bounds
from journeys.models import Case, Transfer
from journeys.services.routing import NOT_ROUTED_SOURCES
from journeys.services.sla import EXCEPTION_POLICY

REPEAT_WINDOW = dt.timedelta(days=7)
# Waits change until a case leaves the exception queue or gets its first answer, so the
# beat job rebuilds two weeks; older days stay as they were last computed.
REFRESH_DAYS = 14
# Lower bounds of the histogram buckets, in minutes; the last bucket has no upper bound.
EDGES = (
    0, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 360, 480, 720, 960, 1440, 2160, 2880,
    4320, 5760, 7200, 10080, 14400, 20160,
)  # fmt: skip
COUNTERS = (
    "contacts",
    "asked_again",
    "cases_opened",
    "transfers",
    "cases_transferred_twice",
    "exceptions",
    "unhappy",
    "unhappy_followed_48h",
    "response_decided",
    "response_met",
    "topic_customers",
    "repeat_customers",
)
HISTOGRAMS = ("exception_wait", "first_response")


@dataclass
class Histogram:
    """Counts and sums of minutes per bucket of ``EDGES``."""

    counts: list[int] = field(default_factory=lambda: [0] * len(EDGES))
    sums: list[float] = field(default_factory=lambda: [0.0] * len(EDGES))

    @classmethod
    def load(cls, data: dict[str, Any] | None) -> "Histogram":
        hist = cls()
        if data:
            hist.counts = [int(v) for v in data.get("n", hist.counts)][: len(EDGES)]
            hist.sums = [float(v) for v in data.get("s", hist.sums)][: len(EDGES)]
            hist.counts += [0] * (len(EDGES) - len(hist.counts))
            hist.sums += [0.0] * (len(EDGES) - len(hist.sums))
        return hist

    def dump(self) -> dict[str, Any]:
        return {"n": self.counts, "s": [round(s, 2) for s in self.sums]} if self.total else {}

    @property
    def total(self) -> int:
        return sum(self.counts)

    def add(self, minutes: float) -> None:
        minutes = max(0.0, minutes)
        index = 0
        for i, edge in enumerate(EDGES):
            if minutes >= edge:
                index = i
        self.counts[index] += 1
        self.sums[index] += minutes

    def merge(self, other: "Histogram") -> None:
        for i in range(len(EDGES)):
            self.counts[i] += other.counts[i]
            self.sums[i] += other.sums[i]

    def percentile(self, fraction: float) -> float | None:
        """The value at nearest rank ``ceil(fraction × n)``, as its bucket's mean."""
        n = self.total
        if not n:
            return None
        rank = max(1, math.ceil(fraction * n))
        seen = 0
        for count, total in zip(self.counts, self.sums, strict=True):
            seen += count
            if count and seen >= rank:
                return total / count
        return None


def _department_key(value: int | None, fallback: int | None) -> int | None:
    return value if value is not None else fallback


@transaction.atomic
def outcome_rollup_rebuild(
    *, date_from: dt.date, date_to: dt.date, now: dt.datetime | None = None
) -> int:
    """Recompute the outcome rollups of every day from ``date_from`` to ``date_to``
    (inclusive); returns the number of rows written."""
    if date_to < date_from:
        raise ValueError("date_to is before date_from")
    now = now or timezone.now()
    tz = timezone.get_current_timezone()
    start, end = _day_bounds(date_from, date_to)
    # The contact center is the front door: what no department was named for is its work.
    front_door = (
        Department.objects.filter(code=Department.CONTACT_CENTER)
        .values_list("pk", flat=True)
        .first()
    )
    rows: dict[tuple[dt.date, int | None], dict[str, Any]] = {}

    def slot(day: dt.date, department_id: int | None) -> dict[str, Any]:
        key = (day, _department_key(department_id, front_door))
        if key not in rows:
            rows[key] = {
                **dict.fromkeys(COUNTERS, 0),
                **{name: Histogram() for name in HISTOGRAMS},
            }
        return rows[key]

    # Inbound contact moments from customers (survey answers are not questions).
    inbound = (
        Interaction.objects.filter(
            direction=Direction.INBOUND, occurred_at__gte=start, occurred_at__lt=end
        )
        .exclude(source__in=NOT_ROUTED_SOURCES)
        .annotate(
            day=TruncDate("occurred_at", tzinfo=tz),
            dept=Coalesce(
                "department_id", "case_link__case__department_id", output_field=IntegerField()
            ),
        )
    )
    # Each loop below reads other aggregates into ``item``.
    item: Mapping[str, Any]
    for item in inbound.values("day", "dept").annotate(n=Count("id")).order_by():
        slot(item["day"], item["dept"])["contacts"] += item["n"]

    # The same customer on the same topic within the 7 days before: a repeat contact.
    earlier = Interaction.objects.filter(
        customer_id=OuterRef("customer_id"),
        direction=Direction.INBOUND,
        topic=OuterRef("topic"),
        occurred_at__gte=OuterRef("occurred_at") - REPEAT_WINDOW,
        occurred_at__lte=OuterRef("occurred_at"),
    ).exclude(pk=OuterRef("pk"))
    repeats = (
        inbound.exclude(topic="")
        .annotate(repeat=Exists(earlier))
        .values("day", "dept")
        .annotate(
            customers=Count("customer_id", distinct=True),
            repeat_customers=Count("customer_id", distinct=True, filter=Q(repeat=True)),
        )
        .order_by()
    )
    for item in repeats:
        entry = slot(item["day"], item["dept"])
        entry["topic_customers"] += item["customers"]
        entry["repeat_customers"] += item["repeat_customers"]

    asked = (
        FactAskedAgain.objects.filter(asked_at__gte=start, asked_at__lt=end)
        .annotate(day=TruncDate("asked_at", tzinfo=tz))
        .values("day", "asked_by__department_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for item in asked:
        slot(item["day"], item["asked_by__department_id"])["asked_again"] += item["n"]

    # Cases count for the department that first had them: the first transfer's sender.
    first_department = Coalesce(
        Subquery(
            Transfer.objects.filter(case_id=OuterRef("pk"))
            .order_by("at", "id")
            .values("from_department_id")[:1]
        ),
        "department_id",
        output_field=IntegerField(),
    )
    cases = Case.objects.filter(created_at__gte=start, created_at__lt=end).annotate(
        day=TruncDate("created_at", tzinfo=tz), first_dept=first_department
    )
    response_decided = Q(first_response_due__isnull=False) & (
        Q(first_responded_at__isnull=False) | Q(first_response_due__lt=now)
    )
    grouped = (
        cases.values("day", "first_dept")
        .annotate(
            n=Count("id"),
            decided=Count("id", filter=response_decided),
            met=Count("id", filter=Q(first_responded_at__lte=F("first_response_due"))),
        )
        .order_by()
    )
    for item in grouped:
        entry = slot(item["day"], item["first_dept"])
        entry["cases_opened"] += item["n"]
        entry["response_decided"] += item["decided"]
        entry["response_met"] += item["met"]
    responded = cases.filter(first_responded_at__isnull=False).values_list(
        "day", "first_dept", "created_at", "first_responded_at"
    )
    for day, department_id, created_at, responded_at in responded.iterator(chunk_size=2000):
        if responded_at is None:
            continue
        minutes = (responded_at - created_at).total_seconds() / 60
        slot(day, department_id)["first_response"].add(minutes)

    # The exception queue: a case arrives there when no rule matched (it keeps the queue's
    # SLA policy after a transfer clears the flag) and leaves it at its first transfer,
    # answer or resolution.
    first_transfer_at = Subquery(
        Transfer.objects.filter(case_id=OuterRef("pk")).order_by("at", "id").values("at")[:1]
    )
    exceptions = (
        cases.filter(Q(is_exception=True) | Q(sla_policy__name=EXCEPTION_POLICY))
        .annotate(transferred_at=first_transfer_at)
        .values_list(
            "day",
            "first_dept",
            "created_at",
            "transferred_at",
            "first_responded_at",
            "resolved_at",
            "closed_at",
        )
    )
    for day, department_id, created_at, *exits in exceptions.iterator(chunk_size=2000):
        left = min((moment for moment in exits if moment is not None), default=now)
        entry = slot(day, department_id)
        entry["exceptions"] += 1
        entry["exception_wait"].add((left - created_at).total_seconds() / 60)

    # Hand-offs count for the department that made them, on the day they were made; a case
    # is "transferred more than once" on the day of its second transfer.
    before = Transfer.objects.filter(case_id=OuterRef("case_id")).filter(
        Q(at__lt=OuterRef("at")) | Q(at=OuterRef("at"), id__lt=OuterRef("id"))
    )
    transfers = (
        Transfer.objects.filter(at__gte=start, at__lt=end)
        .annotate(
            day=TruncDate("at", tzinfo=tz),
            earlier=Coalesce(
                Subquery(
                    before.order_by().values("case_id").annotate(n=Count("id")).values("n")[:1],
                    output_field=IntegerField(),
                ),
                Value(0),
            ),
        )
        .values("day", "from_department_id")
        .annotate(n=Count("id"), second=Count("id", filter=Q(earlier=1)))
        .order_by()
    )
    for item in transfers:
        entry = slot(item["day"], item["from_department_id"])
        entry["transfers"] += item["n"]
        entry["cases_transferred_twice"] += item["second"]

    # Unhappy answers, for the department that follows them up.
    followed = Q(followup_case__isnull=False) & (
        Q(followup_case__first_responded_at__lte=F("answered_at") + FOLLOWUP_WINDOW)
        | Q(followup_case__resolved_at__lte=F("answered_at") + FOLLOWUP_WINDOW)
    )
    unhappy = (
        Response.objects.filter(is_unhappy=True, answered_at__gte=start, answered_at__lt=end)
        .annotate(
            day=TruncDate("answered_at", tzinfo=tz),
            dept=Coalesce(
                "followup_case__department_id", "department_id", output_field=IntegerField()
            ),
        )
        .values("day", "dept")
        .annotate(n=Count("id"), followed=Count("id", filter=followed))
        .order_by()
    )
    for item in unhappy:
        entry = slot(item["day"], item["dept"])
        entry["unhappy"] += item["n"]
        entry["unhappy_followed_48h"] += item["followed"]

    OutcomeRollup.objects.filter(date__gte=date_from, date__lte=date_to).delete()
    objects = [
        OutcomeRollup(
            date=day,
            department_id=department_id,
            **{name: values[name] for name in COUNTERS},
            **{name: values[name].dump() for name in HISTOGRAMS},
        )
        for (day, department_id), values in rows.items()
    ]
    OutcomeRollup.objects.bulk_create(objects, batch_size=1000)
    return len(objects)


def outcome_rollup_refresh(*, days: int = REFRESH_DAYS, today: dt.date | None = None) -> int:
    """Rebuild today and the ``days`` days before (waits and first answers still change)."""
    today = today or timezone.localdate()
    return outcome_rollup_rebuild(date_from=today - dt.timedelta(days=days), date_to=today)
