"""Real headless Chromium through an agent's walk over the customer page and the case page
of an unhappy customer: the yes/no question with nothing preselected and the channel
picked, open cases above the timeline, the timeline's link to the case, the follow-up
details and the canned replies in the customer's language. After every htmx action the
whole page (navigation included) is still there, with no console or CSP error."""

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Department
from accounts.roles import Role
from accounts.tests.factories import DepartmentFactory, UserFactory
from contacts.models import AnswerType, Channel, IdentityKind, ProfileFact
from contacts.tests.factories import (
    CustomerFactory,
    IdentityFactory,
    InteractionFactory,
    ProfileQuestionFactory,
)
from feedback.models import SurveyKind
from feedback.services.responses import response_submit
from feedback.tests.factories import SurveyAspectFactory, SurveyFactory
from feedback.tests.helpers import sent_invitation
from journeys.models import Case
from journeys.tests.browser import Watched, sign_in
from journeys.tests.factories import CannedReplyFactory

pytestmark = pytest.mark.browser


def test_an_agent_follows_up_an_unhappy_customer(
    live_server, page: Page, transactional_db: None, eager_celery: None
) -> None:
    kcc = DepartmentFactory(code=Department.CONTACT_CENTER, name="Klantcontactcentrum")
    UserFactory(
        username="anna", first_name="Anna", last_name="Jansen", department=kcc,
        roles=[Role.AGENT], language="en",
    )  # fmt: skip
    customer = CustomerFactory(name="Fleur Mulder", language="en")
    IdentityFactory(customer=customer, kind=IdentityKind.EMAIL, value="fleur@example.nl")
    pets = ProfileQuestionFactory(
        key="pets", label_en="Do you have a pet?", answer_type=AnswerType.YES_NO
    )
    for n in range(30):
        InteractionFactory(customer=customer, channel=Channel.EMAIL, subject=f"Eerder contact {n}")
    CannedReplyFactory(department=kcc, title="Delivery apology", language="en")
    CannedReplyFactory(department=kcc, title="Excuses levering", language="nl")
    CannedReplyFactory(department=kcc, title="Case number", language="", body="Zaak {case_number}")

    survey = SurveyFactory(kind=SurveyKind.GRADE)
    delivery = SurveyAspectFactory(survey=survey, key="delivery", label_en="Delivery", order=1)
    product = SurveyAspectFactory(survey=survey, key="product", label_en="Product", order=2)
    invitation, _token = sent_invitation(survey=survey, customer=customer)
    order = invitation.order
    order.external_id, order.product_name = "W-4711", "Regenjas"
    order.ordered_at = dt.datetime(2026, 3, 14, 10, tzinfo=dt.UTC)
    order.save()
    answer = response_submit(
        invitation=invitation,
        score=3,
        comment="Te laat en nat.",
        aspect_scores={delivery.pk: 2, product.pk: 9},
    )
    answer.refresh_from_db()
    assert answer.followup_case_id is not None
    case = Case.objects.get(pk=answer.followup_case_id)
    w = Watched(page)

    sign_in(page, live_server, "anna", next_url=f"/customers/{customer.pk}/")
    w.whole("Fleur Mulder", "agent-flow-01-customer")

    # Open cases sit above the long timeline, and the survey answer links to its case.
    cases_panel = page.locator(".cases-panel")
    expect(cases_panel).to_contain_text(f"#{case.pk}")
    panel_box = cases_panel.bounding_box()
    timeline_box = page.locator("#h-timeline").bounding_box()
    assert panel_box is not None and timeline_box is not None
    assert panel_box["y"] < timeline_box["y"]
    case_link = page.locator("#activity").get_by_role("link", name=f"Case #{case.pk}")
    expect(case_link).to_have_count(1)

    # The yes/no question: nothing chosen, so the browser does not save it.
    profile = page.locator("#profile")
    expect(profile).to_contain_text("Do you have a pet?")
    answer_box = profile.get_by_label("Answer", exact=True)
    expect(answer_box).to_have_value("")
    profile.get_by_role("button", name="Save answer").click()
    assert answer_box.evaluate("e => e.validity.valueMissing") is True
    assert not ProfileFact.objects.exists()
    # The channel starts on the latest contact moment's (the survey answer, on the website).
    channel_box = profile.get_by_label("Via channel")
    expect(channel_box).to_have_value(Channel.WEB)
    answer_box.select_option("no")
    channel_box.select_option(Channel.PHONE)
    profile.get_by_role("button", name="Save answer").click()
    expect(profile).to_contain_text("Answer saved.")
    expect(profile.locator(".known")).to_contain_text("Phone")
    w.whole("Fleur Mulder", "agent-flow-02-answered")
    fact = ProfileFact.objects.get(customer=customer, question=pets)
    assert (fact.value, fact.source_channel) == ("no", Channel.PHONE)

    # From the timeline to the case.
    page.locator("#activity").get_by_role("link", name=f"Case #{case.pk}").click()
    expect(page).to_have_url(f"{live_server.url}/cases/{case.pk}/")
    w.whole(f"Case {case.pk}", "agent-flow-03-case")
    expect(page.locator(".prio")).to_have_text("High")
    followup = page.locator("#case-panel-followup")
    expect(followup.locator(".followup-order")).to_contain_text("W-4711")
    expect(followup.locator(".followup-product")).to_contain_text("Regenjas")
    expect(followup.locator(".followup-aspects")).to_contain_text("Delivery: 2")
    expect(followup.locator(".followup-aspects")).not_to_contain_text("Product")

    # Canned replies in the customer's language (English) and the neutral one, not Dutch.
    canned = page.locator(".canned")
    expect(canned).to_contain_text("Delivery apology")
    expect(canned).to_contain_text("Case number")
    expect(canned).not_to_contain_text("Excuses levering")
    canned.get_by_role("link", name="Case number").click()
    expect(page.get_by_label("Reply:", exact=True)).to_have_value(f"Zaak {case.pk}")
    w.whole(f"Case {case.pk}", "agent-flow-04-canned")
    expect(page.locator("#case-panel-followup .followup-order")).to_contain_text("W-4711")
