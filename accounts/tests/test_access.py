"""Login everywhere: pages redirect anonymous visitors, the API answers 401, /healthz is open."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import Department, User
from accounts.services import api_token_create

PAGES = [
    "/",
    "/accounts/settings/",
    "/accounts/settings/contact-center/",
    "/accounts/settings/contact-center/staffing/",
    "/accounts/notifications/",
    "/accounts/notifications/bell/",
    "/accounts/password/",
]


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_page_request_is_sent_to_login_with_next(
    client: Client, db: None, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


def test_anonymous_post_to_mark_read_is_sent_to_login(client: Client, db: None) -> None:
    response = client.post("/accounts/notifications/read/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_admin_uses_its_own_login_page(client: Client, db: None) -> None:
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/"
    assert client.get("/admin/login/").status_code == 200


def test_a_user_without_staff_status_cannot_use_admin(manager_client: Client) -> None:
    response = manager_client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_healthz_is_public_and_reports_ok(client: Client, db: None) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "ok", "cache": "ok"},
    }
    assert "no-cache" in response["Cache-Control"]


def test_healthz_only_answers_get(client: Client, db: None) -> None:
    assert client.post("/healthz").status_code == 405


def test_anonymous_api_request_gets_401_not_a_redirect(db: None) -> None:
    response = APIClient().get("/api/v1/me/")
    assert response.status_code == 401
    assert "Location" not in response


@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/"])
def test_anonymous_visitor_cannot_read_the_api_schema(db: None, path: str) -> None:
    response = APIClient().get(path)
    assert response.status_code == 401


def test_the_api_schema_is_served_to_a_signed_in_integration(api_client: APIClient) -> None:
    response = api_client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert b"/api/v1/me/" in response.content


def test_token_caller_sees_itself_with_the_integration_role(api_client: APIClient) -> None:
    response = api_client.get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json() == {"username": "webshop", "department": None, "roles": ["integration"]}


def test_a_session_user_sees_department_and_roles(agent_client: Client) -> None:
    response = agent_client.get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json() == {
        "username": "agent",
        "department": Department.CONTACT_CENTER,
        "roles": ["agent"],
    }


def test_an_invalid_token_gets_401(integration: User) -> None:
    api_token_create(user=integration, name="shop")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0000000000000000000000000000000000000000")
    response = client.get("/api/v1/me/")
    assert response.status_code == 401


def test_a_token_of_a_deactivated_integration_gets_401(integration: User) -> None:
    _token, key = api_token_create(user=integration, name="shop")
    integration.is_active = False
    integration.save(update_fields=["is_active"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/me/").status_code == 401


def test_the_me_endpoint_takes_a_pinned_number_of_queries(
    api_client: APIClient, django_assert_num_queries
) -> None:
    # token + user (one join), the user's groups.
    with django_assert_num_queries(2):
        assert api_client.get("/api/v1/me/").status_code == 200


def test_a_user_without_a_role_lands_on_the_start_page_that_says_so(
    outsider_client: Client,
) -> None:
    response = outsider_client.get("/")
    assert response.status_code == 200
    assert b"Your account has no role yet" in response.content
