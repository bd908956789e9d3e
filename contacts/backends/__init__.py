"""Backends that hand a message to a provider: e-mail through Django's mailer, WhatsApp
through the Cloud API, SMS through a Twilio-compatible API, and two for development and
tests. Each is a class with ``send(message) -> provider message id``, named by a setting
(``CXCENTER_EMAIL_BACKEND``, ``CXCENTER_SMS_BACKEND``, ``CXCENTER_WHATSAPP_BACKEND``).

A backend raises ``TransientDeliveryError`` when trying again later may work (the provider
is down, a timeout, a 5xx) and ``PermanentDeliveryError`` when it will not (a 4xx: bad
number, no permission); the outbound path retries the first and marks the second failed.
"""

import logging
import uuid
from dataclasses import dataclass
from typing import ClassVar, Protocol

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    channel: str
    to: str
    body: str
    subject: str = ""
    # E-mail: the Message-ID we generated and stored before sending; threading headers.
    message_id: str = ""
    in_reply_to: str = ""
    references: tuple[str, ...] = ()
    reply_to: str = ""
    # Extra headers, e.g. Auto-Submitted on automatic messages.
    headers: tuple[tuple[str, str], ...] = ()


class MessageBackend(Protocol):
    def send(self, message: Message) -> str: ...


class DeliveryError(Exception):
    """The provider did not take the message."""


class TransientDeliveryError(DeliveryError):
    """Not sent now; the same message may go through later."""


class PermanentDeliveryError(DeliveryError):
    """Refused for good; sending it again will not help."""


class LoggingMessageBackend:
    """Development: writes the message to the log and sends nothing."""

    def send(self, message: Message) -> str:
        message_id = uuid.uuid4().hex
        logger.info("%s to %s (%s): %s", message.channel, message.to, message_id, message.body)
        return message_id


class LocmemMessageBackend:
    """Tests: keeps sent messages in ``LocmemMessageBackend.outbox``."""

    outbox: ClassVar[list[dict[str, str]]] = []

    def send(self, message: Message) -> str:
        message_id = uuid.uuid4().hex
        self.outbox.append(
            {"channel": message.channel, "to": message.to, "body": message.body, "id": message_id}
        )
        return message_id
