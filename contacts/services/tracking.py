"""E-mail provider events (django-anymail's ``tracking`` signal): delivered, opened,
bounced... move the delivery status of the outbound contact moment with that message id
forward, through ``outbound_receipt`` (never backwards, a repeat changes nothing)."""

from typing import Any

from contacts.models import Channel, DeliveryStatus
from contacts.services.outbound import outbound_receipt

# anymail's normalised event types → our delivery status; others (queued, deferred,
# unsubscribed, complained, unknown) say nothing about delivery.
ANYMAIL_STATUS = {
    "sent": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "opened": DeliveryStatus.READ,
    "clicked": DeliveryStatus.READ,
    "bounced": DeliveryStatus.FAILED,
    "rejected": DeliveryStatus.FAILED,
    "failed": DeliveryStatus.FAILED,
}


def _candidates(message_id: str) -> list[str]:
    # Some providers report our Message-ID without its angle brackets.
    message_id = message_id.strip()
    if not message_id:
        return []
    if message_id.startswith("<"):
        return [message_id]
    return [message_id, f"<{message_id}>"]


def anymail_event_apply(*, event: Any) -> int:
    """Apply one anymail ``AnymailTrackingEvent``; returns the contact moments changed."""
    status = ANYMAIL_STATUS.get(getattr(event, "event_type", "") or "")
    if status is None:
        return 0
    error = ""
    if status == DeliveryStatus.FAILED:
        error = str(getattr(event, "mta_response", "") or getattr(event, "description", "") or "")
        error = error or str(getattr(event, "reject_reason", "") or event.event_type)
    changed = 0
    for message_id in _candidates(str(getattr(event, "message_id", "") or "")):
        changed += outbound_receipt(
            message_id=message_id, status=status, error=error, channels=(Channel.EMAIL,)
        )
    return changed


def anymail_tracking_received(*, sender: object, event: Any, esp_name: str, **kwargs: Any) -> None:
    """Receiver of ``anymail.signals.tracking``."""
    anymail_event_apply(event=event)
