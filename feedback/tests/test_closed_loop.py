"""Closed loop: an unhappy answer opens a follow-up case for the contact center, once."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from feedback.models import Response, SurveyKind
from feedback.services.responses import (
    AnswerRefused,
    response_followup_open,
    response_followups_open_missing,
    response_submit,
)
from feedback.tests.factories import SurveyFactory
from feedback.tests.helpers import sent_invitation
from journeys.models import Case

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("kind", "score", "comment", "unhappy"),
    [
        (SurveyKind.NPS, 6, "", True),
        (SurveyKind.NPS, 7, "", False),
        (SurveyKind.CSAT, 2, "", True),
        (SurveyKind.CSAT, 3, "", False),
        (SurveyKind.GRADE, 5, "", True),
        (SurveyKind.GRADE, 6, "", False),
        (SurveyKind.NPS, 9, "Het pakket kwam beschadigd aan, erg teleurgesteld.", True),
    ],
)
def test_unhappy_answer_opens_one_case_for_the_contact_center(
    kind, score, comment, unhappy, customer, kcc, django_capture_on_commit_callbacks, eager_celery
) -> None:
    survey = SurveyFactory(kind=kind)
    invitation, _token = sent_invitation(survey=survey, customer=customer)
    with django_capture_on_commit_callbacks(execute=True):
        answer = response_submit(invitation=invitation, score=score, comment=comment)
    answer.refresh_from_db()
    assert answer.is_unhappy is unhappy
    if not unhappy:
        assert not Case.objects.exists()
        return
    case = Case.objects.get()
    assert answer.followup_case == case
    assert case.department == kcc
    assert case.topic == "feedback"
    assert case.customer == customer
    assert case.origin == answer.interaction
    assert case.resolution_due is not None
    # running the follow-up again (task retry, beat) changes nothing
    assert response_followup_open(response_id=answer.pk) == case
    assert response_followups_open_missing(now=timezone.now() + dt.timedelta(hours=1)) == 0
    assert Case.objects.count() == 1


def test_survey_answer_opens_no_second_case_through_the_router(
    customer, kcc, django_capture_on_commit_callbacks, eager_celery
) -> None:
    survey = SurveyFactory(kind=SurveyKind.NPS)
    _invitation, token = sent_invitation(survey=survey, customer=customer)
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(reverse("survey:answer", kwargs={"token": token}), {"score": "2"})
    assert Case.objects.count() == 1


def test_beat_opens_cases_the_task_missed(
    customer, kcc, django_capture_on_commit_callbacks
) -> None:
    survey = SurveyFactory(kind=SurveyKind.NPS)
    invitation, _token = sent_invitation(survey=survey, customer=customer)
    with django_capture_on_commit_callbacks(execute=False):
        answer = response_submit(invitation=invitation, score=1)
    assert not Case.objects.exists()
    assert response_followups_open_missing(now=timezone.now()) == 0  # still in its grace time
    assert response_followups_open_missing(now=timezone.now() + dt.timedelta(minutes=10)) == 1
    answer.refresh_from_db()
    assert answer.followup_case is not None


def test_service_refuses_a_second_answer(customer) -> None:
    survey = SurveyFactory(kind=SurveyKind.NPS)
    invitation, _token = sent_invitation(survey=survey, customer=customer)
    response_submit(invitation=invitation, score=9)
    with pytest.raises(AnswerRefused) as refused:
        response_submit(invitation=invitation, score=1)
    assert refused.value.reason == "answered"
    assert Response.objects.get().score == 9
