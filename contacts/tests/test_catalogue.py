"""The active profile questions are kept between requests and dropped when one changes."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from contacts.models import Channel, ConsentStatus, Customer, IdentityKind, ProfileQuestion
from contacts.selectors import customers
from contacts.tests.factories import (
    ConsentFactory,
    CustomerFactory,
    IdentityFactory,
    OrderFactory,
    ProfileFactFactory,
    ProfileQuestionFactory,
)

pytestmark = pytest.mark.django_db


def _page(client: Client, customer: Customer) -> str:
    response = client.get(reverse("contacts:customer", args=[customer.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_next_page_reads_the_questions_from_memory(
    agent_client: Client, django_assert_num_queries
) -> None:
    customer = CustomerFactory()
    ProfileQuestionFactory(key="pets", label_en="Any pets?", label_nl="Huisdieren?")
    _page(agent_client, customer)  # warm the session and the catalogue
    # user, customer, identities with consents and orders (one round trip), facts, timeline
    # (no questions, and no case references for a customer without contact moments)
    with django_assert_num_queries(5):
        body = _page(agent_client, customer)
    assert "Any pets?" in body


def test_an_edited_question_shows_on_the_very_next_page(agent_client: Client) -> None:
    customer = CustomerFactory()
    question = ProfileQuestionFactory(key="pets", label_en="Any pets?", label_nl="Huisdieren?")
    _page(agent_client, customer)
    question.label_en = "Which pets?"
    question.label_nl = "Welke huisdieren?"
    question.save()
    body = _page(agent_client, customer)
    assert "Which pets?" in body
    assert "Any pets?" not in body


def test_a_deleted_question_is_no_longer_asked(agent_client: Client) -> None:
    customer = CustomerFactory()
    ProfileQuestionFactory(key="pets", label_en="Any pets?", label_nl="Huisdieren?", order=1)
    ProfileQuestionFactory(key="car", label_en="A car?", label_nl="Een auto?", order=2)
    _page(agent_client, customer)
    ProfileQuestion.objects.get(key="pets").delete()
    body = _page(agent_client, customer)
    assert "A car?" in body
    assert "Any pets?" not in body


def test_known_facts_show_in_question_order_also_of_a_retired_question(
    agent_client: Client,
) -> None:
    customer = CustomerFactory()
    later = ProfileQuestionFactory(key="car", label_en="A car?", order=5)
    retired = ProfileQuestionFactory(key="pets", label_en="Any pets?", order=1, is_active=False)
    ProfileFactFactory(customer=customer, question=later, value="yes")
    ProfileFactFactory(customer=customer, question=retired, value="a cat")
    body = _page(agent_client, customer)
    assert body.index("Any pets?") < body.index("A car?")
    assert '<strong class="known-a">a cat</strong>' in body


def test_a_question_added_after_the_page_was_read_is_asked_next(agent_client: Client) -> None:
    customer = CustomerFactory()
    _page(agent_client, customer)
    ProfileQuestionFactory(key="pets", label_en="Any pets?")
    assert "Any pets?" in _page(agent_client, customer)


def test_with_server_side_binding_the_overview_reads_the_same_rows_one_statement_each(
    agent: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    customer = CustomerFactory()
    IdentityFactory(customer=customer, kind=IdentityKind.EMAIL, value="emma@example.nl")
    ConsentFactory(customer=customer, channel=Channel.EMAIL, status=ConsentStatus.OPT_IN)
    OrderFactory(customer=customer, product_name="Stadsrugzak")
    together = customers.customer_overview(user=agent, customer=customer)

    class NoClientCursor:
        pass

    monkeypatch.setattr(customers.psycopg, "ClientCursor", NoClientCursor)
    apart = customers.customer_overview(user=agent, customer=customer)
    assert [i.pk for i in apart.identities] == [i.pk for i in together.identities]
    assert [i.value for i in apart.identities] == ["emma@example.nl"]
    assert [(r.channel, r.consent and r.consent.status) for r in apart.consents] == [
        (r.channel, r.consent and r.consent.status) for r in together.consents
    ]
    assert [o.product_name for o in apart.orders] == ["Stadsrugzak"]
    assert [o.pk for o in together.orders] == [o.pk for o in apart.orders]
