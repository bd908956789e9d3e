"""WhatsApp and Twilio webhooks: the verification handshake, signatures (valid, forged,
missing), inbound messages stored once (replays write nothing), delivery receipts that
only move forward, oversized and malformed bodies."""

import hashlib
import hmac
import json
from typing import Any
from urllib.parse import urlencode

import pytest
from django.http import QueryDict
from django.test import Client
from django.urls import reverse

from contacts.models import Channel, DeliveryStatus, Direction, Identity, IdentityKind, Interaction
from contacts.services.outbound import outbound_send
from contacts.services.webhooks import twilio_signature
from contacts.tests.factories import CustomerFactory, IdentityFactory

pytestmark = pytest.mark.django_db
WA_URL = "/webhooks/whatsapp/"
TW_URL = "/webhooks/twilio/sms/"


@pytest.fixture
def providers(settings) -> None:
    settings.WHATSAPP_APP_SECRET = "wa-secret"
    settings.WHATSAPP_VERIFY_TOKEN = "verify-me"
    settings.TWILIO_ACCOUNT_SID = "AC123"
    settings.TWILIO_AUTH_TOKEN = "tw-token"
    settings.SITE_URL = "https://cx.example.com"


def _wa_message(message_id: str = "wamid.IN1", text: str = "Waar blijft mijn pakket?") -> dict:
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "WABA", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "3197010000000", "phone_number_id": "1055"},
            "contacts": [{"profile": {"name": "Fatima Bakker"}, "wa_id": "31612345678"}],
            "messages": [{"from": "31612345678", "id": message_id, "timestamp": "1764583200",
                          "type": "text", "text": {"body": text}}],
        }}]}],
    }  # fmt: skip


def _wa_status(message_id: str, status: str, errors: list | None = None) -> dict:
    entry: dict[str, Any] = {"id": message_id, "status": status, "timestamp": "1764583300",
             "recipient_id": "31612345678"}  # fmt: skip
    if errors:
        entry["errors"] = errors
    return {"entry": [{"changes": [{"field": "messages", "value": {"statuses": [entry]}}]}]}


def _post_wa(
    client: Client, payload: dict, *, secret: str = "wa-secret", signature: str | None = None
):
    body = json.dumps(payload).encode()
    if signature is None:
        signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    headers = {"X-Hub-Signature-256": signature} if signature else {}
    return client.post(WA_URL, body, content_type="application/json", headers=headers)


def _post_tw(client: Client, params: dict, *, url: str = "https://cx.example.com" + TW_URL,
             signature: str | None = None):  # fmt: skip

    if signature is None:
        signature = twilio_signature(url=url, params=QueryDict(urlencode(params)))
    headers = {"X-Twilio-Signature": signature} if signature else {}
    return client.post(TW_URL, urlencode(params),
                       content_type="application/x-www-form-urlencoded", headers=headers)  # fmt: skip


def _sms_in(sid: str = "SM" + "a" * 32) -> dict:
    return {"MessageSid": sid, "SmsSid": sid, "AccountSid": "AC123", "From": "+31612345678",
            "To": "+3197010000000", "Body": "Klopt mijn adres nog?", "NumMedia": "0",
            "SmsStatus": "received"}  # fmt: skip


def test_the_urls_are_where_the_providers_are_told_they_are() -> None:
    assert reverse("webhooks:whatsapp") == WA_URL
    assert reverse("webhooks:twilio_sms") == TW_URL


# --- WhatsApp ---------------------------------------------------------------------------
def test_the_verification_handshake_echoes_the_challenge(client: Client, providers) -> None:
    answer = client.get(WA_URL, {"hub.mode": "subscribe", "hub.verify_token": "verify-me",
                                 "hub.challenge": "1158201444"})  # fmt: skip
    assert (answer.status_code, answer.content) == (200, b"1158201444")


@pytest.mark.parametrize(
    "query",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": "verify-me", "hub.challenge": "1"},
        {"hub.challenge": "1"},
    ],
)
def test_a_wrong_handshake_is_refused(client: Client, providers, query: dict) -> None:
    assert client.get(WA_URL, query).status_code == 403


def test_without_a_verify_token_configured_no_handshake_succeeds(client: Client, settings) -> None:
    settings.WHATSAPP_VERIFY_TOKEN = ""
    query = {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"}
    assert client.get(WA_URL, query).status_code == 403


def test_a_signed_message_becomes_an_inbound_contact_moment_once(client: Client, providers) -> None:
    first = _post_wa(client, _wa_message())
    assert first.status_code == 200
    assert first.json() == {"stored": 1, "replayed": 0, "receipts": 0}
    moment = Interaction.objects.get()
    assert moment.identity is not None
    assert (moment.channel, moment.direction) == (Channel.WHATSAPP, Direction.INBOUND)
    assert (moment.source, moment.external_id) == ("whatsapp", "wamid.IN1")
    assert moment.body == "Waar blijft mijn pakket?"
    assert moment.customer.name == "Fatima Bakker"
    assert moment.identity.kind == IdentityKind.WHATSAPP
    assert moment.identity.value == "+31612345678"
    replay = _post_wa(client, _wa_message())
    assert replay.json() == {"stored": 0, "replayed": 1, "receipts": 0}
    assert Interaction.objects.count() == 1


def test_a_message_finds_the_customer_known_by_phone(client: Client, providers) -> None:
    known = CustomerFactory()
    IdentityFactory(customer=known, kind=IdentityKind.PHONE, value="+31612345678")
    _post_wa(client, _wa_message())
    assert Interaction.objects.get().customer_id == known.pk


@pytest.mark.parametrize(
    "signature", ["", "sha256=" + "0" * 64, "sha1=abc", "sha256=not-hex"], ids=str
)
def test_a_missing_or_forged_signature_is_403_and_writes_nothing(
    client: Client, providers, signature: str
) -> None:
    assert _post_wa(client, _wa_message(), signature=signature).status_code == 403
    assert not Interaction.objects.exists()


def test_a_body_signed_with_another_secret_is_refused(client: Client, providers) -> None:
    assert _post_wa(client, _wa_message(), secret="other").status_code == 403
    assert not Interaction.objects.exists()


def test_without_an_app_secret_every_post_is_refused(client: Client, providers, settings) -> None:
    settings.WHATSAPP_APP_SECRET = ""
    assert _post_wa(client, _wa_message(), secret="").status_code == 403


def test_a_signed_body_that_is_not_json_is_400(client: Client, providers) -> None:
    body = b"not json"
    signature = "sha256=" + hmac.new(b"wa-secret", body, hashlib.sha256).hexdigest()
    answer = client.post(WA_URL, body, content_type="application/json",
                         headers={"X-Hub-Signature-256": signature})  # fmt: skip
    assert answer.status_code == 400


def test_an_oversized_body_is_413_and_writes_nothing(client: Client, providers, settings) -> None:
    settings.CXCENTER_WEBHOOK_MAX_BYTES = 1024
    answer = _post_wa(client, _wa_message(text="x" * 2000))
    assert answer.status_code == 413
    assert not Interaction.objects.exists()


def test_an_unsupported_method_is_405(client: Client) -> None:
    assert client.put(WA_URL).status_code == 405
    assert client.get(TW_URL).status_code == 405


def _outbound(channel: str, message_id: str) -> Interaction:
    customer = CustomerFactory()
    IdentityFactory(customer=customer, kind=IdentityKind.PHONE, value=f"+3161234{customer.pk:04d}")
    interaction = outbound_send(customer=customer, channel=channel, body="Hallo")
    Interaction.objects.filter(pk=interaction.pk).update(
        message_id=message_id, delivery_status=DeliveryStatus.SENT
    )
    return interaction


def test_statuses_move_the_outbound_message_forward_only(client: Client, providers) -> None:
    sent = _outbound(Channel.WHATSAPP, "wamid.OUT1")
    assert _post_wa(client, _wa_status("wamid.OUT1", "delivered")).json()["receipts"] == 1
    assert _post_wa(client, _wa_status("wamid.OUT1", "read")).json()["receipts"] == 1
    assert _post_wa(client, _wa_status("wamid.OUT1", "delivered")).json()["receipts"] == 0
    sent.refresh_from_db()
    assert sent.delivery_status == DeliveryStatus.READ


def test_a_failed_status_keeps_the_providers_reason(client: Client, providers) -> None:
    sent = _outbound(Channel.WHATSAPP, "wamid.OUT2")
    errors = [{"code": 131026, "title": "Message undeliverable",
               "error_data": {"details": "Receiver is incapable of receiving this message"}}]  # fmt: skip
    _post_wa(client, _wa_status("wamid.OUT2", "failed", errors))
    sent.refresh_from_db()
    assert sent.delivery_status == DeliveryStatus.FAILED
    assert sent.delivery_error == (
        "131026 Message undeliverable Receiver is incapable of receiving this message"
    )


def test_a_status_for_an_sms_id_does_not_touch_it(client: Client, providers) -> None:
    sms = _outbound(Channel.SMS, "wamid.SAME")
    assert _post_wa(client, _wa_status("wamid.SAME", "read")).json()["receipts"] == 0
    sms.refresh_from_db()
    assert sms.delivery_status == DeliveryStatus.SENT


def test_a_message_from_a_non_number_is_skipped(client: Client, providers) -> None:
    payload = _wa_message()
    payload["entry"][0]["changes"][0]["value"]["messages"][0]["from"] = "abc"
    assert _post_wa(client, payload).json()["stored"] == 0
    assert not Identity.objects.exists()


# --- Twilio -----------------------------------------------------------------------------
def test_a_signed_sms_is_stored_once(client: Client, providers) -> None:
    answer = _post_tw(client, _sms_in())
    assert answer.status_code == 200
    assert answer["Content-Type"] == "text/xml"
    moment = Interaction.objects.get()
    assert moment.identity is not None
    assert (moment.channel, moment.source, moment.body) == (
        Channel.SMS,
        "twilio",
        "Klopt mijn adres nog?",
    )
    assert moment.identity.kind == IdentityKind.SMS
    _post_tw(client, _sms_in())
    assert Interaction.objects.count() == 1


def test_a_forged_or_missing_twilio_signature_is_403(client: Client, providers) -> None:
    assert _post_tw(client, _sms_in(), signature="AAAA").status_code == 403
    assert _post_tw(client, _sms_in(), signature="").status_code == 403
    tampered = _sms_in()
    signature = twilio_signature(url="https://cx.example.com" + TW_URL,
                                 params=QueryDict(urlencode(tampered)))  # fmt: skip
    tampered["Body"] = "Anders"
    assert _post_tw(client, tampered, signature=signature).status_code == 403
    assert not Interaction.objects.exists()


def test_the_signature_is_over_the_public_url_behind_a_proxy(client: Client, providers) -> None:
    # Signed for the address the proxy listens on, not the one Django sees (testserver).
    assert _post_tw(client, _sms_in(), url="http://testserver" + TW_URL).status_code == 403
    assert _post_tw(client, _sms_in(), url="https://cx.example.com" + TW_URL).status_code == 200


def test_another_accounts_message_is_not_stored(client: Client, providers) -> None:
    params = {**_sms_in(), "AccountSid": "AC999"}
    assert _post_tw(client, params).status_code == 200
    assert not Interaction.objects.exists()


def test_twilio_status_callbacks_update_the_sms(client: Client, providers) -> None:
    sms = _outbound(Channel.SMS, "SM" + "b" * 32)
    callback = {"MessageSid": "SM" + "b" * 32, "AccountSid": "AC123", "MessageStatus": "delivered"}
    _post_tw(client, callback)
    _post_tw(client, {**callback, "MessageStatus": "sent"})  # late, older news
    sms.refresh_from_db()
    assert sms.delivery_status == DeliveryStatus.DELIVERED
    other = _outbound(Channel.SMS, "SM" + "c" * 32)
    _post_tw(client, {"MessageSid": "SM" + "c" * 32, "AccountSid": "AC123",
                      "MessageStatus": "undelivered", "ErrorCode": "30005"})  # fmt: skip
    other.refresh_from_db()
    assert (other.delivery_status, other.delivery_error) == (DeliveryStatus.FAILED, "30005")


def test_an_oversized_sms_post_is_413(client: Client, providers, settings) -> None:
    settings.CXCENTER_WEBHOOK_MAX_BYTES = 512
    assert _post_tw(client, {**_sms_in(), "Body": "x" * 1000}).status_code == 413
    assert not Interaction.objects.exists()
