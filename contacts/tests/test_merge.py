"""Merging two customers: every related row moves, conflicts resolve, nothing half-done."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
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
from contacts.services import merge as merge_module
from contacts.services.merge import customer_merge, customer_relations
from contacts.tests.factories import (
    ConsentFactory,
    CustomerFactory,
    IdentityFactory,
    InteractionFactory,
    OrderFactory,
    ProfileFactFactory,
    ProfileQuestionFactory,
)

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def _pair() -> tuple[Customer, Customer]:
    target = CustomerFactory(name="Anna de Vries", street="", postcode="1011AB", city="")
    source = CustomerFactory(
        name="A. de Vries", street="Kerkstraat 1", postcode="1011 AB", city="Amsterdam"
    )
    return source, target


def _url(customer: Customer) -> str:
    return reverse("contacts:data_merge", args=[customer.pk])


def test_relations_include_hidden_models_and_leave_out_the_self_reference() -> None:
    models = {rel.related_model for rel in customer_relations()}
    assert {Identity, Interaction, Order, ProfileFact, Consent, AuditEntry} <= models
    assert FactAskedAgain in models
    assert DuplicateCandidate in models
    assert Customer not in models


def test_merge_moves_rows_of_every_related_model(manager: User) -> None:
    source, target = _pair()
    identity = IdentityFactory(customer=source)
    interaction = InteractionFactory(customer=source, identity=identity)
    order = OrderFactory(customer=source)
    fact = ProfileFactFactory(customer=source)
    consent = ConsentFactory(customer=source, channel=Channel.SMS)
    entry = AuditEntry.objects.create(action=AuditAction.VIEW, customer=source)
    asked = FactAskedAgain.objects.create(
        customer=source, question=fact.question, asked_by=manager, asked_at=NOW
    )

    customer_merge(source=source, target=target, user=manager)

    for row in (identity, interaction, order, fact, consent, entry, asked):
        row.refresh_from_db()
        assert row.customer_id == target.pk, type(row).__name__
    assert interaction.identity_id == identity.pk


def test_merge_fills_empty_fields_of_the_target_and_keeps_its_own(manager: User) -> None:
    source, target = _pair()
    merged = customer_merge(source=source, target=target, user=manager)
    assert merged.name == "Anna de Vries"
    assert merged.street == "Kerkstraat 1"
    assert merged.city == "Amsterdam"
    assert merged.postcode == "1011AB"


def test_merge_takes_the_latest_contact_and_purchase(manager: User) -> None:
    source, target = _pair()
    Customer.objects.filter(pk=source.pk).update(
        last_interaction_at=NOW, last_purchase_at=NOW - dt.timedelta(days=9)
    )
    Customer.objects.filter(pk=target.pk).update(
        last_interaction_at=NOW - dt.timedelta(days=3), last_purchase_at=None
    )
    merged = customer_merge(source=source, target=target, user=manager)
    assert merged.last_interaction_at == NOW
    assert merged.last_purchase_at == NOW - dt.timedelta(days=9)


def test_merge_marks_the_source_as_merged_into_the_target(manager: User) -> None:
    source, target = _pair()
    earlier = CustomerFactory(merged_into=source)
    customer_merge(source=source, target=target, user=manager)
    source.refresh_from_db()
    earlier.refresh_from_db()
    assert source.merged_into_id == target.pk
    assert earlier.merged_into_id == target.pk


def test_merge_keeps_the_most_recently_changed_consent_per_channel(manager: User) -> None:
    source, target = _pair()
    ConsentFactory(
        customer=source, channel=Channel.EMAIL, status=ConsentStatus.OPT_OUT, changed_at=NOW
    )
    ConsentFactory(
        customer=target,
        channel=Channel.EMAIL,
        status=ConsentStatus.OPT_IN,
        changed_at=NOW - dt.timedelta(days=10),
    )
    ConsentFactory(
        customer=source,
        channel=Channel.SMS,
        status=ConsentStatus.OPT_IN,
        changed_at=NOW - dt.timedelta(days=10),
    )
    ConsentFactory(customer=target, channel=Channel.SMS, status=ConsentStatus.OPT_OUT)

    customer_merge(source=source, target=target, user=manager)

    consents = dict(Consent.objects.filter(customer=target).values_list("channel", "status"))
    assert consents == {Channel.EMAIL: ConsentStatus.OPT_OUT, Channel.SMS: ConsentStatus.OPT_OUT}
    assert not Consent.objects.filter(customer=source).exists()


def test_merge_keeps_the_newest_answer_current_and_the_other_as_history(manager: User) -> None:
    source, target = _pair()
    question = ProfileQuestionFactory(key="children")
    newer = ProfileFactFactory(customer=source, question=question, value="3", recorded_at=NOW)
    older = ProfileFactFactory(
        customer=target, question=question, value="2", recorded_at=NOW - dt.timedelta(days=40)
    )

    customer_merge(source=source, target=target, user=manager)

    newer.refresh_from_db()
    older.refresh_from_db()
    assert (newer.customer_id, newer.is_current) == (target.pk, True)
    assert (older.customer_id, older.is_current) == (target.pk, False)


def test_a_row_that_would_break_a_unique_rule_is_dropped_for_the_targets_row(
    manager: User,
) -> None:
    source, target = _pair()
    theirs = ConsentFactory(customer=target, channel=Channel.EMAIL)
    mine = ConsentFactory(customer=source, channel=Channel.EMAIL)
    other = ConsentFactory(customer=source, channel=Channel.SMS)
    rel = next(r for r in customer_relations() if r.related_model is Consent)

    moved = merge_module._move_generic(rel=rel, source=source, target=target)

    assert moved == 1
    assert not Consent.objects.filter(pk=mine.pk).exists()
    assert Consent.objects.get(pk=theirs.pk).customer_id == target.pk
    assert Consent.objects.get(pk=other.pk).customer_id == target.pk


def test_merge_closes_the_candidate_and_repoints_other_open_pairs(manager: User) -> None:
    source, target = _pair()
    third = CustomerFactory()
    pair = DuplicateCandidate.objects.create(
        first_id=min(source.pk, target.pk), second_id=max(source.pk, target.pk), reason="x"
    )
    DuplicateCandidate.objects.create(first=source, second=third, reason="same phone")

    customer_merge(source=source, target=target, user=manager)

    pair.refresh_from_db()
    assert pair.status == DuplicateStatus.MERGED
    assert pair.resolved_by == manager
    assert pair.resolved_at is not None
    low, high = sorted((target.pk, third.pk))
    assert DuplicateCandidate.objects.filter(
        first_id=low, second_id=high, status=DuplicateStatus.OPEN
    ).exists()
    assert not DuplicateCandidate.objects.filter(second=third, first=source).exists()


def test_merge_writes_an_audit_entry_with_both_ids_and_counts(manager: User) -> None:
    source, target = _pair()
    InteractionFactory.create_batch(3, customer=source)
    customer_merge(source=source, target=target, user=manager)
    entry = AuditEntry.objects.get(action=AuditAction.MERGE)
    assert entry.actor == manager
    assert entry.customer_id == target.pk
    assert entry.detail["source_id"] == source.pk
    assert entry.detail["target_id"] == target.pk
    assert entry.detail["moved"]["contacts.Interaction"] == 3


def test_a_failure_late_in_the_merge_leaves_everything_as_it_was(
    manager: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, target = _pair()
    interaction = InteractionFactory(customer=source)
    identity = IdentityFactory(customer=source)
    pair = DuplicateCandidate.objects.create(
        first_id=min(source.pk, target.pk), second_id=max(source.pk, target.pk), reason="x"
    )

    def broken(**kwargs: object) -> None:
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(merge_module, "audit_record", broken)
    with pytest.raises(RuntimeError):
        customer_merge(source=source, target=target, user=manager)

    interaction.refresh_from_db()
    identity.refresh_from_db()
    source.refresh_from_db()
    target.refresh_from_db()
    pair.refresh_from_db()
    assert interaction.customer_id == source.pk
    assert identity.customer_id == source.pk
    assert source.merged_into_id is None
    assert target.street == ""
    assert pair.status == DuplicateStatus.OPEN


def test_a_customer_cannot_be_merged_into_itself(manager: User) -> None:
    customer = CustomerFactory()
    with pytest.raises(ValidationError):
        customer_merge(source=customer, target=customer, user=manager)


def test_merging_into_a_merged_or_erased_customer_is_refused(manager: User) -> None:
    source = CustomerFactory()
    survivor = CustomerFactory()
    merged = CustomerFactory(merged_into=survivor)
    erased = CustomerFactory(erased_at=NOW)
    for target in (merged, erased):
        with pytest.raises(ValidationError):
            customer_merge(source=source, target=target, user=manager)
    source.refresh_from_db()
    assert source.merged_into_id is None


# --- The page -------------------------------------------------------------------------------


def test_a_manager_sees_the_merge_form(manager_client: Client) -> None:
    source, _target = _pair()
    response = manager_client.get(_url(source))
    assert response.status_code == 200
    assert b'name="target"' in response.content


def test_a_manager_merges_from_the_page(manager_client: Client) -> None:
    source, target = _pair()
    response = manager_client.post(_url(source), {"target": target.pk})
    assert response.status_code == 302
    source.refresh_from_db()
    assert source.merged_into_id == target.pk


def test_a_merge_from_the_duplicates_page_returns_there(manager_client: Client) -> None:
    source, target = _pair()
    response = manager_client.post(_url(source), {"target": target.pk, "back": "duplicates"})
    assert response.status_code == 302
    assert response["Location"] == reverse("contacts:data_duplicates")


@pytest.mark.parametrize("persona", ["agent_client", "member_client", "outsider_client"])
def test_others_than_managers_may_not_merge(persona: str, request: pytest.FixtureRequest) -> None:
    client = request.getfixturevalue(persona)
    source, target = _pair()
    assert client.get(_url(source)).status_code == 403
    assert client.post(_url(source), {"target": target.pk}).status_code == 403
    source.refresh_from_db()
    assert source.merged_into_id is None


def test_anonymous_visitors_are_sent_to_the_login_page(client: Client) -> None:
    source, target = _pair()
    response = client.post(_url(source), {"target": target.pk})
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_merging_into_itself_on_the_page_is_a_bad_request(manager_client: Client) -> None:
    source, _target = _pair()
    response = manager_client.post(_url(source), {"target": source.pk})
    assert response.status_code == 400
    assert b"cannot be merged into itself" in response.content


def test_merging_into_an_unknown_customer_is_a_bad_request(manager_client: Client) -> None:
    source, _target = _pair()
    response = manager_client.post(_url(source), {"target": 999999})
    assert response.status_code == 400
    source.refresh_from_db()
    assert source.merged_into_id is None


def test_merging_an_unknown_customer_is_not_found(manager_client: Client) -> None:
    response = manager_client.post(reverse("contacts:data_merge", args=[999999]), {"target": 1})
    assert response.status_code == 404


def test_merge_accepts_no_other_methods(manager_client: Client) -> None:
    source, _target = _pair()
    assert manager_client.put(_url(source)).status_code == 405
