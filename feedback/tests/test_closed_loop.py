"""Closed loop: an unhappy answer opens a follow-up case for the contact center, once."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import OpeningHoursFactory
from feedback.models import Response, SurveyKind
from feedback.services.responses import (
    AnswerRefused,
    response_followup_open,
    response_followups_open_missing,
    response_submit,
)
from feedback.tests.factories import SurveyAspectFactory, SurveyFactory
from feedback.tests.helpers import sent_invitation
from journeys.models import Case, Priority
from journeys.tests.factories import CaseFactory

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


def _unhappy_followup(customer, django_capture_on_commit_callbacks, **answer):
    survey = SurveyFactory(kind=SurveyKind.GRADE)
    aspects = [
        SurveyAspectFactory(survey=survey, key="delivery", label_en="Delivery", order=1),
        SurveyAspectFactory(survey=survey, key="product", label_en="Product", order=2),
        SurveyAspectFactory(survey=survey, key="contact", label_en="Contact", order=3),
    ]
    invitation, _token = sent_invitation(survey=survey, customer=customer)
    scores = {aspects[0].pk: 3, aspects[1].pk: 8, aspects[2].pk: 5}
    with django_capture_on_commit_callbacks(execute=True):
        response = response_submit(invitation=invitation, score=4, aspect_scores=scores, **answer)
    response.refresh_from_db()
    return response


def test_the_follow_up_case_has_high_priority(
    customer, kcc, django_capture_on_commit_callbacks, eager_celery
) -> None:
    response = _unhappy_followup(customer, django_capture_on_commit_callbacks)
    assert response.followup_case.priority == Priority.HIGH


def test_the_follow_up_case_is_due_48_clock_hours_after_the_answer(
    customer, kcc, django_capture_on_commit_callbacks, eager_celery
) -> None:
    # Office hours on weekdays only: 48 business hours would be more than a week away.
    for day in range(5):
        OpeningHoursFactory(department=kcc, weekday=day, opens=dt.time(9), closes=dt.time(17))
    response = _unhappy_followup(customer, django_capture_on_commit_callbacks)
    case = Case.objects.get(pk=response.followup_case_id)
    assert case.resolution_due == response.answered_at + dt.timedelta(hours=48)
    assert case.first_response_due is not None
    assert case.first_response_due <= case.resolution_due


def test_the_case_page_shows_the_order_product_and_low_aspect_scores(
    customer, kcc, agent, agent_client, django_capture_on_commit_callbacks, eager_celery
) -> None:
    response = _unhappy_followup(customer, django_capture_on_commit_callbacks)
    order = response.invitation.order
    order.external_id, order.product_name, order.product_sku = "W-4711", "Regenjas", "RJ-1"
    order.ordered_at = dt.datetime(2026, 3, 14, 10, tzinfo=dt.UTC)
    order.save()
    case = response.followup_case
    page = agent_client.get(reverse("journeys:case", kwargs={"case_id": case.pk})).text
    panel_url = reverse("feedback:case_followup_panel", kwargs={"case_id": case.pk})
    assert f'hx-get="{panel_url}" hx-trigger="load"' in page
    panel = agent_client.get(panel_url, headers={"HX-Request": "true"}).text
    assert "<header" not in panel
    order_text = panel.split('class="followup-order"')[1].split("</dd>")[0]
    assert "W-4711" in order_text and 'datetime="2026-03-14T' in order_text
    assert "Regenjas" in panel and "RJ-1" in panel
    low = panel.split('class="followup-aspects"')[1].split("</ul>")[0]
    assert "Delivery: <strong>3</strong>" in low and "Contact: <strong>5</strong>" in low
    assert "Product" not in low  # an 8 is no low score


def test_a_case_that_no_answer_opened_has_no_follow_up_panel(
    agent_client, agent, kcc, customer
) -> None:
    case = CaseFactory(department=kcc, owner=agent, customer=customer, topic="levering")
    page = agent_client.get(reverse("journeys:case", kwargs={"case_id": case.pk})).text
    assert "/followup/" not in page


def test_the_follow_up_panel_is_404_for_a_case_one_may_not_see(
    member_client, kcc, customer, django_capture_on_commit_callbacks, eager_celery
) -> None:
    response = _unhappy_followup(customer, django_capture_on_commit_callbacks)
    url = reverse("feedback:case_followup_panel", kwargs={"case_id": response.followup_case_id})
    assert member_client.get(url).status_code == 404


@pytest.mark.parametrize("aspects", [1, 20])
def test_the_follow_up_panel_costs_the_same_queries_for_1_and_20_low_aspects(
    aspects,
    customer,
    kcc,
    agent,
    agent_client,
    django_capture_on_commit_callbacks,
    eager_celery,
    django_assert_num_queries,
) -> None:
    survey = SurveyFactory(kind=SurveyKind.GRADE)
    scores = {SurveyAspectFactory(survey=survey).pk: 2 for _ in range(aspects)}
    invitation, _token = sent_invitation(survey=survey, customer=customer)
    with django_capture_on_commit_callbacks(execute=True):
        response = response_submit(invitation=invitation, score=2, aspect_scores=scores)
    response.refresh_from_db()
    url = reverse("feedback:case_followup_panel", kwargs={"case_id": response.followup_case_id})
    agent_client.get(url)  # warm the session
    # user, the case, the answer with its order, the low aspect scores (the session comes
    # from the cache)
    with django_assert_num_queries(4):
        panel = agent_client.get(url).text
    assert panel.count("<li>") == aspects
