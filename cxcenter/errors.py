"""Errors the same way everywhere: JSON under /api/, a plain page for people, 503 when the
database is away, 400 for NUL bytes in the address, a request id on each answer.
"""

import logging
import re
import sys
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_to_bytes

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from rest_framework.response import Response
from rest_framework.views import exception_handler

logger = logging.getLogger("cxcenter.errors")

API_PREFIX = "/api/"
# Seconds a client is asked to wait when the database cannot be reached.
OUTAGE_RETRY_AFTER = 30
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def request_id(request: HttpRequest) -> str:
    rid = getattr(request, "request_id", None)
    if rid is None:
        rid = uuid.uuid4().hex
        setattr(request, "request_id", rid)  # noqa: B010 - HttpRequest does not declare it
    return rid


def _database_unreachable(exc: BaseException | None) -> bool:
    return isinstance(exc, OperationalError | InterfaceError)


class RequestGuardMiddleware:
    """A request id for every request; NUL bytes in the query string refused with 400;
    API answers carrying personal data never cached."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        rid = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        setattr(request, "request_id", rid)  # noqa: B010 - HttpRequest does not declare it
        if b"\x00" in unquote_to_bytes(request.META.get("QUERY_STRING", "")):
            response = bad_request(request, _("The address contains a NUL character."))
        else:
            response = self.get_response(request)
        response["X-Request-ID"] = rid
        if _is_api(request):
            # Customers, their identities and answers: no proxy or browser cache keeps them.
            response["Cache-Control"] = "no-store"
        return response


def bad_request(request: HttpRequest, message: str) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": message}, status=400)
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


def _outage(request: HttpRequest) -> HttpResponse:
    message = _("The service is temporarily unavailable. Please try again shortly.")
    if _is_api(request):
        response: HttpResponse = JsonResponse(
            {"detail": message, "request_id": request_id(request)}, status=503
        )
    else:
        # No template: rendering one may need the database (context processors, the user).
        response = HttpResponse(
            f"<!doctype html><title>cxcenter</title><h1>cxcenter</h1><p>{message}</p>",
            status=503,
            content_type="text/html; charset=utf-8",
        )
    response["Retry-After"] = str(OUTAGE_RETRY_AFTER)
    return response


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def handler500(request: HttpRequest) -> HttpResponse:
    """Django calls this inside the ``except`` of the failed request: the error is at hand."""
    exc = sys.exc_info()[1]
    if _database_unreachable(exc):
        return _outage(request)
    if _is_api(request):
        return JsonResponse(
            {"detail": _("Internal server error."), "request_id": request_id(request)},
            status=500,
        )
    from django.views.defaults import server_error

    return server_error(request)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's answers for API errors; anything else a JSON 500 with the request id."""
    response = exception_handler(exc, context)
    if response is not None:
        return response
    request = context["request"]._request
    if _database_unreachable(exc):
        logger.warning("database unreachable: %s", exc)
        response = Response(
            {
                "detail": _("The service is temporarily unavailable. Please try again shortly."),
                "request_id": request_id(request),
            },
            status=503,
        )
        response["Retry-After"] = str(OUTAGE_RETRY_AFTER)
        return response
    if isinstance(exc, DatabaseError):
        # A value the database refused (range, encoding) that validation let through.
        logger.exception("request %s: database refused the request", request_id(request))
    else:
        logger.exception("request %s failed", request_id(request))
    return Response(
        {"detail": _("Internal server error."), "request_id": request_id(request)}, status=500
    )


__all__ = [
    "RequestGuardMiddleware",
    "api_exception_handler",
    "handler404",
    "handler500",
]
