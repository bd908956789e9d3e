"""Real headless Chromium: a marketer creates and schedules a campaign at short notice and
sees the warning state; the contact-center lead gets the notification and acknowledges it."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import Department
from accounts.roles import Role
from accounts.tests.factories import PASSWORD, DepartmentFactory, UserFactory
from journeys.tests.factories import SegmentFactory

pytestmark = pytest.mark.browser


def _sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()


def test_marketer_schedules_at_short_notice_and_the_lead_acknowledges(
    live_server, page: Page
) -> None:
    kcc = DepartmentFactory(code=Department.CONTACT_CENTER, name="Klantcontactcentrum")
    marketing = DepartmentFactory(code=Department.MARKETING, name="Marketing")
    UserFactory(username="mila", department=marketing, roles=[Role.MARKETER], language="en")
    UserFactory(
        username="lars", first_name="Lars", department=kcc, roles=[Role.MANAGER], language="en"
    )
    SegmentFactory(name="Iedereen")
    launch = timezone.localtime() + dt.timedelta(days=2)

    _sign_in(page, live_server.url, "mila")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Campaigns").click()
    page.get_by_role("link", name="New campaign").click()
    page.get_by_label("Name").fill("Winterjas")
    page.get_by_label("Code").fill("winterjas")
    page.get_by_label("Segment").select_option(label="Iedereen")
    page.get_by_label("Launch").fill(launch.strftime("%Y-%m-%dT09:00"))
    page.get_by_label("End").fill((launch + dt.timedelta(days=7)).strftime("%Y-%m-%dT17:00"))
    page.get_by_role("checkbox", name="E-mail").check()
    page.get_by_label("E-mail response rate (%)").fill("3")
    page.get_by_label("Briefing for the contact center").fill("Zeg: code WINTER20.")
    page.get_by_label("FAQ").fill("Ook in de winkel? Ja.")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", name="Winterjas")).to_be_visible()
    page.get_by_role("button", name="Schedule").click()
    expect(page.locator("#short-notice")).to_contain_text("waiting for a contact-center lead")
    expect(page.locator(".checklist [data-item=briefing]")).to_contain_text("not done")

    page.get_by_role("button", name="Sign out").click()
    _sign_in(page, live_server.url, "lars")
    page.goto(f"{live_server.url}/accounts/notifications/")
    note = page.locator("#notification-list").get_by_role(
        "link", name="Short notice: Campaign Winterjas scheduled"
    )
    expect(note).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Campaigns").click()
    page.get_by_role("link", name="Winterjas").click()
    page.get_by_role("button", name="Acknowledge briefing").click()
    expect(page.locator("#short-notice")).to_contain_text("acknowledged by Lars")


def test_the_segment_count_follows_the_conditions(live_server, page: Page) -> None:
    from contacts.tests.factories import CustomerFactory

    marketing = DepartmentFactory(code=Department.MARKETING, name="Marketing")
    UserFactory(username="mila", department=marketing, roles=[Role.MARKETER], language="en")
    CustomerFactory.create_batch(3, city="Utrecht")
    CustomerFactory(city="Delft")

    _sign_in(page, live_server.url, "mila")
    page.goto(f"{live_server.url}/segments/new/")
    page.get_by_label("City is").fill("Utrecht")
    expect(page.locator("#segment-count")).to_contain_text("3 customers")
    page.get_by_label("City is").fill("Delft")
    expect(page.locator("#segment-count")).to_contain_text("1 customer")
