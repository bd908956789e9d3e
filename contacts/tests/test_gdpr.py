"""GDPR: export everything about a customer; erase the personal part and keep the statistics."""

import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from contacts.models import (
    AuditAction,
    AuditEntry,
    Channel,
    Consent,
    ConsentStatus,
    Customer,
    DuplicateCandidate,
    DuplicateStatus,
    FactAskedAgain,
    Identity,
    Interaction,
    Order,
    ProfileFact,
)
from contacts.services.gdpr import _is_personal, customer_erase, customer_export_data
from contacts.tests.factories import (
    ConsentFactory,
    CustomerFactory,
    IdentityFactory,
    InteractionFactory,
    OrderFactory,
    ProfileFactFactory,
)

pytestmark = pytest.mark.django_db


def _full_customer(user: User) -> Customer:
    customer = CustomerFactory(name="Anna de Vries", street="Kerkstraat 1", postcode="1011 AB")
    identity = IdentityFactory(customer=customer)
    InteractionFactory.create_batch(
        3, customer=customer, identity=identity, subject="Mijn pakket", body="Bel me op 0612"
    )
    OrderFactory(customer=customer, amount="89.95")
    fact = ProfileFactFactory(customer=customer, value="2")
    ConsentFactory(customer=customer, channel=Channel.EMAIL)
    AuditEntry.objects.create(action=AuditAction.VIEW, customer=customer, actor=user)
    FactAskedAgain.objects.create(
        customer=customer, question=fact.question, asked_by=user, asked_at=timezone.now()
    )
    return customer


def _export_url(customer: Customer) -> str:
    return reverse("contacts:data_gdpr_export", args=[customer.pk])


def _erase_url(customer: Customer) -> str:
    return reverse("contacts:data_gdpr_erase", args=[customer.pk])


def test_the_export_holds_every_related_row_grouped_by_model(manager: User) -> None:
    customer = _full_customer(manager)
    CustomerFactory()  # someone else's data stays out
    InteractionFactory()

    data = customer_export_data(customer=customer)["data"]

    counts = {label: len(rows) for label, rows in data.items()}
    assert counts == {
        "contacts.Customer": 1,
        "contacts.Identity": 1,
        "contacts.Interaction": 3,
        "contacts.Order": 1,
        "contacts.ProfileFact": 1,
        "contacts.Consent": 1,
        "contacts.AuditEntry": 1,
        "contacts.FactAskedAgain": 1,
    }
    assert data["contacts.Customer"][0]["fields"]["name"] == "Anna de Vries"
    assert data["contacts.Interaction"][0]["fields"]["body"] == "Bel me op 0612"


def test_a_manager_downloads_the_export_and_it_is_audited(
    manager_client: Client, manager: User
) -> None:
    customer = _full_customer(manager)
    response = manager_client.post(_export_url(customer), {"format": "json"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert f"customer-{customer.pk}-gdpr.json" in response["Content-Disposition"]
    payload = json.loads(response.content)
    assert payload["customer_id"] == customer.pk
    assert len(payload["data"]["contacts.Interaction"]) == 3
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert (entry.actor, entry.customer) == (manager, customer)


def test_the_export_needs_post(manager_client: Client) -> None:
    customer = CustomerFactory()
    assert manager_client.get(_export_url(customer)).status_code == 405
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("persona", ["agent_client", "member_client", "outsider_client"])
def test_others_than_managers_may_not_export_or_erase(
    persona: str, request: pytest.FixtureRequest
) -> None:
    client = request.getfixturevalue(persona)
    customer = CustomerFactory(name="Anna")
    assert client.post(_export_url(customer)).status_code == 403
    assert client.get(_erase_url(customer)).status_code == 403
    assert client.post(_erase_url(customer), {"confirm": "on"}).status_code == 403
    customer.refresh_from_db()
    assert customer.name == "Anna"
    assert not AuditEntry.objects.exists()


def test_anonymous_visitors_are_sent_to_the_login_page(client: Client) -> None:
    customer = CustomerFactory()
    response = client.post(_export_url(customer))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_unknown_customers_are_not_found(manager_client: Client) -> None:
    assert manager_client.post(reverse("contacts:data_gdpr_export", args=[9999])).status_code == (
        404
    )
    assert manager_client.post(
        reverse("contacts:data_gdpr_erase", args=[9999]), {"confirm": "on"}
    ).status_code == (404)


def test_erasure_leaves_no_personal_data_but_keeps_the_counts(manager: User) -> None:
    customer = _full_customer(manager)
    other = _full_customer(manager)

    customer_erase(customer=customer, user=manager)

    customer.refresh_from_db()
    assert customer.erased_at is not None
    assert (customer.name, customer.street, customer.postcode, customer.city) == ("", "", "", "")
    assert not Identity.objects.filter(customer=customer).exists()
    assert not ProfileFact.objects.filter(customer=customer).exists()
    interactions = Interaction.objects.filter(customer=customer)
    assert interactions.count() == 3
    assert set(interactions.values_list("subject", "body")) == {("", "")}
    assert set(interactions.values_list("channel", flat=True)) == {Channel.EMAIL}
    order = Order.objects.get(customer=customer)
    assert (order.product_sku, str(order.amount)) == ("SHOE-42", "89.95")
    consents = Consent.objects.filter(customer=customer)
    assert consents.count() == len(Channel.values)
    assert set(consents.values_list("status", flat=True)) == {ConsentStatus.OPT_OUT}
    # The other customer is untouched.
    assert Identity.objects.filter(customer=other).count() == 1
    assert Interaction.objects.filter(customer=other, body="Bel me op 0612").count() == 3


def test_erasure_clears_records_merged_into_the_customer_and_dismisses_pairs(
    manager: User,
) -> None:
    customer = CustomerFactory()
    merged = CustomerFactory(name="Old Name", street="Oude straat 1", merged_into=customer)
    third = CustomerFactory()
    low, high = sorted((customer.pk, third.pk))
    pair = DuplicateCandidate.objects.create(first_id=low, second_id=high, reason="x")

    customer_erase(customer=customer, user=manager)

    merged.refresh_from_db()
    pair.refresh_from_db()
    assert (merged.name, merged.street) == ("", "")
    assert merged.erased_at is not None
    assert pair.status == DuplicateStatus.DISMISSED


def test_text_fields_with_a_personal_name_are_cleared_in_other_models() -> None:
    fields = {f.name: _is_personal(f) for f in Interaction._meta.concrete_fields}
    assert fields["subject"] and fields["body"]
    assert not fields["channel"] and not fields["topic"] and not fields["external_id"]
    customer_fields = {f.name: _is_personal(f) for f in Customer._meta.concrete_fields}
    assert customer_fields["name"]
    assert not customer_fields["postcode"]


def test_a_manager_erases_with_confirmation(manager_client: Client, manager: User) -> None:
    customer = _full_customer(manager)
    assert manager_client.get(_erase_url(customer)).status_code == 200
    response = manager_client.post(_erase_url(customer), {"confirm": "on"})
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.erased_at is not None
    entry = AuditEntry.objects.get(action=AuditAction.ERASE)
    assert (entry.actor, entry.customer) == (manager, customer)


def test_erasure_without_confirmation_is_a_bad_request(
    manager_client: Client, manager: User
) -> None:
    customer = _full_customer(manager)
    response = manager_client.post(_erase_url(customer), {})
    assert response.status_code == 400
    assert b"Tick the box" in response.content
    customer.refresh_from_db()
    assert customer.erased_at is None
    assert Identity.objects.filter(customer=customer).count() == 1


def test_an_erased_customer_cannot_be_erased_again(manager_client: Client, manager: User) -> None:
    customer = _full_customer(manager)
    customer_erase(customer=customer, user=manager)
    response = manager_client.post(_erase_url(customer), {"confirm": "on"})
    assert response.status_code == 400
    assert AuditEntry.objects.filter(action=AuditAction.ERASE).count() == 1


def test_a_merged_record_is_not_erased_on_its_own(manager_client: Client) -> None:
    survivor = CustomerFactory()
    merged = CustomerFactory(merged_into=survivor)
    response = manager_client.post(_erase_url(merged), {"confirm": "on"})
    assert response.status_code == 400
    merged.refresh_from_db()
    assert merged.erased_at is None


def test_people_read_the_export_as_tables_with_the_fields_names(
    manager_client: Client, manager: User
) -> None:
    customer = _full_customer(manager)
    response = manager_client.post(_export_url(customer))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "no-store" in response["Cache-Control"]
    text = response.text
    assert '<h2 id="contactscustomer">Customers</h2>' in text
    assert '<th scope="col">Preferred language</th>' in text
    assert "<td>Anna de Vries</td>" in text
    assert "{&#x27;" not in text and "{'" not in text  # no Python dicts
    assert 'name="format" value="json"' in text
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT, customer=customer).count() == 1


def test_an_unknown_export_format_is_refused_and_not_audited(
    manager_client: Client, manager: User
) -> None:
    customer = _full_customer(manager)
    assert manager_client.post(_export_url(customer), {"format": "xml"}).status_code == 400
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_audit_log_reads_as_sentences(manager_client: Client, manager: User) -> None:
    from contacts.services.audit import audit_record

    audit_record(actor=manager, action=AuditAction.CSV_EXPORT, query="de vries")
    audit_record(
        actor=None,
        action=AuditAction.IMPORT,
        filename="klanten.csv",
        rows=3,
        imported=2,
        rejected=1,
    )
    response = manager_client.get(reverse("contacts:data_audit"))
    assert f"{manager} exported the customers matching “de vries” as CSV." in response.text
    assert "The system imported klanten.csv: 3 rows read, 2 imported, 1 rejected." in response.text
    assert "query=" not in response.text
