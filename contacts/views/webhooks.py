"""Public provider webhooks (no login, no CSRF: each request is verified by the provider's
signature instead). A bad or missing signature is 403 and writes nothing; an oversized
body is 413; a replay is answered like the first delivery and writes nothing new."""

import json
import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from contacts.services import webhooks as services

logger = logging.getLogger(__name__)


def _raw_body(request: HttpRequest) -> bytes | None:
    """The body, or None when it is larger than the webhook limit (read no further)."""
    limit = settings.CXCENTER_WEBHOOK_MAX_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return None
    body = request.read(limit + 1)
    return None if len(body) > limit else body


def _too_large() -> HttpResponse:
    return JsonResponse({"detail": "request body too large"}, status=413)


def _forbidden() -> HttpResponse:
    return JsonResponse({"detail": "signature missing or invalid"}, status=403)


def _answer(result: services.WebhookResult) -> JsonResponse:
    for problem in result.problems:
        logger.warning("webhook: %s", problem)
    return JsonResponse(
        {"stored": result.stored, "replayed": result.replayed, "receipts": result.receipts}
    )


@csrf_exempt
@login_not_required
@require_http_methods(["GET", "POST"])
def whatsapp_webhook(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        challenge = services.whatsapp_verify_challenge(
            mode=request.GET.get("hub.mode", ""),
            token=request.GET.get("hub.verify_token", ""),
            challenge=request.GET.get("hub.challenge", ""),
        )
        if challenge is None:
            return _forbidden()
        return HttpResponse(challenge, content_type="text/plain")
    body = _raw_body(request)
    if body is None:
        return _too_large()
    if not services.whatsapp_signature_valid(
        body=body, header=request.headers.get("X-Hub-Signature-256", "")
    ):
        return _forbidden()
    try:
        payload = json.loads(body)
    except ValueError:
        return JsonResponse({"detail": "body is not JSON"}, status=400)
    return _answer(services.whatsapp_webhook_process(payload=payload))


@csrf_exempt
@login_not_required
@require_POST
def twilio_sms_webhook(request: HttpRequest) -> HttpResponse:
    body = _raw_body(request)
    if body is None:
        return _too_large()
    try:
        params = QueryDict(body.decode("utf-8"))
    except UnicodeDecodeError:
        return JsonResponse({"detail": "body is not UTF-8"}, status=400)
    # The URL Twilio called: the public one, also behind a proxy that rewrites the host.
    url = settings.SITE_URL + request.get_full_path()
    if not services.twilio_signature_valid(
        url=url, params=params, header=request.headers.get("X-Twilio-Signature", "")
    ):
        return _forbidden()
    result = services.twilio_sms_process(params=params)
    for problem in result.problems:
        logger.warning("twilio webhook: %s", problem)
    # An empty TwiML answer: no automatic reply to the customer.
    return HttpResponse(
        '<?xml version="1.0" encoding="UTF-8"?><Response></Response>', content_type="text/xml"
    )


app_name = "webhooks"

urlpatterns = [
    path("whatsapp/", whatsapp_webhook, name="whatsapp"),
    path("twilio/sms/", twilio_sms_webhook, name="twilio_sms"),
]
