"""Provider webhooks for WhatsApp (Cloud API) and SMS (Twilio): their signatures, inbound
messages into the intake (once per provider message id), and delivery receipts onto the
outbound contact moment they are about."""

import base64
import datetime as dt
import hashlib
import hmac
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import timezone

from contacts.models import Channel, DeliveryStatus, Direction, IdentityKind
from contacts.services.identity import IdentityValue, phone_normalise
from contacts.services.intake import interaction_intake
from contacts.services.outbound import outbound_receipt

logger = logging.getLogger(__name__)

WHATSAPP_SOURCE = "whatsapp"
TWILIO_SOURCE = "twilio"
WHATSAPP_STATUSES = {
    "sent": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.READ,
    "failed": DeliveryStatus.FAILED,
}
# Twilio's queued/accepted/sending/scheduled say nothing we do not know yet.
TWILIO_STATUSES = {
    "sent": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.READ,
    "undelivered": DeliveryStatus.FAILED,
    "failed": DeliveryStatus.FAILED,
}


@dataclass
class WebhookResult:
    stored: int = 0
    replayed: int = 0
    receipts: int = 0
    ignored: int = 0
    problems: list[str] = field(default_factory=list)


# --- Signatures ---------------------------------------------------------------------------
def whatsapp_signature_valid(*, body: bytes, header: str) -> bool:
    """``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body with the app secret>``."""
    secret = settings.WHATSAPP_APP_SECRET
    if not secret or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256=").strip().lower())


def whatsapp_verify_challenge(*, mode: str, token: str, challenge: str) -> str | None:
    """The challenge to echo when Meta's verification request names our verify token."""
    expected = settings.WHATSAPP_VERIFY_TOKEN
    if mode != "subscribe" or not expected or not challenge:
        return None
    return challenge if hmac.compare_digest(token.encode(), expected.encode()) else None


def twilio_signature(*, url: str, params: QueryDict) -> str:
    """Base64 of HMAC-SHA1 with the auth token over the full URL followed by every POST
    parameter, sorted by name, as name + value."""
    payload = url + "".join(
        name + value for name in sorted(params) for value in sorted(params.getlist(name))
    )
    digest = hmac.new(settings.TWILIO_AUTH_TOKEN.encode(), payload.encode(), hashlib.sha1)
    return base64.b64encode(digest.digest()).decode()


def twilio_signature_valid(*, url: str, params: QueryDict, header: str) -> bool:
    if not settings.TWILIO_AUTH_TOKEN or not header:
        return False
    return hmac.compare_digest(twilio_signature(url=url, params=params), header.strip())


# --- Inbound messages and receipts -----------------------------------------------------
def _from_timestamp(raw: object) -> dt.datetime:
    try:
        return dt.datetime.fromtimestamp(int(str(raw)), tz=dt.UTC)
    except (TypeError, ValueError, OverflowError):
        return timezone.now()


def _phone_identities(raw: str, kind: str) -> list[IdentityValue]:
    """The sender as an identity of the channel's kind and as a phone number."""
    number = phone_normalise(raw if raw.startswith("+") else f"+{raw}")
    return [
        IdentityValue(kind=kind, value=number),
        IdentityValue(kind=IdentityKind.PHONE, value=number),
    ]


def _store(
    result: WebhookResult,
    *,
    source: str,
    channel: str,
    kind: str,
    message_id: str,
    sender: str,
    body: str,
    name: str = "",
    occurred_at: dt.datetime,
) -> None:
    if not message_id or not sender:
        result.problems.append("message without id or sender")
        return
    try:
        identities = _phone_identities(sender, kind)
    except ValidationError:
        result.problems.append(f"sender {sender[:30]!r} is not a phone number")
        return
    intake = interaction_intake(
        source=source,
        external_id=message_id[:200],
        channel=channel,
        direction=Direction.INBOUND,
        occurred_at=occurred_at,
        identities=identities,
        name=name[:200],
        body=body[:10_000],
    )
    if intake.created:
        result.stored += 1
    else:
        result.replayed += 1


def _whatsapp_text(message: dict) -> str:
    kind = str(message.get("type", ""))
    if kind == "text":
        return str((message.get("text") or {}).get("body", ""))
    found = message.get(kind)
    part: dict = found if isinstance(found, dict) else {}
    caption = str(part.get("caption", "") or part.get("title", "") or part.get("text", ""))
    return f"[{kind}] {caption}".strip()


def _whatsapp_changes(payload: object) -> Iterable[dict]:
    if not isinstance(payload, dict):
        return
    for entry in payload.get("entry") or []:
        for change in (entry or {}).get("changes") or []:
            value = (change or {}).get("value")
            if isinstance(value, dict):
                yield value


def whatsapp_webhook_process(*, payload: object) -> WebhookResult:
    """Messages and statuses of one Cloud API notification (already signature-checked)."""
    result = WebhookResult()
    for value in _whatsapp_changes(payload):
        names = {
            str(c.get("wa_id", "")): str((c.get("profile") or {}).get("name", ""))
            for c in value.get("contacts") or []
            if isinstance(c, dict)
        }
        for message in value.get("messages") or []:
            if not isinstance(message, dict):
                result.ignored += 1
                continue
            sender = str(message.get("from", ""))
            _store(
                result,
                source=WHATSAPP_SOURCE,
                channel=Channel.WHATSAPP,
                kind=IdentityKind.WHATSAPP,
                message_id=str(message.get("id", "")),
                sender=sender,
                body=_whatsapp_text(message),
                name=names.get(sender, ""),
                occurred_at=_from_timestamp(message.get("timestamp")),
            )
        for status in value.get("statuses") or []:
            if not isinstance(status, dict) or status.get("status") not in WHATSAPP_STATUSES:
                result.ignored += 1
                continue
            errors = status.get("errors") or [{}]
            error = errors[0] if isinstance(errors[0], dict) else {}
            reason = " ".join(
                str(p)
                for p in (
                    error.get("code", ""),
                    error.get("title", ""),
                    (error.get("error_data") or {}).get("details", ""),
                )
                if p
            )
            result.receipts += outbound_receipt(
                message_id=str(status.get("id", "")),
                status=WHATSAPP_STATUSES[status["status"]],
                error=reason,
                channels=(Channel.WHATSAPP,),
            )
    return result


def twilio_sms_process(*, params: QueryDict) -> WebhookResult:
    """An incoming SMS or a status callback from Twilio (already signature-checked)."""
    result = WebhookResult()
    if params.get("AccountSid", "") != settings.TWILIO_ACCOUNT_SID:
        result.problems.append("another account")
        return result
    sid = params.get("MessageSid", "") or params.get("SmsSid", "")
    status = params.get("MessageStatus", "")
    if status and "Body" not in params:
        if status not in TWILIO_STATUSES:
            result.ignored += 1
            return result
        error = " ".join(
            p for p in (params.get("ErrorCode", ""), params.get("ErrorMessage", "")) if p
        )
        result.receipts += outbound_receipt(
            message_id=sid, status=TWILIO_STATUSES[status], error=error, channels=(Channel.SMS,)
        )
        return result
    body = params.get("Body", "")
    media = int(params.get("NumMedia", "0") or 0) if params.get("NumMedia", "0").isdigit() else 0
    if media:
        body = f"{body} [{media} media]".strip()
    _store(
        result,
        source=TWILIO_SOURCE,
        channel=Channel.SMS,
        kind=IdentityKind.SMS,
        message_id=sid,
        sender=params.get("From", ""),
        body=body,
        occurred_at=timezone.now(),
    )
    return result
