"""Wrong passwords are limited per client address; password hashing runs a few at a time."""

import threading

import pytest
from django.test import Client
from django.urls import reverse

from accounts import ratelimit
from accounts.models import User
from accounts.tests.factories import PASSWORD

LOGIN = reverse("accounts:login")


def _login(client: Client, username: str, password: str):
    return client.post(LOGIN, {"username": username, "password": password})


def test_wrong_passwords_over_the_rate_get_429_with_retry_after(
    agent: User, manager: User, settings
) -> None:
    settings.LOGIN_FAILURE_RATE = "3/minute"
    client = Client(REMOTE_ADDR="198.51.100.1")
    # Three different user names, so the per-account lockout does not kick in.
    for name in ("alice", "bob", "carol"):
        assert _login(client, name, "wrong password").status_code == 200
    response = _login(client, "agent", PASSWORD)
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert b"Too many sign-in attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_another_address_still_signs_in(agent: User, settings) -> None:
    settings.LOGIN_FAILURE_RATE = "1/minute"
    for name in ("alice", "bob"):
        _login(Client(REMOTE_ADDR="198.51.100.1"), name, "wrong password")
    assert _login(Client(REMOTE_ADDR="198.51.100.2"), "agent", PASSWORD).status_code == 302


def test_successful_sign_ins_do_not_count(agent: User, settings) -> None:
    settings.LOGIN_FAILURE_RATE = "1/minute"
    for _ in range(3):
        assert _login(Client(REMOTE_ADDR="198.51.100.1"), "agent", PASSWORD).status_code == 302


@pytest.fixture
def one_slot(settings, monkeypatch):
    settings.PASSWORD_CHECKS_CONCURRENT = 1
    settings.PASSWORD_CHECK_WAIT_SECONDS = 0
    monkeypatch.setattr(ratelimit, "_password_slots", threading.BoundedSemaphore(1))
    return ratelimit._password_slots


def test_when_every_hashing_slot_stays_busy_the_sign_in_gets_503(agent: User, one_slot) -> None:
    one_slot.acquire()
    try:
        response = _login(Client(), "agent", PASSWORD)
    finally:
        one_slot.release()
    assert response.status_code == 503
    assert response["Retry-After"] == "1"


def test_a_sign_in_frees_its_hashing_slot(agent: User, one_slot) -> None:
    _login(Client(), "agent", "wrong password")
    assert one_slot.acquire(blocking=False)
    one_slot.release()
