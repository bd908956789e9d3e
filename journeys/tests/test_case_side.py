"""Beside the case: who else is on it (cache only) and the customer panel, with pinned
query counts."""

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from accounts.models import Department, User
from accounts.roles import Role
from accounts.tests.factories import UserFactory
from contacts.models import IdentityKind
from contacts.tests.factories import (
    CustomerFactory,
    IdentityFactory,
    InteractionFactory,
    ProfileFactFactory,
    ProfileQuestionFactory,
)
from journeys.models import CaseStatus
from journeys.services.presence import presence_key, presence_record
from journeys.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


def _url(case, name: str) -> str:
    return reverse(f"journeys:{name}", kwargs={"case_id": case.pk})


@pytest.fixture
def colleague(contact_center: Department) -> User:
    return UserFactory(
        username="bart", first_name="Bart", last_name="Bos", department=contact_center,
        roles=[Role.AGENT],
    )  # fmt: skip


# --- Who else is on it ---------------------------------------------------------------------


def test_opening_a_case_shows_the_others_viewing_it(
    agent_client: Client, agent: User, colleague: User, contact_center: Department
) -> None:
    case = CaseFactory(department=contact_center, owner=agent)
    presence_record(case_id=case.pk, user=colleague)
    page = agent_client.get(_url(case, "case")).text
    assert "Bart Bos is viewing" in page
    assert f"{agent.get_full_name()} is viewing" not in page
    assert agent.pk in cache.get(presence_key(case.pk))


def test_typing_in_the_reply_shows_as_writing_a_reply(
    agent_client: Client, agent: User, colleague: User, contact_center: Department,
    django_assert_max_num_queries,
) -> None:  # fmt: skip
    case = CaseFactory(department=contact_center, owner=agent)
    colleague_client = Client()
    colleague_client.force_login(colleague)
    typed = colleague_client.post(_url(case, "case_presence"), {"typing": "1"}, **HTMX)
    assert typed.status_code == 200 and 'id="presence"' in typed.text
    # Reads only (session, user, roles, two permission look-ups, the case); no writes.
    with django_assert_max_num_queries(6):
        response = agent_client.post(_url(case, "case_presence"), **HTMX)
    assert "Bart Bos is writing a reply" in response.text


def test_the_inbox_row_shows_who_is_on_the_case(
    agent_client: Client, agent: User, colleague: User, contact_center: Department
) -> None:
    case = CaseFactory(department=contact_center, owner=agent)
    presence_record(case_id=case.pk, user=colleague, typing=True)
    inbox = agent_client.get(reverse("journeys:inbox")).text
    row = inbox.split(f'id="case-row-{case.pk}"')[1].split("</tr>")[0]
    assert "Bart Bos is writing a reply" in row


def test_presence_is_only_for_those_who_may_see_the_case(
    member_client: Client, agent_client: Client, contact_center: Department
) -> None:
    case = CaseFactory(department=contact_center)
    assert member_client.post(_url(case, "case_presence"), **HTMX).status_code == 404
    assert cache.get(presence_key(case.pk)) is None
    assert agent_client.get(_url(case, "case_presence")).status_code == 405


def test_two_people_on_the_case_see_each_other(
    agent: User, colleague: User, contact_center: Department
) -> None:
    case = CaseFactory(department=contact_center, owner=agent)
    first, second = Client(), Client()
    first.force_login(agent)
    second.force_login(colleague)
    first.get(_url(case, "case"))
    assert "is viewing" in second.get(_url(case, "case")).text
    assert "Bart Bos is viewing" in first.post(_url(case, "case_presence"), **HTMX).text


# --- The customer beside the case ----------------------------------------------------------


def test_the_customer_panel_shows_identities_facts_next_question_cases_and_contacts(
    agent_client: Client, agent: User, contact_center: Department, sales: Department
) -> None:
    customer = CustomerFactory(name="Daan Visser")
    IdentityFactory(customer=customer, kind=IdentityKind.EMAIL, value="daan@example.nl")
    children = ProfileQuestionFactory(key="children", label_en="How many children?")
    ProfileQuestionFactory(key="pets", label_en="Any pets?")
    ProfileFactFactory(customer=customer, question=children, value="2")
    InteractionFactory(customer=customer, subject="Vraag over levering")
    case = CaseFactory(department=contact_center, owner=agent, customer=customer)
    other = CaseFactory(department=sales, customer=customer, subject="Factuur klopt niet")

    response = agent_client.get(_url(case, "case_customer_panel"), **HTMX)
    text = response.text
    assert response.status_code == 200 and "<header" not in text
    assert "daan@example.nl" in text
    assert "How many children?" in text and '<strong class="known-a">2</strong>' in text
    assert "Next question" in text and "Any pets?" in text
    assert f"#{other.pk} Factuur klopt niet" in text and "Sales" in text
    assert f"#{case.pk} " not in text.split("Other open cases")[1].split("Last contact")[0]
    assert "Vraag over levering" in text
    assert 'hx-get="/feedback/' in text  # the feedback app's customer panel, by the registry


def test_the_customer_panel_is_404_for_a_case_one_may_not_see(
    member_client: Client, contact_center: Department
) -> None:
    case = CaseFactory(department=contact_center)
    assert member_client.get(_url(case, "case_customer_panel")).status_code == 404


@pytest.mark.parametrize("rows", [1, 50])
def test_the_customer_panel_queries_do_not_grow(
    rows: int,
    agent_client: Client,
    agent: User,
    contact_center: Department,
    sales: Department,
    django_assert_num_queries,
) -> None:
    customer = CustomerFactory()
    case = CaseFactory(department=contact_center, owner=agent, customer=customer)
    for n in range(rows):
        IdentityFactory(customer=customer, kind=IdentityKind.EMAIL, value=f"k{n}@example.nl")
        ProfileFactFactory(customer=customer, question=ProfileQuestionFactory(key=f"q{n}"))
        InteractionFactory(customer=customer)
        CaseFactory(department=sales, customer=customer, status=CaseStatus.OPEN)
    agent_client.get(_url(case, "case_customer_panel"))  # warm the session
    with django_assert_num_queries(7):
        assert agent_client.get(_url(case, "case_customer_panel")).status_code == 200


def test_the_customer_panel_answers_on_the_case_s_channel(
    agent_client: Client, agent: User, contact_center: Department
) -> None:
    customer = CustomerFactory()
    ProfileQuestionFactory(key="pets", label_en="Any pets?")
    origin = InteractionFactory(customer=customer, channel="whatsapp")
    case = CaseFactory(department=contact_center, owner=agent, customer=customer, origin=origin)
    text = agent_client.get(_url(case, "case_customer_panel"), **HTMX).text
    answer = reverse("contacts:customer", args=[customer.pk]) + "?answer_channel=whatsapp"
    assert f'href="{answer}#next-question"' in text
