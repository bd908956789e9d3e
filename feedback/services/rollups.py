"""Daily rollups: per local day and slice, the counts the dashboard and the summary API read.

A rebuild deletes the days of a range and computes them again from the raw rows with a
handful of grouped queries, so running it twice gives the same rows.
"""

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Max, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from feedback.models import (
    AspectScore,
    DailyRollup,
    Dimension,
    Invitation,
    Response,
    Sentiment,
    SurveyKind,
)

FOLLOWUP_WINDOW = dt.timedelta(hours=48)
COUNTERS = (
    "invitations_sent",
    "responses",
    "nps_count",
    "nps_promoters",
    "nps_detractors",
    "csat_count",
    "csat_satisfied",
    "csat_sum",
    "grade_count",
    "grade_sum",
    "aspect_count",
    "aspect_sum",
    "positive",
    "neutral",
    "negative",
    "unhappy",
    "unhappy_resolved_48h",
)


def response_aggregates() -> dict[str, Any]:
    """The counters of a set of responses, as aggregate expressions."""
    nps = Q(kind=SurveyKind.NPS)
    csat = Q(kind=SurveyKind.CSAT)
    grade = Q(kind=SurveyKind.GRADE)
    return {
        "responses": Count("id"),
        "nps_count": Count("id", filter=nps),
        "nps_promoters": Count("id", filter=nps & Q(score__gte=9)),
        "nps_detractors": Count("id", filter=nps & Q(score__lte=6)),
        "csat_count": Count("id", filter=csat),
        "csat_satisfied": Count("id", filter=csat & Q(score__gte=4)),
        "csat_sum": Sum("score", filter=csat, default=0),
        "grade_count": Count("id", filter=grade),
        "grade_sum": Sum("score", filter=grade, default=0),
        "positive": Count("id", filter=Q(sentiment=Sentiment.POSITIVE)),
        "neutral": Count("id", filter=Q(sentiment=Sentiment.NEUTRAL)),
        "negative": Count("id", filter=Q(sentiment=Sentiment.NEGATIVE)),
        "unhappy": Count("id", filter=Q(is_unhappy=True)),
        "unhappy_resolved_48h": Count(
            "id",
            filter=Q(
                is_unhappy=True,
                followup_case__resolved_at__isnull=False,
                followup_case__resolved_at__lte=F("answered_at") + FOLLOWUP_WINDOW,
            ),
        ),
    }


def _day_bounds(date_from: dt.date, date_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


# dimension -> (Response field, label expression)
_RESPONSE_SLICES: dict[str, tuple[str | None, Any]] = {
    Dimension.ALL: (None, None),
    Dimension.PRODUCT: ("product_sku", Max("product_name")),
    Dimension.CHANNEL: ("channel", None),
    Dimension.DEPARTMENT: ("department_id", Max("department__name")),
}
_INVITATION_SLICES: dict[str, str | None] = {
    Dimension.ALL: None,
    Dimension.PRODUCT: "product_sku",
    Dimension.CHANNEL: "channel",
}


@transaction.atomic
def rollup_rebuild(*, date_from: dt.date, date_to: dt.date) -> int:
    """Recompute the rollups of every day from ``date_from`` to ``date_to`` (inclusive);
    returns the number of rows written."""
    if date_to < date_from:
        raise ValueError("date_to is before date_from")
    tz = timezone.get_current_timezone()
    start, end = _day_bounds(date_from, date_to)
    rows: dict[tuple[dt.date, str, str], dict[str, Any]] = {}

    def slot(day: dt.date, dimension: str, key: object, label: str = "") -> dict[str, Any]:
        entry = rows.setdefault(
            (day, dimension, "" if key is None else str(key)),
            {"label": ""},
        )
        if label:
            entry["label"] = label
        return entry

    responses = Response.objects.filter(answered_at__gte=start, answered_at__lt=end).annotate(
        day=TruncDate("answered_at", tzinfo=tz)
    )
    for dimension, (field, label_expr) in _RESPONSE_SLICES.items():
        group = ["day"] + ([field] if field else [])
        extra = {"slice_label": label_expr} if label_expr is not None else {}
        qs = responses.values(*group).annotate(**response_aggregates(), **extra).order_by()
        for item in qs:
            # An answer from a customer without a case has no department; it keeps its
            # place (key "") so the department rows add up to all answers.
            key = item.get(field) if field else ""
            entry = slot(item["day"], dimension, key, item.get("slice_label") or "")
            for name in response_aggregates():
                entry[name] = item[name]

    invitations = Invitation.objects.filter(sent_at__gte=start, sent_at__lt=end).annotate(
        day=TruncDate("sent_at", tzinfo=tz)
    )
    for dimension, field in _INVITATION_SLICES.items():
        group = ["day"] + ([field] if field else [])
        for item in invitations.values(*group).annotate(n=Count("id")).order_by():
            key = item.get(field) if field else ""
            slot(item["day"], dimension, key)["invitations_sent"] = item["n"]

    aspects = (
        AspectScore.objects.filter(response__answered_at__gte=start, response__answered_at__lt=end)
        .annotate(day=TruncDate("response__answered_at", tzinfo=tz))
        .values("day", "aspect_id")
        .annotate(n=Count("id"), total=Sum("score"), slice_label=Max("aspect__key"))
        .order_by()
    )
    for item in aspects:
        entry = slot(item["day"], Dimension.ASPECT, item["aspect_id"], item["slice_label"])
        entry["aspect_count"] = item["n"]
        entry["aspect_sum"] = item["total"] or 0

    DailyRollup.objects.filter(date__gte=date_from, date__lte=date_to).delete()
    objects = [
        DailyRollup(
            date=day,
            dimension=dimension,
            key=key[:100],
            label=values.pop("label")[:200],
            **{name: values.get(name, 0) for name in COUNTERS},
        )
        for (day, dimension, key), values in rows.items()
    ]
    DailyRollup.objects.bulk_create(objects, batch_size=1000)
    return len(objects)


def rollup_refresh(*, days: int = 3, today: dt.date | None = None) -> int:
    """Rebuild today and the ``days`` days before: answers arrive today, and follow-up
    cases resolved within 48 hours still change the two days before."""
    today = today or timezone.localdate()
    return rollup_rebuild(date_from=today - dt.timedelta(days=days), date_to=today)
