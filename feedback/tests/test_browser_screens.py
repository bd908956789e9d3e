"""Real headless Chromium on demo data: the dashboard, the outcomes page and the wallboard
fit the screen on a desktop and a phone, show values without hovering, and raise no
console or CSP error. The screenshots are kept under test-results/."""

import io
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, ViewportSize, expect

from accounts.models import Department
from accounts.roles import Role
from accounts.tests.factories import PASSWORD, DepartmentFactory, StaffingSlotFactory, UserFactory

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "test-results"
DESKTOP: ViewportSize = {"width": 1440, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}


@pytest.fixture
def demo(agent) -> None:
    from contacts import demo as contacts_demo
    from feedback import demo as feedback_demo
    from journeys import demo as journeys_demo
    from journeys.models import Priority, SlaPolicy
    from journeys.services.sla import EXCEPTION_POLICY, sla_policy_for

    # A live-server test flushes the tables, also the policies a migration put there.
    for priority in Priority.values:
        sla_policy_for(priority=priority)
    SlaPolicy.objects.get_or_create(
        name=EXCEPTION_POLICY,
        defaults={
            "first_response_minutes": 120,
            "next_response_minutes": 120,
            "resolution_minutes": 480,
        },
    )
    kcc = agent.department
    for code in (Department.SALES, Department.ICT, Department.OPERATIONS, Department.MARKETING):
        DepartmentFactory(code=code, name=code.title())
    management = DepartmentFactory(code=Department.MANAGEMENT, name="Directie")
    UserFactory(username="director", department=management, roles=[Role.MANAGER], language="en")
    local = timezone.now().astimezone(kcc.tz)
    StaffingSlotFactory(department=kcc, weekday=local.weekday(), hour=local.hour, agents=12)
    for module in (contacts_demo, journeys_demo, feedback_demo):
        module.load(out=io.StringIO())


def _open(browser: Browser, live_server, viewport: ViewportSize) -> tuple[Page, list[str]]:
    context = browser.new_context(locale="en-GB", viewport=viewport)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("User name").fill("director")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    return page, errors


def _shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    wide = page.evaluate(
        """[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right
        > document.documentElement.clientWidth + 1).slice(0, 8).map(e => e.tagName + '.'
        + e.className)"""
    )
    assert overflow <= 0, f"{name} is {overflow}px wider than the screen: {wide}"


def test_manager_pages_on_desktop_and_phone(demo, live_server, browser: Browser) -> None:
    week = timezone.localdate().isocalendar().week
    for label, viewport in (("1440x900", DESKTOP), ("390x844", PHONE)):
        page, errors = _open(browser, live_server, viewport)
        page.goto(f"{live_server.url}/feedback/")
        nps = page.locator("figure.fb-chart").first
        expect(nps.locator("text.fb-label", has_text=f"wk {week}")).to_be_visible()
        expect(nps.locator("text.fb-value").first).to_be_visible()
        _shoot(page, f"dashboard-{label}")
        page.goto(f"{live_server.url}/feedback/outcomes/")
        expect(page.locator("article.oc-figure")).to_have_count(7)
        _shoot(page, f"outcomes-{label}")
        if viewport is DESKTOP:
            page.goto(f"{live_server.url}/feedback/wallboard/")
            expect(page.get_by_role("heading", name="The queues")).to_be_visible()
            _shoot(page, f"wallboard-{label}")
        assert errors == []
        page.context.close()
    # The filter swaps the figures in place and keeps the page around them.
    page, errors = _open(browser, live_server, DESKTOP)
    page.goto(f"{live_server.url}/feedback/outcomes/")
    page.get_by_label("Department").select_option(label="Sales")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("Sales, from")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    assert "department=sales" in page.url
    assert errors == []
    page.context.close()
