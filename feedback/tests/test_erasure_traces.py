"""After a GDPR erasure, no table and no stored file holds the person's e-mail, phone or name.

Lives with the highest app so the person can leave traces in every app's tables.
"""

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Notification, User
from accounts.services import notification_send
from accounts.tests.dbsearch import tables_containing
from contacts.models import AuditAction, AuditEntry, CustomerImport, IdentityKind
from contacts.services.gdpr import customers_erase, customers_sharing_traces
from contacts.tests.factories import CustomerFactory, IdentityFactory, InteractionFactory
from feedback.tests.factories import ResponseFactory
from journeys.tests.factories import CaseFactory, SubTaskFactory

pytestmark = pytest.mark.django_db

EMAIL = "sanne.jansen@example.nl"
PHONE = "+31612345678"
NAME = "Sanne Jansen"


def _files_containing(root: Path, needle: str) -> list[str]:
    return [
        str(p)
        for p in root.rglob("*")
        if p.is_file() and needle.lower().encode() in p.read_bytes().lower()
    ]


@pytest.fixture
def person(manager: User, manager_client: Client, settings, tmp_path: Path):
    settings.MEDIA_ROOT = tmp_path
    customer = CustomerFactory(name=NAME, street="Dorpsstraat 4")
    IdentityFactory(customer=customer, kind=IdentityKind.EMAIL, value=EMAIL)
    IdentityFactory(customer=customer, kind=IdentityKind.PHONE, value=PHONE)
    moment = InteractionFactory(
        customer=customer, subject=f"Vraag van {NAME}", body=f"Bel {PHONE} of mail {EMAIL}"
    )
    case = CaseFactory(customer=customer, subject=f"Pakket van {NAME}", origin=moment)
    SubTaskFactory(case=case, description=f"Bel {NAME} terug op 0612345678")
    ResponseFactory(invitation__order__customer=customer, comment=f"Groet, {NAME} ({EMAIL})")
    # The same person came in again over WhatsApp and became a second customer.
    twin = CustomerFactory(name=NAME)
    IdentityFactory(customer=twin, kind=IdentityKind.WHATSAPP, value=PHONE)
    IdentityFactory(customer=twin, kind=IdentityKind.EMAIL, value="s.jansen@example.org")
    # Copies outside the customer's rows: a list export searched by e-mail, an import file
    # kept for its report, a notification, a stored file.
    manager_client.get(reverse("contacts:data_export_csv"), {"q": EMAIL})
    CustomerImport.objects.create(
        created_by=manager,
        filename="klanten.csv",
        content=f"name,email,phone\nPiet Bos,piet@example.nl,\n{NAME},{EMAIL},0612345678\n",
        rejected=[{"line": 3, "row": {"name": NAME, "email": EMAIL}, "error": "x"}],
    )
    notification_send(recipients=[manager], title="New case", body=f"{NAME} asks about a parcel")
    (tmp_path / "imports").mkdir()
    (tmp_path / "imports" / "klanten.csv").write_text(
        f"name,email,phone\nPiet Bos,piet@example.nl,\n{NAME},{EMAIL},{PHONE}\n"
    )
    return customer, twin


def test_the_twin_with_the_same_phone_on_whatsapp_is_offered(person) -> None:
    customer, twin = person
    assert customers_sharing_traces(customer=customer) == [twin]


def test_after_erasure_no_table_and_no_file_holds_the_person(
    person, manager: User, tmp_path: Path
) -> None:
    customer, twin = person
    # The search sees the copies: in the audit log, the import, the inbox, the case…
    assert len(tables_containing(NAME)) >= 6
    customers_erase(customer=customer, also=[twin.pk], user=manager)
    found = {
        needle: tables_containing(needle) + _files_containing(tmp_path, needle)
        for needle in (EMAIL, PHONE, "0612345678", NAME, "s.jansen@example.org")
    }
    assert found == {key: [] for key in found}


def test_what_others_wrote_stays_around_the_redaction(person, manager: User) -> None:
    customer, _twin = person
    customers_erase(customer=customer, also=[], user=manager)
    job = CustomerImport.objects.get()
    assert job.content == "name,email,phone\nPiet Bos,piet@example.nl,\n"
    assert Notification.objects.get().body == "[erased] asks about a parcel"


def test_the_erasure_is_audited_without_personal_data(person, manager: User) -> None:
    customer, twin = person
    customers_erase(customer=customer, also=[twin.pk], user=manager)
    entries = AuditEntry.objects.filter(action=AuditAction.ERASE).order_by("customer_id")
    assert [(e.customer_id, e.actor_id) for e in entries] == [
        (customer.pk, manager.pk),
        (twin.pk, manager.pk),
    ]
    assert set(entries[0].detail) == {"rows", "files"}


def test_a_customer_not_offered_cannot_be_erased_along(person, manager: User) -> None:
    from django.core.exceptions import ValidationError

    customer, _twin = person
    stranger = CustomerFactory(name="Kees Stam")
    with pytest.raises(ValidationError):
        customers_erase(customer=customer, also=[stranger.pk], user=manager)
    customer.refresh_from_db()
    assert customer.erased_at is None


def test_the_erasure_page_lists_and_erases_the_twin(person, manager_client: Client) -> None:
    customer, twin = person
    url = reverse("contacts:data_gdpr_erase", args=[customer.pk])
    assert f"#{twin.pk}" in manager_client.get(url).content.decode()
    response = manager_client.post(url, {"confirm": "on", "also": [twin.pk]})
    assert response.status_code == 302
    twin.refresh_from_db()
    assert twin.erased_at is not None


def test_the_erasure_page_refuses_an_unknown_id(person, manager_client: Client) -> None:
    customer, _twin = person
    url = reverse("contacts:data_gdpr_erase", args=[customer.pk])
    response = manager_client.post(url, {"confirm": "on", "also": ["999999"]})
    assert response.status_code == 400
    customer.refresh_from_db()
    assert customer.erased_at is None
