"""The profile questions kept in memory between requests: a handful of rows, read by
every customer page and rarely changed.

Invalidated by ``post_save``/``post_delete`` of ProfileQuestion (connected in
``ContactsConfig.ready``) and after every migrate: a change moves a version token in Django's
cache, so every process sharing that cache reads the table again on its next use. What was
read inside a transaction is only reused while that transaction is open; after a rollback it
is read again.
"""

import threading
import uuid
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from contacts.models import ProfileQuestion

VERSION_KEY = "contacts:profile-questions:version"

_lock = threading.Lock()
_entry: "_Entry | None" = None


class _Entry:
    __slots__ = ("pending", "questions", "version")

    def __init__(self, *, version: str, questions: list[ProfileQuestion]) -> None:
        self.version = version
        self.questions = questions
        self.pending: Callable[[], None] | None = None


def profile_questions_changed(**kwargs: Any) -> None:
    """Receiver: forget the catalogue here and in every process, again after commit."""
    _bump()
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        transaction.on_commit(_bump, using=DEFAULT_DB_ALIAS)


def _bump() -> None:
    global _entry
    with _lock:
        _entry = None
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def _version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        # A cleared cache must not make an older entry look current.
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY)
    return str(version)


def _valid(entry: _Entry, version: str) -> bool:
    if entry.version != version:
        return False
    if entry.pending is None:
        return True
    connection = connections[DEFAULT_DB_ALIAS]
    # The stubs give run_on_commit's entries without Django's third element (robust).
    return any(func is entry.pending for _, func, _ in connection.run_on_commit)  # type: ignore[misc]


def profile_questions_cached() -> list[ProfileQuestion]:
    """All questions (active or not) by order, shared between requests: do not change
    them."""
    global _entry
    version = _version()
    entry = _entry
    if entry is not None and _valid(entry, version):
        return entry.questions
    questions = list(ProfileQuestion.objects.order_by("order", "id"))
    entry = _Entry(version=version, questions=questions)
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.in_atomic_block:
        # Read in a transaction that has not committed yet: valid for everyone only once
        # it commits, for this transaction only until then.
        def promote() -> None:
            entry.pending = None

        entry.pending = promote
        transaction.on_commit(promote, using=DEFAULT_DB_ALIAS)
    with _lock:
        _entry = entry
    return questions
