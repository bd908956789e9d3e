"""The version of "the cases" for the live inbox's poll (see accounts.live).

Every write to the case table, through the ORM or not (save, update, bulk_create,
bulk_update, delete), bumps it: the connection's writes are watched, as the routing
configuration's are (journeys.caches), so that no code path can change a case and leave
open inboxes unaware. An idle poll then answers from the cache alone.
"""

from collections.abc import Callable
from typing import Any

from django.db import DEFAULT_DB_ALIAS
from django.db.backends.base.base import BaseDatabaseWrapper

from accounts.live import live_bump

CASES_KEY = "live:cases"
WRITES = ("INSERT", "UPDATE", "DELETE", "TRUNCA", "REPLAC")
# Quoted, so that the tables named after it (journeys_casemessage, …) do not count.
TABLE = '"journeys_case"'


def cases_changed() -> None:
    """Open inboxes look again (now, and after the current transaction commits)."""
    live_bump(CASES_KEY)


def _is_case_write(sql: str) -> bool:
    head = sql.lstrip()[:6].upper()
    return head in WRITES and TABLE in sql[:80]


def _watch_writes(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    try:
        return execute(sql, params, many, context)
    finally:
        if isinstance(sql, str) and _is_case_write(sql):
            cases_changed()


def cases_watch(*, sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """``connection_created`` receiver: watch the new connection's writes to cases."""
    if connection.alias == DEFAULT_DB_ALIAS and _watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch_writes)
