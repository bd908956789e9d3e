"""Inbound mail from e-mail providers (Mailgun, Postmark, SendGrid, Amazon SES, … through
django-anymail, whose views check each provider's signature): into the same ingest."""

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

from contacts.mail.ingest import mail_ingest
from contacts.mail.parse import MailRefused

logger = logging.getLogger(__name__)
# Room for a message of the largest size we take in, encoded (base64 in JSON) by a provider.
ENCODING_OVERHEAD = 1.4


def anymail_inbound_receive(*, sender: Any, event: Any, esp_name: str, **kwargs: Any) -> None:
    """Receiver of anymail's ``inbound`` signal. A refused message is logged and answered
    200 (a provider retrying it would not make it acceptable); a database error propagates,
    the provider gets a 500 and tries again later."""
    message = event.message
    if message is None:
        return
    raw = message.as_bytes()
    try:
        result = mail_ingest(raw=raw)
    except MailRefused as exc:
        logger.warning("inbound mail from %s refused: %s", esp_name, exc.reason)
        return
    logger.info("inbound mail from %s %s", esp_name, result.line())


def webhook_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A provider webhook: public (the provider's signature is the authentication), and its
    body read up to the message size limit instead of the site's small form limit."""

    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        limit = int(settings.CXCENTER_MAIL_MAX_BYTES * ENCODING_OVERHEAD)
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > limit:
            return HttpResponseBadRequest("message too large")
        if not (request.content_type or "").startswith("multipart/"):
            # Read here, so Django's DATA_UPLOAD_MAX_MEMORY_SIZE (meant for forms) is not
            # applied to a JSON body with the whole message in it.
            request._body = request.read(limit + 1)
        return view(request, *args, **kwargs)

    for name in ("csrf_exempt", "__name__", "__doc__"):
        if hasattr(view, name):
            setattr(wrapped, name, getattr(view, name))
    return login_not_required(wrapped)
