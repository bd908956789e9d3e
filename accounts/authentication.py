"""API authentication with hashed tokens, and the throttles of the API.

``Authorization: Token <key>`` as DRF's TokenAuthentication reads it, checked against
:class:`~accounts.models.ApiToken`. Wrong keys are counted per client address: past the
limit the address gets 429 with ``Retry-After``, for the right key as well.
"""

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from .access import access_load
from .clientip import client_address
from .models import ApiToken, User
from .ratelimit import rate_blocked, rate_counter, rate_hit, rate_parse
from .selectors import api_token_for_key
from .services import api_token_touch

FAILURE_SCOPE = "api-token-failure"


class HashedTokenAuthentication(TokenAuthentication):
    """DRF's token header, our hashed tokens; a subclass so the OpenAPI scheme stays ``Token``."""

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        self._address = client_address(request._request)
        return super().authenticate(request)

    def authenticate_credentials(self, key: str) -> tuple[User, ApiToken]:
        address = getattr(self, "_address", "")
        rate = rate_parse(settings.API_TOKEN_FAILURE_RATE)
        token = api_token_for_key(key=key)
        if token is None:
            # Counting the wrong key also answers whether the address is over its limit.
            wait = rate_hit(scope=FAILURE_SCOPE, key=address, rate=rate)
            if wait is not None:
                raise exceptions.Throttled(wait=wait)
            raise exceptions.AuthenticationFailed(_("Invalid or expired token."))
        # A blocked address is refused even with the right key. Its counter is read in the
        # same round trip as the user's permissions, which the request needs anyway.
        counter, _remaining = rate_counter(scope=FAILURE_SCOPE, key=address, rate=rate)
        throttle = token_throttle_key(token_id=token.pk)
        found = access_load(user=token.user, also=[counter, throttle])
        used = found.get(counter, 0)
        # Handed to TokenRateThrottle, which would otherwise ask the cache for it again.
        setattr(token, "_cx_throttle_history", found.get(throttle, []))  # noqa: B010 - per request
        wait = rate_blocked(scope=FAILURE_SCOPE, key=address, rate=rate, used=used)
        if wait is not None:
            raise exceptions.Throttled(wait=wait)
        api_token_touch(token=token)
        return token.user, token


class _AddressIdent:
    def get_ident(self, request: Request) -> str:
        return client_address(request._request)


def token_throttle_key(*, token_id: int) -> str:
    """The cache key of a token's request history (TokenRateThrottle's)."""
    return TokenRateThrottle.cache_format % {
        "scope": TokenRateThrottle.scope,
        "ident": f"token-{token_id}",
    }


class TokenRateThrottle(_AddressIdent, SimpleRateThrottle):
    """Requests per token (per user for a browser session), at the ``user`` rate."""

    scope = "user"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if isinstance(request.auth, ApiToken):
            return token_throttle_key(token_id=request.auth.pk)
        if request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
            return self.cache_format % {"scope": self.scope, "ident": ident}
        return None

    def allow_request(self, request: Request, view: Any) -> bool:
        """DRF's check, with a token's history as authentication read it (same round trip
        as the permissions) instead of a cache read of its own."""
        history = (
            request.auth.__dict__.pop("_cx_throttle_history", None)
            if isinstance(request.auth, ApiToken)
            else None
        )
        num_requests, duration = self.parse_rate(self.rate)
        if history is None or num_requests is None or duration is None:
            return super().allow_request(request, view)
        self.key = self.get_cache_key(request, view)
        self.history = list(history)
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - duration:
            self.history.pop()
        if len(self.history) >= num_requests:
            return self.throttle_failure()
        return self.throttle_success()


class AddressRateThrottle(_AddressIdent, SimpleRateThrottle):
    """Requests without authentication per client address, at the ``anon`` rate."""

    scope = "anon"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if request.user and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
