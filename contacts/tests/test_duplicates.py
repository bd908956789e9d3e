"""Finding duplicate customers, and the page where a manager decides about them."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from contacts.models import Customer, DuplicateCandidate, DuplicateStatus
from contacts.services import duplicates as duplicates_module
from contacts.services.duplicates import duplicates_find
from contacts.tasks import find_duplicates
from contacts.tests.factories import CustomerFactory, IdentityFactory

pytestmark = pytest.mark.django_db

URL = reverse("contacts:data_duplicates")


def _pair(name: str = "Anna de Vries", postcode: str = "1011 AB") -> tuple[Customer, Customer]:
    return (
        CustomerFactory(name=name, postcode=postcode),
        CustomerFactory(name=f"  {name.upper()} ", postcode=postcode.replace(" ", "").lower()),
    )


def test_same_name_and_postcode_in_any_notation_make_a_pair() -> None:
    first, second = _pair()
    CustomerFactory(name="Anna de Vries", postcode="9999 ZZ")

    assert duplicates_find() == 1

    pair = DuplicateCandidate.objects.get()
    assert (pair.first_id, pair.second_id) == (first.pk, second.pk)
    assert pair.status == DuplicateStatus.OPEN
    assert pair.reason


def test_customers_without_postcode_are_never_paired() -> None:
    CustomerFactory(name="Jan Smit", postcode="")
    CustomerFactory(name="Jan Smit", postcode="")
    assert duplicates_find() == 0


def test_merged_and_erased_customers_are_left_out() -> None:
    first, second = _pair()
    Customer.objects.filter(pk=second.pk).update(merged_into=first)
    third = CustomerFactory(name="Anna de Vries", postcode="1011 AB")
    Customer.objects.filter(pk=third.pk).update(erased_at=timezone.now())
    assert duplicates_find() == 0


def test_finding_twice_adds_nothing_the_second_time() -> None:
    _pair()
    _pair(name="Piet Bos", postcode="3011 AA")
    assert duplicates_find() == 2
    assert duplicates_find() == 0
    assert DuplicateCandidate.objects.count() == 2


def test_a_dismissed_pair_is_not_proposed_again() -> None:
    _pair()
    duplicates_find()
    DuplicateCandidate.objects.update(status=DuplicateStatus.DISMISSED)
    assert duplicates_find() == 0
    assert DuplicateCandidate.objects.get().status == DuplicateStatus.DISMISSED


def test_since_looks_only_at_groups_with_a_recent_change() -> None:
    _pair()
    Customer.objects.update(updated_at=timezone.now() - dt.timedelta(days=30))
    assert duplicates_find(since=timezone.now() - dt.timedelta(days=2)) == 0
    assert duplicates_find() == 1


def test_a_large_group_is_paired_with_its_oldest_record_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(duplicates_module, "ALL_PAIRS_UP_TO", 2)
    people = [CustomerFactory(name="Test", postcode="1000 AA") for _ in range(4)]
    assert duplicates_find() == 3
    assert set(DuplicateCandidate.objects.values_list("first_id", flat=True)) == {people[0].pk}


def test_the_daily_task_and_the_command_find_pairs() -> None:
    _pair()
    assert find_duplicates.apply(kwargs={"days": None}).get() == 1
    _pair(name="Piet Bos", postcode="3011 AA")
    out = StringIO()
    call_command("find_duplicates", "--days", "2", stdout=out)
    assert out.getvalue().startswith("1 new")


# --- The page -------------------------------------------------------------------------------


def test_a_manager_sees_open_pairs_side_by_side(manager_client: Client) -> None:
    first, second = _pair()
    IdentityFactory(customer=first, value="anna@example.nl")
    duplicates_find()
    response = manager_client.get(URL)
    assert response.status_code == 200
    assert b"anna@example.nl" in response.content
    assert reverse("contacts:data_merge", args=[second.pk]).encode() in response.content
    assert reverse("contacts:data_merge", args=[first.pk]).encode() in response.content
    assert response["Vary"].find("HX-Request") >= 0


def test_decided_pairs_are_not_listed(manager_client: Client) -> None:
    first, _second = _pair()
    duplicates_find()
    DuplicateCandidate.objects.update(status=DuplicateStatus.DISMISSED)
    response = manager_client.get(URL)
    assert first.name.encode() not in response.content


@pytest.mark.parametrize("persona", ["agent_client", "member_client", "outsider_client"])
def test_others_than_managers_may_not_see_duplicates(
    persona: str, request: pytest.FixtureRequest
) -> None:
    assert request.getfixturevalue(persona).get(URL).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def _pairs(n: int) -> None:
    for i in range(n):
        first, second = _pair(name=f"Person {i}", postcode=f"{1000 + i} AA")
        IdentityFactory(customer=first)
        IdentityFactory(customer=second)
    duplicates_find()


@pytest.mark.parametrize("pairs", [1, 30])
def test_the_list_costs_the_same_queries_for_one_pair_or_many(
    pairs: int, manager_client: Client, django_assert_num_queries
) -> None:
    _pairs(pairs)
    with django_assert_num_queries(6):
        response = manager_client.get(URL)
    assert response.status_code == 200


def test_the_list_pages_with_a_cursor(manager_client: Client) -> None:
    _pairs(25)
    first_page = manager_client.get(URL)
    cursor = first_page.context["page"].next_cursor
    assert cursor
    second_page = manager_client.get(URL, {"cursor": cursor}, headers={"HX-Request": "true"})
    shown = [p.pk for p in first_page.context["page"].items]
    more = [p.pk for p in second_page.context["page"].items]
    assert len(shown) == 20 and len(more) == 5
    assert not set(shown) & set(more)
    assert b"<h1>" not in second_page.content


def test_a_manager_dismisses_a_pair(manager_client: Client, manager: User) -> None:
    _pair()
    duplicates_find()
    pair = DuplicateCandidate.objects.get()
    url = reverse("contacts:data_duplicate_dismiss", args=[pair.pk])
    assert manager_client.post(url).status_code == 302
    pair.refresh_from_db()
    assert pair.status == DuplicateStatus.DISMISSED
    assert pair.resolved_by == manager
    assert manager_client.post(url).status_code == 404


def test_dismissing_needs_post_a_manager_and_a_known_pair(
    manager_client: Client, agent_client: Client
) -> None:
    _pair()
    duplicates_find()
    pair = DuplicateCandidate.objects.get()
    url = reverse("contacts:data_duplicate_dismiss", args=[pair.pk])
    assert manager_client.get(url).status_code == 405
    assert agent_client.post(url).status_code == 403
    missing = reverse("contacts:data_duplicate_dismiss", args=[999999])
    assert manager_client.post(missing).status_code == 404
    pair.refresh_from_db()
    assert pair.status == DuplicateStatus.OPEN
