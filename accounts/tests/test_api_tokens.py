"""Hashed API tokens: made and shown once, checked by hash, named, expired, revoked."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken, User
from accounts.roles import Role
from accounts.services import api_token_create
from accounts.tests.dbsearch import tables_containing
from accounts.tests.factories import UserFactory

ME = "/api/v1/me/"


def _client(key: str, address: str = "127.0.0.1") -> APIClient:
    client = APIClient(REMOTE_ADDR=address)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_no_table_holds_the_key_of_a_new_token(integration: User) -> None:
    _token, key = api_token_create(user=integration, name="web shop")
    assert tables_containing(key) == []


def test_a_new_token_authenticates(integration: User) -> None:
    _token, key = api_token_create(user=integration, name="web shop")
    assert _client(key).get(ME).json()["username"] == "webshop"


def test_a_revoked_token_gets_401(integration: User) -> None:
    token, key = api_token_create(user=integration, name="web shop")
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    assert _client(key).get(ME).status_code == 401


def test_a_token_revoked_after_use_is_refused_on_the_next_request(integration: User) -> None:
    token, key = api_token_create(user=integration, name="web shop")
    client = _client(key)
    assert client.get(ME).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    assert client.get(ME).status_code == 401


def test_a_user_deactivated_after_use_is_refused_on_the_next_request(integration: User) -> None:
    _token, key = api_token_create(user=integration, name="web shop")
    client = _client(key)
    assert client.get(ME).status_code == 200
    User.objects.filter(pk=integration.pk).update(is_active=False)
    assert client.get(ME).status_code == 401


def test_a_token_that_expired_after_use_is_refused_on_the_next_request(
    integration: User,
) -> None:
    token, key = api_token_create(user=integration, name="web shop")
    client = _client(key)
    assert client.get(ME).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    assert client.get(ME).status_code == 401


def test_the_token_found_carries_its_user(integration: User) -> None:
    from accounts.selectors import api_token_for_key

    token, key = api_token_create(user=integration, name="web shop")
    found = api_token_for_key(key=key)
    assert found is not None
    assert (found.pk, found.name, found.user.pk, found.user.username) == (
        token.pk,
        "web shop",
        integration.pk,
        "webshop",
    )


def test_an_expired_token_gets_401(integration: User) -> None:
    past = timezone.now() - dt.timedelta(minutes=1)
    _token, key = api_token_create(user=integration, name="web shop", expires_at=past)
    assert _client(key).get(ME).status_code == 401


def test_a_token_differing_after_its_prefix_gets_401(integration: User) -> None:
    _token, key = api_token_create(user=integration, name="web shop")
    assert _client(key[:8] + "x" * (len(key) - 8)).get(ME).status_code == 401


def test_the_first_use_is_recorded(integration: User) -> None:
    token, key = api_token_create(user=integration, name="web shop")
    _client(key).get(ME)
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_second_use_within_a_minute_writes_nothing(
    integration: User, django_assert_num_queries
) -> None:
    _token, key = api_token_create(user=integration, name="web shop")
    client = _client(key)
    client.get(ME)
    # the token with its user (the user's roles are cached): no write of the last use
    with django_assert_num_queries(1):
        assert client.get(ME).status_code == 200


def test_wrong_tokens_from_one_address_get_429_with_retry_after(
    integration: User, settings
) -> None:
    settings.API_TOKEN_FAILURE_RATE = "3/minute"
    for _ in range(3):
        assert _client("wrong-key", "10.0.0.1").get(ME).status_code == 401
    response = _client("wrong-key", "10.0.0.1").get(ME)
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1


def test_a_blocked_address_is_refused_even_with_the_right_token(
    integration: User, settings
) -> None:
    settings.API_TOKEN_FAILURE_RATE = "1/minute"
    _token, key = api_token_create(user=integration, name="web shop")
    _client("wrong-key", "10.0.0.1").get(ME)
    _client("wrong-key", "10.0.0.1").get(ME)
    assert _client(key, "10.0.0.1").get(ME).status_code == 429


def test_wrong_tokens_from_one_address_do_not_block_another(integration: User, settings) -> None:
    settings.API_TOKEN_FAILURE_RATE = "1/minute"
    _token, key = api_token_create(user=integration, name="web shop")
    _client("wrong-key", "10.0.0.1").get(ME)
    _client("wrong-key", "10.0.0.1").get(ME)
    assert _client(key, "10.0.0.2").get(ME).status_code == 200


def test_the_api_rate_per_token_answers_429(api_client: APIClient, monkeypatch) -> None:
    # DRF reads its rates once at import; the throttle class holds them.
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"user": "2/minute", "anon": None})
    assert api_client.get(ME).status_code == 200
    assert api_client.get(ME).status_code == 200
    response = api_client.get(ME)
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1


def test_the_per_token_rate_counts_each_token_apart(integration: User, monkeypatch) -> None:
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"user": "2/minute", "anon": None})
    _first, one = api_token_create(user=integration, name="web shop")
    _second, other = api_token_create(user=integration, name="warehouse")
    assert [_client(one).get(ME).status_code for _ in range(3)] == [200, 200, 429]
    assert _client(other).get(ME).status_code == 200


def test_a_token_request_reads_the_cache_in_one_round_trip(integration: User) -> None:
    from unittest import mock

    from django.core.cache import cache

    _token, key = api_token_create(user=integration, name="web shop")
    client = _client(key)
    client.get(ME)
    with (
        mock.patch.object(cache, "get", wraps=cache.get) as get,
        mock.patch.object(cache, "get_many", wraps=cache.get_many) as get_many,
    ):
        assert client.get(ME).status_code == 200
    assert (get.call_count, get_many.call_count) == (0, 1)


@pytest.fixture
def admin_client_(db: None) -> Client:
    admin = UserFactory(username="ada", roles=[Role.ADMIN], is_staff=True)
    from accounts.services import roles_ensure

    roles_ensure()
    client = Client()
    client.force_login(admin)
    return client


def test_an_admin_sees_the_new_key_once_and_it_is_stored_hashed(
    admin_client_: Client, integration: User
) -> None:
    response = admin_client_.post(
        "/admin/accounts/apitoken/add/",
        {"user": integration.pk, "name": "web shop", "expires_at_0": "", "expires_at_1": ""},
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(name="web shop")
    key = response.content.decode().split('id="api-token-key"')[0].rsplit('value="', 1)[1]
    key = key.split('"')[0]
    assert key.startswith(token.prefix)
    assert _client(key).get(ME).status_code == 200
    assert tables_containing(key) == []
    assert (
        key
        not in admin_client_.get(f"/admin/accounts/apitoken/{token.pk}/change/").content.decode()
    )


def test_an_admin_revokes_tokens(admin_client_: Client, integration: User) -> None:
    token, key = api_token_create(user=integration, name="web shop")
    response = admin_client_.post(
        "/admin/accounts/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert response.status_code == 302
    assert _client(key).get(ME).status_code == 401


def test_the_command_prints_a_working_key(integration: User) -> None:
    out = StringIO()
    call_command("api_token_create", "webshop", "--name", "ci", "--days", "1", stdout=out)
    key = out.getvalue().strip()
    token = ApiToken.objects.get(name="ci")
    assert token.expires_at is not None
    assert _client(key).get(ME).status_code == 200


def test_the_command_refuses_an_unknown_user(db: None) -> None:
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("api_token_create", "nobody")


@pytest.mark.django_db(transaction=True)
def test_plain_tokens_from_before_keep_working_and_their_table_is_dropped() -> None:
    import importlib

    from django.apps import apps

    user = UserFactory(username="legacy", roles=[Role.INTEGRATION])
    key = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, "
            "created timestamp with time zone NOT NULL, user_id bigint NOT NULL)"
            if connection.vendor == "postgresql"
            else "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, "
            "created datetime NOT NULL, user_id bigint NOT NULL)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token (key, created, user_id) VALUES (%s, %s, %s)",
            [key, timezone.now(), user.pk],
        )
    migration = importlib.import_module("accounts.migrations.0002_api_tokens_hashed")
    with connection.schema_editor() as editor:
        migration.hash_plain_tokens(apps, editor)
    assert "authtoken_token" not in connection.introspection.table_names()
    assert tables_containing(key) == []
    assert _client(key).get(ME).json()["username"] == "legacy"
