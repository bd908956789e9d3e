"""GET /api/v1/feedback/summary/: figures from the rollups, for holders of
feedback.view_response; clear 400s for bad input."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tests.clients import api_client_for
from feedback.models import SurveyKind
from feedback.services.rollups import rollup_rebuild
from feedback.tests.factories import ResponseFactory, SurveyFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/feedback/summary/"


@pytest.fixture
def manager_api(manager) -> APIClient:
    return api_client_for(manager)


def _answers(n: int, customer) -> None:
    survey = SurveyFactory(kind=SurveyKind.NPS)
    now = timezone.now()
    for i in range(n):
        ResponseFactory(
            invitation__survey=survey,
            invitation__order__customer=customer,
            invitation__sent_at=now - dt.timedelta(days=i % 20, hours=1),
            score=10 if i % 2 else 3,
            channel="email" if i % 3 else "sms",
            answered_at=now - dt.timedelta(days=i % 20),
        )
    today = timezone.localdate()
    rollup_rebuild(date_from=today - dt.timedelta(days=30), date_to=today)


def test_summary_by_week_with_channel_breakdown(manager_api, customer) -> None:
    _answers(10, customer)
    today = timezone.localdate()
    response = manager_api.get(
        URL,
        {
            "from": str(today - dt.timedelta(days=27)),
            "to": str(today),
            "group_by": "week",
            "breakdown": "channel",
        },
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["totals"]["responses"] == 10
    assert body["totals"]["nps"] == 0.0  # five promoters, five detractors
    assert body["totals"]["response_rate"] == 100.0
    assert sum(p["responses"] for p in body["periods"]) == 10
    assert {r["key"] for r in body["breakdown"]["rows"]} == {"email", "sms"}
    assert body["from"] == str(today - dt.timedelta(days=27))


def test_summary_by_month_defaults_and_empty(manager_api) -> None:
    response = manager_api.get(URL, {"group_by": "month"})
    assert response.status_code == 200
    assert response.json()["totals"]["nps"] is None
    assert response.json()["breakdown"] is None


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "yesterday"}, "from"),
        ({"to": "2026-13-40"}, "to"),
        ({"group_by": "year"}, "group_by"),
        ({"breakdown": "colour"}, "breakdown"),
        ({"from": "2026-02-01", "to": "2026-01-01"}, "from"),
        ({"from": "2020-01-01", "to": "2026-01-01"}, "from"),
    ],
)
def test_bad_parameters_are_400_per_field(manager_api, params, field) -> None:
    response = manager_api.get(URL, params)
    assert response.status_code == 400
    assert field in response.json()


def test_integration_without_the_permission_is_403(api_client) -> None:
    assert api_client.get(URL).status_code == 403


def test_anonymous_is_401(db: None) -> None:
    assert APIClient().get(URL).status_code == 401


def test_agent_session_is_403(agent) -> None:
    client = APIClient()
    client.force_authenticate(agent)
    assert client.get(URL).status_code == 403


def test_post_is_405(manager_api) -> None:
    assert manager_api.post(URL, {}, format="json").status_code == 405


@pytest.mark.parametrize("rows", [1, 50])
def test_summary_query_count_does_not_grow(
    rows, manager_api, customer, django_assert_num_queries
) -> None:
    _answers(rows, customer)
    with django_assert_num_queries(5):
        response = manager_api.get(URL, {"breakdown": "product"})
    assert response.status_code == 200


def test_summary_is_in_the_schema(manager_api) -> None:
    response = manager_api.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    text = response.content.decode()
    assert "/api/v1/feedback/summary/" in text
    assert "feedback_summary" in text
