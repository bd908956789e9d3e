"""Signing in and out, the lockout after five wrong passwords, and the password rules."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import PASSWORD

LOGIN = reverse("accounts:login")
LOGOUT = reverse("accounts:logout")


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _login(client: Client, username: str, password: str, **extra: str):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def test_login_page_renders_for_an_anonymous_visitor(client: Client, db: None) -> None:
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert b"Sign in to cxcenter" in response.content
    assert b'name="username"' in response.content
    assert b'name="password"' in response.content


def test_correct_password_signs_in_and_redirects_to_the_start_page(
    client: Client, agent: User
) -> None:
    response = _login(client, "agent", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session["_auth_user_id"] == str(agent.pk)


def test_correct_password_follows_a_safe_next_url(client: Client, agent: User) -> None:
    response = _login(client, "agent", PASSWORD, next="/accounts/notifications/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/notifications/"


def test_an_external_next_url_is_ignored(client: Client, agent: User) -> None:
    response = _login(client, "agent", PASSWORD, next="https://evil.example/")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_wrong_password_shows_the_error_and_does_not_sign_in(client: Client, agent: User) -> None:
    response = _login(client, "agent", "not the password at all")
    assert response.status_code == 200
    assert b"That user name and password do not match" in response.content
    assert not _signed_in(client)


def test_a_signed_in_user_visiting_the_login_page_is_sent_on(agent_client: Client) -> None:
    response = agent_client.get(LOGIN)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_four_wrong_passwords_do_not_lock_the_account(client: Client, agent: User) -> None:
    for _ in range(4):
        assert _login(client, "agent", "wrong password").status_code == 200
    response = _login(client, "agent", PASSWORD)
    assert response.status_code == 302
    assert _signed_in(client)


def test_after_five_wrong_passwords_even_the_right_one_gets_the_locked_page(
    client: Client, agent: User
) -> None:
    statuses = [_login(client, "agent", "wrong password").status_code for _ in range(5)]
    # The fifth failure already reaches the limit and answers with the lockout page.
    assert statuses == [200, 200, 200, 200, 429]

    response = _login(client, "agent", PASSWORD)

    assert response.status_code == 429
    assert b"Account locked" in response.content
    assert b"This account is locked for a while" in response.content
    assert not _signed_in(client)


def test_a_lockout_is_per_user_name_so_another_user_can_still_sign_in(
    client: Client, agent: User, manager: User
) -> None:
    for _ in range(5):
        _login(client, "agent", "wrong password")
    response = _login(client, "manager", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(manager.pk)


def test_logout_by_get_is_not_allowed(agent_client: Client) -> None:
    response = agent_client.get(LOGOUT)
    assert response.status_code == 405
    assert _signed_in(agent_client)


def test_logout_by_post_signs_out_and_returns_to_the_login_page(agent_client: Client) -> None:
    response = agent_client.post(LOGOUT)
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert not _signed_in(agent_client)
    assert agent_client.get("/accounts/notifications/").status_code == 302


def test_password_change_rejects_a_short_new_password(agent_client: Client, agent: User) -> None:
    response = agent_client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "Short1!xyz", "new_password2": "Short1!xyz"},
    )
    assert response.status_code == 200
    assert b"too short" in response.content
    agent.refresh_from_db()
    assert agent.check_password(PASSWORD)


def test_password_change_accepts_a_strong_new_password(agent_client: Client, agent: User) -> None:
    new = "violet-kettle-harbour-92"
    response = agent_client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.check_password(new)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Xq7!mLp2#vR", "too short"),  # 11 characters
        ("password1234", "too common"),
        ("193847562019", "entirely numeric"),
    ],
)
def test_weak_passwords_are_rejected_by_the_validators(
    password: str, message: str, db: None
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        validate_password(password)
    assert any(message in m for m in excinfo.value.messages)


def test_a_password_resembling_the_user_name_is_rejected(agent: User) -> None:
    agent.username = "annadevries"
    with pytest.raises(ValidationError) as excinfo:
        validate_password("annadevries1", user=agent)
    assert any("too similar" in m for m in excinfo.value.messages)


def test_a_long_strong_password_passes_the_validators(db: None) -> None:
    validate_password("violet-kettle-harbour-92")
