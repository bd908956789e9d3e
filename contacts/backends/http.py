"""What the HTTP providers have in common: one POST with httpx and a timeout, and the split
of failures into transient (no answer, 5xx, 429: try again later) and permanent (other 4xx:
the provider's reason is kept)."""

from typing import Any

import httpx
from django.conf import settings

from contacts.backends import PermanentDeliveryError, TransientDeliveryError


def provider_post(url: str, *, reason: "type[ReasonReader]", **kwargs: Any) -> dict:
    """POST to ``url``; the JSON answer of a 2xx, else the right DeliveryError."""
    try:
        response = httpx.post(url, timeout=settings.CXCENTER_PROVIDER_TIMEOUT, **kwargs)
    except httpx.TimeoutException as exc:
        raise TransientDeliveryError(
            f"timeout after {settings.CXCENTER_PROVIDER_TIMEOUT}s"
        ) from exc
    except httpx.HTTPError as exc:
        raise TransientDeliveryError(f"{type(exc).__name__}: {exc}") from exc
    if response.status_code >= 500 or response.status_code == 429:
        raise TransientDeliveryError(f"HTTP {response.status_code}: {reason.read(response)}")
    if response.status_code >= 400:
        raise PermanentDeliveryError(f"HTTP {response.status_code}: {reason.read(response)}")
    try:
        data = response.json()
    except ValueError as exc:
        raise TransientDeliveryError(f"HTTP {response.status_code}: not JSON") from exc
    return data if isinstance(data, dict) else {}


class ReasonReader:
    """How a provider explains an error in its answer."""

    @staticmethod
    def read(response: httpx.Response) -> str:
        return response.text[:300]
