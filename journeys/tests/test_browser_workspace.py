"""Real headless Chromium through an agent's day in the inbox and on the case page: after
every htmx action the whole page is still there (navigation, bell, language switch, sign
out, the right title), with no console error and no CSP violation; the inbox and the case
page fit a phone; a new intake appears in an open inbox; two agents see each other on a
case. Screenshots of each step go to test-results/."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from rest_framework.test import APIClient

from accounts.models import Department
from accounts.roles import Role
from accounts.services import api_token_create
from accounts.tests.factories import DepartmentFactory, UserFactory
from contacts.models import IdentityKind
from contacts.tests.factories import (
    CustomerFactory,
    IdentityFactory,
    InteractionFactory,
    ProfileFactFactory,
    ProfileQuestionFactory,
)
from journeys.models import Case, CaseStatus
from journeys.tests.browser import SHOTS, Watched, sign_in
from journeys.tests.factories import CaseFactory

pytestmark = pytest.mark.browser

LONG = "Zeer-lange-waarde-zonder-spaties-" * 6


@pytest.fixture
def kcc(transactional_db: None) -> Department:
    return DepartmentFactory(code=Department.CONTACT_CENTER, name="Klantcontactcentrum")


@pytest.fixture
def sales_dept(transactional_db: None) -> Department:
    return DepartmentFactory(code=Department.SALES, name="Sales")


@pytest.fixture
def anna(kcc: Department):
    return UserFactory(
        username="anna", first_name="Anna", last_name="Jansen", department=kcc,
        roles=[Role.AGENT], language="en",
    )  # fmt: skip


def _customer(name: str, email: str, language: str = "nl"):
    customer = CustomerFactory(name=name, language=language)
    IdentityFactory(customer=customer, kind=IdentityKind.EMAIL, value=email)
    return customer


def test_the_days_loop_keeps_the_whole_page_at_every_step(
    live_server, page: Page, kcc: Department, sales_dept: Department, anna
) -> None:
    daan = _customer("Daan Visser", "daan@example.nl")
    question = ProfileQuestionFactory(key="children", label_en="How many children?")
    ProfileQuestionFactory(key="pets", label_en="Any pets?")
    ProfileFactFactory(customer=daan, question=question, value="2")
    InteractionFactory(customer=daan, subject="Eerder gebeld over levering")
    first = CaseFactory(department=kcc, customer=daan, subject="Waar blijft mijn pakket?")
    second = CaseFactory(
        department=kcc, customer=_customer("Eva Smit", "eva@example.nl"), subject="Adres wijzigen"
    )
    w = Watched(page)

    sign_in(page, live_server, "anna")
    w.whole("Inbox", "01-inbox")
    page.get_by_role("link", name="My department's queue").click()
    expect(page.get_by_role("link", name=f"#{first.pk} Waar blijft mijn pakket?")).to_be_visible()
    w.whole("Inbox", "02-queue")

    # Take next → the case, as a whole page.
    page.get_by_role("button", name="Take next case").click()
    expect(page).to_have_url(f"{live_server.url}/cases/{first.pk}/")
    w.whole(f"Case {first.pk}", "03-taken")

    # Read the customer beside the case.
    side = page.locator("#case-customer")
    expect(side).to_contain_text("daan@example.nl")
    expect(side).to_contain_text("How many children?")
    expect(side).to_contain_text("Any pets?")
    expect(side).to_contain_text("Eerder gebeld over levering")
    w.whole(f"Case {first.pk}", "04-customer-panel")

    # Reply.
    page.get_by_label("Reply:", exact=True).fill("Uw pakket wordt morgen bezorgd.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator(".thread")).to_contain_text("Uw pakket wordt morgen bezorgd.")
    w.whole(f"Case {first.pk}", "05-replied")

    # A note, then a sub-task for sales.
    page.get_by_label("Internal note:", exact=True).fill("Klant wil bericht per mail.")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator(".notes")).to_contain_text("Klant wil bericht per mail.")
    page.get_by_text("Ask another department").click()
    page.locator("#id_subtask-department").select_option(label="Sales")
    page.locator("#id_subtask-description").fill("Factuur opnieuw sturen")
    page.get_by_role("button", name="Request sub-task").click()
    expect(page.locator(".subtasks")).to_contain_text("Factuur opnieuw sturen")
    w.whole(f"Case {first.pk}", "06-subtask")

    # Transfer with a reason → the inbox, as a whole page.
    page.get_by_text("Transfer to another department").click()
    page.locator("#id_transfer-department").select_option(label="Sales")
    page.locator("#id_transfer-reason").fill("Factuurvraag hoort bij sales")
    page.get_by_role("button", name="Transfer", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/inbox/")
    expect(page.locator(".messages")).to_contain_text("was transferred to Sales")
    w.whole("Inbox", "07-transferred")

    # The customer page still lists it, and it opens read-only.
    page.goto(f"{live_server.url}/customers/{daan.pk}/")
    link = page.get_by_role("link", name=f"#{first.pk} Waar blijft mijn pakket?").first
    expect(link).to_be_visible()
    expect(page.locator(".cases-panel").first).to_contain_text("Sales")
    w.whole("Daan Visser", "08-customer-page")
    link.click()
    expect(page.locator(".readonly-note")).to_contain_text("Read only: this case is with Sales.")
    expect(page.get_by_role("button", name="Send reply")).to_have_count(0)
    w.whole(f"Case {first.pk}", "09-read-only")

    # Resolve another case.
    page.goto(f"{live_server.url}/cases/{second.pk}/")
    page.get_by_role("button", name="Take this case").click()
    expect(page.locator("#casebody")).to_contain_text("Anna Jansen")
    page.get_by_label("What was done:", exact=True).fill("Adres aangepast.")
    page.get_by_role("button", name="Resolve").click()
    expect(page.locator("#casebody .chip").first).to_have_text("Resolved")
    page.get_by_role("button", name="Reopen").click()
    expect(page.locator("#casebody .chip").first).to_have_text("Open")
    page.get_by_label("What was done:", exact=True).fill("Adres aangepast.")
    page.get_by_role("button", name="Resolve").click()
    expect(page.locator("#casebody .chip").first).to_have_text("Resolved")
    w.whole(f"Case {second.pk}", "10-resolved")

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.department == sales_dept and first.owner is None
    assert second.status == CaseStatus.RESOLVED and second.owner == anna


def test_inbox_actions_keep_the_whole_page(live_server, page: Page, kcc: Department, anna) -> None:
    rival = UserFactory(username="bart", first_name="Bart", last_name="Bos", department=kcc,
                        roles=[Role.AGENT], language="en")  # fmt: skip
    for n in range(30):
        CaseFactory(department=kcc, subject=f"Vraag {n:02d}")
    w = Watched(page)
    sign_in(page, live_server, "anna")
    page.get_by_role("link", name="My department's queue").click()
    w.whole("Inbox")
    page.get_by_role("link", name="Load more").click()
    expect(page.locator("tr[data-inbox-row]")).to_have_count(30)
    page.locator("#id_priority").select_option("normal")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"priority=normal"))
    w.whole("Inbox")
    # Bart is quicker on the first row; Anna is told who has it.
    row = page.locator("tr[data-inbox-row]").first
    row_id = row.get_attribute("id")
    assert row_id is not None
    case = Case.objects.get(pk=int(row_id.rsplit("-", 1)[1]))
    Case.objects.filter(pk=case.pk).update(owner=rival)
    row.get_by_role("button", name=re.compile("^Take")).click()
    expect(page.locator(f"#{row_id}")).to_contain_text("Bart Bos already has this case.")
    second = page.locator("tr[data-inbox-row]").nth(1)
    second.get_by_role("button", name=re.compile("^Take")).click()
    expect(second).to_contain_text("Taken")
    w.whole("Inbox", "inbox-actions")
    # j/k move through the rows, Enter opens the selected one.
    page.locator("body").click(position={"x": 5, "y": 400})
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    expect(page.locator("tr.is-selected")).to_have_count(1)
    selected = page.locator("tr.is-selected a").first.get_attribute("href")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}{selected}")
    page.keyboard.press("r")
    expect(page.locator("#id_reply-body")).to_be_focused()
    w.whole(page.title().split(" · ")[0])


@pytest.mark.parametrize(("width", "height"), [(1440, 900), (390, 844)], ids=["desktop", "phone"])
def test_inbox_and_case_page_fit_the_screen(
    width: int, height: int, live_server, browser: Browser, kcc: Department, anna
) -> None:
    customer = CustomerFactory(name=LONG)
    IdentityFactory(customer=customer, kind=IdentityKind.EMAIL, value=f"{LONG}@example.nl")
    case = CaseFactory(
        department=kcc, owner=anna, customer=customer, subject=LONG, topic=LONG[:100],
        status=CaseStatus.OPEN,
    )  # fmt: skip
    Case.objects.filter(pk=case.pk).update(last_message_preview=LONG[:140], resolution_note=LONG)
    context = browser.new_context(locale="en-GB", viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        w = Watched(page)
        sign_in(page, live_server, "anna")
        expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
        w.whole("Inbox", f"inbox-{width}x{height}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.goto(f"{live_server.url}/cases/{case.pk}/")
        expect(page.locator("#case-customer")).to_contain_text("@example.nl")
        w.whole(f"Case {case.pk}", f"case-{width}x{height}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        overflowing = page.evaluate(
            """() => [...document.querySelectorAll('.case-side .card')]
                 .filter(card => card.scrollWidth > card.clientWidth + 1).length"""
        )
        assert overflowing == 0
    finally:
        context.close()


def test_a_new_intake_appears_in_an_open_inbox_without_a_reload(
    live_server, page: Page, kcc: Department, anna
) -> None:
    integration = UserFactory(username="webshop", department=None, roles=[Role.INTEGRATION])
    w = Watched(page)
    sign_in(page, live_server, "anna", "/inbox/?tab=queue")
    expect(page.locator(".inbox-section")).to_contain_text("The queue is empty.")
    page.evaluate("window.__notReloaded = true")

    api = APIClient()
    api.credentials(
        HTTP_AUTHORIZATION=f"Token {api_token_create(user=integration, name='inbox test')[1]}"
    )
    response = api.post(
        "/api/v1/interactions/",
        {
            "source": "email-gateway", "external_id": "live-1", "channel": "email",
            "direction": "in", "occurred_at": "2026-03-01T09:30:00+01:00",
            "identities": [{"kind": "email", "value": "nieuw@example.nl"}],
            "subject": "Pakket beschadigd", "body": "De doos was kapot.",
        },
        format="json",
    )  # fmt: skip
    assert response.status_code == 201

    expect(page.locator(".inbox-section")).to_contain_text("Pakket beschadigd", timeout=15_000)
    expect(page.locator(".live-new")).to_contain_text("1 case new or changed since")
    assert page.evaluate("window.__notReloaded") is True
    w.whole("Inbox", "live-inbox")


@pytest.fixture
def second_context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(locale="en-GB")
    yield context
    context.close()


def test_two_agents_on_one_case_see_each_other(
    live_server, page: Page, second_context: BrowserContext, kcc: Department, anna
) -> None:
    UserFactory(username="bart", first_name="Bart", last_name="Bos", department=kcc,
                roles=[Role.AGENT], language="en")  # fmt: skip
    customer = _customer("Daan Visser", "daan@example.nl")
    case = CaseFactory(department=kcc, owner=anna, customer=customer, status=CaseStatus.OPEN)
    url = f"/cases/{case.pk}/"
    other = second_context.new_page()
    w1, w2 = Watched(page), Watched(other)
    sign_in(page, live_server, "anna", url)
    sign_in(other, live_server, "bart", url)

    expect(page.locator("#presence")).to_contain_text("Bart Bos is viewing", timeout=10_000)
    expect(other.locator("#presence")).to_contain_text("Anna Jansen is viewing", timeout=10_000)
    page.get_by_label("Reply:", exact=True).press_sequentially("Hallo Daan", delay=50)
    expect(other.locator("#presence")).to_contain_text(
        "Anna Jansen is writing a reply", timeout=10_000
    )
    w1.whole(f"Case {case.pk}", "presence-anna")
    w2.whole(f"Case {case.pk}", "presence-bart")


@pytest.mark.parametrize(("width", "height"), [(1440, 900), (390, 844)], ids=["desktop", "phone"])
def test_the_staffing_grid_scrolls_in_its_box(
    width: int, height: int, live_server, browser: Browser, kcc: Department
) -> None:
    from accounts.services import roles_ensure

    roles_ensure()  # a transactional test starts from flushed tables
    UserFactory(username="lead", department=kcc, roles=[Role.MANAGER], language="en")
    context = browser.new_context(locale="en-GB", viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        w = Watched(page)
        from django.urls import reverse

        sign_in(page, live_server, "lead", reverse("accounts:staffing", args=[kcc.code]))
        expect(page.locator("table.grid")).to_be_visible()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"staffing-{width}x{height}.png"), caret="initial")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert w.errors == []
    finally:
        context.close()
