"""POST /api/v1/interactions/batch/ and /api/v1/orders/batch/: per-item results in input
order, idempotency of replayed and half-new batches, a bad item rejecting only itself,
limits, permissions, routing into cases and constant query counts."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from contacts.api import InteractionInSerializer, OrderInSerializer
from contacts.api_batch import _Checker, _Slow, _validate
from contacts.models import Customer, DuplicateCandidate, Identity, IdentityKind, Interaction, Order
from contacts.signals import interaction_stored
from contacts.tests.factories import CustomerFactory, IdentityFactory
from journeys.models import Case, CaseMessage

URL = "/api/v1/interactions/batch/"
ORDERS_URL = "/api/v1/orders/batch/"


def item(n: int, **overrides):
    data = {
        "source": "email-gateway",
        "external_id": f"msg-{n}",
        "channel": "email",
        "direction": "in",
        "occurred_at": "2026-03-01T09:30:00+01:00",
        "identities": [{"kind": "email", "value": f"Klant{n}@Example.nl"}],
        "name": f"Klant {n}",
        "subject": "Waar blijft mijn pakket?",
        "body": "Bestelling 123",
        "topic": "delivery",
    }
    data.update(overrides)
    return data


def order(n: int, **overrides):
    data = {
        "source": "webshop",
        "external_id": f"order-{n}",
        "identities": [{"kind": "email", "value": f"klant{n}@example.nl"}],
        "product_sku": "SHOE-1",
        "product_name": "Hardloopschoen",
        "ordered_at": "2026-03-01T09:30:00+01:00",
        "amount": "89.95",
    }
    data.update(overrides)
    return data


def post(client: APIClient, items, url: str = URL):
    return client.post(url, {"items": items}, format="json")


@pytest.mark.django_db
def test_batch_creates_every_item_and_reports_in_input_order(api_client, contact_center) -> None:
    response = post(api_client, [item(n) for n in range(3)])
    assert response.status_code == 200
    body = response.json()
    assert [r["index"] for r in body["results"]] == [0, 1, 2]
    assert [r["status"] for r in body["results"]] == ["created"] * 3
    assert (body["created"], body["existing"], body["rejected"]) == (3, 0, 0)
    first = Interaction.objects.get(pk=body["results"][0]["id"])
    assert (first.external_id, first.customer.name) == ("msg-0", "Klant 0")
    assert Identity.objects.get(customer=first.customer).value == "klant0@example.nl"
    assert first.identity is not None
    assert first.identity.value == "klant0@example.nl"


@pytest.mark.django_db
def test_batch_routes_each_new_moment_into_a_case(api_client, contact_center) -> None:
    body = post(api_client, [item(n) for n in range(3)]).json()
    ids = [r["id"] for r in body["results"]]
    assert CaseMessage.objects.filter(interaction_id__in=ids).count() == 3
    assert Case.objects.filter(origin_id__in=ids).count() == 3


@pytest.mark.django_db
def test_a_second_moment_of_a_customer_continues_the_case_opened_in_the_batch(
    api_client, contact_center
) -> None:
    same = {"identities": [{"kind": "email", "value": "anna@example.nl"}]}
    post(api_client, [item(1, **same), item(2, **same)])
    assert Customer.objects.count() == 1
    case = Case.objects.get()
    assert case.messages.count() == 2


@pytest.mark.django_db
def test_reply_on_an_open_case_joins_it(api_client, contact_center) -> None:
    post(api_client, [item(1)])
    case = Case.objects.get()
    post(api_client, [item(2, identities=[{"kind": "email", "value": "klant1@example.nl"}])])
    assert Case.objects.count() == 1
    assert case.messages.count() == 2


@pytest.mark.django_db
def test_replayed_batch_writes_nothing_new(api_client, contact_center) -> None:
    items = [item(n) for n in range(5)]
    first = post(api_client, items).json()
    counts = (Interaction.objects.count(), Customer.objects.count(), Case.objects.count())
    again = post(api_client, items).json()
    assert [r["status"] for r in again["results"]] == ["existing"] * 5
    assert [r["id"] for r in again["results"]] == [r["id"] for r in first["results"]]
    assert (Interaction.objects.count(), Customer.objects.count(), Case.objects.count()) == counts


@pytest.mark.django_db
def test_half_new_batch_writes_only_the_new_items(api_client, contact_center) -> None:
    post(api_client, [item(n) for n in range(2)])
    body = post(api_client, [item(n) for n in range(4)]).json()
    assert [r["status"] for r in body["results"]] == ["existing", "existing", "created", "created"]
    assert Interaction.objects.count() == 4
    assert Customer.objects.count() == 4


@pytest.mark.django_db
def test_an_item_repeated_within_the_batch_is_stored_once(api_client, contact_center) -> None:
    body = post(api_client, [item(1), item(1)]).json()
    assert [r["status"] for r in body["results"]] == ["created", "existing"]
    assert body["results"][0]["id"] == body["results"][1]["id"]
    assert Interaction.objects.count() == 1


@pytest.mark.django_db
def test_a_bad_item_rejects_only_itself(api_client, contact_center) -> None:
    bad = item(1, identities=[{"kind": "email", "value": "nope"}], occurred_at="yesterday")
    body = post(api_client, [item(0), bad, "not an object", item(2)]).json()
    assert [r["status"] for r in body["results"]] == ["created", "rejected", "rejected", "created"]
    assert body["results"][1]["errors"]["identities"] == {
        "0": {"value": ["nope is not an e-mail address."]}
    }
    assert "occurred_at" in body["results"][1]["errors"]
    assert body["results"][2]["errors"] == {"non_field_errors": ["Each item must be an object."]}
    assert set(Interaction.objects.values_list("external_id", flat=True)) == {"msg-0", "msg-2"}


@pytest.mark.django_db
def test_identities_of_a_known_customer_attach_to_them(api_client, contact_center) -> None:
    anna = CustomerFactory(name="")
    IdentityFactory(customer=anna, kind=IdentityKind.EMAIL, value="klant1@example.nl")
    body = post(
        api_client,
        [
            item(
                1,
                identities=[
                    {"kind": "email", "value": "klant1@example.nl"},
                    {"kind": "phone", "value": "06-12345678"},
                ],
            )
        ],
    ).json()
    assert body["results"][0]["customer_id"] == anna.pk
    assert body["results"][0]["customer_created"] is False
    anna.refresh_from_db()
    assert anna.name == "Klant 1"
    assert anna.last_interaction_at is not None
    assert set(anna.identities.values_list("value", flat=True)) == {
        "klant1@example.nl",
        "+31612345678",
    }


@pytest.mark.django_db
def test_identities_of_two_customers_record_a_possible_duplicate(
    api_client, contact_center
) -> None:
    anna, other = CustomerFactory(), CustomerFactory()
    IdentityFactory(customer=anna, kind=IdentityKind.EMAIL, value="anna@example.nl")
    IdentityFactory(customer=other, kind=IdentityKind.PHONE, value="+31612345678")
    post(
        api_client,
        [
            item(
                1,
                identities=[
                    {"kind": "email", "value": "anna@example.nl"},
                    {"kind": "phone", "value": "+31612345678"},
                ],
            )
        ],
    )
    pair = DuplicateCandidate.objects.get()
    assert {pair.first_id, pair.second_id} == {anna.pk, other.pk}


@pytest.mark.django_db
def test_more_than_a_thousand_items_is_refused(api_client) -> None:
    response = post(api_client, [item(n) for n in range(1001)])
    assert response.status_code == 400
    assert response.json()["items"] == ["At most 1000 items per request."]
    assert not Interaction.objects.exists()


@pytest.mark.django_db
def test_a_body_over_the_batch_limit_is_413(api_client, settings) -> None:
    settings.CXCENTER_BATCH_MAX_BYTES = 5000
    response = post(api_client, [item(n, body="x" * 3000) for n in range(2)])
    assert response.status_code == 413
    assert not Interaction.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ("{not json", "application/json", 400),
        ('{"items": {}}', "application/json", 400),
        ('{"items": []}', "application/json", 400),
        ("[]", "application/json", 400),
        ("[" * 10_000 + "]" * 10_000, "application/json", 400),
        ("items=1", "application/x-www-form-urlencoded", 415),
    ],
)
def test_malformed_bodies_are_refused(api_client, body, content_type, status) -> None:
    response = api_client.post(URL, body, content_type=content_type)
    assert response.status_code == status
    assert not Interaction.objects.exists()


@pytest.mark.django_db
def test_without_token_or_permission_nothing_is_written(outsider, marketer) -> None:
    assert APIClient().post(URL, {"items": [item(1)]}, format="json").status_code == 401
    for user in (outsider, marketer):
        client = APIClient()
        client.force_authenticate(user)
        assert post(client, [item(1)]).status_code == 403
    assert not Interaction.objects.exists()


@pytest.mark.django_db
def test_stored_signal_fires_once_per_new_item_after_commit(
    api_client, contact_center, django_capture_on_commit_callbacks
) -> None:
    seen = []

    def listener(*, interaction, **kwargs):
        seen.append(interaction.external_id)

    interaction_stored.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            post(api_client, [item(1), item(2), item(1)])
        assert seen == []
        for callback in callbacks:
            callback()
    finally:
        interaction_stored.disconnect(listener)
    assert seen == ["msg-1", "msg-2"]


def _queries_for(client, items, django_assert_max_num_queries) -> int:
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        response = post(client, items)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 1000])
def test_batch_query_count_is_the_same_for_1_and_1000_new_items(
    api_client, contact_center, django_assert_num_queries, size
) -> None:
    post(api_client, [item(-1)])  # warms the routing configuration and permission caches
    # token, savepoint; replays; identities; keys reserved for customers, identities and
    # moments, each inserted (COPY on PostgreSQL); keys reserved for cases and their
    # messages, each inserted; release. New customers have no open cases to look up.
    with django_assert_num_queries(12 if connection.vendor == "postgresql" else 10):
        response = post(api_client, [item(n) for n in range(size)])
    assert response.json()["created"] == size


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 1000])
def test_replayed_batch_query_count_is_the_same_for_1_and_1000(
    api_client, contact_center, django_assert_num_queries, size
) -> None:
    items = [item(n) for n in range(size)]
    post(api_client, items)
    # token, savepoint, replays, release.
    with django_assert_num_queries(4):
        response = post(api_client, items)
    assert response.json()["existing"] == size


# --- Orders ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_order_batch_creates_replays_and_rejects(api_client) -> None:
    first = post(api_client, [order(1), order(2)], ORDERS_URL).json()
    assert [r["status"] for r in first["results"]] == ["created", "created"]
    body = post(
        api_client, [order(1), order(3), order(4, amount="lots"), order(5)], ORDERS_URL
    ).json()
    assert [r["status"] for r in body["results"]] == ["existing", "created", "rejected", "created"]
    assert "amount" in body["results"][2]["errors"]
    assert Order.objects.count() == 4
    customer = Customer.objects.get(identities__value="klant3@example.nl")
    assert customer.last_purchase_at is not None


@pytest.mark.django_db
def test_order_batch_raises_last_purchase_of_a_known_customer(api_client) -> None:
    anna = CustomerFactory()
    IdentityFactory(customer=anna, kind=IdentityKind.EMAIL, value="klant1@example.nl")
    post(api_client, [order(1), order(2, ordered_at="2026-04-01T10:00:00Z")], ORDERS_URL)
    post(
        api_client,
        [order(3, identities=[{"kind": "email", "value": "klant1@example.nl"}])],
        ORDERS_URL,
    )
    anna.refresh_from_db()
    assert anna.last_purchase_at.isoformat() == "2026-03-01T08:30:00+00:00"


@pytest.mark.django_db
def test_order_batch_needs_the_order_permission(agent) -> None:
    client = APIClient()
    client.force_authenticate(agent)
    assert post(client, [order(1)], ORDERS_URL).status_code == 403
    assert not Order.objects.exists()


@pytest.mark.django_db
def test_batch_endpoints_are_in_the_schema(api_client) -> None:
    schema = api_client.get("/api/schema/?format=json")
    paths = json.loads(schema.content)["paths"]
    assert "post" in paths["/api/v1/interactions/batch/"]
    assert "post" in paths["/api/v1/orders/batch/"]


# --- The light check agrees with the serializer ------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        item(1),
        item(2, name="  Anna  ", subject=" Vraag ", body="  tekst met spaties  ", topic=""),
        item(3, identities=[{"kind": "phone", "value": "06-12345678"}]),
        item(4, identities=[{"kind": "email", "value": " Anna@Example.NL "}], campaign="VOORJAAR"),
        {k: v for k, v in item(5).items() if k not in ("name", "subject", "body", "topic")},
        item(6, occurred_at="2026-03-01T09:30:00Z", name="   "),
        item(7, source="web shop"),
        item(8, external_id=" "),
        item(9, external_id=7),
        item(10, channel="note"),
        item(11, identities=[]),
        item(12, identities=[{"kind": "email", "value": "nope"}]),
        item(13, subject="x" * 301),
        item(14, body="a\ud800b"),
        item(15, name=None),
        item(16, occurred_at="1347-01-01T00:00:00Z"),
    ],
)
def test_the_light_check_gives_what_the_serializer_gives(raw) -> None:
    fields = InteractionInSerializer().fields
    expected, errors = _validate(fields, raw)
    try:
        data = _Checker(fields=fields).interaction(raw)
    except _Slow:
        assert errors, "a valid item took the slow path"
        return
    assert not errors
    assert data == expected


@pytest.mark.parametrize(
    "raw",
    [
        order(1),
        order(2, amount=None, product_name=" Schoen "),
        {k: v for k, v in order(3).items() if k != "amount"},
        order(4, amount=12),
        order(5, amount="-1"),
        order(6, product_sku=""),
    ],
)
def test_the_light_order_check_gives_what_the_serializer_gives(raw) -> None:
    fields = OrderInSerializer().fields
    expected, errors = _validate(fields, raw)
    try:
        data = _Checker(fields=fields).order(raw)
    except _Slow:
        assert errors, "a valid item took the slow path"
        return
    assert not errors
    assert data == expected


@pytest.mark.django_db
def test_a_nul_character_in_a_batch_is_refused_as_for_single_posts(api_client) -> None:
    response = post(api_client, [item(1, body="a\x00b")])
    assert response.status_code == 400
    assert not Interaction.objects.exists()


def _update_order(sql: list[str]) -> list[str]:
    """The tables in the order their rows are first updated."""
    tables: list[str] = []
    for statement in sql:
        for table in ("contacts_customer", "contacts_identity"):
            if statement.startswith(f'UPDATE "{table}"') and table not in tables:
                tables.append(table)
    return tables


@pytest.mark.django_db(transaction=True)
def test_a_batch_updates_customers_before_identities_as_a_single_intake_does(
    api_client, contact_center
) -> None:
    # The same lock order on both paths: a batch and a single intake for the same customer
    # at once cannot deadlock on the customer's and the identity's rows.
    post(api_client, [item(1, occurred_at="2026-03-01T09:00:00+01:00")])
    later = {"identities": [{"kind": "email", "value": "klant1@example.nl"}]}
    with CaptureQueriesContext(connection) as batch:
        post(api_client, [item(2, occurred_at="2026-03-02T09:00:00+01:00", **later)])
    with CaptureQueriesContext(connection) as single:
        response = api_client.post(
            "/api/v1/interactions/",
            item(3, occurred_at="2026-03-03T09:00:00+01:00", **later),
            format="json",
        )
    assert response.status_code == 201, response.content
    order_single = _update_order([q["sql"] for q in single.captured_queries])
    order_batch = _update_order([q["sql"] for q in batch.captured_queries])
    assert order_single == ["contacts_customer", "contacts_identity"]
    assert order_batch == order_single
