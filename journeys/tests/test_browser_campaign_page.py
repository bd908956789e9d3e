"""Real headless Chromium: a marketer reads a draft campaign's forecast against capacity and
who suppression left out, at desktop and phone size, with screenshots."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Department
from accounts.roles import Role
from accounts.tests.factories import DepartmentFactory, StaffingSlotFactory, UserFactory
from contacts.tests.factories import CustomerFactory
from journeys.tests.factories import CampaignFactory
from journeys.tests.test_browser_campaign import _sign_in

pytestmark = pytest.mark.browser
SHOTS = Path("test-results")


def test_a_marketer_reads_the_draft_forecast_and_suppression(live_server, page: Page) -> None:
    kcc = DepartmentFactory(
        code=Department.CONTACT_CENTER, name="Klantcontactcentrum", contacts_per_agent_hour=2
    )
    for weekday in range(5):
        for hour in range(9, 17):
            StaffingSlotFactory(department=kcc, weekday=weekday, hour=hour, agents=1)
    marketing = DepartmentFactory(code=Department.MARKETING, name="Marketing")
    UserFactory(username="mila", department=marketing, roles=[Role.MARKETER], language="en")
    CustomerFactory.create_batch(40)
    campaign = CampaignFactory(
        name="Winterjas met een lange naam voor de kop",
        channels=["email", "sms", "whatsapp"],
        response_rates={"email": 20, "sms": 10, "whatsapp": 15},
        product_skus=["JAS-1"],
    )
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    _sign_in(page, live_server.url, "mila")
    SHOTS.mkdir(exist_ok=True)
    for width, height in ((1440, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}/campaigns/{campaign.pk}/")
        expect(page.locator("#draft-forecast")).to_be_visible()
        expect(page.locator("#suppression-counts")).to_contain_text("Already bought the product")
        expect(page.get_by_role("columnheader", name="WhatsApp")).to_be_visible()
        page.screenshot(path=SHOTS / f"campaign-page-{width}x{height}.png", full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e]
