"""Suppression: who the segment holds but the campaign must not reach, one rule at a time."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Department
from contacts.models import Channel, ConsentStatus, Direction
from contacts.tests.factories import CustomerFactory, InteractionFactory
from journeys.models import CaseStatus
from journeys.selectors.campaigns import campaign_audience, campaign_audience_counts
from journeys.tests.factories import CampaignFactory, CaseFactory

pytestmark = pytest.mark.django_db


def _consent(customer, channel: str, status: str) -> None:
    from contacts.models import Consent

    Consent.objects.create(
        customer=customer, channel=channel, status=status, changed_at=timezone.now()
    )


def _order(customer, sku: str) -> None:
    from contacts.models import Order

    Order.objects.create(
        customer=customer,
        source="shop",
        external_id=f"{customer.pk}-{sku}",
        product_sku=sku,
        ordered_at=timezone.now() - dt.timedelta(days=30),
    )


def _audience(campaign) -> set[int]:
    return set(campaign_audience(campaign=campaign).values_list("pk", flat=True))


@pytest.fixture
def campaign():
    return CampaignFactory(
        code="winterjas",
        product_skus=["JAS-1", "JAS-2"],
        channels=[Channel.EMAIL, Channel.SMS],
        response_rates={"email": 2, "sms": 1},
    )


def test_customers_who_already_bought_the_product_are_left_out(campaign) -> None:
    keep, bought, other_product = CustomerFactory.create_batch(3)
    _order(bought, "JAS-2")
    _order(other_product, "SCHOEN-9")
    assert _audience(campaign) == {keep.pk, other_product.pk}


def test_customers_with_an_open_complaint_are_left_out(
    campaign, contact_center: Department
) -> None:
    keep, complaining, closed_complaint, open_question = CustomerFactory.create_batch(4)
    CaseFactory(customer=complaining, topic="complaint", department=contact_center)
    CaseFactory(
        customer=closed_complaint,
        topic="complaint",
        status=CaseStatus.CLOSED,
        department=contact_center,
    )
    CaseFactory(customer=open_question, topic="question", department=contact_center)
    assert _audience(campaign) == {keep.pk, closed_complaint.pk, open_question.pk}


def test_customers_opted_out_of_every_campaign_channel_are_left_out(campaign) -> None:
    keep, out_everywhere, out_of_email_only = CustomerFactory.create_batch(3)
    _consent(out_everywhere, Channel.EMAIL, ConsentStatus.OPT_OUT)
    _consent(out_everywhere, Channel.SMS, ConsentStatus.OPT_OUT)
    _consent(out_of_email_only, Channel.EMAIL, ConsentStatus.OPT_OUT)
    assert _audience(campaign) == {keep.pk, out_of_email_only.pk}


def test_customers_contacted_by_another_campaign_within_the_cap_are_left_out(campaign) -> None:
    keep, recent, long_ago, same_campaign, inbound = CustomerFactory.create_batch(5)
    now = timezone.now()
    for customer, days, code, direction in [
        (recent, 3, "zomer", Direction.OUTBOUND),
        (long_ago, 10, "zomer", Direction.OUTBOUND),
        (same_campaign, 1, "winterjas", Direction.OUTBOUND),
        (inbound, 1, "zomer", Direction.INBOUND),
    ]:
        InteractionFactory(
            customer=customer,
            campaign_code=code,
            direction=direction,
            occurred_at=now - dt.timedelta(days=days),
        )
    assert _audience(campaign) == {keep.pk, long_ago.pk, same_campaign.pk, inbound.pk}


def test_the_frequency_cap_is_a_setting(campaign, settings) -> None:
    settings.CAMPAIGN_FREQUENCY_CAP_DAYS = 14
    customer = CustomerFactory()
    InteractionFactory(
        customer=customer,
        campaign_code="zomer",
        direction=Direction.OUTBOUND,
        occurred_at=timezone.now() - dt.timedelta(days=10),
    )
    assert _audience(campaign) == set()


def test_merged_and_erased_customers_are_never_in_the_audience(campaign) -> None:
    keep = CustomerFactory()
    CustomerFactory(merged_into=keep)
    CustomerFactory(erased_at=timezone.now())
    assert _audience(campaign) == {keep.pk}


def test_counts_with_and_without_suppression(campaign) -> None:
    customers = CustomerFactory.create_batch(4)
    _order(customers[0], "JAS-1")
    counts = campaign_audience_counts(campaign=campaign)
    assert (counts.total.value, counts.after_suppression.value) == (4, 3)
    assert not counts.total.capped
    capped = campaign_audience_counts(campaign=campaign, cap=2)
    assert (capped.total.value, capped.total.capped) == (2, True)
