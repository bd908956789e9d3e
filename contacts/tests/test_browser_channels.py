"""Real headless Chromium: a manager goes from Settings to Channels, sends a test e-mail
and sees it listed as sent, with no console or CSP error on the way."""

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from accounts.models import Department
from accounts.roles import Role
from accounts.tests.factories import PASSWORD, DepartmentFactory, UserFactory

pytestmark = pytest.mark.browser


def test_a_manager_sends_a_test_message_from_settings(
    live_server, page: Page, outbound_worker: None
) -> None:
    kcc = DepartmentFactory(code=Department.CONTACT_CENTER, name="Klantcontactcentrum")
    UserFactory(username="lead", department=kcc, roles=[Role.MANAGER], language="en")
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))

    page.goto(f"{live_server.url}/accounts/login/?next=/accounts/settings/")
    page.get_by_label("User name").fill("lead")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Channels (e-mail, WhatsApp, SMS)").click()
    expect(page.get_by_role("heading", name="Channels", exact=True)).to_be_visible()

    page.get_by_label("Channel").select_option("email")
    page.get_by_label("Send to").fill("lead@example.nl")
    page.get_by_role("button", name="Send test message").click()
    expect(page.locator(".messages")).to_contain_text("Test message queued")
    expect(page.get_by_role("table", name="Recent test messages")).to_contain_text("Sent")
    assert mail.outbox[0].to == ["lead@example.nl"]
    assert problems == []
