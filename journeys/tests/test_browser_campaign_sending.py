"""Real headless Chromium: a marketer opens a live campaign and sees its send and reply
counts per step load into the campaign page."""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import Department
from accounts.roles import Role
from accounts.tests.factories import DepartmentFactory, UserFactory
from contacts.models import Channel, DeliveryStatus, Direction, IdentityKind, Interaction
from contacts.services.interactions import interaction_record
from contacts.tests.factories import CustomerFactory, IdentityFactory
from journeys.models import CampaignStatus
from journeys.services import campaign_sending as sending
from journeys.tests.factories import CampaignFactory
from journeys.tests.test_browser_campaign import _sign_in

pytestmark = pytest.mark.browser


def test_marketer_sees_the_send_counts_of_a_live_campaign(live_server, page: Page) -> None:
    marketing = DepartmentFactory(code=Department.MARKETING, name="Marketing")
    mila = UserFactory(username="mila", department=marketing, roles=[Role.MARKETER], language="en")
    now = timezone.now()
    campaign = CampaignFactory(
        name="Najaarsuitverkoop",
        owner=mila,
        status=CampaignStatus.LIVE,
        launch_at=now - dt.timedelta(hours=2),
        end_at=now + dt.timedelta(days=10),
        acknowledged_at=now - dt.timedelta(days=2),
        message_body="Beste {name}, tot 40% korting.",
        reminder_1_days=3,
        reminder_1_body="Nog even, {first_name}.",
    )
    customers = [CustomerFactory() for _i in range(6)]
    for customer in customers:
        IdentityFactory(customer=customer, kind=IdentityKind.EMAIL)
    sending.campaign_recipients_plan(campaign=campaign)
    sending.campaign_batch_send(campaign_id=campaign.pk)
    mails = Interaction.objects.filter(campaign_code=campaign.code).order_by("pk")
    Interaction.objects.filter(pk__in=[m.pk for m in mails[:4]]).update(
        delivery_status=DeliveryStatus.DELIVERED
    )
    Interaction.objects.filter(pk=mails[0].pk).update(delivery_status=DeliveryStatus.READ)
    interaction_record(
        customer=customers[1],
        channel=Channel.EMAIL,
        direction=Direction.INBOUND,
        occurred_at=timezone.now(),
        body="Geldt dit ook in de winkel?",
    )

    page.set_viewport_size({"width": 1440, "height": 900})
    _sign_in(page, live_server.url, "mila")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Campaigns").click()
    page.get_by_role("link", name="Najaarsuitverkoop").click()
    section = page.locator("#campaign-sending")
    expect(section.get_by_role("heading", name="Sending and replies")).to_be_visible()
    row = section.locator('tr[data-step="0"]')
    expect(row.get_by_role("rowheader")).to_have_text("Campaign message")
    expect(row.locator("td.sent")).to_have_text("6")
    expect(row.locator("td.replied")).to_have_text("1")
    expect(section.locator('tr[data-step="1"]').get_by_role("rowheader")).to_have_text("Reminder 1")
    section.scroll_into_view_if_needed()
    Path("test-results").mkdir(exist_ok=True)
    page.screenshot(path="test-results/campaign-send-counts.png")
