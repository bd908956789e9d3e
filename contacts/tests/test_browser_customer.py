"""Real headless Chromium: an agent finds a customer by phone in another notation, answers
the next profile question inline, and logs a call that appears on the timeline."""

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Department
from accounts.roles import Role
from accounts.tests.factories import PASSWORD, DepartmentFactory, UserFactory
from contacts.models import AnswerType, Channel, IdentityKind, Interaction, ProfileFact
from contacts.tests.factories import CustomerFactory, IdentityFactory, ProfileQuestionFactory

pytestmark = pytest.mark.browser


def test_agent_finds_customer_answers_next_question_and_logs_a_call(
    live_server, page: Page
) -> None:
    kcc = DepartmentFactory(code=Department.CONTACT_CENTER, name="Klantcontactcentrum")
    UserFactory(username="anna", department=kcc, roles=[Role.AGENT], language="en")
    customer = CustomerFactory(name="Fleur Mulder", city="Haarlem")
    IdentityFactory(customer=customer, kind=IdentityKind.PHONE, value="+31612345678")
    CustomerFactory(name="Someone Else")
    children = ProfileQuestionFactory(
        key="children",
        label_en="How many children do you have?",
        answer_type=AnswerType.NUMBER,
        order=10,
    )
    ProfileQuestionFactory(
        key="children_ages", label_en="How old are your children?", ask_after=children, order=20
    )

    page.goto(f"{live_server.url}/accounts/login/?next=/customers/")
    page.get_by_label("User name").fill("anna")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    box = page.get_by_label("E-mail, phone, customer number or name")
    box.fill("+31 6 1234 5678")
    results = page.locator("#search-results")
    # htmx replaces the recent-customers list as the agent types.
    expect(results).to_contain_text("Results for")
    expect(results.get_by_role("link", name="Fleur Mulder")).to_be_visible()
    expect(results).not_to_contain_text("Someone Else")
    results.get_by_role("link", name="Fleur Mulder").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Fleur Mulder")
    profile = page.locator("#profile")
    expect(profile).to_contain_text("How many children do you have?")
    profile.get_by_label("Answer").fill("2")
    profile.get_by_role("button", name="Save answer").click()
    expect(profile).to_contain_text("How old are your children?")
    expect(profile).to_contain_text("Answer saved.")
    assert ProfileFact.objects.get(customer=customer, question=children).value == "2"

    activity = page.locator("#activity")
    activity.get_by_text("Log a call, store visit or note").click()
    activity.get_by_label("What").select_option("call_in")
    activity.get_by_label("Subject").fill("Vraagt naar retourlabel")
    activity.get_by_role("button", name="Log", exact=True).click()
    expect(activity.locator(".timeline")).to_contain_text("Vraagt naar retourlabel")
    expect(activity).to_contain_text("Contact moment logged.")
    assert Interaction.objects.get(customer=customer).channel == Channel.PHONE
