"""The contacts API refuses values of another type than the schema documents, instead of
coercing them, and writes nothing."""

import pytest
from rest_framework.test import APIClient

from contacts.models import Interaction, Order

pytestmark = pytest.mark.django_db

IDENTITIES = [{"kind": "email", "value": "anna@example.nl"}]


def _moment(**extra: object) -> dict:
    return {
        "source": "shop",
        "external_id": "m-1",
        "channel": "email",
        "direction": "in",
        "occurred_at": "2026-03-01T10:00:00+01:00",
        "identities": IDENTITIES,
        **extra,
    }


def _order(**extra: object) -> dict:
    return {
        "source": "shop",
        "external_id": "o-1",
        "identities": IDENTITIES,
        "product_sku": "SKU-1",
        "ordered_at": "2026-03-01T10:00:00+01:00",
        **extra,
    }


@pytest.mark.parametrize("field", ["campaign", "subject", "topic", "name", "external_id"])
def test_a_number_for_a_string_field_of_a_contact_moment_is_refused(
    api_client: APIClient, field: str
) -> None:
    response = api_client.post("/api/v1/interactions/", _moment(**{field: 0}), format="json")
    assert response.status_code == 400
    assert response.json() == {field: ["Send this as a string."]}
    assert not Interaction.objects.exists()


def test_a_number_as_source_is_refused(api_client: APIClient) -> None:
    response = api_client.post("/api/v1/interactions/", _moment(source=7), format="json")
    assert response.status_code == 400
    assert response.json() == {"source": ["Send this as a string."]}


def test_a_number_as_identity_value_is_refused(api_client: APIClient) -> None:
    moment = _moment(identities=[{"kind": "phone", "value": 612345678}])
    response = api_client.post("/api/v1/interactions/", moment, format="json")
    assert response.status_code == 400
    assert response.json() == {"identities": {"0": {"value": ["Send this as a string."]}}}


@pytest.mark.parametrize("amount", [89.95, 5, "1e3", "-0.01", "89.999"])
def test_an_amount_not_sent_as_a_decimal_string_is_refused(
    api_client: APIClient, amount: object
) -> None:
    response = api_client.post("/api/v1/orders/", _order(amount=amount), format="json")
    assert response.status_code == 400
    assert response.json() == {"amount": ['Send this as a string, e.g. "89.95".']}
    assert not Order.objects.exists()


def test_an_amount_as_a_decimal_string_or_null_is_taken(api_client: APIClient) -> None:
    first = api_client.post("/api/v1/orders/", _order(amount="89.95"), format="json")
    second = api_client.post(
        "/api/v1/orders/", _order(external_id="o-2", amount=None), format="json"
    )
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["order"]["amount"] == "89.95"
    assert second.json()["order"]["amount"] is None


def test_a_sku_of_only_spaces_is_refused(api_client: APIClient) -> None:
    response = api_client.post("/api/v1/orders/", _order(product_sku="   "), format="json")
    assert response.status_code == 400
    assert response.json() == {"product_sku": ["This field may not be blank."]}
