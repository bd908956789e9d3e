"""Messages to customers: e-mail through Django's mail backend; SMS and WhatsApp through a
pluggable function (``CXCENTER_SMS_BACKEND``, a dotted path) that only logs by default."""

import logging
from collections.abc import Callable
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string

from contacts.models import Channel

logger = logging.getLogger(__name__)

# Channels a survey invitation can go out on, in the order tried after the preferred one.
SUPPORTED_CHANNELS = (Channel.EMAIL, Channel.SMS, Channel.WHATSAPP)


class TextSender(Protocol):
    def __call__(self, *, channel: str, to: str, body: str) -> None: ...


def log_text_send(*, channel: str, to: str, body: str) -> None:
    """The default SMS/WhatsApp backend: no provider is configured, so the message is logged."""
    logger.info("feedback %s message to %s: %s", channel, to, body)


def _text_sender() -> Callable[..., None]:
    path = getattr(settings, "CXCENTER_SMS_BACKEND", None)
    return import_string(path) if path else log_text_send


def message_send(*, channel: str, to: str, subject: str, body: str) -> None:
    """Send one message to a customer; raises when the backend fails (the caller retries)."""
    if channel == Channel.EMAIL:
        EmailMessage(subject=subject, body=body, to=[to]).send()
    else:
        _text_sender()(channel=channel, to=to, body=f"{subject}\n{body}")
