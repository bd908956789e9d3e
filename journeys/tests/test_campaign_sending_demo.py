"""The demo's live campaign: sent, opened by some, one reply routed and counted; the send
task then sends the rest and the first reminders, and never more than two."""

import datetime as dt
import io

import pytest
from django.utils import timezone

from accounts.models import User
from contacts.models import Channel, ConsentStatus, IdentityKind
from contacts.tests.factories import ConsentFactory, CustomerFactory, IdentityFactory
from journeys import demo_campaign_sending, demo_campaigns
from journeys.models import Campaign, Case
from journeys.selectors.campaign_sending import campaign_send_counts
from journeys.services import campaign_sending as sending

pytestmark = pytest.mark.django_db


def test_the_demo_live_campaign_sends_reminds_and_counts_a_reply(
    marketer: User, manager: User
) -> None:
    for _i in range(25):
        customer = CustomerFactory()
        IdentityFactory(customer=customer, kind=IdentityKind.EMAIL)
        ConsentFactory(customer=customer, channel=Channel.EMAIL, status=ConsentStatus.OPT_IN)
    out = io.StringIO()
    demo_campaigns.load(out=out)
    demo_campaign_sending.load(out=out)
    demo_campaign_sending.load(out=out)
    assert "already there" in out.getvalue()
    campaign = Campaign.objects.get(code=demo_campaign_sending.CODE)
    [message, first, second] = campaign_send_counts(campaign=campaign)
    assert (message.sent, message.opened, message.replied) == (20, 3, 1)
    assert Case.objects.filter(campaign_code=campaign.code).count() == 1
    # The send task: the other five get the message, sixteen the first reminder.
    for campaign_id in sending.campaign_sending_run():
        sending.campaign_batch_send(campaign_id=campaign_id)
    [message, first, second] = campaign_send_counts(campaign=campaign)
    assert (message.sent, first.sent, second.sent) == (25, 16, 0)
    # Later: the reminders of the rest; never more than two per customer.
    later = timezone.now() + dt.timedelta(days=5)
    for campaign_id in sending.campaign_sending_run(now=later):
        sending.campaign_batch_send(campaign_id=campaign_id, now=later)
    for when in (later + dt.timedelta(days=4), later + dt.timedelta(days=30)):
        for campaign_id in sending.campaign_sending_run(now=when):
            sending.campaign_batch_send(campaign_id=campaign_id, now=when)
    counts = campaign_send_counts(campaign=campaign)
    assert [c.sent for c in counts] == [25, 21, 21]
