"""Reads of journey maps: the stage × channel matrix (planned and measured), customers per
stage, median time in stage, and the SMART goal's measured value."""

import datetime as dt
import statistics
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    F,
    OuterRef,
    QuerySet,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.functional import Promise

from accounts.models import User
from contacts.models import Channel, Direction, Interaction, Order
from journeys.models import Enrollment, GoalMetric, Journey, JourneyStage, StageChange


def journey_list(*, user: User) -> QuerySet[Journey]:
    if not user.has_perm("journeys.view_journey"):
        return Journey.objects.none()
    return Journey.objects.annotate(stage_count=Count("stages")).order_by("name", "id")


def journey_get(*, user: User, journey_id: int) -> Journey:
    if not user.has_perm("journeys.view_journey"):
        raise Http404
    try:
        return Journey.objects.get(pk=journey_id)
    except Journey.DoesNotExist:
        raise Http404 from None


def journey_stage_get(*, journey: Journey, stage_id: int) -> JourneyStage:
    try:
        return JourneyStage.objects.get(journey=journey, pk=stage_id)
    except JourneyStage.DoesNotExist:
        raise Http404 from None


def enrollment_get(*, journey: Journey, customer_id: int) -> Enrollment:
    try:
        return Enrollment.objects.select_related("stage", "customer").get(
            journey=journey, customer_id=customer_id
        )
    except Enrollment.DoesNotExist:
        raise Http404 from None


@dataclass(frozen=True)
class StageRow:
    stage: JourneyStage
    customers_now: int
    median_days: float | None
    planned: list[str]
    used: dict[str, int]


@dataclass(frozen=True)
class JourneyMap:
    journey: Journey
    rows: list[StageRow]
    channels: list[tuple[str, str | Promise]]


def stage_channel_usage(
    *, journey: Journey, now: dt.datetime | None = None
) -> dict[tuple[int, str], int]:
    """Contact moments of enrolled customers per (stage, channel) while they were in that
    stage: one grouped query joining each stay to the interactions between its two times."""
    now = now or timezone.now()
    rows = (
        StageChange.objects.filter(journey=journey)
        .annotate(until=Coalesce("left_at", Value(now, output_field=DateTimeField())))
        .filter(
            customer__interactions__occurred_at__gte=F("entered_at"),
            customer__interactions__occurred_at__lt=F("until"),
        )
        .values("stage_id", "customer__interactions__channel")
        .annotate(n=Count("customer__interactions__id"))
        .order_by()
    )
    return {(r["stage_id"], r["customer__interactions__channel"]): r["n"] for r in rows}


def stage_median_days(*, journey: Journey) -> dict[int, float]:
    """Median length in days of finished stays per stage."""
    durations: dict[int, list[float]] = {}
    stays = StageChange.objects.filter(journey=journey, left_at__isnull=False).values_list(
        "stage_id", "entered_at", "left_at"
    )
    for stage_id, entered, left in stays.iterator(chunk_size=5000):
        if left is not None:
            durations.setdefault(stage_id, []).append((left - entered).total_seconds() / 86400)
    return {stage: statistics.median(values) for stage, values in durations.items()}


def journey_map(*, journey: Journey) -> JourneyMap:
    """Stages in order with customers now, median time, planned and used channels (4 queries)."""
    stages = list(journey.stages.order_by("order", "id"))
    now_counts = dict(
        Enrollment.objects.filter(journey=journey)
        .values_list("stage_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    usage = stage_channel_usage(journey=journey)
    medians = stage_median_days(journey=journey)
    used_channels = {ch for (_s, ch) in usage}
    planned_channels = {ch for s in stages for ch in s.planned_channels}
    channels: list[tuple[str, str | Promise]] = [
        (v, label) for v, label in Channel.choices if v in used_channels | planned_channels
    ]
    rows = [
        StageRow(
            stage=s,
            customers_now=now_counts.get(s.pk, 0),
            median_days=medians.get(s.pk),
            planned=list(s.planned_channels),
            used={ch: usage.get((s.pk, ch), 0) for ch, _l in channels},
        )
        for s in stages
    ]
    return JourneyMap(journey=journey, rows=rows, channels=channels)


@dataclass(frozen=True)
class GoalProgress:
    enrolled: int
    reached: int
    value: Decimal | None  # percentage
    target: Decimal
    met: bool


def journey_goal_progress(*, journey: Journey) -> GoalProgress:
    """The SMART goal measured from data, as a percentage of enrolled customers."""
    enrolled = Enrollment.objects.filter(journey=journey)
    total = enrolled.count()
    if journey.goal_metric == GoalMetric.COMPLETION:
        last = journey.stages.order_by("-order", "-id").values_list("pk", flat=True).first()
        reached = enrolled.filter(stage_id=last).count() if last else 0
    elif journey.goal_metric == GoalMetric.REPEAT_PURCHASE:
        repeat = (
            Order.objects.values("customer_id")
            .annotate(n=Count("id"))
            .filter(n__gte=2)
            .values("customer_id")
        )
        reached = enrolled.filter(customer_id__in=repeat).count()
    else:
        reached = enrolled.filter(
            Exists(
                Interaction.objects.filter(
                    customer_id=OuterRef("customer_id"),
                    direction=Direction.INBOUND,
                    occurred_at__gte=OuterRef("enrolled_at"),
                )
            )
        ).count()
    value = (Decimal(reached * 100) / total).quantize(Decimal("0.1")) if total else None
    return GoalProgress(
        enrolled=total,
        reached=reached,
        value=value,
        target=journey.goal_target,
        met=value is not None and value >= journey.goal_target,
    )


def enrollment_history(*, journey: Journey, customer_id: int, limit: int = 50) -> list[StageChange]:
    return list(
        StageChange.objects.filter(journey=journey, customer_id=customer_id)
        .select_related("stage", "from_stage")
        .order_by("-entered_at", "-id")[:limit]
    )


def enrollment_recent(*, journey: Journey, limit: int = 20) -> list[Enrollment]:
    return list(
        Enrollment.objects.filter(journey=journey)
        .select_related("customer", "stage")
        .order_by("-stage_entered_at", "-id")[:limit]
    )
