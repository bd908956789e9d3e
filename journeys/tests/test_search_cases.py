"""Case numbers in the header search: "#1234", "1234", "zaak 1234", "[#1234]"; a case
is found only by those who may see it (journeys.selectors.cases.case_visible_queryset)."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Department, User
from contacts.models import IdentityKind
from contacts.tests.factories import CustomerFactory, IdentityFactory
from journeys.selectors.search import case_number_parse
from journeys.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

FIND = reverse("contacts:find")
HTMX = {"HX-Request": "true"}


@pytest.mark.parametrize(
    ("query", "parsed"),
    [
        ("#1234", (1234, True)),
        (" # 1234 ", (1234, True)),
        ("[#1234]", (1234, True)),
        ("zaak 1234", (1234, True)),
        ("Case #1234", (1234, True)),
        ("(zaak 1234)", (1234, True)),
        ("1234", (1234, False)),
        ("#0", None),
        ("#99999999999999999999", None),
        ("anna@example.nl", None),
        ("#12 34", None),
        ("", None),
    ],
)
def test_a_case_number_is_read_as_agents_write_it(query: str, parsed) -> None:
    assert case_number_parse(query) == parsed


@pytest.mark.parametrize("written", ["#{}", "[#{}]", "zaak {}", "{}"])
def test_enter_on_a_case_number_goes_to_the_case(
    agent_client: Client, contact_center: Department, written: str
) -> None:
    case = CaseFactory(department=contact_center, subject="Pakket kwijt")
    response = agent_client.get(FIND, {"q": written.format(case.pk), "go": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("journeys:case", kwargs={"case_id": case.pk})


def test_typing_a_case_number_shows_the_case_and_its_customer(
    agent_client: Client, contact_center: Department
) -> None:
    customer = CustomerFactory(name="Daan Visser")
    case = CaseFactory(department=contact_center, customer=customer, subject="Pakket kwijt")
    response = agent_client.get(FIND, {"q": f"#{case.pk}"}, headers=HTMX)
    assert response.status_code == 200
    assert f"Case {case.pk}: Pakket kwijt" in response.text and "Daan Visser" in response.text


def test_a_case_of_another_department_is_not_found(agent_client: Client, sales: Department) -> None:
    case = CaseFactory(department=sales, subject="Offerte")
    response = agent_client.get(FIND, {"q": f"#{case.pk}", "go": "1"})
    assert response.status_code == 200
    assert "Offerte" not in response.text
    assert f"Nothing found for “#{case.pk}”." in response.text


def test_a_case_is_found_by_those_who_may_see_it_even_without_customer_access(
    member_client: Client, member: User, sales: Department
) -> None:
    case = CaseFactory(department=sales, subject="Offerte")
    response = member_client.get(FIND, {"q": f"#{case.pk}", "go": "1"})
    assert response.status_code == 302


def test_bare_digits_that_are_also_a_customer_number_list_both(
    agent_client: Client, contact_center: Department
) -> None:
    # Customer numbers have three characters at least.
    case = CaseFactory(pk=98765, department=contact_center, subject="Pakket kwijt")
    customer = CustomerFactory(name="Daan Visser")
    IdentityFactory(customer=customer, kind=IdentityKind.CUSTOMER_NUMBER, value="98765")
    response = agent_client.get(FIND, {"q": str(case.pk), "go": "1"})
    # The customer number is exact, the bare case number is not: Enter goes to the customer.
    assert response.status_code == 302
    assert response["Location"] == reverse("contacts:customer", args=[customer.pk])
    listed = agent_client.get(FIND, {"q": str(case.pk)}, headers=HTMX).text
    assert "Pakket kwijt" in listed and "Daan Visser" in listed


@pytest.mark.parametrize("rows", [1, 50])
def test_a_case_number_costs_the_same_for_1_and_50_cases(
    agent_client: Client, agent: User, contact_center: Department,
    django_assert_num_queries, rows: int,
) -> None:  # fmt: skip
    cases = CaseFactory.create_batch(rows, department=contact_center)
    # user, roles and permissions, the identities the number may be, the case
    with django_assert_num_queries(5):
        response = agent_client.get(FIND, {"q": f"#{cases[-1].pk}"}, headers=HTMX)
    assert response.text.count('<li class="find-hit') == 1
