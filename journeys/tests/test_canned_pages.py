"""Canned replies: managers keep their department's, admins all; placeholders are checked."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Department
from accounts.roles import Role
from accounts.tests.factories import UserFactory
from journeys.models import CannedReply
from journeys.services.rules import canned_placeholders_unknown
from journeys.tests.factories import CannedReplyFactory

pytestmark = pytest.mark.django_db

URL = reverse("journeys:canned")


def _valid(department: Department, **changes: str) -> dict[str, str]:
    data = {
        "department": str(department.pk),
        "title": "Pakket onderweg",
        "language": "nl",
        "body": "Beste {customer_name}, bestelling {order} (zaak {case_number}) is onderweg.",
        "shortcut": "/pakket",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("persona", ["agent", "member", "marketer", "outsider"])
def test_only_managers_and_admins_manage_canned_replies(
    persona: str, request: pytest.FixtureRequest, contact_center: Department
) -> None:
    client: Client = request.getfixturevalue(f"{persona}_client")
    reply = CannedReplyFactory(department=contact_center)
    assert client.get(URL).status_code == 403
    assert client.post(reverse("journeys:canned_add"), _valid(contact_center)).status_code == 403
    assert client.post(reverse("journeys:canned_delete", args=[reply.pk])).status_code == 403
    assert CannedReply.objects.count() == 1


def test_the_manager_sees_only_the_replies_of_their_department(
    manager_client: Client, contact_center: Department, sales: Department
) -> None:
    mine = CannedReplyFactory(department=contact_center, title="Bedankt")
    CannedReplyFactory(department=sales, title="Offerte verstuurd")
    response = manager_client.get(URL)
    assert response.status_code == 200
    assert [r.pk for r in response.context["replies"]] == [mine.pk]
    assert "Offerte verstuurd" not in response.text


def test_an_admin_sees_the_replies_of_every_department(
    contact_center: Department, sales: Department
) -> None:
    admin = UserFactory(username="beheer", department=None, roles=[Role.ADMIN])
    client = Client()
    client.force_login(admin)
    CannedReplyFactory(department=contact_center)
    CannedReplyFactory(department=sales)
    response = client.get(URL)
    assert response.status_code == 200
    assert len(response.context["replies"]) == 2


@pytest.mark.parametrize("rows", [1, 50])
def test_the_list_costs_the_same_queries_for_one_reply_or_many(
    rows: int, manager_client: Client, contact_center: Department, django_assert_num_queries
) -> None:
    CannedReplyFactory.create_batch(rows, department=contact_center)
    with django_assert_num_queries(6):
        response = manager_client.get(URL)
    assert len(response.context["replies"]) == rows


def test_the_manager_adds_a_reply_for_their_department(
    manager_client: Client, contact_center: Department
) -> None:
    response = manager_client.post(reverse("journeys:canned_add"), _valid(contact_center))
    assert response.status_code == 302
    reply = CannedReply.objects.get()
    assert (reply.department, reply.shortcut, reply.language) == (contact_center, "/pakket", "nl")


def test_an_unknown_placeholder_is_refused_and_nothing_is_saved(
    manager_client: Client, contact_center: Department
) -> None:
    data = _valid(contact_center, body="Beste {klantnaam}, uw {order} is onderweg.")
    response = manager_client.post(reverse("journeys:canned_add"), data)
    assert response.status_code == 400
    assert "klantnaam" in str(response.context["form"].errors["body"])
    assert not CannedReply.objects.exists()


def test_a_lone_brace_is_refused(manager_client: Client, contact_center: Department) -> None:
    data = _valid(contact_center, body="Beste {customer_name, tot ziens")
    response = manager_client.post(reverse("journeys:canned_add"), data)
    assert response.status_code == 400
    assert not CannedReply.objects.exists()


def test_a_manager_cannot_add_a_reply_for_another_department(
    manager_client: Client, sales: Department
) -> None:
    response = manager_client.post(reverse("journeys:canned_add"), _valid(sales))
    assert response.status_code == 400
    assert response.context["form"].errors["department"]
    assert not CannedReply.objects.exists()


def test_a_shortcut_with_a_space_is_refused(
    manager_client: Client, contact_center: Department
) -> None:
    data = _valid(contact_center, shortcut="/twee woorden")
    assert manager_client.post(reverse("journeys:canned_add"), data).status_code == 400
    assert not CannedReply.objects.exists()


def test_the_manager_edits_a_reply(manager_client: Client, contact_center: Department) -> None:
    reply = CannedReplyFactory(department=contact_center)
    data = _valid(contact_center, title="Thanks", language="en", body="Dear {customer_name}")
    response = manager_client.post(reverse("journeys:canned_edit", args=[reply.pk]), data)
    assert response.status_code == 302
    reply.refresh_from_db()
    assert (reply.title, reply.language, reply.body) == ("Thanks", "en", "Dear {customer_name}")


def test_another_departments_reply_is_not_found(manager_client: Client, sales: Department) -> None:
    theirs = CannedReplyFactory(department=sales, title="Van sales")
    edit = reverse("journeys:canned_edit", args=[theirs.pk])
    delete = reverse("journeys:canned_delete", args=[theirs.pk])
    assert manager_client.get(edit).status_code == 404
    assert manager_client.post(edit, _valid(sales, title="Gekaapt")).status_code == 404
    assert manager_client.post(delete).status_code == 404
    theirs.refresh_from_db()
    assert theirs.title == "Van sales"


def test_deleting_asks_first_and_deletes_on_post(
    manager_client: Client, contact_center: Department
) -> None:
    reply = CannedReplyFactory(department=contact_center)
    url = reverse("journeys:canned_delete", args=[reply.pk])
    assert manager_client.get(url).status_code == 200
    assert CannedReply.objects.filter(pk=reply.pk).exists()
    assert manager_client.post(url).status_code == 302
    assert not CannedReply.objects.filter(pk=reply.pk).exists()


def test_known_placeholders_pass_and_others_are_named() -> None:
    assert canned_placeholders_unknown("{customer_name} {case_number} {order}") == []
    assert canned_placeholders_unknown("{naam} en {order}") == ["naam"]
    assert canned_placeholders_unknown("kapot }") == ["{…}"]
