"""The client address of a request, the one answer used by axes, throttles and rate limits."""

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The address of the client as the outermost of our ``PROXY_COUNT`` proxies saw it.

    Each proxy appends the address it received the request from to ``X-Forwarded-For``,
    so with N trusted proxies the client is the N-th entry from the right; anything left
    of it was written by the client and cannot be trusted. With no proxies, or a header
    shorter than the proxy chain (a request that bypassed a proxy), ``REMOTE_ADDR`` is
    the client.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = settings.PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if len(hops) < proxies:
        return remote
    return hops[-proxies]
