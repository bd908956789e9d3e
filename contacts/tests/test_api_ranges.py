"""Dates outside 1900–2100 and negative amounts are refused with a 400 naming the field."""

import pytest
from rest_framework.test import APIClient

from contacts.models import Interaction, Order

pytestmark = pytest.mark.django_db

IDENTITIES = [{"kind": "email", "value": "anna@example.nl"}]


def _moment(occurred_at: str) -> dict:
    return {
        "source": "shop",
        "external_id": "m-1",
        "channel": "email",
        "direction": "in",
        "occurred_at": occurred_at,
        "identities": IDENTITIES,
    }


def _order(**extra) -> dict:
    return {
        "source": "shop",
        "external_id": "o-1",
        "identities": IDENTITIES,
        "product_sku": "SKU-1",
        "ordered_at": "2026-03-01T10:00:00+01:00",
        **extra,
    }


@pytest.mark.parametrize(
    "when", ["0001-01-01T00:00:00Z", "1347-06-01T12:00:00Z", "2101-01-01T00:00:00Z"]
)
def test_a_contact_moment_outside_the_sane_range_is_refused(api_client: APIClient, when) -> None:
    response = api_client.post("/api/v1/interactions/", _moment(when), format="json")
    assert response.status_code == 400
    assert response.json() == {"occurred_at": ["Give a date between 1900 and 2100."]}
    assert not Interaction.objects.exists()


def test_a_contact_moment_in_range_is_accepted(api_client: APIClient) -> None:
    response = api_client.post(
        "/api/v1/interactions/", _moment("1901-01-01T00:00:00Z"), format="json"
    )
    assert response.status_code == 201


def test_an_order_in_the_year_1347_is_refused(api_client: APIClient) -> None:
    response = api_client.post(
        "/api/v1/orders/", _order(ordered_at="1347-01-01T00:00:00Z"), format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["ordered_at"]
    assert not Order.objects.exists()


def test_a_negative_amount_is_refused(api_client: APIClient) -> None:
    response = api_client.post("/api/v1/orders/", _order(amount="-5.00"), format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["amount"]
    assert not Order.objects.exists()


def test_an_external_id_sent_as_a_number_is_refused(api_client: APIClient) -> None:
    response = api_client.post("/api/v1/orders/", _order(external_id=0), format="json")
    assert response.status_code == 400
    assert response.json() == {"external_id": ["Send this as a string."]}
