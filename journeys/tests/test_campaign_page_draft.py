"""The campaign page before and after scheduling: a draft's forecast without warning anyone,
who suppression left out and why, the capacity line, and a form of sendable channels only."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Department, Notification, User
from accounts.tests.factories import StaffingSlotFactory
from contacts.models import Channel, Consent, ConsentStatus, Direction, Order
from contacts.tests.factories import CustomerFactory, InteractionFactory
from journeys.models import CampaignStatus, CampaignWarning
from journeys.selectors.campaigns import campaign_checklist, campaign_forecast
from journeys.tests.factories import CampaignFactory, CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staffed(contact_center: Department) -> Department:
    contact_center.contacts_per_agent_hour = 1
    contact_center.save()
    for weekday in range(7):
        StaffingSlotFactory(department=contact_center, weekday=weekday, hour=9, agents=1)
    return contact_center


def test_a_draft_shows_its_forecast_against_capacity_and_warns_nobody(
    marketer_client: Client, manager: User, staffed: Department
) -> None:
    CustomerFactory.create_batch(10)
    campaign = CampaignFactory(response_rates={"email": 100})

    response = marketer_client.get(reverse("journeys:campaign_detail", args=[campaign.pk]))

    assert response.status_code == 200
    days = response.context["days"]
    assert round(sum(d.campaign for d in days)) == 10
    assert any(d.over for d in days)
    assert 'id="draft-forecast"' in response.text
    assert "10 after suppression, counted now" in response.text
    campaign.refresh_from_db()
    assert (campaign.status, campaign.audience_count) == (CampaignStatus.DRAFT, None)
    assert not Notification.objects.exists()
    assert not CampaignWarning.objects.exists()


def test_a_scheduled_campaign_forecasts_from_the_audience_counted_when_scheduled(
    marketer_client: Client, staffed: Department
) -> None:
    CustomerFactory.create_batch(10)
    campaign = CampaignFactory(
        status=CampaignStatus.SCHEDULED, audience_count=4, response_rates={"email": 100}
    )
    response = marketer_client.get(reverse("journeys:campaign_detail", args=[campaign.pk]))
    assert round(sum(d.campaign for d in response.context["days"])) == 4
    assert 'id="draft-forecast"' not in response.text


def _suppressed_customers(campaign, contact_center: Department) -> None:
    bought, complaining, opted_out, contacted = CustomerFactory.create_batch(4)
    Order.objects.create(
        customer=bought,
        source="shop",
        external_id=f"o-{bought.pk}",
        product_sku="JAS-1",
        ordered_at=timezone.now(),
    )
    CaseFactory(customer=complaining, topic="complaint", department=contact_center)
    Consent.objects.create(
        customer=opted_out,
        channel=Channel.EMAIL,
        status=ConsentStatus.OPT_OUT,
        changed_at=timezone.now(),
    )
    InteractionFactory(
        customer=contacted,
        campaign_code="zomer",
        direction=Direction.OUTBOUND,
        occurred_at=timezone.now() - dt.timedelta(days=1),
    )


def test_the_audience_says_per_rule_who_was_left_out(
    marketer_client: Client, contact_center: Department
) -> None:
    campaign = CampaignFactory(product_skus=["JAS-1"])
    _suppressed_customers(campaign, contact_center)
    CustomerFactory.create_batch(2)

    response = marketer_client.get(
        reverse("journeys:campaign_audience", args=[campaign.pk]), headers={"HX-Request": "true"}
    )

    counts = response.context["counts"]
    assert (counts.total.value, counts.after_suppression.value) == (6, 2)
    assert {s.key: s.count.value for s in counts.suppressed} == {
        "bought": 1,
        "complaint": 1,
        "opted_out": 1,
        "frequency_cap": 1,
    }
    assert '<tr data-rule="opted_out"><th scope="row">Opted out of every channel' in response.text


@pytest.mark.parametrize("customers", [1, 50])
def test_the_audience_takes_the_same_queries_for_1_and_50_customers(
    marketer_client: Client, django_assert_num_queries, customers: int
) -> None:
    campaign = CampaignFactory(product_skus=["JAS-1"])
    CustomerFactory.create_batch(customers)
    url = reverse("journeys:campaign_audience", args=[campaign.pk])
    marketer_client.get(url)
    # user, two permission reads, the campaign, then one capped count each for the
    # segment, the audience after suppression and the four rules; groups (navigation).
    with django_assert_num_queries(8):
        assert marketer_client.get(url, headers={"HX-Request": "true"}).status_code == 200


@pytest.mark.parametrize("customers", [1, 50])
def test_the_draft_page_takes_the_same_queries_for_1_and_50_customers(
    marketer_client: Client, django_assert_num_queries, staffed: Department, customers: int
) -> None:
    campaign = CampaignFactory()
    CustomerFactory.create_batch(customers)
    url = reverse("journeys:campaign_detail", args=[campaign.pk])
    marketer_client.get(url)
    with django_assert_num_queries(11):
        assert marketer_client.get(url).status_code == 200


def test_capacity_is_confirmed_only_when_a_lead_confirmed_it(
    manager: User, staffed: Department
) -> None:
    CustomerFactory.create_batch(10)
    quiet = CampaignFactory(
        status=CampaignStatus.SCHEDULED,
        audience_count=0,
        launch_at=timezone.now() + dt.timedelta(days=90),
    )
    busy = CampaignFactory(
        status=CampaignStatus.SCHEDULED, audience_count=10, response_rates={"email": 100}
    )

    def capacity(campaign):
        items = campaign_checklist(campaign=campaign, days=campaign_forecast(campaign=campaign))
        return next(i for i in items if i.key == "capacity")

    assert (capacity(quiet).ok, capacity(quiet).label) == (
        True,
        "Not over capacity: no confirmation needed",
    )
    assert (capacity(busy).ok, capacity(busy).label) == (False, "Capacity confirmed")
    busy.capacity_confirmed_at, busy.capacity_confirmed_by = timezone.now(), manager
    assert capacity(busy).ok is True
    assert capacity(busy).label == f"Capacity confirmed by {manager}"


def test_the_campaign_form_offers_only_channels_cxcenter_sends_on(
    marketer_client: Client, settings
) -> None:
    response = marketer_client.get(reverse("journeys:campaign_add"))
    channels = [v for v, _label in response.context["form"].fields["channels"].choices]
    assert channels == ["email", "sms", "whatsapp"]
    assert 'data-rate="whatsapp"' in response.text
    assert 'data-rate="phone"' not in response.text
    assert f"Time zone: {settings.TIME_ZONE}" in response.text
    assert 'src="/static/js/campaigns.js"' in response.text


def test_a_channel_cxcenter_cannot_send_on_is_refused(marketer_client: Client) -> None:
    from journeys.tests.factories import SegmentFactory
    from journeys.tests.test_campaign_pages import _form

    segment = SegmentFactory()
    response = marketer_client.post(
        reverse("journeys:campaign_add"), _form(segment.pk, channels=["phone"])
    )
    assert response.status_code == 400
    assert "channels" in response.context["form"].errors
