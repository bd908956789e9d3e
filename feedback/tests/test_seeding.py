"""``manage.py seed``: the survey answers part."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import F, Sum

from contacts.models import Customer, Order
from feedback.models import (
    SCALES,
    UNHAPPY_AT_OR_BELOW,
    AspectScore,
    DailyRollup,
    Dimension,
    Invitation,
    InvitationStatus,
    Response,
    Survey,
    SurveyKind,
)
from feedback.tests.factories import SurveyAspectFactory, SurveyFactory
from journeys.models import Case

pytestmark = pytest.mark.django_db


def seed(**options: object) -> str:
    out = StringIO()
    options.setdefault("cases_per_customer", 0)
    call_command("seed", stdout=out, **options)
    return out.getvalue()


def test_seed_invites_delivered_orders_and_answers_about_the_requested_share() -> None:
    output = seed(customers=300, seed=3, responses_per_customer=0.2)

    invited = Invitation.objects.all()
    assert invited.exists()
    assert not invited.filter(order__delivered_at__isnull=True).exists()
    assert not invited.exclude(customer=F("order__customer")).exists()
    assert not invited.exclude(product_sku=F("order__product_sku")).exists()
    assert 0.1 * 300 <= Response.objects.count() <= 0.3 * 300
    assert "\ninvitations" in output and "\nresponses" in output and "\nrollups" in output


def test_seeded_answers_match_their_invitations() -> None:
    seed(customers=300, seed=3, responses_per_customer=0.3)

    answered = Invitation.objects.filter(status=InvitationStatus.ANSWERED)
    assert answered.count() == Response.objects.count()
    responses = Response.objects.all()
    assert not responses.exclude(invitation__status=InvitationStatus.ANSWERED).exists()
    assert not responses.exclude(customer=F("invitation__customer")).exists()
    assert not responses.exclude(answered_at=F("invitation__answered_at")).exists()
    assert not responses.filter(answered_at__lt=F("invitation__sent_at")).exists()
    assert not responses.exclude(language=F("customer__language")).exists()
    low, high = SCALES[SurveyKind.NPS]
    assert not responses.exclude(score__gte=low, score__lte=high).exists()
    assert not AspectScore.objects.exclude(score__gte=low, score__lte=high).exists()
    assert responses.filter(score__gte=9).exists() and responses.filter(score__lte=6).exists()
    assert responses.exclude(comment="").exists()
    assert not Invitation.objects.filter(reminders_sent__gt=2).exists()


def test_seeded_invitations_are_never_due() -> None:
    seed(customers=100, seed=3)

    assert Invitation.objects.exists()
    assert not Invitation.objects.filter(due_at__isnull=False).exists()
    assert not Invitation.objects.filter(status=InvitationStatus.SENT, sent_at=None).exists()


def test_unhappy_answers_get_a_follow_up_case_of_their_customer() -> None:
    seed(customers=300, seed=3, responses_per_customer=0.3)

    unhappy = Response.objects.filter(is_unhappy=True)
    assert unhappy.exists()
    assert not unhappy.filter(followup_case=None).exists()
    assert not Response.objects.filter(is_unhappy=False, followup_case__isnull=False).exists()
    assert not unhappy.exclude(followup_case__customer=F("customer")).exists()
    assert not unhappy.filter(score__gt=UNHAPPY_AT_OR_BELOW[SurveyKind.NPS], comment="").exists()
    assert Case.objects.count() == unhappy.count()
    assert Case.objects.filter(resolved_at__isnull=False).exists()


def test_the_rollups_are_rebuilt_from_the_seeded_answers() -> None:
    seed(customers=200, seed=3, responses_per_customer=0.3)

    totals = DailyRollup.objects.filter(dimension=Dimension.ALL).aggregate(
        responses=Sum("responses"), sent=Sum("invitations_sent"), unhappy=Sum("unhappy")
    )
    assert totals["responses"] == Response.objects.count()
    assert totals["sent"] == Invitation.objects.filter(sent_at__isnull=False).count()
    assert totals["unhappy"] == Response.objects.filter(is_unhappy=True).count()
    assert DailyRollup.objects.filter(dimension=Dimension.PRODUCT).exists()
    assert DailyRollup.objects.filter(dimension=Dimension.ASPECT).exists()


def test_seed_uses_the_active_survey_when_there_is_one() -> None:
    survey = SurveyFactory(kind=SurveyKind.GRADE, is_active=True)
    aspect = SurveyAspectFactory(survey=survey)

    seed(customers=200, seed=3, responses_per_customer=0.3)

    assert Survey.objects.count() == 1
    assert set(Response.objects.values_list("survey", flat=True)) == {survey.pk}
    assert set(Response.objects.values_list("kind", flat=True)) == {SurveyKind.GRADE}
    assert set(AspectScore.objects.values_list("aspect", flat=True)) == {aspect.pk}
    assert not Response.objects.exclude(score__gte=1, score__lte=10).exists()


def test_the_same_seed_gives_the_same_answers() -> None:
    seed(customers=150, seed=9, batch=50)
    first = list(Response.objects.order_by("id").values_list("score", "comment", "channel"))
    Customer.objects.all().delete()

    seed(customers=150, seed=9, batch=50)

    assert first
    assert list(Response.objects.order_by("id").values_list("score", "comment", "channel")) == (
        first
    )


def test_no_answers_when_asked_for_none() -> None:
    seed(customers=50, seed=1, responses_per_customer=0)

    assert Order.objects.exists()
    assert not Invitation.objects.exists()
    assert not Response.objects.exists()


def test_seeding_feedback_again_never_invites_an_order_twice() -> None:
    seed(customers=100, seed=2)
    before = Invitation.objects.count()

    seed(customers=100, seed=2, apps=["feedback"])

    # Only orders left out the first time can be invited now; none of them twice.
    assert Customer.objects.count() == 100
    total = Invitation.objects.count()
    assert total >= before
    assert Invitation.objects.values("order").distinct().count() == total
