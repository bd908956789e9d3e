"""Who is on a case right now (viewing it, writing a reply), kept in the cache only.

One cache entry per case holds ``{user_id: [name, seen, typing]}`` (epoch seconds). Pages
report every few seconds; an entry not refreshed within PRESENCE_SECONDS is gone. Two
reports at the same instant may overwrite each other; the next report restores it.
"""

import time

from django.core.cache import cache

from accounts.models import User

PRESENCE_SECONDS = 15  # a viewer not heard from for this long has left
TYPING_SECONDS = 8  # "is writing a reply" lasts this long after the last key press
KEY_TTL = 60


def presence_key(case_id: int) -> str:
    return f"cx:presence:case:{case_id}"


def presence_fresh(entries: dict[int, list], now: float) -> dict[int, list]:
    return {uid: e for uid, e in entries.items() if now - e[1] <= PRESENCE_SECONDS}


def presence_record(*, case_id: int, user: User, typing: bool = False) -> None:
    """``user`` has case ``case_id`` open (and is typing a reply when ``typing``)."""
    now = time.time()
    key = presence_key(case_id)
    entries = presence_fresh(cache.get(key) or {}, now)
    previous = entries.get(user.pk)
    typing_at = now if typing else (previous[2] if previous else 0.0)
    entries[user.pk] = [user.get_full_name() or user.get_username(), now, typing_at]
    cache.set(key, entries, KEY_TTL)


def presence_leave(*, case_id: int, user: User) -> None:
    key = presence_key(case_id)
    entries = cache.get(key) or {}
    if entries.pop(user.pk, None) is not None:
        cache.set(key, entries, KEY_TTL)
