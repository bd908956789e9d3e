"""Inbound mail through a provider webhook (Mailgun, via django-anymail): the signature is
checked, the message goes into the same ingest, a replay stores nothing new."""

import base64
import hashlib
import hmac
import json
import time

import pytest
from django.test import Client

from contacts.models import Interaction

from .conftest import eml_bytes

pytestmark = pytest.mark.django_db
KEY = "mailgun-signing-key-for-tests"
MAILGUN = "/anymail/mailgun/inbound_mime/"


@pytest.fixture(autouse=True)
def keys(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": KEY}


def signed(*, key: str = KEY, raw: bytes | None = None, timestamp: str | None = None) -> dict:
    timestamp = timestamp or str(int(time.time()))
    token = "a" * 50
    signature = hmac.new(key.encode(), (timestamp + token).encode(), hashlib.sha256).hexdigest()
    return {
        "timestamp": timestamp,
        "token": token,
        "signature": signature,
        "body-mime": (raw or eml_bytes("gmail.eml")).decode(),
        "recipient": "support@cxcenter.test",
    }


def test_a_signed_inbound_message_is_stored_without_login() -> None:
    response = Client().post(MAILGUN, signed())
    interaction = Interaction.objects.get()
    assert (response.status_code, interaction.message_id, interaction.body.startswith("Dank")) == (
        200,
        "<CAF3x+Yq8ZK0b1nXo2E=1mPq9rT7wUv4sD6fG8hJkL0zXcVbN5A@mail.gmail.com>",
        True,
    )


def test_a_wrong_signature_is_refused_and_writes_nothing() -> None:
    response = Client().post(MAILGUN, signed(key="not-the-key"))
    assert (response.status_code, Interaction.objects.count()) == (400, 0)


def test_a_missing_signature_is_refused_and_writes_nothing() -> None:
    data = signed()
    del data["signature"]
    response = Client().post(MAILGUN, data)
    assert (response.status_code, Interaction.objects.count()) == (400, 0)


def test_a_replayed_webhook_stores_nothing_new() -> None:
    data = signed()
    Client().post(MAILGUN, data)
    response = Client().post(MAILGUN, data)
    assert (response.status_code, Interaction.objects.count()) == (200, 1)


def test_a_message_without_sender_is_answered_200_and_writes_nothing() -> None:
    response = Client().post(MAILGUN, signed(raw=eml_bytes("no_from.eml")))
    assert (response.status_code, Interaction.objects.count()) == (200, 0)


def test_a_body_over_the_message_limit_is_refused(settings) -> None:
    settings.CXCENTER_MAIL_MAX_BYTES = 1000
    response = Client().post(
        "/anymail/postmark/inbound/",
        json.dumps({"RawEmail": "x" * 5000}),
        content_type="application/json",
    )
    assert (response.status_code, Interaction.objects.count()) == (400, 0)


def test_a_json_webhook_larger_than_the_form_limit_is_stored(settings) -> None:
    settings.ANYMAIL = {"WEBHOOK_SECRET": "user:secret"}
    raw = "From: a@example.nl\r\nMessage-ID: <big-1@example.nl>\r\n\r\n" + "x" * 100_000
    response = Client().post(
        "/anymail/postmark/inbound/",
        json.dumps({"RawEmail": raw}),
        content_type="application/json",
        headers={"Authorization": "Basic " + base64.b64encode(b"user:secret").decode()},
    )
    assert (response.status_code, len(Interaction.objects.get().body)) == (200, 100_000)


def test_postmark_without_its_basic_auth_is_refused(settings) -> None:
    settings.ANYMAIL = {"WEBHOOK_SECRET": "user:secret"}
    response = Client().post(
        "/anymail/postmark/inbound/",
        json.dumps({"RawEmail": "From: a@example.nl\r\n\r\nhoi"}),
        content_type="application/json",
    )
    assert (response.status_code, Interaction.objects.count()) == (400, 0)
