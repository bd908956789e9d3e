"""Values kept in memory between requests and dropped, in every process, when their rows
change: the store behind the routing configuration (``journeys.caches``) and the profile
questions (``contacts.catalogue``).

A change calls ``invalidate()``, which moves a version token in Django's cache, so every
process sharing that cache (the token is shared when the cache is Redis) loads the value
again on its next use; it moves it again after the current transaction commits, so nobody
keeps what was read before the commit. What was read inside a transaction is only reused
within that transaction until it commits; after a rollback (a failed request, a test) it is
read again.
"""

import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction


class _Entry:
    __slots__ = ("pending", "value", "version")

    def __init__(self, *, version: str, value: Any) -> None:
        self.version = version
        self.value = value
        # The on-commit callback that promotes this entry while its transaction is open.
        self.pending: Callable[[], None] | None = None


class VersionedStore:
    """Values by key under one version token in Django's cache (``version_key``)."""

    def __init__(self, version_key: str) -> None:
        self.version_key = version_key
        self._lock = threading.Lock()
        self._store: dict[str, _Entry] = {}
        self._pinned = threading.local()

    def get[T](self, key: str, load: Callable[[], T]) -> T:
        """The kept value of ``key``, or ``load()`` kept under the current version."""
        pinned = getattr(self._pinned, "version", None)
        version = pinned[0] if pinned is not None else self._version()
        entry = self._store.get(key)
        if entry is not None and _valid(entry, version):
            return entry.value
        value = load()
        entry = _Entry(version=version, value=value)
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            # Read in a transaction that has not committed yet: valid for everyone only
            # once it commits, for this transaction only until then.
            promoted = entry

            def promote() -> None:
                promoted.pending = None

            entry.pending = promote
            transaction.on_commit(promote, using=DEFAULT_DB_ALIAS)
        with self._lock:
            self._store[key] = entry
        return value

    def invalidate(self, **kwargs: Any) -> None:
        """Forget the values here and in every process; again after the current transaction
        commits. Also a signal receiver (``post_save``, ``post_delete``, ``post_migrate``)."""
        self._bump()
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            transaction.on_commit(self._bump, using=DEFAULT_DB_ALIAS)

    @contextmanager
    def pinned(self) -> Iterator[None]:
        """Within this block the version token is read from Django's cache once, not on
        every ``get`` (with Redis each read is a round trip)."""
        if getattr(self._pinned, "version", None) is not None:
            yield
            return
        self._pinned.version = (self._version(),)
        try:
            yield
        finally:
            self._pinned.version = None

    def _version(self) -> str:
        version = cache.get(self.version_key)
        if version is None:
            # A cleared cache must not make an older entry look current.
            cache.add(self.version_key, uuid.uuid4().hex, None)
            version = cache.get(self.version_key)
        return str(version)

    def _bump(self) -> None:
        with self._lock:
            self._store.clear()
        version = uuid.uuid4().hex
        cache.set(self.version_key, version, None)
        if getattr(self._pinned, "version", None) is not None:
            # A write inside a pinned block (a batch that also changes what is kept) is
            # seen by the rest of that block.
            self._pinned.version = (version,)


def _valid(entry: _Entry, version: str) -> bool:
    if entry.version != version:
        return False
    if entry.pending is None:
        return True
    # Read inside a transaction that has not committed yet: only valid while it is still
    # open (a rollback of it, or of the savepoint it was read in, drops the callback).
    connection = connections[DEFAULT_DB_ALIAS]
    # The stubs give run_on_commit's entries without Django's third element (robust).
    return any(func is entry.pending for _, func, _ in connection.run_on_commit)  # type: ignore[misc]
