"""The profile questions kept in memory between requests: a handful of rows, read by
every customer page and rarely changed.

Invalidated by ``post_save``/``post_delete`` of ProfileQuestion (connected in
``ContactsConfig.ready``) and after every migrate: a change moves a version token in Django's
cache, so every process sharing that cache reads the table again on its next use. What was
read inside a transaction is only reused while that transaction is open; after a rollback it
is read again.
"""

from typing import Any

from contacts.models import ProfileQuestion
from cxcenter.versioned import VersionedStore

VERSION_KEY = "contacts:profile-questions:version"

_questions = VersionedStore(VERSION_KEY)


def profile_questions_changed(**kwargs: Any) -> None:
    """Receiver: forget the catalogue here and in every process, again after commit."""
    _questions.invalidate()


def profile_questions_cached() -> list[ProfileQuestion]:
    """All questions (active or not) by order, shared between requests: do not change
    them."""
    return _questions.get("all", lambda: list(ProfileQuestion.objects.order_by("order", "id")))
