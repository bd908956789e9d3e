"""Daily rollups: a rebuild equals the live computation, and running it twice changes nothing."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from feedback.models import AspectScore, DailyRollup, Dimension, SurveyKind
from feedback.selectors import figures_live, rollup_breakdown, rollup_periods
from feedback.services.responses import answer_is_unhappy
from feedback.services.rollups import rollup_rebuild, rollup_refresh
from feedback.tests.factories import ResponseFactory, SurveyAspectFactory, SurveyFactory
from journeys.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def answers(customer):
    nps = SurveyFactory(kind=SurveyKind.NPS, is_active=True)
    csat = SurveyFactory(kind=SurveyKind.CSAT, is_active=False)
    aspect = SurveyAspectFactory(survey=nps, key="delivery", target=8)
    now = timezone.now()
    made = []
    for days, score, survey, sku in [
        (0, 10, nps, "A"), (0, 3, nps, "A"), (1, 9, nps, "B"), (1, 7, nps, "B"),
        (2, 5, csat, "A"), (2, 2, csat, "B"), (9, 8, nps, "C"),
    ]:  # fmt: skip
        r = ResponseFactory(
            invitation__survey=survey,
            invitation__order__customer=customer,
            invitation__product_sku=sku,
            invitation__sent_at=now - dt.timedelta(days=days, hours=2),
            product_sku=sku,
            score=score,
            is_unhappy=answer_is_unhappy(kind=survey.kind, score=score, comment=""),
            answered_at=now - dt.timedelta(days=days),
        )
        made.append(r)
        if survey == nps:
            AspectScore.objects.create(response=r, aspect=aspect, score=score - 1)
    unhappy = made[1]
    case = CaseFactory(customer=customer, resolved_at=unhappy.answered_at + dt.timedelta(hours=5))
    unhappy.followup_case = case
    unhappy.save()
    return made


def test_rebuild_equals_live_computation(answers) -> None:
    today = timezone.localdate()
    start = today - dt.timedelta(days=13)
    rollup_rebuild(date_from=start, date_to=today)
    from_rollups = rollup_periods(date_from=start, date_to=today, group_by="month")
    summed: dict[str, int] = {}
    for period in from_rollups:
        for name, value in period.counters.items():
            summed[name] = summed.get(name, 0) + value
    live = figures_live(date_from=start, date_to=today)
    for name in ("responses", "nps_count", "nps_promoters", "nps_detractors", "csat_count",
                 "csat_satisfied", "csat_sum", "unhappy", "unhappy_resolved_48h", "invitations_sent"):  # fmt: skip
        assert summed[name] == live.counters[name], name
    assert summed["responses"] == 7
    assert summed["unhappy_resolved_48h"] == 1
    per_day = {p.start: p for p in rollup_periods(date_from=today, date_to=today, group_by="day")}
    assert per_day[today].nps == live_nps_today(today)


def live_nps_today(today: dt.date) -> float | None:
    return figures_live(date_from=today, date_to=today).nps


def test_rebuild_twice_gives_the_same_rows(answers) -> None:
    today = timezone.localdate()
    rollup_rebuild(date_from=today - dt.timedelta(days=13), date_to=today)
    first = sorted(
        DailyRollup.objects.values_list("date", "dimension", "key", "responses", "aspect_sum")
    )
    rollup_rebuild(date_from=today - dt.timedelta(days=13), date_to=today)
    rollup_refresh(today=today)
    second = sorted(
        DailyRollup.objects.values_list("date", "dimension", "key", "responses", "aspect_sum")
    )
    assert first == second


def test_breakdown_by_product_and_aspect(answers) -> None:
    today = timezone.localdate()
    rollup_rebuild(date_from=today - dt.timedelta(days=13), date_to=today)
    rows = {
        r.key: r
        for r in rollup_breakdown(
            dimension=Dimension.PRODUCT, date_from=today - dt.timedelta(days=13), date_to=today
        )
    }
    assert rows["A"].responses == 3 and rows["B"].responses == 3 and rows["C"].responses == 1
    assert rows["A"].invitations_sent == 3
    (aspect,) = rollup_breakdown(
        dimension=Dimension.ASPECT, date_from=today - dt.timedelta(days=13), date_to=today
    )
    assert aspect.counters["aspect_count"] == 5
    assert aspect.counters["aspect_sum"] == (10 + 3 + 9 + 7 + 8) - 5


def test_command_rebuilds_a_range_and_rejects_bad_dates(answers) -> None:
    out = io.StringIO()
    today = timezone.localdate()
    call_command(
        "feedback_rollup",
        "--from",
        str(today - dt.timedelta(days=3)),
        "--to",
        str(today),
        stdout=out,
    )
    assert "rows" in out.getvalue()
    assert DailyRollup.objects.filter(dimension=Dimension.ALL).count() == 3
    with pytest.raises(CommandError):
        call_command("feedback_rollup", "--from", "yesterday")
    with pytest.raises(CommandError):
        call_command("feedback_rollup", "--from", "2026-02-01", "--to", "2026-01-01")


def test_answers_without_a_department_keep_their_place_in_the_breakdown(answers) -> None:
    today = timezone.localdate()
    rollup_rebuild(date_from=today - dt.timedelta(days=13), date_to=today)
    with translation.override("en"):
        rows = rollup_breakdown(
            dimension=Dimension.DEPARTMENT, date_from=today - dt.timedelta(days=13), date_to=today
        )
        assert [(str(r.label), r.responses) for r in rows] == [("No case before the answer", 7)]
