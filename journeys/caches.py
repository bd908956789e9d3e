"""Routing configuration kept in memory between requests: the active routing rules, default
SLA policies, departments by code and business calendars, read on every case that is routed.

Invalidated where those rows are written: ``post_save``/``post_delete`` receivers of their
models (connected in ``JourneysConfig.ready``), ``routing_config_invalidate()`` called by
the services that write them in bulk (queryset ``update``, ``bulk_create``,
``bulk_update``), and a clear after every migrate and test flush. A change moves a version
token in Django's cache, so every process (the token is shared when the cache is Redis)
reads the tables again on its next use. What was read inside a transaction is only reused
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

VERSION_KEY = "journeys:routing-config:version"

_lock = threading.Lock()
_store: dict[str, "_Entry"] = {}
_pinned = threading.local()


class _Entry:
    __slots__ = ("pending", "value", "version")

    def __init__(self, *, version: str | None, value: Any) -> None:
        self.version = version
        self.value = value
        # The on-commit callback that promotes this entry while its transaction is open.
        self.pending: Callable[[], None] | None = None


def routing_config_invalidate() -> None:
    """Forget cached values here and in every process sharing Django's cache; again after
    the current transaction commits, so nobody keeps what was read before the commit."""
    _bump()
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.in_atomic_block:
        transaction.on_commit(_bump, using=DEFAULT_DB_ALIAS)


def _bump() -> None:
    with _lock:
        _store.clear()
    version = uuid.uuid4().hex
    cache.set(VERSION_KEY, version, None)
    pinned = getattr(_pinned, "version", None)
    if pinned is not None:
        # A write inside a pinned block (a batch that also changes the configuration) is
        # seen by the rest of that block.
        _pinned.version = (version,)


def _valid(entry: _Entry, version: str | None) -> bool:
    if entry.version != version:
        return False
    if entry.pending is None:
        return True
    # Read inside a transaction that has not committed yet: only valid while it is still
    # open (a rollback of it, or of the savepoint it was read in, drops the callback).
    connection = connections[DEFAULT_DB_ALIAS]
    # The stubs give run_on_commit's entries without Django's third element (robust).
    return any(func is entry.pending for _, func, _ in connection.run_on_commit)  # type: ignore[misc]


@contextmanager
def routing_config_pinned() -> Iterator[None]:
    """Within this block the version token is read from Django's cache once, not on every
    ``routing_config_get`` (a case reads rules, a policy and a calendar; a batch routes up
    to 1,000 cases; with Redis each read is a round trip)."""
    if getattr(_pinned, "version", None) is not None:
        yield
        return
    _pinned.version = (cache.get(VERSION_KEY),)
    try:
        yield
    finally:
        _pinned.version = None


def routing_config_get[T](key: str, load: Callable[[], T]) -> T:
    """The cached value of ``key``, or ``load()`` stored under the current version."""
    pinned = getattr(_pinned, "version", None)
    version = pinned[0] if pinned is not None else cache.get(VERSION_KEY)
    entry = _store.get(key)
    if entry is not None and _valid(entry, version):
        return entry.value
    value = load()
    entry = _Entry(version=version, value=value)
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.in_atomic_block:

        def promote() -> None:
            entry.pending = None

        entry.pending = promote
        transaction.on_commit(promote, using=DEFAULT_DB_ALIAS)
    with _lock:
        _store[key] = entry
    return value


def routing_config_changed(**kwargs: Any) -> None:
    """Receiver of ``post_save``/``post_delete`` of the configuration models, and of
    ``post_migrate`` (after a migration or a test flush): drop everything."""
    routing_config_invalidate()
