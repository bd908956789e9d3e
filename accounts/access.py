"""What a user may do — permission names and role (group) names — kept in Django's cache
between requests, so that a request asks the database for neither.

An entry is dropped when the user is saved, and every entry is dropped (a version token in
the cache changes) when group memberships, group permissions, user permissions, groups or
permissions change. Signals connected in ``AccountsConfig.ready``.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "accounts:access:version"
TIMEOUT = 60 * 60


@dataclass(frozen=True)
class Access:
    version: str | None
    # Each part is read when first asked for (an API request needs no group names).
    permissions: frozenset[str] | None = None
    groups: frozenset[str] | None = None


def _key(user_id: int) -> str:
    return f"accounts:access:{user_id}"


def _cached(user: Any, values: dict[str, Any] | None = None) -> Access:
    found = getattr(user, "_cx_access", None)
    if found is not None:
        return found
    key = _key(user.pk)
    if values is None:
        values = cache.get_many([VERSION_KEY, key])
    version = values.get(VERSION_KEY)
    access = values.get(key)
    if not isinstance(access, Access) or access.version != version:
        if version is None:
            cache.add(VERSION_KEY, uuid.uuid4().hex, None)
            version = cache.get(VERSION_KEY)
        access = Access(version=version)
    user._cx_access = access
    return access


def access_load(*, user: Any, also: Sequence[str] = ()) -> dict[str, Any]:
    """Read ``user``'s entry for this request together with the cache keys ``also``, in one
    round trip (an API request needs its rate counter as well); returns what ``also`` held."""
    values = cache.get_many([VERSION_KEY, _key(user.pk), *also])
    _cached(user, values)
    return {name: values[name] for name in also if name in values}


def _store(user: Any, access: Access) -> Access:
    cache.set(_key(user.pk), access, TIMEOUT)
    user._cx_access = access
    return access


def user_permissions(*, user: Any) -> frozenset[str]:
    """``user``'s permission names ("app.codename"): from this request, the cache, or the
    database (two queries, then cached)."""
    access = _cached(user)
    if access.permissions is None:
        names = frozenset(ModelBackend().get_all_permissions(user))
        access = _store(user, replace(access, permissions=names))
    return access.permissions  # type: ignore[return-value]


def user_groups(*, user: Any) -> frozenset[str]:
    """``user``'s group (role) names, likewise (one query, then cached)."""
    access = _cached(user)
    if access.groups is None:
        names = frozenset(user.groups.values_list("name", flat=True))
        access = _store(user, replace(access, groups=names))
    return access.groups  # type: ignore[return-value]


def access_forget_user(*, sender: Any, instance: Any, **kwargs: Any) -> None:
    """post_save/post_delete of a user: their entry goes (active or superuser may change)."""
    key = _key(instance.pk)
    cache.delete(key)
    # Again after commit: a request may have read the old rows in between.
    transaction.on_commit(lambda: cache.delete(key))
    instance.__dict__.pop("_cx_access", None)
    instance.__dict__.pop("_cx_roles", None)


def access_forget_all(**kwargs: Any) -> None:
    """Memberships or permissions changed: every entry is stale."""
    _bump()
    transaction.on_commit(_bump)
    instance = kwargs.get("instance")
    if instance is not None:
        for name in ("_cx_access", "_cx_roles", "_perm_cache", "_user_perm_cache"):
            instance.__dict__.pop(name, None)
        instance.__dict__.pop("_group_perm_cache", None)


def _bump() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


class CachedModelBackend(ModelBackend):
    """Django's ModelBackend with the permission look-up served by ``user_access``."""

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = set(user_permissions(user=user_obj))
        return user_obj._perm_cache
