"""Routing configuration kept in memory between requests: the active routing rules, default
SLA policies, departments by code and business calendars, read on every case that is routed.

Any write to their tables (through the ORM or not: save, update, bulk_update, bulk_create,
delete, flush) changes a version token in Django's cache, so every process (the token is
shared when the cache is Redis) reads the tables again on its next use. What was read inside
a transaction is only reused within that transaction until it commits; after a rollback
(a failed request, a test) it is read again.
"""

import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

VERSION_KEY = "journeys:routing-config:version"
WRITES = ("INSERT", "UPDATE", "DELETE", "TRUNCA", "REPLAC")

_lock = threading.Lock()
_store: dict[str, "_Entry"] = {}
_tables: tuple[str, ...] = ()
_pinned = threading.local()


class _Entry:
    __slots__ = ("pending", "value", "version")

    def __init__(self, *, version: str | None, value: Any) -> None:
        self.version = version
        self.value = value
        # The on-commit callback that promotes this entry while its transaction is open.
        self.pending: Callable[[], None] | None = None


def routing_config_tables_set(*, tables: tuple[str, ...]) -> None:
    """The tables whose writes make cached values stale (set once, from AppConfig.ready)."""
    global _tables
    _tables = tuple(f'"{t}"' for t in tables) + tables


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
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


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
    ``routing_config_get`` (a batch routes up to 1,000 cases; with Redis each read is a
    round trip)."""
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


def _is_config_write(sql: str) -> bool:
    head = sql.lstrip()[:6].upper()
    if head not in WRITES:
        return False
    start = sql[:120]
    return any(table in start for table in _tables)


def _watch_writes(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    try:
        return execute(sql, params, many, context)
    finally:
        if isinstance(sql, str) and _is_config_write(sql):
            routing_config_invalidate()


def routing_config_watch(*, sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """``connection_created`` receiver: watch the new connection's writes."""
    if connection.alias == DEFAULT_DB_ALIAS and _watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch_writes)


def routing_config_clear(**kwargs: Any) -> None:
    """Signal receiver (post_migrate, after a test flush): drop everything."""
    routing_config_invalidate()
