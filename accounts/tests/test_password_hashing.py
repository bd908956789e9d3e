"""Passwords are stored with Argon2; a PBKDF2 hash from before still signs in and is
rehashed with Argon2 at that sign-in."""

import os
import subprocess
import sys

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client, override_settings
from django.urls import reverse

from accounts.tests.factories import UserFactory

PRODUCTION_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]


def test_outside_the_tests_argon2_comes_first() -> None:
    # The test run swaps in a fast hasher, so the settings are read in a process of their own.
    code = "import django; django.setup(); from django.conf import settings; "
    code += "print(*settings.PASSWORD_HASHERS)"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cxcenter.settings", "DEBUG": "1"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == PRODUCTION_HASHERS


@pytest.mark.django_db
@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
def test_a_pbkdf2_hash_signs_in_and_is_rehashed_with_argon2() -> None:
    password = "an-old-but-long-password-7"
    user = UserFactory(username="old-hash")
    user.password = make_password(password, hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])
    response = Client().post(
        reverse("accounts:login"), {"username": "old-hash", "password": password}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
