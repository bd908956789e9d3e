"""Real headless Chromium: an agent opens the inbox, takes the next case, replies and
resolves it, without leaving the page for a full reload."""

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from accounts.models import Department
from accounts.roles import Role
from accounts.tests.factories import PASSWORD, DepartmentFactory, UserFactory
from contacts.models import IdentityKind
from contacts.tests.factories import CustomerFactory, IdentityFactory
from journeys.models import Case, CaseStatus
from journeys.tests.factories import CaseFactory

pytestmark = pytest.mark.browser


def test_agent_takes_the_next_case_replies_and_resolves_it(
    live_server, page: Page, outbound_worker: None
) -> None:
    kcc = DepartmentFactory(code=Department.CONTACT_CENTER, name="Klantcontactcentrum")
    UserFactory(username="anna", department=kcc, roles=[Role.AGENT], language="en")
    customer = CustomerFactory(name="Daan Visser")
    IdentityFactory(customer=customer, kind=IdentityKind.EMAIL, value="daan@example.nl")
    case = CaseFactory(department=kcc, customer=customer, subject="Waar blijft mijn pakket?")

    page.goto(f"{live_server.url}/accounts/login/?next=/inbox/")
    page.get_by_label("User name").fill("anna")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    page.get_by_role("link", name="My department's queue").click()
    expect(page.get_by_role("link", name=f"#{case.pk} Waar blijft mijn pakket?")).to_be_visible()

    page.get_by_role("button", name="Take next case").click()
    expect(page.get_by_role("heading", name=f"#{case.pk} Waar blijft mijn pakket?")).to_be_visible()
    expect(page).to_have_url(f"{live_server.url}/cases/{case.pk}/")

    page.get_by_label("Reply:", exact=True).fill("Uw pakket wordt morgen bezorgd.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator(".thread")).to_contain_text("Uw pakket wordt morgen bezorgd.")
    # Sent after commit: the thread shows how far it got (queued, or sent already).
    expect(page.locator(".thread .msg-out .chip")).to_have_count(1)
    expect(page.locator("#casebody .chip").first).to_have_text("Waiting on customer")

    page.get_by_label("What was done:", exact=True).fill("Bezorging ingepland.")
    page.get_by_role("button", name="Resolve").click()
    expect(page.locator("#casebody .chip").first).to_have_text("Resolved")
    expect(page.get_by_role("button", name="Reopen")).to_be_visible()

    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED
    assert case.owner.username == "anna"
    assert case.first_responded_at is not None
    assert mail.outbox[0].to == ["daan@example.nl"]
    assert Case.objects.count() == 1
