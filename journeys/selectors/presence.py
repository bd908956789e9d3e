"""Who else is on a case: read from the cache (journeys.services.presence), never the
database."""

import time
from dataclasses import dataclass

from django.core.cache import cache

from journeys.services.presence import TYPING_SECONDS, presence_fresh, presence_key


@dataclass(frozen=True)
class Presence:
    user_id: int
    name: str
    typing: bool


def _presences(entries: dict[int, list], *, exclude_user_id: int, now: float) -> list[Presence]:
    return sorted(
        (
            Presence(user_id=uid, name=e[0], typing=now - e[2] <= TYPING_SECONDS)
            for uid, e in presence_fresh(entries, now).items()
            if uid != exclude_user_id
        ),
        key=lambda p: (p.name, p.user_id),
    )


def presence_list(*, case_id: int, exclude_user_id: int) -> list[Presence]:
    """The others viewing case ``case_id`` now; one cache read."""
    return _presences(
        cache.get(presence_key(case_id)) or {}, exclude_user_id=exclude_user_id, now=time.time()
    )


def presence_for_cases(*, case_ids: list[int], exclude_user_id: int) -> dict[int, list[Presence]]:
    """The others viewing each of ``case_ids`` (one cache round trip for a whole list)."""
    if not case_ids:
        return {}
    found = cache.get_many([presence_key(pk) for pk in case_ids])
    now = time.time()
    result = {}
    for pk in case_ids:
        entries = found.get(presence_key(pk))
        if entries:
            people = _presences(entries, exclude_user_id=exclude_user_id, now=now)
            if people:
                result[pk] = people
    return result
