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

from typing import Any

from cxcenter.versioned import VersionedStore

VERSION_KEY = "journeys:routing-config:version"

_routing = VersionedStore(VERSION_KEY)

# The cached value of a key, or ``load()`` stored under the current version.
routing_config_get = _routing.get
# Forget cached values here and in every process sharing Django's cache; again after the
# current transaction commits.
routing_config_invalidate = _routing.invalidate
# Within this block the version token is read from Django's cache once, not on every
# ``routing_config_get`` (a case reads rules, a policy and a calendar; a batch routes up to
# 1,000 cases; with Redis each read is a round trip).
routing_config_pinned = _routing.pinned


def routing_config_changed(**kwargs: Any) -> None:
    """Receiver of ``post_save``/``post_delete`` of the configuration models, and of
    ``post_migrate`` (after a migration or a test flush): drop everything."""
    routing_config_invalidate()
