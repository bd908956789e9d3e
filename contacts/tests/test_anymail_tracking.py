"""E-mail provider events (django-anymail tracking) move an e-mail's delivery status on."""

import base64
import json

import pytest
from anymail.signals import AnymailTrackingEvent, tracking
from django.test import Client
from django.utils import timezone

from contacts.models import Channel, DeliveryStatus, Direction, Interaction
from contacts.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _mail(status: str = DeliveryStatus.SENT, message_id: str = "<abc.1@cx.example>") -> Interaction:
    return Interaction.objects.create(
        customer=CustomerFactory(),
        channel=Channel.EMAIL,
        direction=Direction.OUTBOUND,
        occurred_at=timezone.now(),
        message_id=message_id,
        delivery_status=status,
    )


def _event(event_type: str, message_id: str, **kwargs: object) -> None:
    tracking.send(
        sender=object,
        event=AnymailTrackingEvent(event_type=event_type, message_id=message_id, **kwargs),
        esp_name="Test",
    )


def test_opened_marks_the_mail_read_and_a_later_delivered_does_not_move_it_back() -> None:
    mail = _mail()
    _event("delivered", "<abc.1@cx.example>")
    mail.refresh_from_db()
    assert mail.delivery_status == DeliveryStatus.DELIVERED
    _event("opened", "abc.1@cx.example")  # without angle brackets, as some ESPs report it
    _event("delivered", "<abc.1@cx.example>")
    mail.refresh_from_db()
    assert mail.delivery_status == DeliveryStatus.READ


def test_a_bounce_fails_the_mail_with_the_reason() -> None:
    mail = _mail()
    _event("bounced", "<abc.1@cx.example>", mta_response="550 5.1.1 no such user")
    mail.refresh_from_db()
    assert (mail.delivery_status, mail.delivery_error) == (
        DeliveryStatus.FAILED,
        "550 5.1.1 no such user",
    )


def test_unknown_ids_and_events_change_nothing() -> None:
    mail = _mail()
    _event("opened", "<other@cx.example>")
    _event("unsubscribed", "<abc.1@cx.example>")
    _event("opened", "")
    mail.refresh_from_db()
    assert mail.delivery_status == DeliveryStatus.SENT


def test_the_webhook_is_mounted_and_refuses_a_wrong_secret(settings: object) -> None:
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:s3cret"}  # type: ignore[attr-defined]
    mail = _mail(message_id="<pm.1@cx.example>")
    body = json.dumps(
        {"RecordType": "Open", "MessageID": "pm.1@cx.example", "Recipient": "a@example.nl"}
    )
    client = Client()
    url = "/anymail/postmark/tracking/"
    wrong = "Basic " + base64.b64encode(b"hook:wrong").decode()
    response = client.post(url, body, content_type="application/json", HTTP_AUTHORIZATION=wrong)
    assert response.status_code == 400
    mail.refresh_from_db()
    assert mail.delivery_status == DeliveryStatus.SENT
    right = "Basic " + base64.b64encode(b"hook:s3cret").decode()
    response = client.post(url, body, content_type="application/json", HTTP_AUTHORIZATION=right)
    assert response.status_code == 200
    mail.refresh_from_db()
    assert mail.delivery_status == DeliveryStatus.READ
