"""The customer search page and GET /api/v1/customers/: one box for every kind of handle."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from contacts.models import IdentityKind
from contacts.selectors.customers import customer_search
from contacts.tests.factories import CustomerFactory, IdentityFactory

pytestmark = pytest.mark.django_db

SEARCH = "/customers/"


@pytest.fixture
def anna():
    customer = CustomerFactory(name="Anna de Vries", postcode="1011 AB", city="Amsterdam")
    IdentityFactory(customer=customer, kind=IdentityKind.EMAIL, value="anna@example.nl")
    IdentityFactory(customer=customer, kind=IdentityKind.PHONE, value="+31612345678")
    IdentityFactory(customer=customer, kind=IdentityKind.CUSTOMER_NUMBER, value="KL100042")
    return customer


@pytest.mark.parametrize(
    "query",
    [
        "anna@example.nl",
        "ANNA@Example.NL ",
        "06-12345678",
        "+31 6 1234 5678",
        "0031612345678",
        "0612345678",
        "KL100042",
        "de Vries",
        "anna",
    ],
)
def test_search_finds_the_customer_by_any_handle(agent, anna, query) -> None:
    CustomerFactory(name="Bram Bakker")
    found = customer_search(user=agent, query=query)
    assert [c.pk for c in found] == [anna.pk]


def test_exact_identity_match_comes_before_name_matches(agent) -> None:
    named = CustomerFactory(name="Jan Jansen")
    numbered = CustomerFactory(name="Piet Peters")
    IdentityFactory(customer=numbered, kind=IdentityKind.WEBSHOP, value="Jansen")
    found = customer_search(user=agent, query="Jansen")
    assert [c.pk for c in found] == [numbered.pk, named.pk]
    assert found[0].exact_match and not found[1].exact_match


def test_merged_and_erased_customers_are_not_found(agent, anna) -> None:
    from django.utils import timezone

    CustomerFactory(name="Anna Merged", merged_into=anna)
    CustomerFactory(name="Anna Erased", erased_at=timezone.now())
    assert [c.pk for c in customer_search(user=agent, query="anna")] == [anna.pk]


def test_a_shared_phone_finds_its_active_owners_recently_active_first_up_to_the_limit(
    agent,
) -> None:
    now = timezone.now()
    owners = {
        IdentityKind.PHONE: CustomerFactory(name="Oud", last_interaction_at=now - dt.timedelta(9)),
        IdentityKind.SMS: CustomerFactory(name="Recent", last_interaction_at=now),
        IdentityKind.WHATSAPP: CustomerFactory(name="Samengevoegd", merged_into=CustomerFactory()),
    }
    for kind, customer in owners.items():
        IdentityFactory(customer=customer, kind=kind, value="+31687654321")
    found = customer_search(user=agent, query="06-87654321")
    assert [c.name for c in found] == ["Recent", "Oud"]
    assert all(c.exact_match for c in found)
    assert found[0].last_interaction_at == now
    assert [c.name for c in customer_search(user=agent, query="0687654321", limit=1)] == ["Recent"]
    never = CustomerFactory(name="Nooit", last_interaction_at=None)
    IdentityFactory(customer=never, kind=IdentityKind.PHONE, value="+31611111111")
    erased = CustomerFactory(name="Gewist", erased_at=now, last_interaction_at=now)
    IdentityFactory(customer=erased, kind=IdentityKind.SMS, value="+31611111111")
    older = CustomerFactory(name="Ooit", last_interaction_at=now - dt.timedelta(days=400))
    IdentityFactory(customer=older, kind=IdentityKind.WHATSAPP, value="+31611111111")
    assert [c.name for c in customer_search(user=agent, query="06 1111 1111")] == [
        "Ooit",
        "Nooit",
    ]


def test_a_single_letter_matches_no_names_in_the_middle(agent) -> None:
    CustomerFactory(name="Bram Bakker")
    assert customer_search(user=agent, query="a") == []


def test_an_unknown_phone_number_does_not_search_names(agent, django_assert_num_queries):
    CustomerFactory(name="Bram Bakker")
    assert agent.has_perm("contacts.view_customer")  # loads and caches the permissions
    with django_assert_num_queries(1):
        assert customer_search(user=agent, query="06-99999999") == []


def test_empty_search_shows_a_hint(agent_client: Client, anna) -> None:
    body = agent_client.get(SEARCH).content.decode()
    assert "Type an e-mail address" in body
    assert "Anna" not in body


def test_empty_entry_gives_recent_customers_for_the_csv_export(agent) -> None:
    from django.utils import timezone

    recent = CustomerFactory(last_interaction_at=timezone.now())
    CustomerFactory(last_interaction_at=None)
    assert customer_search(user=agent, query=" ") == [recent]


def test_managers_can_export_the_results(manager_client: Client, agent_client, anna) -> None:
    export = reverse("contacts:data_export_csv") + "?q=anna"
    assert export in manager_client.get(SEARCH, {"q": "anna"}).content.decode()
    assert export not in agent_client.get(SEARCH, {"q": "anna"}).content.decode()


def test_search_without_permission_finds_nothing(outsider, anna) -> None:
    assert customer_search(user=outsider, query="anna@example.nl") == []


def test_results_are_limited_and_say_more_exist(agent_client: Client) -> None:
    CustomerFactory.create_batch(30, name="Sanne Smit")
    response = agent_client.get(SEARCH, {"q": "Smit"})
    assert response.status_code == 200
    assert response.content.decode().count('class="card search-hit') == 25
    assert "More customers match" in response.content.decode()


@pytest.mark.parametrize("persona", ["agent", "member", "manager"])
def test_people_with_customer_access_can_search(request, persona, anna) -> None:
    client = request.getfixturevalue(f"{persona}_client")
    response = client.get(SEARCH, {"q": "06-12345678"})
    assert response.status_code == 200
    assert reverse("contacts:customer", args=[anna.pk]) in response.content.decode()


@pytest.mark.parametrize("persona", ["outsider", "marketer"])
def test_people_without_customer_access_cannot_search(request, persona, anna) -> None:
    response = request.getfixturevalue(f"{persona}_client").get(SEARCH, {"q": "anna"})
    assert response.status_code == 403
    assert "Anna" not in response.content.decode()


def test_anonymous_is_sent_to_sign_in(client: Client) -> None:
    response = client.get(SEARCH)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_htmx_gets_only_the_results_and_responses_vary(agent_client: Client, anna) -> None:
    full = agent_client.get(SEARCH, {"q": "anna"})
    partial = agent_client.get(SEARCH, {"q": "anna"}, headers={"HX-Request": "true"})
    assert "<html" in full.content.decode()
    assert "<html" not in partial.content.decode()
    assert "Anna de Vries" in partial.content.decode()
    assert "HX-Request" in partial["Vary"] and "HX-Request" in full["Vary"]


def test_search_page_links_new_customer_and_has_an_href_for_every_hx_get(
    agent_client: Client,
) -> None:
    body = agent_client.get(SEARCH).content.decode()
    assert reverse("contacts:customer_new") in body
    assert 'action="/customers/"' in body


def test_search_is_get_only(agent_client: Client) -> None:
    assert agent_client.post(SEARCH, {"q": "anna"}).status_code == 405


@pytest.mark.parametrize("rows", [1, 50])
def test_search_page_query_count_does_not_grow_with_results(
    agent_client: Client, django_assert_num_queries, rows
) -> None:
    CustomerFactory.create_batch(rows, name="Daan Dekker")
    # user, two for permissions, identity matches (a word may be a customer number), names,
    # their e-mail addresses and phones, roles (navigation); the session is in the cache
    with django_assert_num_queries(7):
        response = agent_client.get(SEARCH, {"q": "Dekker"})
    assert response.status_code == 200


def test_api_search_finds_by_phone_in_another_notation(api_client: APIClient, anna) -> None:
    response = api_client.get("/api/v1/customers/", {"q": "0031 6 12345678"})
    assert response.status_code == 200
    body = response.json()
    assert [r["id"] for r in body["results"]] == [anna.pk]
    assert body["results"][0]["exact_match"] is True
    assert body["more"] is False


@pytest.mark.parametrize("rows", [1, 50])
def test_api_search_query_count_is_fixed(
    api_client: APIClient, django_assert_num_queries, rows
) -> None:
    CustomerFactory.create_batch(rows, name="Koen Kok")
    # token, two for permissions, identity matches (no name search for an e-mail address)
    with django_assert_num_queries(4):
        response = api_client.get("/api/v1/customers/", {"q": "anna@example.nl"})
    assert response.status_code == 200


def test_api_search_needs_customer_access(outsider, anna) -> None:
    client = APIClient()
    client.force_authenticate(outsider)
    assert client.get("/api/v1/customers/", {"q": "anna"}).status_code == 403
    assert APIClient().get("/api/v1/customers/", {"q": "anna"}).status_code == 401
