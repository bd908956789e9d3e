"""The audit log page, the data navigation and the data buttons of the customer page."""

import datetime as dt

import pytest
from django.contrib.auth.context_processors import PermWrapper
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from contacts.models import AuditAction, AuditEntry, Customer
from contacts.selectors.data import cursor_decode, cursor_encode
from contacts.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

URL = reverse("contacts:data_audit")


def _entries(n: int, *, customer: Customer | None = None, actor: User | None = None) -> list:
    entries = [
        AuditEntry.objects.create(action=AuditAction.VIEW, customer=customer, actor=actor)
        for _ in range(n)
    ]
    # Spread them in time so the order is by "at", not by insertion.
    start = timezone.now() - dt.timedelta(hours=n)
    for i, entry in enumerate(entries):
        AuditEntry.objects.filter(pk=entry.pk).update(at=start + dt.timedelta(minutes=i))
    return entries


def test_a_cursor_survives_the_round_trip() -> None:
    at = timezone.now()
    assert cursor_decode(cursor_encode(at, 42)) == (at, 42)
    assert cursor_decode("nonsense") is None
    assert cursor_decode("12_x") is None
    assert cursor_decode(None) is None


def test_the_audit_log_shows_newest_first(manager_client: Client, manager: User) -> None:
    entries = _entries(3, customer=CustomerFactory(), actor=manager)
    response = manager_client.get(URL)
    assert response.status_code == 200
    assert [e.pk for e in response.context["page"].items] == [e.pk for e in reversed(entries)]


def test_the_audit_log_filters_by_customer(manager_client: Client) -> None:
    anna, piet = CustomerFactory(), CustomerFactory()
    mine = _entries(2, customer=anna)
    _entries(2, customer=piet)
    response = manager_client.get(URL, {"customer": anna.pk})
    assert {e.pk for e in response.context["page"].items} == {e.pk for e in mine}


def test_a_malformed_customer_filter_is_a_bad_request(manager_client: Client) -> None:
    response = manager_client.get(URL, {"customer": "abc"})
    assert response.status_code == 400
    assert b"whole number" in response.content


def test_the_audit_log_pages_with_a_cursor(manager_client: Client) -> None:
    entries = _entries(55)
    first = manager_client.get(URL)
    cursor = first.context["page"].next_cursor
    more = manager_client.get(URL, {"cursor": cursor}, headers={"HX-Request": "true"})
    shown = [e.pk for e in first.context["page"].items + more.context["page"].items]
    assert shown == [e.pk for e in reversed(entries)]
    assert b"<h1>" not in more.content
    assert more.context["page"].next_cursor is None


@pytest.mark.parametrize("rows", [1, 40])
def test_the_audit_log_costs_the_same_queries_for_one_entry_or_many(
    rows: int, manager: User, manager_client: Client, django_assert_num_queries
) -> None:
    _entries(rows, customer=CustomerFactory(), actor=manager)
    with django_assert_num_queries(5):
        response = manager_client.get(URL)
    assert response.status_code == 200


@pytest.mark.parametrize("persona", ["agent_client", "member_client", "outsider_client"])
def test_others_than_managers_may_not_read_the_audit_log(
    persona: str, request: pytest.FixtureRequest
) -> None:
    assert request.getfixturevalue(persona).get(URL).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_the_data_pages_link_to_each_other_for_a_manager(manager_client: Client) -> None:
    content = manager_client.get(URL).content
    for name in ("data_duplicates", "data_import", "data_quality", "data_audit"):
        assert reverse(f"contacts:{name}").encode() in content


def _actions(user: User, customer: Customer) -> str:
    return render_to_string(
        "contacts/_customer_data_actions.html",
        {"customer": customer, "perms": PermWrapper(user), "csrf_token": "x"},
    )


def test_a_manager_sees_merge_export_and_erase_on_the_customer_page(manager: User) -> None:
    customer = CustomerFactory()
    html = _actions(manager, customer)
    assert reverse("contacts:data_merge", args=[customer.pk]) in html
    assert reverse("contacts:data_gdpr_export", args=[customer.pk]) in html
    assert reverse("contacts:data_gdpr_erase", args=[customer.pk]) in html


@pytest.mark.parametrize("persona", ["agent", "member", "marketer", "outsider"])
def test_others_see_no_data_buttons(persona: str, request: pytest.FixtureRequest) -> None:
    customer = CustomerFactory()
    html = _actions(request.getfixturevalue(persona), customer)
    assert "/merge/" not in html
    assert "/gdpr/" not in html


def test_a_merged_customer_has_no_data_buttons(manager: User) -> None:
    customer = CustomerFactory(merged_into=CustomerFactory())
    assert "/gdpr/" not in _actions(manager, customer)
