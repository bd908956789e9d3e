"""Channel backends for replies that do not go by e-mail (SMS, WhatsApp).

A backend is a class with ``send(*, channel, to, body) -> str`` returning the provider's
message id, named by a setting (``CXCENTER_SMS_BACKEND``, ``CXCENTER_WHATSAPP_BACKEND``),
like Django's EMAIL_BACKEND. The default logs the message and sends nothing.
"""

import logging
import uuid
from typing import ClassVar, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from contacts.models import Channel

logger = logging.getLogger(__name__)

DEFAULT_BACKEND = "journeys.backends.LoggingMessageBackend"
# The channels cxcenter sends messages on (replies, campaigns): e-mail through Django's
# e-mail backend, SMS and WhatsApp through the backends below. The one list of them.
SENDABLE_CHANNELS = (Channel.EMAIL, Channel.SMS, Channel.WHATSAPP)
SETTINGS = {"sms": "CXCENTER_SMS_BACKEND", "whatsapp": "CXCENTER_WHATSAPP_BACKEND"}


class MessageBackend(Protocol):
    def send(self, *, channel: str, to: str, body: str) -> str: ...


class DeliveryError(Exception):
    """The provider refused or could not be reached; nothing was sent."""


class LoggingMessageBackend:
    """Development: writes the message to the log."""

    def send(self, *, channel: str, to: str, body: str) -> str:
        message_id = uuid.uuid4().hex
        logger.info("%s to %s (%s): %s", channel, to, message_id, body)
        return message_id


class LocmemMessageBackend:
    """Tests: keeps sent messages in ``LocmemMessageBackend.outbox``."""

    outbox: ClassVar[list[dict[str, str]]] = []

    def send(self, *, channel: str, to: str, body: str) -> str:
        message_id = uuid.uuid4().hex
        self.outbox.append({"channel": channel, "to": to, "body": body, "id": message_id})
        return message_id


def message_backend(*, channel: str) -> MessageBackend:
    path = getattr(settings, SETTINGS.get(channel, "CXCENTER_SMS_BACKEND"), DEFAULT_BACKEND)
    return import_string(path)()


def sendable_channel_choices() -> list[tuple[str, str]]:
    """(value, label) of the channels cxcenter can send on, for forms."""
    return [(c.value, c.label) for c in SENDABLE_CHANNELS]


def channel_label(value: str) -> str:
    """The channel's name for people (``sms`` → "SMS"); an unknown code as it is."""
    return str(Channel(value).label) if value in Channel.values else value
