"""POST /api/v1/orders/ and /orders/{id}/delivered/: idempotent orders, last purchase, and
the delivery signal sent exactly once."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from contacts.models import Customer, IdentityKind, Order
from contacts.signals import order_delivered
from contacts.tests.factories import CustomerFactory, IdentityFactory, OrderFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/orders/"


def payload(**overrides):
    data = {
        "source": "webshop",
        "external_id": "W-1001",
        "identities": [{"kind": "email", "value": "sem@example.nl"}],
        "product_sku": "SHOE-42",
        "product_name": "Hardloopschoen",
        "ordered_at": "2026-04-01T10:00:00Z",
        "amount": "89.95",
    }
    data.update(overrides)
    return data


def delivered_url(order: Order) -> str:
    return f"/api/v1/orders/{order.pk}/delivered/"


@pytest.fixture
def deliveries():
    received: list[int] = []

    def listener(sender, order, **kwargs):
        received.append(order.pk)

    order_delivered.connect(listener, dispatch_uid="test-orders")
    yield received
    order_delivered.disconnect(dispatch_uid="test-orders")


def test_order_creates_the_customer_and_sets_last_purchase(api_client: APIClient) -> None:
    response = api_client.post(URL, payload(), format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["created"] is True and body["customer_created"] is True
    order = Order.objects.get()
    assert str(order.amount) == "89.95"
    assert order.customer.identities.get().value == "sem@example.nl"
    assert order.customer.last_purchase_at == dt.datetime(2026, 4, 1, 10, tzinfo=dt.UTC)


def test_order_for_a_known_customer_keeps_the_latest_purchase(api_client) -> None:
    later = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    customer = CustomerFactory(last_purchase_at=later)
    IdentityFactory(customer=customer, kind=IdentityKind.EMAIL, value="sem@example.nl")
    response = api_client.post(URL, payload(), format="json")
    assert response.json()["order"]["customer"] == customer.pk
    customer.refresh_from_db()
    assert customer.last_purchase_at == later
    assert Customer.objects.count() == 1


def test_replayed_order_returns_the_first_and_writes_nothing(api_client) -> None:
    first = api_client.post(URL, payload(), format="json").json()
    again = api_client.post(URL, payload(product_sku="OTHER"), format="json")
    assert again.status_code == 200
    assert again.json()["order"]["id"] == first["order"]["id"]
    assert again.json()["created"] is False
    assert Order.objects.get().product_sku == "SHOE-42"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"product_sku": ""}, "product_sku"),
        ({"ordered_at": "soon"}, "ordered_at"),
        ({"amount": "lots"}, "amount"),
        ({"amount": "1234567890123.00"}, "amount"),
        ({"identities": [{"kind": "phone", "value": "abc"}]}, "identities"),
        ({"external_id": None}, "external_id"),
    ],
)
def test_bad_order_is_400_and_writes_nothing(api_client, change, field) -> None:
    response = api_client.post(URL, payload(**change), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Order.objects.exists() and not Customer.objects.exists()


def test_first_delivery_sends_the_signal_once(api_client, deliveries) -> None:
    order = OrderFactory(ordered_at=dt.datetime(2026, 4, 1, tzinfo=dt.UTC))
    body = {"delivered_at": "2026-04-03T12:00:00Z"}
    first = api_client.post(delivered_url(order), body, format="json")
    assert first.status_code == 200
    assert first.json()["marked"] is True
    again = api_client.post(
        delivered_url(order), {"delivered_at": "2026-04-05T12:00:00Z"}, format="json"
    )
    assert again.status_code == 200
    assert again.json()["marked"] is False
    order.refresh_from_db()
    assert order.delivered_at == dt.datetime(2026, 4, 3, 12, tzinfo=dt.UTC)
    assert deliveries == [order.pk]


def test_delivery_before_the_order_is_refused(api_client, deliveries) -> None:
    order = OrderFactory(ordered_at=dt.datetime(2026, 4, 1, tzinfo=dt.UTC))
    response = api_client.post(
        delivered_url(order), {"delivered_at": "2026-03-01T00:00:00Z"}, format="json"
    )
    assert response.status_code == 400
    assert "delivered_at" in response.json()
    order.refresh_from_db()
    assert order.delivered_at is None
    assert deliveries == []


def test_delivery_needs_a_date(api_client) -> None:
    order = OrderFactory()
    response = api_client.post(delivered_url(order), {}, format="json")
    assert response.status_code == 400
    assert "delivered_at" in response.json()


def test_delivery_of_an_unknown_order_is_404(api_client) -> None:
    response = api_client.post(
        "/api/v1/orders/999999/delivered/", {"delivered_at": "2026-04-03T12:00:00Z"}, format="json"
    )
    assert response.status_code == 404


def test_get_is_not_allowed(api_client) -> None:
    assert api_client.get(URL).status_code == 405
    assert api_client.get(delivered_url(OrderFactory())).status_code == 405


def test_agents_may_not_record_orders(agent, deliveries) -> None:
    client = APIClient()
    client.force_authenticate(agent)
    assert client.post(URL, payload(), format="json").status_code == 403
    order = OrderFactory()
    response = client.post(
        delivered_url(order), {"delivered_at": "2026-04-03T12:00:00Z"}, format="json"
    )
    assert response.status_code == 403
    assert deliveries == []
    assert Order.objects.count() == 1
