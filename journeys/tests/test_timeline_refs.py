"""The customer's timeline links a contact moment to the case it belongs to, for those who
may see the case, without a query per row."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Department, User
from contacts.models import Customer
from contacts.tests.factories import CustomerFactory, InteractionFactory
from journeys.models import CaseMessage
from journeys.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def _page(client: Client, customer: Customer) -> str:
    response = client.get(reverse("contacts:customer", args=[customer.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_contact_moment_of_a_case_links_to_the_case_page(
    agent_client: Client, contact_center: Department
) -> None:
    customer = CustomerFactory()
    moment = InteractionFactory(customer=customer, subject="Pakket kwijt")
    InteractionFactory(customer=customer, subject="Los contact")
    case = CaseFactory(customer=customer, department=contact_center, origin=moment)
    CaseMessage.objects.create(case=case, interaction=moment)
    body = _page(agent_client, customer)
    case_url = reverse("journeys:case", kwargs={"case_id": case.pk})
    assert f'<a class="moment-ref" href="{case_url}">Case #{case.pk}</a>' in body
    assert body.count('class="moment-ref"') == 1


def test_a_case_the_viewer_may_not_see_is_named_without_a_link(
    member_client: Client, member: User, contact_center: Department
) -> None:
    customer = CustomerFactory()
    moment = InteractionFactory(customer=customer)
    case = CaseFactory(customer=customer, department=contact_center)
    CaseMessage.objects.create(case=case, interaction=moment)
    body = _page(member_client, customer)
    assert f'<span class="moment-ref">Case #{case.pk}</span>' in body
    assert reverse("journeys:case", kwargs={"case_id": case.pk}) not in body


@pytest.mark.parametrize("rows", [1, 50])
def test_case_links_cost_one_query_for_1_and_50_rows(
    agent_client: Client, contact_center: Department, django_assert_num_queries, rows: int
) -> None:
    customer = CustomerFactory()
    for _ in range(rows):
        moment = InteractionFactory(customer=customer)
        case = CaseFactory(customer=customer, department=contact_center, origin=moment)
        CaseMessage.objects.create(case=case, interaction=moment)
    _page(agent_client, customer)  # warm the session
    # user, customer, identities with consents and orders (one round trip), facts,
    # timeline, and two for the case
    # references of the whole page: which moments name a case, which of those the viewer may
    # open (the session and the profile questions come from memory)
    with django_assert_num_queries(7):
        body = _page(agent_client, customer)
    assert body.count('<a class="moment-ref"') == min(rows, 25)
