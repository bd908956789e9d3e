"""Fixed-window counters in the cache, for limits that must hold before any costly work.

DRF's throttles cover authenticated API use; these cover what happens before anyone is
authenticated: wrong passwords and wrong API tokens per client address. A process-wide
semaphore bounds how many password hashes run at once, so a flood of sign-ins cannot
take every CPU away from the agents' pages.
"""

import functools
import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


@functools.lru_cache(maxsize=64)
def rate_parse(value: str) -> Rate:
    """``"20/minute"`` (DRF's notation: second, minute, hour, day) as a :class:`Rate`."""
    try:
        count, period = value.split("/", 1)
        return Rate(count=int(count), seconds=_PERIODS[period.strip()[0].lower()])
    except (ValueError, KeyError, IndexError):
        raise ImproperlyConfigured(f"{value!r} is not a rate such as '20/minute'") from None


def _window(rate: Rate) -> tuple[int, int]:
    """The current window number and the seconds until it ends."""
    now = time.time()
    window = int(now // rate.seconds)
    return window, max(1, math.ceil((window + 1) * rate.seconds - now))


def _key(scope: str, key: str, window: int) -> str:
    return f"ratelimit:{scope}:{key}:{window}"


def rate_counter(*, scope: str, key: str, rate: Rate) -> tuple[str, int]:
    """The cache key counting ``key``'s uses in this window, and the seconds until it ends
    (for a caller that reads the counter together with other keys)."""
    window, remaining = _window(rate)
    return _key(scope, key, window), remaining


def rate_blocked(*, scope: str, key: str, rate: Rate, used: int | None = None) -> int | None:
    """Seconds to wait when ``key`` has used up ``rate`` in this window, else None; ``used``
    is the counter when the caller has already read it (see :func:`rate_counter`)."""
    name, remaining = rate_counter(scope=scope, key=key, rate=rate)
    if used is None:
        used = cache.get(name, 0)
    return remaining if used >= rate.count else None


def rate_hit(*, scope: str, key: str, rate: Rate) -> int | None:
    """Count one use; seconds to wait when this use went over ``rate``, else None."""
    window, remaining = _window(rate)
    name = _key(scope, key, window)
    cache.add(name, 0, timeout=rate.seconds * 2)
    try:
        used = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.set(name, 1, timeout=rate.seconds * 2)
        used = 1
    return remaining if used > rate.count else None


_password_slots: threading.BoundedSemaphore | None = None
_password_slots_lock = threading.Lock()


def _slots() -> threading.BoundedSemaphore:
    global _password_slots
    with _password_slots_lock:
        if _password_slots is None:
            _password_slots = threading.BoundedSemaphore(settings.PASSWORD_CHECKS_CONCURRENT)
        return _password_slots


class PasswordChecksBusy(Exception):
    """Every password-check slot of this process stayed taken for the whole wait."""


@contextmanager
def password_check_slot() -> Iterator[None]:
    """Hold one of the process's few password-hashing slots while checking a password."""
    slots = _slots()
    if not slots.acquire(timeout=settings.PASSWORD_CHECK_WAIT_SECONDS):
        raise PasswordChecksBusy
    try:
        yield
    finally:
        slots.release()
