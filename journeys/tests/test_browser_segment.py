"""Real headless Chromium: a marketer builds a segment from profile questions chosen by their
label and the answers offered, sees an invalid rule's error beside it with the count cleared,
and saves; screenshots of the builder at desktop and phone size."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Department
from accounts.roles import Role
from accounts.tests.factories import DepartmentFactory, UserFactory
from contacts.tests.factories import CustomerFactory, ProfileFactFactory, ProfileQuestionFactory
from journeys.models import Segment
from journeys.tests.test_browser_campaign import _sign_in

pytestmark = pytest.mark.browser
SHOTS = Path("test-results")


def _no_horizontal_overflow(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_marketer_builds_a_segment_from_questions_and_known_answers(
    live_server, page: Page
) -> None:
    from django.core.cache import cache

    cache.clear()
    marketing = DepartmentFactory(code=Department.MARKETING, name="Marketing")
    UserFactory(username="mila", department=marketing, roles=[Role.MARKETER], language="en")
    hobbies = ProfileQuestionFactory(
        key="hobbies",
        label_en="What are your hobbies?",
        answer_type="choice",
        choices="hardlopen\nwandelen\nfietsen",
    )
    children = ProfileQuestionFactory(
        key="children", label_en="How many children do you have?", answer_type="number"
    )
    runners = CustomerFactory.create_batch(3, city="Utrecht")
    for customer in runners:
        ProfileFactFactory(customer=customer, question=hobbies, value="hardlopen")
    ProfileFactFactory(customer=runners[0], question=children, value="2")
    walker = CustomerFactory(city="Utrecht")
    ProfileFactFactory(customer=walker, question=hobbies, value="wandelen")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    _sign_in(page, live_server.url, "mila")
    page.goto(f"{live_server.url}/segments/new/")
    page.locator("#id_name").fill("Hardlopers")
    page.locator("#id_fact_question_0").select_option(label="What are your hobbies?")
    answer = page.locator("#answer-0 select")
    expect(answer).to_be_visible()
    answer.select_option("hardlopen")
    expect(page.locator("#segment-count")).to_contain_text("3 customers")

    page.get_by_role("button", name="Add a rule").click()
    page.locator("#id_fact_question_1").select_option(label="How many children do you have?")
    # The question brings its own answer field (and a new count); type into that one.
    page.wait_for_load_state("networkidle")
    # The question brings its own answer field: type into it once htmx has settled it
    # (before that, no listener hears the typing and no count is asked for).
    page.wait_for_load_state("networkidle")
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')"
    )
    page.wait_for_timeout(200)
    page.locator("#id_fact_value_1").press_sequentially("lots", delay=30)
    expect(page.locator("#errors-rule-1")).to_contain_text("Give a number.")
    expect(page.locator("#segment-count")).to_contain_text("Correct the conditions")
    SHOTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.screenshot(path=SHOTS / "segment-builder-1440x900.png", full_page=True)
    assert _no_horizontal_overflow(page)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=SHOTS / "segment-builder-390x844.png", full_page=True)
    assert _no_horizontal_overflow(page)
    page.set_viewport_size({"width": 1280, "height": 800})

    page.locator("#id_fact_value_1").fill("2")
    expect(page.locator("#segment-count")).to_contain_text("1 customer")
    expect(page.locator("#errors-rule-1")).to_be_empty()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Segment saved.")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    assert Segment.objects.get().definition == {
        "facts": [{"key": "hobbies", "value": "hardlopen"}, {"key": "children", "value": "2"}]
    }
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e]
