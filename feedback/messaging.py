"""Messages to customers: e-mail through Django's mail backend; SMS and WhatsApp through the
channel backends of journeys (``CXCENTER_SMS_BACKEND``/``CXCENTER_WHATSAPP_BACKEND``), the
same ones case replies use, which only log by default."""

from django.core.mail import EmailMessage

from contacts.models import Channel
from journeys.backends import message_backend

# Channels a survey invitation can go out on, in the order tried after the preferred one.
SUPPORTED_CHANNELS = (Channel.EMAIL, Channel.SMS, Channel.WHATSAPP)


def message_send(*, channel: str, to: str, subject: str, body: str) -> None:
    """Send one message to a customer; raises when the backend fails (the caller retries)."""
    if channel == Channel.EMAIL:
        EmailMessage(subject=subject, body=body, to=[to]).send()
    else:
        message_backend(channel=channel).send(channel=channel, to=to, body=f"{subject}\n{body}")
