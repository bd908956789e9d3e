"""Writing generated rows for ``manage.py seed``: ids reserved from the sequences, COPY on
PostgreSQL (batched INSERTs elsewhere), statistics afterwards, and the non-unique indexes of
the bulk tables dropped during a large load and built once at the end."""

import datetime as dt
import json
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from django.conf import settings
from django.db import connection

if TYPE_CHECKING:
    from contacts.seeding import SeedReport

Row = tuple[Any, ...]
# Definitions of the indexes dropped for a load, kept until they are built again: a run
# that was killed leaves them here, and the next run builds them first.
PENDING_INDEXES = "seed-indexes.json"


def _reserve_ids(table: str, count: int) -> list[int]:
    """Ids for rows not written yet, so children can point at parents without a read-back."""
    if count == 0:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite serialises writers, and the caller holds the write transaction.
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        start = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        found = cursor.fetchone()
        start = max(start, found[0] if found else 0)
        return list(range(start + 1, start + count + 1))


def ids_reserve(table: str, count: int) -> list[int]:
    """``count`` ids of ``table`` for rows written later by ``rows_write`` (same transaction)."""
    return _reserve_ids(table, count)


def rows_write(table: str, columns: Sequence[str], rows: list[Row]) -> None:
    """COPY on PostgreSQL, batched INSERTs elsewhere; rows carry every column, ids included."""
    _write(table, columns, rows)


def table_write(
    report: "SeedReport", name: str, table: str, columns: Sequence[str], rows: list[Row]
) -> None:
    """``rows_write`` with the rows and seconds added to ``report`` under ``name``."""
    tick = time.perf_counter()
    _write(table, columns, rows)
    totals = report.table(name)
    totals.rows += len(rows)
    totals.seconds += time.perf_counter() - tick


def analyze(tables: Iterable[str]) -> None:
    """Fresh planner statistics and visibility maps after a bulk load, as autovacuum would
    leave them later: without VACUUM no index-only scan skips the heap yet. VACUUM cannot
    run inside a transaction (tests); there ANALYZE alone."""
    if connection.vendor != "postgresql":
        return
    names = ", ".join(tables)
    with connection.cursor() as cursor:
        if connection.in_atomic_block:
            cursor.execute(f"ANALYZE {names}")
        else:
            cursor.execute(f"VACUUM (ANALYZE) {names}")


def progress_write(out: TextIO | None, report: "SeedReport", started: float) -> None:
    """One progress line: rows and rows per second of every table written so far."""
    if out is None:
        return
    elapsed = time.perf_counter() - started
    written = {name: totals for name, totals in report.tables.items() if totals.rows}
    rates = "  ".join(
        f"{name} {totals.rows:,} ({totals.rate:,.0f}/s)"
        for name, totals in (written or report.tables).items()
    )
    out.write(f"[{elapsed:7.1f}s] {rates}\n")
    out.flush()


def _write(table: str, columns: Sequence[str], rows: list[Row]) -> None:
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            names = ", ".join(columns)
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        adapt = _sqlite_adapter()
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
        cursor.executemany(sql, [tuple(adapt(value) for value in row) for row in rows])


def _sqlite_adapter() -> Callable[[Any], Any]:
    ops = connection.ops

    def adapt(value: Any) -> Any:
        if isinstance(value, dt.datetime):
            return ops.adapt_datetimefield_value(value)
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, bool):
            return int(value)
        return value

    return adapt


def _pending_file() -> Path:
    return Path(settings.VAR_DIR) / PENDING_INDEXES


def _droppable(tables: Sequence[str]) -> list[tuple[str, str]]:
    """(name, definition) of the indexes of ``tables`` that back no primary key, unique
    index or constraint: those only cost time while loading."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
            "WHERE t.relname = ANY(%s) AND NOT x.indisunique AND NOT x.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) "
            "ORDER BY i.relname",
            [list(tables)],
        )
        return list(cursor.fetchall())


def indexes_build_pending(out: TextIO | None = None) -> int:
    """Build the indexes a killed load left dropped; returns how many."""
    path = _pending_file()
    if connection.vendor != "postgresql" or not path.exists():
        return 0
    pending = json.loads(path.read_text())
    with connection.cursor() as cursor:
        for _name, definition in pending:
            tick = time.perf_counter()
            cursor.execute(definition.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1))
            if out is not None:
                out.write(f"index {_name} built in {time.perf_counter() - tick:.1f}s\n")
    path.unlink()
    return len(pending)


@contextmanager
def indexes_deferred(
    tables: Sequence[str], *, enabled: bool, out: TextIO | None = None
) -> Iterator[None]:
    """Drop the non-unique indexes of ``tables`` (PostgreSQL, when ``enabled``), load, and
    build them again afterwards — also when the load fails. Loading bare tables and building
    each index once is several times faster than updating every index per row."""
    if connection.vendor != "postgresql" or not enabled:
        yield
        return
    indexes_build_pending(out)
    dropped = _droppable(tables)
    path = _pending_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(dropped))
    with connection.cursor() as cursor:
        for name, _definition in dropped:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
    try:
        yield
    finally:
        tick = time.perf_counter()
        built = indexes_build_pending(out)
        if out is not None:
            out.write(f"{built} indexes built in {time.perf_counter() - tick:.1f}s\n")
