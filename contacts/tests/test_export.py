"""CSV export of a customer search: streamed, limited, audited, for managers only."""

import csv
import io

import pytest
from django.http import StreamingHttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from contacts.models import AuditAction, AuditEntry, Customer, IdentityKind
from contacts.selectors import data as data_selectors
from contacts.tests.factories import CustomerFactory, IdentityFactory

pytestmark = pytest.mark.django_db

URL = reverse("contacts:data_export_csv")


def _rows(response: StreamingHttpResponse) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


def _anna() -> Customer:
    anna = CustomerFactory(name="Anna de Vries", postcode="1011 AB", city="Amsterdam")
    IdentityFactory(customer=anna, kind=IdentityKind.EMAIL, value="anna@example.nl")
    IdentityFactory(customer=anna, kind=IdentityKind.PHONE, value="+31612345678")
    return anna


def test_the_export_streams_the_matching_customers_as_csv(manager_client: Client) -> None:
    anna = _anna()
    CustomerFactory(name="Piet Bos")
    response = manager_client.get(URL, {"q": "de vries"})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _rows(response)
    assert rows[0] == ["id", "name", "email", "phone", "postcode", "city", "last_contact"]
    assert rows[1:] == [
        [
            str(anna.pk),
            "Anna de Vries",
            "anna@example.nl",
            "+31612345678",
            "1011 AB",
            "Amsterdam",
            "",
        ]
    ]


def test_a_customer_is_found_by_an_identity_in_any_notation(manager_client: Client) -> None:
    anna = _anna()
    rows = _rows(manager_client.get(URL, {"q": "06-12345678"}))
    assert [row[0] for row in rows[1:]] == [str(anna.pk)]


def test_merged_and_erased_customers_are_not_exported(manager_client: Client) -> None:
    anna = _anna()
    CustomerFactory(name="Anna de Vries", merged_into=anna)
    CustomerFactory(name="Anna de Vries", erased_at=timezone.now())
    rows = _rows(manager_client.get(URL, {"q": "Anna"}))
    assert [row[0] for row in rows[1:]] == [str(anna.pk)]


def test_the_export_stops_at_the_row_limit(
    manager_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(data_selectors, "EXPORT_MAX_ROWS", 3)
    for i in range(5):
        CustomerFactory(name=f"Klant {i}")
    rows = _rows(manager_client.get(URL, {"q": "klant"}))
    assert len(rows) == 1 + 3


def test_the_export_is_recorded_in_the_audit_log(manager_client: Client, manager: User) -> None:
    manager_client.get(URL, {"q": "anna"})
    entry = AuditEntry.objects.get(action=AuditAction.CSV_EXPORT)
    assert entry.actor == manager
    assert entry.detail == {"query": "anna"}


@pytest.mark.parametrize(
    "persona", ["agent_client", "member_client", "marketer_client", "outsider_client"]
)
def test_others_than_managers_may_not_export(persona: str, request: pytest.FixtureRequest) -> None:
    _anna()
    response = request.getfixturevalue(persona).get(URL, {"q": "anna"})
    assert response.status_code == 403
    assert b"anna@example.nl" not in response.content
    assert not AuditEntry.objects.exists()


def test_anonymous_visitors_are_sent_to_the_login_page(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_the_export_is_read_only(manager_client: Client) -> None:
    assert manager_client.post(URL).status_code == 405
