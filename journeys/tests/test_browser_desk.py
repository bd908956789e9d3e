"""The agent's desk in real headless Chromium: the header search with its "/" key (a case
number lands on the case, an e-mail address on the customer), the "?" overlay of keyboard
shortcuts, and two agents taking the same queue row at once. Screenshots at desktop and
phone size go to var/screens/."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Browser, BrowserContext, Page, expect

from accounts.models import Department, User
from accounts.roles import Role
from accounts.tests.factories import DepartmentFactory, UserFactory
from contacts.models import IdentityKind
from contacts.tests.factories import CustomerFactory, IdentityFactory
from journeys.models import Case, CaseStatus
from journeys.tests.browser import Watched, sign_in
from journeys.tests.factories import CaseFactory

pytestmark = pytest.mark.browser

SCREENS = Path(settings.VAR_DIR) / "screens"
SIZES = [(1440, 900), (390, 844)]


@pytest.fixture
def kcc(transactional_db: None) -> Department:
    return DepartmentFactory(code=Department.CONTACT_CENTER, name="Klantcontactcentrum")


@pytest.fixture
def anna(kcc: Department) -> User:
    return UserFactory(
        username="anna", first_name="Anna", last_name="Jansen", department=kcc,
        roles=[Role.AGENT], language="en",
    )  # fmt: skip


@pytest.fixture
def bart(kcc: Department) -> User:
    return UserFactory(
        username="bart", first_name="Bart", last_name="Bos", department=kcc,
        roles=[Role.AGENT], language="en",
    )  # fmt: skip


@pytest.fixture
def second_context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(locale="en-GB")
    yield context
    context.close()


def test_slash_searches_a_case_number_and_an_e_mail_address(
    live_server, page: Page, kcc: Department, anna: User
) -> None:
    customer = CustomerFactory(name="Daan Visser")
    IdentityFactory(customer=customer, kind=IdentityKind.EMAIL, value="daan@example.nl")
    IdentityFactory(customer=customer, kind=IdentityKind.PHONE, value="+31612345678")
    namesake = CustomerFactory(name="Daan Visser")
    IdentityFactory(customer=namesake, kind=IdentityKind.EMAIL, value="d.visser@example.com")
    case = CaseFactory(department=kcc, owner=anna, customer=customer, subject="Pakket kwijt",
                       status=CaseStatus.OPEN)  # fmt: skip
    w = Watched(page, SCREENS)
    sign_in(page, live_server, "anna")
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()

    page.keyboard.press("/")
    box = page.locator("#quicksearch-q")
    expect(box).to_be_focused()
    box.press_sequentially(f"#{case.pk}", delay=30)
    expect(page.locator("#quicksearch-results")).to_contain_text(f"Case {case.pk}: Pakket kwijt")
    box.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/cases/{case.pk}/")
    w.whole()

    # "/" in a field is just a character.
    page.keyboard.press("r")
    reply = page.locator("#id_reply-body")
    expect(reply).to_be_focused()
    page.keyboard.type("a/b")
    expect(reply).to_have_value("a/b")
    expect(reply).to_be_focused()
    reply.fill("")
    page.keyboard.press("Escape")

    page.keyboard.press("/")
    expect(box).to_be_focused()
    box.press_sequentially("Daan Vis", delay=30)
    results = page.locator("#quicksearch-results")
    # Namesakes are told apart by their e-mail address and phone.
    expect(results).to_contain_text("daan@example.nl")
    expect(results).to_contain_text("+31612345678")
    expect(results).to_contain_text("d.visser@example.com")
    box.press("ArrowDown")
    expect(results.locator("a").first).to_be_focused()
    box.fill("")
    box.press_sequentially("DAAN@example.nl", delay=20)
    box.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/customers/{customer.pk}/")
    expect(page.locator("h1").first).to_contain_text("Daan Visser")
    w.whole()


def test_question_mark_opens_the_shortcuts_and_escape_closes_them(
    live_server, page: Page, kcc: Department, anna: User
) -> None:
    for n in range(3):
        CaseFactory(department=kcc, owner=anna, subject=f"Vraag {n}", status=CaseStatus.OPEN)
    w = Watched(page, SCREENS)
    sign_in(page, live_server, "anna")
    expect(page.locator("tr[data-inbox-row]")).to_have_count(3)

    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_hidden()
    page.keyboard.press("?")
    expect(dialog).to_be_visible()
    for key, label in [
        ("j", "Next case in the list"),
        ("k", "Previous case in the list"),
        ("Enter", "Open the selected case"),
        ("N", "Take the next case"),
        ("/", "Search customers and cases"),
        ("?", "Show these keyboard shortcuts"),
        ("Esc", "Close this overlay"),
    ]:
        expect(dialog.locator("tr", has_text=label).locator("kbd", has_text=key)).to_have_count(1)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    # The button in the header opens it too, and its Close button closes it.
    page.get_by_role("button", name="Keyboard shortcuts").click()
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()

    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    expect(page.locator("tr.is-selected")).to_have_count(1)
    selected = page.locator("tr.is-selected a").first.get_attribute("href")
    assert selected == page.locator("tr[data-inbox-row] a").first.get_attribute("href")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}{selected}")
    # The case page lists its own keys (r, n) with the common ones.
    page.keyboard.press("?")
    expect(dialog.locator("tr", has_text="Write a reply").locator("kbd")).to_have_text("r")
    expect(dialog.locator("tr", has_text="Write an internal note").locator("kbd")).to_have_text("n")
    page.keyboard.press("Escape")
    page.keyboard.press("r")
    expect(page.locator("#id_reply-body")).to_be_focused()
    w.whole()


def test_two_agents_taking_one_row_at_once_get_one_owner_and_one_clear_message(
    live_server, page: Page, second_context: BrowserContext, kcc: Department, anna, bart
) -> None:
    case = CaseFactory(department=kcc, subject="Wie neemt mij")
    other = second_context.new_page()
    pages = {"anna": Watched(page, SCREENS), "bart": Watched(other, SCREENS)}
    sign_in(page, live_server, "anna", "/inbox/?tab=queue")
    sign_in(other, live_server, "bart", "/inbox/?tab=queue")
    buttons = [
        p.locator(f"#case-row-{case.pk}").get_by_role("button", name=re.compile("^Take"))
        for p in (page, other)
    ]
    for button in buttons:
        expect(button).to_be_visible()
    # Both clicks are dispatched before either answer is in (htmx posts asynchronously).
    for button in buttons:
        button.evaluate("button => button.click()")

    for p in (page, other):
        expect(p.locator(f"#case-row-{case.pk} .row-actions")).to_contain_text(
            re.compile("Taken|already has this case")
        )
    case.refresh_from_db()
    assert case.owner_id in (anna.pk, bart.pk)
    winner, loser = ("anna", "bart") if case.owner_id == anna.pk else ("bart", "anna")
    names = {"anna": "Anna Jansen", "bart": "Bart Bos"}
    lost_row = pages[loser].page.locator(f"#case-row-{case.pk}")
    expect(lost_row.get_by_role("alert")).to_have_text(f"{names[winner]} already has this case.")
    expect(lost_row.get_by_role("alert")).to_have_count(1)
    expect(lost_row.get_by_role("button", name=re.compile("^Take"))).to_have_count(0)
    expect(pages[winner].page.locator(f"#case-row-{case.pk}")).to_contain_text("Taken")
    assert Case.objects.filter(pk=case.pk, owner__isnull=False).count() == 1
    for watched in pages.values():
        watched.whole()


@pytest.mark.parametrize(("width", "height"), SIZES, ids=["desktop", "phone"])
def test_the_desk_fits_the_screen(
    width: int, height: int, live_server, browser: Browser, kcc: Department, anna: User
) -> None:
    long = "Zeer-lange-waarde-zonder-spaties-" * 4
    customer = CustomerFactory(name=f"Daan {long}")
    IdentityFactory(customer=customer, kind=IdentityKind.EMAIL, value=f"{long}@example.nl")
    IdentityFactory(customer=customer, kind=IdentityKind.PHONE, value="+31612345678")
    case = CaseFactory(department=kcc, owner=anna, customer=customer, subject=long,
                       status=CaseStatus.OPEN)  # fmt: skip
    CaseFactory(department=kcc, subject="In de wachtrij")
    context = browser.new_context(locale="en-GB", viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        w = Watched(page, SCREENS)
        sign_in(page, live_server, "anna")
        expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
        w.whole(shot=f"inbox-{width}x{height}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.goto(f"{live_server.url}/cases/{case.pk}/")
        w.whole(shot=f"case-{width}x{height}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.goto(f"{live_server.url}/customers/{customer.pk}/")
        expect(page.get_by_role("heading", name=re.compile("^Daan"))).to_be_visible()
        w.whole(shot=f"customer-{width}x{height}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.goto(f"{live_server.url}/cases/{case.pk}/")
        page.keyboard.press("/")
        page.locator("#quicksearch-q").press_sequentially("Daan", delay=20)
        expect(page.locator("#quicksearch-results")).to_contain_text("+31612345678")
        w.whole(shot=f"search-{width}x{height}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.keyboard.press("Escape")
        page.keyboard.press("?")
        expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
        w.whole(shot=f"shortcuts-{width}x{height}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        context.close()
