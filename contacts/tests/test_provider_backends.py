"""The WhatsApp and SMS backends against a real HTTP server on 127.0.0.1 speaking the
providers' formats: the right request, the provider's id, 4xx permanent with the reason,
5xx and timeouts transient; and end to end through the outbound path."""

import base64
from urllib.parse import parse_qs

import pytest

from contacts.backends import Message, PermanentDeliveryError, TransientDeliveryError
from contacts.backends.twilio import TwilioBackend
from contacts.backends.whatsapp import WhatsAppBackend
from contacts.models import Channel, DeliveryStatus, IdentityKind
from contacts.services.outbound import outbound_send
from contacts.tests.factories import CustomerFactory, IdentityFactory

WA = Message(channel=Channel.WHATSAPP, to="+31612345678", body="Uw pakket komt morgen.")
SMS = Message(channel=Channel.SMS, to="+31612345678", body="Uw code is 1234")


def test_whatsapp_posts_the_cloud_api_message_with_the_bearer_token(whatsapp_api) -> None:
    assert WhatsAppBackend().send(WA) == "wamid.TEST1"
    [request] = whatsapp_api.requests
    assert request.path == "/v21.0/1055/messages"
    assert request.headers["authorization"] == "Bearer wa-token"
    assert request.json() == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "31612345678",
        "type": "text",
        "text": {"preview_url": False, "body": "Uw pakket komt morgen."},
    }


def test_whatsapp_4xx_is_permanent_with_the_providers_reason(whatsapp_api) -> None:
    whatsapp_api.reply(400, {"error": {"message": "(#131030) Recipient not in allowed list",
                                       "type": "OAuthException", "code": 131030,
                                       "error_data": {"details": "add it first"}}})  # fmt: skip
    with pytest.raises(PermanentDeliveryError) as error:
        WhatsAppBackend().send(WA)
    assert str(error.value) == (
        "HTTP 400: 131030 (#131030) Recipient not in allowed list add it first"
    )


@pytest.mark.parametrize("status", [500, 503, 429])
def test_whatsapp_5xx_and_rate_limits_are_transient(whatsapp_api, status: int) -> None:
    whatsapp_api.reply(status, {"error": {"message": "Service temporarily unavailable"}})
    with pytest.raises(TransientDeliveryError, match=f"HTTP {status}"):
        WhatsAppBackend().send(WA)


def test_a_provider_that_does_not_answer_in_time_is_transient(whatsapp_api, settings) -> None:
    settings.CXCENTER_PROVIDER_TIMEOUT = 1
    whatsapp_api.reply(200, {"messages": [{"id": "late"}]}, delay=2)
    with pytest.raises(TransientDeliveryError, match="timeout"):
        WhatsAppBackend().send(WA)


def test_an_unreachable_provider_is_transient(settings) -> None:
    settings.WHATSAPP_API_BASE = "http://127.0.0.1:9"  # discard port: nothing listens
    with pytest.raises(TransientDeliveryError):
        WhatsAppBackend().send(WA)


def test_an_answer_without_an_id_is_transient(whatsapp_api) -> None:
    whatsapp_api.reply(200, {"messages": []})
    with pytest.raises(TransientDeliveryError, match="without a message id"):
        WhatsAppBackend().send(WA)


def test_twilio_posts_the_form_with_basic_auth(twilio_api, settings) -> None:
    sid = TwilioBackend().send(SMS)
    assert sid.startswith("SM")
    [request] = twilio_api.requests
    assert request.path == "/2010-04-01/Accounts/AC123/Messages.json"
    assert (
        request.headers["authorization"] == "Basic " + base64.b64encode(b"AC123:tw-token").decode()
    )
    form = parse_qs(request.body.decode())
    assert form["To"] == ["+31612345678"]
    assert form["From"] == ["+3197010000000"]
    assert form["Body"] == ["Uw code is 1234"]
    assert form["StatusCallback"] == [f"{settings.SITE_URL}/webhooks/twilio/sms/"]


def test_twilio_can_send_through_a_messaging_service(twilio_api, settings) -> None:
    settings.TWILIO_MESSAGING_SERVICE_SID = "MG999"
    TwilioBackend().send(SMS)
    form = parse_qs(twilio_api.requests[0].body.decode())
    assert form["MessagingServiceSid"] == ["MG999"]
    assert "From" not in form


def test_twilio_4xx_is_permanent_with_the_providers_reason(twilio_api) -> None:
    twilio_api.reply(400, {"code": 21211, "message": "The 'To' number is not a valid phone number.",
                           "status": 400})  # fmt: skip
    with pytest.raises(PermanentDeliveryError) as error:
        TwilioBackend().send(SMS)
    assert str(error.value) == "HTTP 400: 21211 The 'To' number is not a valid phone number."


def test_twilio_5xx_is_transient(twilio_api) -> None:
    twilio_api.reply(502, {"code": 20500, "message": "Internal Server Error"})
    with pytest.raises(TransientDeliveryError, match="HTTP 502"):
        TwilioBackend().send(SMS)


@pytest.mark.django_db
def test_an_sms_goes_out_after_a_5xx_and_keeps_twilios_sid(
    twilio_api, django_capture_on_commit_callbacks, outbound_worker: None
) -> None:
    customer = CustomerFactory()
    IdentityFactory(customer=customer, kind=IdentityKind.PHONE, value="+31612345678")
    twilio_api.reply(503, {"code": 20503, "message": "Service Unavailable"})
    with django_capture_on_commit_callbacks(execute=True):
        interaction = outbound_send(customer=customer, channel=Channel.SMS, body="Hallo")
    interaction.refresh_from_db()
    assert len(twilio_api.requests) == 2
    assert interaction.delivery_status == DeliveryStatus.SENT
    assert interaction.message_id == "SM" + "2".zfill(32)


@pytest.mark.django_db
def test_a_refused_whatsapp_message_is_failed_once_with_the_reason(
    whatsapp_api, django_capture_on_commit_callbacks, outbound_worker: None
) -> None:
    customer = CustomerFactory()
    IdentityFactory(customer=customer, kind=IdentityKind.WHATSAPP, value="+31612345678")
    whatsapp_api.reply(400, {"error": {"message": "Invalid parameter", "code": 100}})
    with django_capture_on_commit_callbacks(execute=True):
        interaction = outbound_send(customer=customer, channel=Channel.WHATSAPP, body="Hallo")
    interaction.refresh_from_db()
    assert len(whatsapp_api.requests) == 1
    assert interaction.delivery_status == DeliveryStatus.FAILED
    assert interaction.delivery_error == "HTTP 400: 100 Invalid parameter"
