"""Real headless Chromium: an agent signs in, sees the agent navigation and switches to Dutch."""

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Department
from accounts.roles import Role
from accounts.tests.factories import PASSWORD, DepartmentFactory, UserFactory

pytestmark = pytest.mark.browser


def test_agent_signs_in_sees_agent_navigation_and_switches_to_dutch(
    live_server, page: Page
) -> None:
    kcc = DepartmentFactory(code=Department.CONTACT_CENTER, name="Klantcontactcentrum")
    UserFactory(
        username="anna",
        first_name="Anna",
        last_name="de Vries",
        department=kcc,
        roles=[Role.AGENT],
        language="en",
    )

    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    page.get_by_label("User name").fill("anna")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    nav = page.get_by_role("navigation", name="Main")
    expect(nav).to_be_visible()
    expect(page.locator("header .who")).to_have_text("Anna de Vries")
    expect(nav.get_by_role("link", name="Settings")).to_have_count(0)
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_role("button", name="NL").click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("button", name="Afmelden")).to_be_visible()
