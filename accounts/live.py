"""Change counters in Django's cache for the pages that poll (the bell, the live inbox).

A poll carries the version it last saw; while the version in the cache is the same,
nothing it shows has changed and it answers 204 without reading the database. A version
is bumped at once and again after the transaction commits: a poll between the two reads
the database before the change is visible, so the second bump makes the next poll look
again. A version lost from the cache (evicted, flushed) reads as a new one, and the poll
looks at the database: a missing key costs a query, never a missed change.
"""

import uuid

from django.core.cache import cache
from django.db import transaction

TIMEOUT = 7 * 24 * 60 * 60


def notifications_key(user_id: int) -> str:
    return f"live:notifications:{user_id}"


def live_version(key: str) -> str:
    """The current version of ``key`` (made when there is none yet)."""
    version = cache.get(key)
    if version is None:
        fresh = uuid.uuid4().hex
        cache.add(key, fresh, TIMEOUT)
        version = cache.get(key) or fresh
    return str(version)


def live_bump(*keys: str) -> None:
    """Something behind ``keys`` changed: now, and once more after commit (queued once per
    transaction, however often it writes)."""
    if not keys:
        return

    def bump() -> None:
        cache.set_many({key: uuid.uuid4().hex for key in keys}, TIMEOUT)

    bump()
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        getattr(func, "live_keys", None) == keys for _, func, _ in connection.run_on_commit
    ):
        return
    bump.live_keys = keys  # type: ignore[attr-defined]
    transaction.on_commit(bump)
