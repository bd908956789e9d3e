"""Finding customers that may be one person, and deciding about such a pair."""

import datetime as dt
from itertools import combinations
from typing import TYPE_CHECKING, TypedDict

from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Q, QuerySet, Value
from django.db.models.functions import Replace, Trim, Upper
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from contacts.models import Customer, DuplicateCandidate, DuplicateStatus

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

# Stored untranslated; the page translates it when shown.
NAME_POSTCODE_REASON = gettext_noop("same name and postcode")
# Groups are fetched in batches so that one query's OR stays small.
GROUP_BATCH = 200
# A "name + postcode" shared by many records (a test account, a company) is paired with its
# oldest record only, so one bad group cannot produce thousands of pairs.
ALL_PAIRS_UP_TO = 6


class _Keys(TypedDict):
    key_name: str
    key_postcode: str


def _keyed_customers() -> "QuerySet[WithAnnotations[Customer, _Keys]]":
    return (
        Customer.objects.filter(merged_into__isnull=True, erased_at__isnull=True)
        .exclude(postcode="")
        .annotate(
            key_name=Upper(Trim("name")),
            key_postcode=Upper(Replace(Trim("postcode"), Value(" "), Value(""))),
        )
        .exclude(key_name="")
    )


def _pairs(ids: list[int]) -> list[tuple[int, int]]:
    ids = sorted(ids)
    if len(ids) <= ALL_PAIRS_UP_TO:
        return list(combinations(ids, 2))
    return [(ids[0], other) for other in ids[1:]]


def duplicates_find(*, since: dt.datetime | None = None) -> int:
    """Record every pair of active customers with the same name and postcode; returns the
    number of new pairs. ``since`` limits the search to groups with a record changed since then.

    Idempotent: a pair already known (open, merged or dismissed) is never added again.
    """
    groups = (
        _keyed_customers()
        .values("key_name", "key_postcode")
        .annotate(n=Count("id"), changed=Max("updated_at"))
        .filter(n__gt=1)
    )
    if since is not None:
        groups = groups.filter(changed__gte=since)
    created = 0
    batch: list[tuple[str, str]] = []
    for group in groups.iterator(chunk_size=GROUP_BATCH):
        batch.append((group["key_name"], group["key_postcode"]))
        if len(batch) >= GROUP_BATCH:
            created += _record_groups(batch)
            batch = []
    if batch:
        created += _record_groups(batch)
    return created


def _record_groups(keys: list[tuple[str, str]]) -> int:
    match = Q(pk__in=[])
    for name, postcode in keys:
        match |= Q(key_name=name, key_postcode=postcode)
    members: dict[tuple[str, str], list[int]] = {}
    for pk, name, postcode in (
        _keyed_customers().filter(match).values_list("pk", "key_name", "key_postcode")
    ):
        members.setdefault((name, postcode), []).append(pk)
    pairs = {pair for ids in members.values() for pair in _pairs(ids)}
    if not pairs:
        return 0
    firsts = {first for first, _second in pairs}
    known = set(
        DuplicateCandidate.objects.filter(first_id__in=firsts).values_list("first_id", "second_id")
    )
    new = [
        DuplicateCandidate(first_id=first, second_id=second, reason=NAME_POSTCODE_REASON)
        for first, second in sorted(pairs - known)
    ]
    # ignore_conflicts: a pair added meanwhile by intake or a parallel run is no error.
    DuplicateCandidate.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def duplicate_dismiss(*, candidate: DuplicateCandidate, user: User) -> DuplicateCandidate:
    """Record that the pair is not one person; it is never proposed again."""
    updated = DuplicateCandidate.objects.filter(
        pk=candidate.pk, status=DuplicateStatus.OPEN
    ).update(status=DuplicateStatus.DISMISSED, resolved_by=user, resolved_at=timezone.now())
    if not updated:
        raise ValidationError(_("This pair was already decided."))
    candidate.refresh_from_db()
    return candidate
