"""CSV export of a customer search: streamed, limited, audited, for managers only."""

import csv
import io

import pytest
from django.http import HttpResponseBase, StreamingHttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from contacts.models import AuditAction, AuditEntry, Customer, IdentityKind
from contacts.selectors import data as data_selectors
from contacts.tests.factories import CustomerFactory, IdentityFactory

pytestmark = pytest.mark.django_db

URL = reverse("contacts:data_export_csv")


def _text(response: HttpResponseBase) -> str:
    assert isinstance(response, StreamingHttpResponse)
    return response.getvalue().decode()


def _rows(response: HttpResponseBase) -> list[list[str]]:
    return list(csv.reader(io.StringIO(_text(response))))


def _anna() -> Customer:
    anna = CustomerFactory(
        name="Anna de Vries",
        street="Kerkstraat 1",
        postcode="1011 AB",
        city="Amsterdam",
        language="nl",
    )
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
    assert rows[0] == [
        "name",
        "email",
        "phone",
        "customer_number",
        "street",
        "postcode",
        "city",
        "language",
    ]
    assert anna.pk
    # The phone starts with "+", which a spreadsheet would run as a formula.
    assert rows[1:] == [
        [
            "Anna de Vries",
            "anna@example.nl",
            "'+31612345678",
            "",
            "Kerkstraat 1",
            "1011 AB",
            "Amsterdam",
            "nl",
        ]
    ]


def test_a_customer_is_found_by_an_identity_in_any_notation(manager_client: Client) -> None:
    anna = _anna()
    rows = _rows(manager_client.get(URL, {"q": "06-12345678"}))
    assert [row[0] for row in rows[1:]] == [anna.name]


def test_merged_and_erased_customers_are_not_exported(manager_client: Client) -> None:
    anna = _anna()
    CustomerFactory(name="Anna de Vries", merged_into=anna)
    CustomerFactory(name="Anna de Vries", erased_at=timezone.now())
    rows = _rows(manager_client.get(URL, {"q": "Anna"}))
    assert [row[1] for row in rows[1:]] == ["anna@example.nl"]
    assert anna.pk


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


def test_the_excel_export_uses_semicolons_and_a_byte_order_mark(manager_client: Client) -> None:
    _anna()
    text = _text(manager_client.get(URL, {"q": "anna", "format": "excel"}))
    assert text.startswith("\ufeffname;email;phone;customer_number;")
    assert "Anna de Vries;anna@example.nl;'+31612345678;" in text


def test_an_unknown_format_is_refused_and_not_audited(manager_client: Client) -> None:
    assert manager_client.get(URL, {"q": "anna", "format": "xlsx"}).status_code == 400
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_that_a_spreadsheet_would_run_gets_a_leading_quote(start: str) -> None:
    from contacts.views.data import csv_cell_safe

    assert csv_cell_safe(f"{start}HYPERLINK(1)") == f"'{start}HYPERLINK(1)"
    assert csv_cell_safe("Anna") == "Anna"


@pytest.mark.parametrize("excel", [False, True])
def test_a_file_exported_from_the_search_page_imports_back_with_nothing_rejected(
    manager_client: Client, manager: User, excel: bool
) -> None:
    from contacts.models import CustomerImport, ImportStatus
    from contacts.services.imports import csv_check, csv_decode, customer_import_run

    anna = _anna()
    IdentityFactory(customer=anna, kind=IdentityKind.CUSTOMER_NUMBER, value="KL-7")
    CustomerFactory(name="Anna Formule", city="=1+1", street="@home", language="en")
    params = {"q": "anna", **({"format": "excel"} if excel else {})}
    response = manager_client.get(URL, params)
    assert isinstance(response, StreamingHttpResponse)
    text = csv_decode(response.getvalue())
    total = csv_check(text=text)
    assert total == 2

    job = CustomerImport.objects.create(
        created_by=manager, filename="export.csv", content=text, total_rows=total
    )
    ran = customer_import_run(import_id=job.pk)
    assert ran is not None
    job = ran

    assert job.status == ImportStatus.DONE
    assert (job.processed_rows, job.rejected) == (2, [])
    anna.refresh_from_db()
    assert set(anna.identities.values_list("kind", "value")) == {
        (IdentityKind.EMAIL, "anna@example.nl"),
        (IdentityKind.PHONE, "+31612345678"),
        (IdentityKind.CUSTOMER_NUMBER, "KL-7"),
    }
