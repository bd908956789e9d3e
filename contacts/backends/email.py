"""E-mail out through Django's mailer (``EMAIL_URL``), with our Message-ID, the threading
headers and the signed reply address."""

import smtplib

from django.conf import settings
from django.core.mail import EmailMessage

from contacts.backends import Message, PermanentDeliveryError, TransientDeliveryError


def _smtp_code(exc: smtplib.SMTPException) -> int | None:
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code
    if isinstance(exc, smtplib.SMTPRecipientsRefused) and exc.recipients:
        return min(code for code, _ in exc.recipients.values())
    return None


class EmailBackend:
    def send(self, message: Message) -> str:
        headers = {"Message-ID": message.message_id, **dict(message.headers)}
        if message.in_reply_to:
            headers["In-Reply-To"] = message.in_reply_to
        if message.references:
            headers["References"] = " ".join(message.references)
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=settings.CXCENTER_MAIL_FROM,
            to=[message.to],
            reply_to=[message.reply_to] if message.reply_to else None,
            headers=headers,
        )
        try:
            email.send()
        except smtplib.SMTPException as exc:
            code = _smtp_code(exc)
            # 5xx: the server refused for good (no such mailbox, policy); 4xx: try later.
            if code is not None and 500 <= code < 600:
                raise PermanentDeliveryError(f"SMTP {code}: {exc}") from exc
            raise TransientDeliveryError(f"SMTP: {exc}") from exc
        except OSError as exc:
            raise TransientDeliveryError(f"mail server: {exc}") from exc
        return message.message_id
