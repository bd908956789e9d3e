"""GET /api/v1/campaigns/ and /api/v1/campaigns/{id}/forecast/."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import StaffingSlotFactory
from journeys.models import CampaignStatus
from journeys.tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


def _client(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_marketer_lists_campaigns(marketer: User) -> None:
    campaign = CampaignFactory(code="winter", audience_count=10)
    response = _client(marketer).get(reverse("api-campaigns"))
    assert response.status_code == 200
    row = response.json()["results"][0]
    assert row["id"] == campaign.pk
    assert row["code"] == "winter"
    assert row["status"] == "draft"
    assert row["response_rates"] == {"email": 2.0}


def test_agents_do_not_see_drafts(agent: User) -> None:
    CampaignFactory()
    planned = CampaignFactory(status=CampaignStatus.SCHEDULED)
    response = _client(agent).get(reverse("api-campaigns"))
    assert [r["id"] for r in response.json()["results"]] == [planned.pk]


def test_integrations_and_members_are_refused(api_client: APIClient, member: User) -> None:
    campaign = CampaignFactory()
    assert api_client.get(reverse("api-campaigns")).status_code == 403
    forecast = reverse("api-campaign-forecast", args=[campaign.pk])
    assert api_client.get(forecast).status_code == 403
    assert _client(member).get(reverse("api-campaigns")).status_code == 403
    assert APIClient().get(reverse("api-campaigns")).status_code == 401


def test_post_is_not_allowed(marketer: User) -> None:
    response = _client(marketer).post(reverse("api-campaigns"), {"name": "x"}, format="json")
    assert response.status_code == 405


def test_forecast_day_by_day(marketer: User, contact_center, settings) -> None:
    settings.CAMPAIGN_RESPONSE_DECAY = 0.5
    for weekday in range(7):
        StaffingSlotFactory(department=contact_center, weekday=weekday, hour=9, agents=5)
    start = timezone.now() + dt.timedelta(days=10)
    campaign = CampaignFactory(
        audience_count=700,
        response_rates={"email": 10},
        launch_at=start,
        end_at=start + dt.timedelta(days=2),
    )
    response = _client(marketer).get(reverse("api-campaign-forecast", args=[campaign.pk]))
    assert response.status_code == 200
    body = response.json()
    assert body["expected"] == 70
    assert [d["campaign"] for d in body["days"]][:2] == [40.0, 20.0]
    assert body["days"][0]["capacity"] == 30
    assert body["days"][0]["over_capacity"] is True
    assert body["over_capacity_days"] == [body["days"][0]["date"]]


def test_forecast_of_unknown_or_hidden_campaign_is_404(marketer: User, agent: User) -> None:
    assert _client(marketer).get(reverse("api-campaign-forecast", args=[999999])).status_code == 404
    draft = CampaignFactory()
    assert _client(agent).get(reverse("api-campaign-forecast", args=[draft.pk])).status_code == 404


@pytest.mark.parametrize("rows", [1, 50])
def test_list_queries_do_not_grow(rows: int, marketer: User, django_assert_num_queries) -> None:
    CampaignFactory.create_batch(rows)
    client = _client(marketer)
    client.get(reverse("api-campaigns"))
    with django_assert_num_queries(1):
        assert client.get(reverse("api-campaigns")).status_code == 200


def test_schema_documents_the_campaign_endpoints(marketer: User) -> None:
    response = _client(marketer).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = (
        response.json()["paths"] if response["Content-Type"].startswith("application/json") else {}
    )
    if not paths:
        import yaml

        paths = yaml.safe_load(response.content)["paths"]
    assert "/api/v1/campaigns/" in paths
    assert "/api/v1/campaigns/{id}/forecast/" in paths
