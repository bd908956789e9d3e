"""Real headless Chromium: a customer answers the survey with the keyboard and is thanked;
a manager reads the dashboard."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import Department
from accounts.roles import Role
from accounts.tests.factories import PASSWORD, DepartmentFactory, UserFactory
from contacts.tests.factories import CustomerFactory
from feedback.models import Response, SurveyKind
from feedback.services.rollups import rollup_rebuild
from feedback.tests.factories import ResponseFactory, SurveyFactory
from feedback.tests.helpers import sent_invitation

pytestmark = pytest.mark.browser


def test_customer_answers_with_the_keyboard(live_server, page: Page) -> None:
    survey = SurveyFactory(kind=SurveyKind.CSAT, question_en="How satisfied are you?")
    customer = CustomerFactory(language="en")
    _invitation, token = sent_invitation(survey=survey, customer=customer)

    page.goto(f"{live_server.url}/s/{token}/")
    expect(page.get_by_role("group", name="How satisfied are you?")).to_be_visible()
    first = page.get_by_role("radio", name="1")
    first.focus()
    # Arrow keys move through a radio group and select; Right three times reaches 4.
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    expect(page.get_by_role("radio", name="4")).to_be_checked()
    page.keyboard.press("Tab")
    page.keyboard.type("Fast delivery, thanks")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()
    answer = Response.objects.get()
    assert (answer.score, answer.comment) == (4, "Fast delivery, thanks")


def test_manager_reads_the_dashboard(live_server, page: Page) -> None:
    kcc = DepartmentFactory(code=Department.CONTACT_CENTER, name="Klantcontactcentrum")
    UserFactory(username="lead", department=kcc, roles=[Role.MANAGER], language="en")
    ResponseFactory(
        score=10, comment="Great quality", answered_at=timezone.now() - dt.timedelta(hours=1)
    )
    rollup_rebuild(
        date_from=timezone.localdate() - dt.timedelta(days=7), date_to=timezone.localdate()
    )

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("User name").fill("lead")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Feedback").click()
    expect(page.get_by_role("heading", name="Customer feedback")).to_be_visible()
    expect(page.get_by_text("Great quality")).to_be_visible()
    expect(page.locator("svg.fb-svg").first).to_be_visible()
    page.get_by_role("link", name="Open the wallboard").click()
    expect(page.get_by_role("heading", name="Contact center today")).to_be_visible()


def test_on_a_phone_the_nps_scale_is_one_row_under_the_organisations_name(
    live_server, page: Page, settings
) -> None:
    from pathlib import Path

    settings.CXCENTER_ORGANISATION_NAME = "Schoenen.nl"
    settings.CXCENTER_ORGANISATION_LOGO_URL = "favicon.svg"
    survey = SurveyFactory(kind=SurveyKind.NPS, question_en="Would you recommend us?")
    customer = CustomerFactory(language="en")
    _invitation, token = sent_invitation(survey=survey, customer=customer)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/s/{token}/")
    expect(page.locator(".fb-public-head")).to_contain_text("Schoenen.nl")
    expect(page.locator(".fb-public-head")).not_to_contain_text("cxcenter")
    assert page.locator(".fb-logo").evaluate("img => img.complete && img.naturalWidth > 0")
    group = page.get_by_role("group", name="Would you recommend us?")
    labels = group.locator(".fb-option label")
    assert labels.count() == 11
    boxes = [labels.nth(i).bounding_box() for i in range(11)]
    tops = {round(box["y"]) for box in boxes if box is not None}
    assert None not in boxes
    assert len(tops) == 1  # 0 to 10 on one row
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    Path("test-results").mkdir(exist_ok=True)
    page.screenshot(path="test-results/survey-390x844.png", full_page=True)
