"""Every error of the API is JSON with the right status; bad bytes and nesting are a 400."""

import json

import pytest
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from cxcenter import errors

pytestmark = pytest.mark.django_db

INTAKE = "/api/v1/interactions/"


def test_an_unknown_api_address_is_a_json_404(api_client: APIClient) -> None:
    response = api_client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_an_unknown_page_is_still_a_page(agent_client: Client) -> None:
    response = agent_client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_an_unexpected_api_error_is_a_json_500_with_a_request_id(integration, monkeypatch) -> None:
    from accounts import api
    from accounts.tests.clients import api_client_for

    def broken(**kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(api, "user_roles", broken)
    client = api_client_for(integration)
    client.raise_request_exception = False
    response = client.get("/api/v1/me/")
    assert response.status_code == 500
    body = response.json()
    assert body == {"detail": "Internal server error.", "request_id": response["X-Request-ID"]}


def test_a_django_500_under_the_api_is_json_without_a_traceback() -> None:
    request = RequestFactory().get("/api/v1/me/")
    try:
        raise RuntimeError("secret internals")
    except RuntimeError:
        response = errors.handler500(request)
    assert response.status_code == 500
    assert b"secret" not in response.content
    assert json.loads(response.content)["request_id"] == errors.request_id(request)


def test_every_answer_carries_a_request_id(api_client: APIClient) -> None:
    assert len(api_client.get("/api/v1/me/")["X-Request-ID"]) == 32


def test_a_well_formed_request_id_from_the_proxy_is_kept(api_client: APIClient) -> None:
    response = api_client.get("/api/v1/me/", HTTP_X_REQUEST_ID="edge-1234abcd")
    assert response["X-Request-ID"] == "edge-1234abcd"


def test_api_answers_are_never_stored_by_caches(api_client: APIClient) -> None:
    assert api_client.get("/api/v1/me/")["Cache-Control"] == "no-store"


def test_a_nul_byte_in_the_api_search_is_a_400(api_client: APIClient) -> None:
    response = api_client.get("/api/v1/customers/?q=anna%00")
    assert response.status_code == 400
    assert response.json() == {"detail": "The address contains a NUL character."}


def test_a_nul_byte_in_the_csv_export_is_a_400(manager_client: Client) -> None:
    response = manager_client.get("/customers/data/export.csv?q=%00")
    assert response.status_code == 400


def test_a_nul_character_in_a_json_body_is_a_400(api_client: APIClient) -> None:
    body = json.dumps({"source": "shop\u0000", "external_id": "1"})
    response = api_client.post(INTAKE, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "JSON contains a NUL character."}


def test_json_nested_ten_thousand_levels_deep_is_a_400(api_client: APIClient) -> None:
    body = "[" * 10_000 + "]" * 10_000
    response = api_client.post(INTAKE, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "JSON nested deeper than 32 levels."}


def test_json_nested_a_little_too_deep_is_a_400(api_client: APIClient) -> None:
    body = '{"a":' * 40 + "1" + "}" * 40
    response = api_client.post(INTAKE, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "JSON nested deeper than 32 levels."}
