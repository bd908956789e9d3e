"""Data quality: completeness of a record, stale answers, customers nobody can reach."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from contacts.models import Channel, ConsentStatus, Customer, IdentityKind
from contacts.selectors.quality import (
    customer_completeness,
    stale_fact_list,
    unreachable_customer_list,
)
from contacts.tests.factories import (
    ConsentFactory,
    CustomerFactory,
    IdentityFactory,
    ProfileFactFactory,
    ProfileQuestionFactory,
)

pytestmark = pytest.mark.django_db

URL = reverse("contacts:data_quality")
OLD = timezone.now() - dt.timedelta(days=400)


def test_an_empty_record_is_zero_percent_complete(django_assert_num_queries) -> None:
    customer = CustomerFactory(name="", street="", postcode="", city="")
    ProfileQuestionFactory()
    with django_assert_num_queries(2):
        assert customer_completeness(customer=customer) == 0


def test_a_full_record_is_a_hundred_percent_complete() -> None:
    customer = CustomerFactory(preferred_channel=Channel.EMAIL)
    IdentityFactory(customer=customer, kind=IdentityKind.EMAIL)
    IdentityFactory(customer=customer, kind=IdentityKind.WHATSAPP, value="+31612345678")
    question = ProfileQuestionFactory()
    ProfileFactFactory(customer=customer, question=question)
    assert customer_completeness(customer=customer) == 100


def test_completeness_counts_the_share_of_active_questions_answered() -> None:
    customer = CustomerFactory(preferred_channel=Channel.PHONE)
    IdentityFactory(customer=customer, kind=IdentityKind.EMAIL)
    IdentityFactory(customer=customer, kind=IdentityKind.PHONE, value="+31612345678")
    answered, _open = ProfileQuestionFactory(), ProfileQuestionFactory()
    ProfileQuestionFactory(is_active=False)
    ProfileFactFactory(customer=customer, question=answered)
    ProfileFactFactory(customer=customer, question=_open, is_current=False)
    assert customer_completeness(customer=customer) == round(100 * 6.5 / 7)


def test_completeness_without_questions_counts_six_parts() -> None:
    customer = CustomerFactory(preferred_channel="")
    assert customer_completeness(customer=customer) == round(100 * 3 / 6)


def test_completeness_uses_prefetched_identities(django_assert_num_queries) -> None:
    IdentityFactory(kind=IdentityKind.EMAIL)
    customer = Customer.objects.prefetch_related("identities").get()
    with django_assert_num_queries(1):
        customer_completeness(customer=customer)


def test_stale_answers_are_current_answers_older_than_the_setting(manager: User, settings) -> None:
    settings.PROFILE_FACT_STALE_DAYS = 365
    stale = ProfileFactFactory(recorded_at=OLD)
    ProfileFactFactory(recorded_at=timezone.now() - dt.timedelta(days=10))
    ProfileFactFactory(recorded_at=OLD, is_current=False)
    ProfileFactFactory(recorded_at=OLD, customer=CustomerFactory(erased_at=timezone.now()))
    assert [f.pk for f in stale_fact_list(user=manager).items] == [stale.pk]
    settings.PROFILE_FACT_STALE_DAYS = 500
    assert stale_fact_list(user=manager).items == []


def test_stale_answers_are_keyset_paginated(manager: User) -> None:
    facts = [ProfileFactFactory(recorded_at=OLD - dt.timedelta(days=i)) for i in range(5)]
    first = stale_fact_list(user=manager, limit=3)
    second = stale_fact_list(user=manager, cursor=first.next_cursor, limit=3)
    assert [f.pk for f in first.items + second.items] == [f.pk for f in facts]
    assert second.next_cursor is None


def test_unreachable_customers_have_no_channel_left(manager: User) -> None:
    nothing = CustomerFactory()
    only_social = CustomerFactory()
    IdentityFactory(customer=only_social, kind=IdentityKind.INSTAGRAM, value="anna")
    opted_out = CustomerFactory()
    IdentityFactory(customer=opted_out, kind=IdentityKind.EMAIL)
    ConsentFactory(customer=opted_out, channel=Channel.EMAIL, status=ConsentStatus.OPT_OUT)
    mail = CustomerFactory()
    IdentityFactory(customer=mail, kind=IdentityKind.EMAIL)
    phone_but_no_sms = CustomerFactory()
    IdentityFactory(customer=phone_but_no_sms, kind=IdentityKind.PHONE, value="+31612345678")
    ConsentFactory(customer=phone_but_no_sms, channel=Channel.SMS, status=ConsentStatus.OPT_OUT)
    CustomerFactory(merged_into=mail)

    found = {c.pk for c in unreachable_customer_list(user=manager).items}

    assert found == {nothing.pk, only_social.pk, opted_out.pk}


def test_unreachable_customers_are_keyset_paginated(manager: User) -> None:
    people = [CustomerFactory() for _ in range(5)]
    first = unreachable_customer_list(user=manager, limit=3)
    second = unreachable_customer_list(user=manager, before_id=int(first.next_cursor or 0), limit=3)
    assert [c.pk for c in first.items + second.items] == [c.pk for c in reversed(people)]


def test_the_lists_are_empty_for_a_user_without_permission(agent: User) -> None:
    ProfileFactFactory(recorded_at=OLD)
    CustomerFactory()
    assert stale_fact_list(user=agent).items == []
    assert unreachable_customer_list(user=agent).items == []


# --- The page -------------------------------------------------------------------------------


def test_a_manager_sees_the_quality_page(manager_client: Client) -> None:
    ProfileFactFactory(recorded_at=OLD, value="drie", customer=CustomerFactory(name="Stale Sam"))
    CustomerFactory(name="Lost Lisa")
    response = manager_client.get(URL)
    assert response.status_code == 200
    assert b"Stale Sam" in response.content
    assert b"Lost Lisa" in response.content


@pytest.mark.parametrize("persona", ["agent_client", "member_client", "outsider_client"])
def test_others_than_managers_may_not_see_data_quality(
    persona: str, request: pytest.FixtureRequest
) -> None:
    assert request.getfixturevalue(persona).get(URL).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("rows", [1, 40])
def test_the_page_costs_the_same_queries_for_one_row_or_many(
    rows: int, manager_client: Client, django_assert_num_queries
) -> None:
    for _ in range(rows):
        ProfileFactFactory(recorded_at=OLD)
    with django_assert_num_queries(6):
        response = manager_client.get(URL)
    assert response.status_code == 200


def test_more_rows_come_as_a_partial_for_htmx(manager_client: Client) -> None:
    for i in range(30):
        ProfileFactFactory(recorded_at=OLD - dt.timedelta(days=i), value=f"v{i}")
    page = manager_client.get(URL)
    cursor = page.context["stale"].next_cursor
    more = manager_client.get(URL, {"stale": cursor}, headers={"HX-Request": "true"})
    assert more.status_code == 200
    assert b"<h1>" not in more.content
    assert b"v29" in more.content
    customers = manager_client.get(
        URL,
        {"unreachable": page.context["unreachable"].next_cursor},
        headers={"HX-Request": "true"},
    )
    assert customers.status_code == 200
    assert b"<h1>" not in customers.content
