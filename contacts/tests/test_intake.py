"""POST /api/v1/interactions/ and the intake service: identity resolution, idempotency
(also under concurrency), validation, permissions."""

import datetime as dt
import json
import threading
import time
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.access import user_permissions
from contacts.models import (
    Customer,
    DuplicateCandidate,
    Identity,
    IdentityKind,
    Interaction,
)
from contacts.services.identity import IdentityValue
from contacts.services.intake import interaction_intake
from contacts.signals import interaction_recorded
from contacts.tests.factories import CustomerFactory, IdentityFactory

URL = "/api/v1/interactions/"


def payload(**overrides):
    data = {
        "source": "email-gateway",
        "external_id": "msg-1",
        "channel": "email",
        "direction": "in",
        "occurred_at": "2026-03-01T09:30:00+01:00",
        "identities": [{"kind": "email", "value": "Anna@Example.nl"}],
        "name": "Anna de Vries",
        "subject": "Waar blijft mijn pakket?",
        "body": "Bestelling 123",
        "topic": "delivery",
        "campaign": "SPRING26",
    }
    data.update(overrides)
    return data


def post(client: APIClient, data) -> Any:
    return client.post(URL, data, format="json")


@pytest.mark.django_db
def test_first_contact_creates_customer_identity_and_moment(api_client: APIClient) -> None:
    response = post(api_client, payload())
    assert response.status_code == 201
    body = response.json()
    assert body["created"] is True and body["customer_created"] is True
    moment = Interaction.objects.get(pk=body["interaction_id"])
    customer = Customer.objects.get(pk=body["customer_id"])
    assert customer.name == "Anna de Vries"
    identity = Identity.objects.get()
    assert (identity.kind, identity.value, identity.customer) == (
        "email",
        "anna@example.nl",
        customer,
    )
    assert moment.identity == identity
    assert (moment.campaign_code, moment.topic, moment.source) == (
        "SPRING26",
        "delivery",
        "email-gateway",
    )
    assert moment.occurred_at == dt.datetime(2026, 3, 1, 8, 30, tzinfo=dt.UTC)
    customer.refresh_from_db()
    assert customer.last_interaction_at == moment.occurred_at


@pytest.mark.django_db
def test_replay_returns_the_first_result_and_writes_nothing(api_client: APIClient) -> None:
    first = post(api_client, payload()).json()
    received: list[Any] = []
    interaction_recorded.connect(received.append, weak=False, dispatch_uid="replay-test")
    try:
        again = post(
            api_client,
            payload(subject="changed", identities=[{"kind": "phone", "value": "0612345678"}]),
        )
    finally:
        interaction_recorded.disconnect(dispatch_uid="replay-test")
    assert again.status_code == 200
    body = again.json()
    assert (body["interaction_id"], body["customer_id"]) == (
        first["interaction_id"],
        first["customer_id"],
    )
    assert body["created"] is False and body["customer_created"] is False
    assert Interaction.objects.count() == 1
    assert Interaction.objects.get().subject == "Waar blijft mijn pakket?"
    assert Identity.objects.count() == 1
    # The replay's unknown phone would have made a new customer: rolled back with the rest.
    assert Customer.objects.count() == 1
    assert received == []


@pytest.mark.django_db
def test_known_phone_in_another_notation_attaches_and_links_new_identity(api_client) -> None:
    customer = CustomerFactory()
    IdentityFactory(customer=customer, kind=IdentityKind.PHONE, value="+31612345678")
    response = post(
        api_client,
        payload(
            channel="whatsapp",
            identities=[
                {"kind": "whatsapp", "value": "+31 6 1234 5678"},
                {"kind": "phone", "value": "06-12345678"},
            ],
        ),
    )
    assert response.status_code == 201
    assert response.json()["customer_id"] == customer.pk
    assert response.json()["customer_created"] is False
    assert set(customer.identities.values_list("kind", "value")) == {
        ("phone", "+31612345678"),
        ("whatsapp", "+31612345678"),
    }
    moment = Interaction.objects.get()
    assert moment.identity is not None
    assert moment.identity.kind == "whatsapp"
    assert Customer.objects.count() == 1


@pytest.mark.django_db
def test_identities_of_two_customers_attach_to_the_most_recent_and_flag_a_duplicate(
    api_client,
) -> None:
    now = timezone.now()
    old = CustomerFactory(last_interaction_at=now - dt.timedelta(days=30))
    recent = CustomerFactory(last_interaction_at=now - dt.timedelta(days=1))
    IdentityFactory(customer=old, kind=IdentityKind.EMAIL, value="anna@example.nl")
    IdentityFactory(customer=recent, kind=IdentityKind.PHONE, value="+31612345678")
    response = post(
        api_client,
        payload(
            identities=[
                {"kind": "email", "value": "anna@example.nl"},
                {"kind": "phone", "value": "0612345678"},
            ]
        ),
    )
    assert response.status_code == 201
    assert response.json()["customer_id"] == recent.pk
    pair = DuplicateCandidate.objects.get()
    assert (pair.first_id, pair.second_id) == (min(old.pk, recent.pk), max(old.pk, recent.pk))
    # Nothing moves until a person merges them.
    assert Identity.objects.get(kind="email").customer == old
    # The moment came by e-mail, but the e-mail address belongs to the other record.
    assert Interaction.objects.get().identity is None


@pytest.mark.django_db
def test_identity_of_a_merged_customer_attaches_to_the_survivor(api_client) -> None:
    survivor = CustomerFactory()
    merged = CustomerFactory(merged_into=survivor)
    IdentityFactory(customer=merged, kind=IdentityKind.EMAIL, value="anna@example.nl")
    response = post(api_client, payload())
    assert response.json()["customer_id"] == survivor.pk


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"channel": "pigeon"}, "channel"),
        ({"channel": "note"}, "channel"),
        ({"direction": "sideways"}, "direction"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"occurred_at": None}, "occurred_at"),
        ({"external_id": ""}, "external_id"),
        ({"source": "has spaces"}, "source"),
        ({"identities": []}, "identities"),
        ({"identities": "anna@example.nl"}, "identities"),
        ({"identities": [{"kind": "fax", "value": "1"}]}, "identities"),
        ({"identities": [{"kind": "email", "value": "not-an-address"}]}, "identities"),
        ({"identities": [{"kind": "phone", "value": "12"}]}, "identities"),
        ({"identities": [{"kind": "email"}]}, "identities"),
        ({"body": "x" * 20_001}, "body"),
        ({"subject": 12}, "subject"),
    ],
)
def test_bad_input_is_400_with_field_messages_and_writes_nothing(api_client, change, field):
    response = post(api_client, payload(**change))
    assert response.status_code == 400
    assert field in response.json()
    assert not Interaction.objects.exists()
    assert not Customer.objects.exists()
    assert not Identity.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "missing", ["source", "external_id", "channel", "direction", "occurred_at", "identities"]
)
def test_missing_required_field_is_named(api_client, missing) -> None:
    data = payload()
    del data[missing]
    response = post(api_client, data)
    assert response.status_code == 400
    assert missing in response.json()
    assert not Interaction.objects.exists()


@pytest.mark.django_db
def test_error_message_names_the_bad_identity(api_client) -> None:
    response = post(
        api_client,
        payload(
            identities=[{"kind": "email", "value": "a@b.nl"}, {"kind": "email", "value": "nope"}]
        ),
    )
    assert response.json()["identities"] == {"1": {"value": ["nope is not an e-mail address."]}}


@pytest.mark.django_db
def test_body_over_the_size_limit_is_refused(api_client, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    data = json.dumps(payload(body="x" * 3000))
    response = api_client.post(URL, data, content_type="application/json")
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]
    assert not Interaction.objects.exists()


@pytest.mark.django_db
def test_malformed_json_is_400(api_client) -> None:
    response = api_client.post(URL, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert not Interaction.objects.exists()


@pytest.mark.django_db
def test_get_is_not_allowed(api_client) -> None:
    assert api_client.get(URL).status_code == 405


@pytest.mark.django_db
def test_without_token_or_permission_nothing_is_written(outsider, marketer) -> None:
    assert APIClient().post(URL, payload(), format="json").status_code == 401
    for user in (outsider, marketer):
        client = APIClient()
        client.force_authenticate(user)
        assert client.post(URL, payload(), format="json").status_code == 403
    assert not Interaction.objects.exists()


@pytest.mark.django_db
def test_agent_session_may_post_with_csrf(agent) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(agent)
    assert client.post(URL, payload(), format="json").status_code == 403  # no CSRF token
    assert not Interaction.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("moments", [1, 2])
def test_intake_query_count_for_a_known_customer(
    api_client, integration, django_assert_num_queries, moments
):
    customer = CustomerFactory()
    IdentityFactory(customer=customer, kind=IdentityKind.EMAIL, value="anna@example.nl")
    for n in range(moments - 1):
        post(api_client, payload(external_id=f"earlier-{n}"))
    user_permissions(user=integration)  # permissions come from the cache, as after any request
    # token, savepoint, identities, insert, customer and identity last-seen updates,
    # release (no replay look-up before the insert); without the signal's listeners (other
    # apps' routing).
    receivers = interaction_recorded.receivers
    interaction_recorded.receivers = []
    interaction_recorded.sender_receivers_cache.clear()
    try:
        with django_assert_num_queries(7):
            response = post(api_client, payload(external_id="now"))
    finally:
        interaction_recorded.receivers = receivers
        interaction_recorded.sender_receivers_cache.clear()
    assert response.status_code == 201


def _locked(exc: Exception) -> bool:
    return isinstance(exc, OperationalError) and "locked" in str(exc)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("pool_closed_after")
def test_ten_identical_requests_at_once_store_one_moment() -> None:
    """Concurrent replays: the unique constraint decides, every caller gets the same row.

    On PostgreSQL the ten run truly in parallel. SQLite serialises writers, and its
    in-memory test database reports a busy writer at once ("table is locked") instead of
    waiting out the busy timeout as the file database does: there a caller tries again, as
    an integration does on an error, and still every caller must get the one row.
    """
    identities = [IdentityValue(kind="email", value="anna@example.nl")]
    barrier = threading.Barrier(10)
    results, errors = [], []
    retries = 0

    def deliver() -> None:
        nonlocal retries
        try:
            barrier.wait(timeout=10)
            for _attempt in range(200):
                try:
                    result = interaction_intake(
                        source="gateway",
                        external_id="same",
                        channel="email",
                        direction="in",
                        occurred_at=timezone.now(),
                        identities=identities,
                        name="Anna",
                    )
                except OperationalError as exc:
                    if connection.vendor != "sqlite" or not _locked(exc):
                        raise
                    retries += 1
                    time.sleep(0.01)
                    continue
                results.append(result)
                break
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [thread for thread in threads if thread.is_alive()] == []
    assert errors == []
    assert len(results) == 10
    assert Interaction.objects.count() == 1
    assert Customer.objects.count() == 1
    assert Identity.objects.count() == 1
    assert {r.interaction.pk for r in results} == {Interaction.objects.get().pk}
    assert sum(r.created for r in results) == 1
    assert sum(r.customer_created for r in results) == 1
    if connection.vendor == "postgresql":
        assert retries == 0
