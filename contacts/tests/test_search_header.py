"""The header's search box (GET /customers/find/): customers by e-mail, phone in any
notation, customer number or name, with e-mail and phone beside each name; Enter goes to
the one certain hit. Case numbers are journeys' provider (journeys/tests/test_search_cases.py)."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from contacts.models import IdentityKind
from contacts.tests.factories import CustomerFactory, IdentityFactory

pytestmark = pytest.mark.django_db

FIND = reverse("contacts:find")
HTMX = {"HX-Request": "true"}


@pytest.fixture
def anna():
    customer = CustomerFactory(name="Anna de Vries")
    IdentityFactory(customer=customer, kind=IdentityKind.EMAIL, value="anna@example.nl")
    IdentityFactory(customer=customer, kind=IdentityKind.PHONE, value="+31612345678")
    IdentityFactory(customer=customer, kind=IdentityKind.CUSTOMER_NUMBER, value="KL100042")
    return customer


def test_every_signed_in_page_has_the_search_box_with_its_key(agent_client: Client) -> None:
    for url in (reverse("home"), reverse("contacts:search"), reverse("accounts:notifications")):
        page = agent_client.get(url, follow=True).text
        assert f'action="{FIND}"' in page and 'aria-keyshortcuts="/"' in page, url
        assert 'id="quicksearch-q"' in page and "data-quicksearch" in page, url


def test_the_sign_in_page_has_no_search_box(client: Client) -> None:
    assert "quicksearch" not in client.get(reverse("accounts:login")).text


@pytest.mark.parametrize(
    "query", ["anna@example.nl", "ANNA@example.NL", "06-12345678", "+31 6 1234 5678", "KL100042"]
)
def test_enter_on_an_exact_handle_goes_to_the_customer(
    agent_client: Client, anna, query: str
) -> None:
    response = agent_client.get(FIND, {"q": query, "go": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("contacts:customer", args=[anna.pk])


def test_typing_shows_hits_with_e_mail_and_phone(agent_client: Client, anna) -> None:
    namesake = CustomerFactory(name="Anna de Vries")
    IdentityFactory(customer=namesake, kind=IdentityKind.EMAIL, value="a.devries@example.com")
    response = agent_client.get(FIND, {"q": "de Vries"}, headers=HTMX)
    assert response.status_code == 200 and "<html" not in response.text
    assert "anna@example.nl" in response.text and "+31612345678" in response.text
    assert "a.devries@example.com" in response.text
    assert "HX-Request" in response["Vary"]


def test_enter_on_namesakes_lists_them_on_a_page(agent_client: Client, anna) -> None:
    CustomerFactory(name="Anna de Vries")
    response = agent_client.get(FIND, {"q": "Anna de Vries", "go": "1"})
    assert response.status_code == 200 and "<html" in response.text
    assert response.text.count('<li class="find-hit') == 2


def test_nothing_found_says_so(agent_client: Client) -> None:
    response = agent_client.get(FIND, {"q": "nobody@example.nl", "go": "1"})
    assert response.status_code == 200
    assert "Nothing found for “nobody@example.nl”." in response.text


@pytest.mark.parametrize("persona", ["outsider", "marketer"])
def test_people_without_customer_access_find_no_customers(
    request: pytest.FixtureRequest, persona: str, anna
) -> None:
    client = request.getfixturevalue(f"{persona}_client")
    response = client.get(FIND, {"q": "anna@example.nl", "go": "1"})
    assert response.status_code == 200
    assert "Anna de Vries" not in response.text
    assert reverse("contacts:customer", args=[anna.pk]) not in response.text


def test_an_overlong_entry_is_refused_and_finds_nothing(agent_client: Client, anna) -> None:
    response = agent_client.get(FIND, {"q": "anna " * 50, "go": "1"})
    assert response.status_code == 400
    assert "Ensure this value has at most 200 characters" in response.text
    assert "Anna de Vries" not in response.text


def test_the_search_is_get_only_and_for_signed_in_users(agent_client: Client, client) -> None:
    assert agent_client.post(FIND, {"q": "anna"}).status_code == 405
    response = client.get(FIND, {"q": "anna"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("rows", [1, 50])
def test_the_query_count_does_not_grow_with_the_hits(
    agent_client: Client, agent: User, django_assert_num_queries, rows: int
) -> None:
    for n in range(rows):
        customer = CustomerFactory(name="Daan Dekker")
        IdentityFactory(customer=customer, kind=IdentityKind.EMAIL, value=f"daan{n}@example.nl")
        IdentityFactory(customer=customer, kind=IdentityKind.PHONE, value=f"+3161000{n:04d}")
    # user, two for permissions, identity matches (a word may be a customer number), names,
    # their e-mail addresses and phones, roles (navigation); the session comes from the
    # cache, and a name is no case number, so cases cost nothing.
    with django_assert_num_queries(7):
        response = agent_client.get(FIND, {"q": "Dekker"}, headers=HTMX)
    assert response.status_code == 200
    assert response.text.count('<li class="find-hit') == min(rows, 8)


@pytest.mark.parametrize("rows", [1, 50])
def test_the_customer_page_search_shows_e_mail_and_phone_at_a_fixed_cost(
    agent_client: Client, django_assert_num_queries, rows: int
) -> None:
    for n in range(rows):
        customer = CustomerFactory(name="Daan Dekker")
        IdentityFactory(customer=customer, kind=IdentityKind.EMAIL, value=f"daan{n}@example.nl")
        IdentityFactory(customer=customer, kind=IdentityKind.PHONE, value=f"+3161000{n:04d}")
    # user, two for permissions, identity matches, names, their e-mail addresses and
    # phones, roles (navigation)
    with django_assert_num_queries(7):
        response = agent_client.get(reverse("contacts:search"), {"q": "Dekker"})
    assert response.text.count('class="card search-hit') == min(rows, 25)
    newest = rows - 1  # recently active first, then the newest
    assert f"daan{newest}@example.nl" in response.text
    assert f"+3161000{newest:04d}" in response.text


def test_the_search_box_and_the_shortcuts_speak_dutch(agent_client: Client, agent: User) -> None:
    agent.language = "nl"
    agent.save(update_fields=["language"])
    page = agent_client.get(reverse("contacts:search"), headers={"Accept-Language": "nl"}).text
    assert 'placeholder="Klant of zaaknummer"' in page
    assert "Klanten en zaken zoeken" in page and "Sneltoetsen" in page
    assert "Losse toetsen werken als je niet in een veld typt." in page
