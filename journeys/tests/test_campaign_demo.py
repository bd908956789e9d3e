"""The demo journey map, segment and campaigns load once and make sense."""

import io

import pytest

from accounts.models import Notification, User
from journeys import demo_campaigns
from journeys.models import Campaign, Journey, StageChange

pytestmark = pytest.mark.django_db


def test_demo_campaigns_load_once(marketer: User, manager: User) -> None:
    from contacts.tests.factories import CustomerFactory

    CustomerFactory.create_batch(10)
    out = io.StringIO()
    demo_campaigns.load(out=out)
    demo_campaigns.load(out=out)
    assert "already there" in out.getvalue()
    campaigns = {c.code: c for c in Campaign.objects.all()}
    assert set(campaigns) == {"demo-winterjas", "demo-voorjaar"}
    assert campaigns["demo-winterjas"].short_notice is True
    assert campaigns["demo-voorjaar"].short_notice is False
    assert Notification.objects.filter(recipient=manager, kind="campaign-warning").count() == 2
    journey = Journey.objects.get()
    assert journey.stages.count() == 5
    assert StageChange.objects.filter(journey=journey).count() > 10
