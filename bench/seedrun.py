"""The seeding framework of ``manage.py seed``: one run handed to every app's ``seeding``.

PostgreSQL gets COPY with ids reserved from the sequences; other databases plain batched
INSERTs. Each app's ``seed(*, run)`` writes its rows through the run (``run.ids_reserve``,
``run.table_write``, ``run.analyze``, ``run.customer_chunks``), so no app imports this
module: the apps stay below ``bench``.
"""

import datetime as dt
import random
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TextIO

from django.apps import apps
from django.db import connection

from contacts.models import Customer
from contacts.seeding import TABLES as CONTACTS_TABLES

Row = tuple[Any, ...]


@dataclass
class TableTotals:
    rows: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


@dataclass
class SeedReport:
    """Rows written and seconds spent per table; ``generate_seconds`` is the Python side."""

    tables: dict[str, TableTotals] = field(
        default_factory=lambda: {name: TableTotals() for name in CONTACTS_TABLES}
    )
    generate_seconds: float = 0.0
    # Dropping and rebuilding the secondary indexes and foreign keys around the loads.
    index_seconds: float = 0.0
    total_seconds: float = 0.0
    skipped_identities: int = 0
    # The ids of the first and last customer written by this run.
    customer_range: tuple[int, int] | None = None

    def table(self, name: str) -> TableTotals:
        """The totals of ``name``, added at the end of the report when new (higher apps)."""
        return self.tables.setdefault(name, TableTotals())


def ids_reserve(table: str, count: int) -> list[int]:
    """Ids for rows not written yet, so children can point at parents without a read-back;
    written later by ``rows_write`` in the same transaction."""
    if count == 0:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A block of ids by moving the sequence once (a nextval per id costs ~20 us).
            # The lock waits for inserts under way and holds new ones (they take the
            # table's lock before their nextval) until this transaction ends.
            cursor.execute(
                f"LOCK TABLE {connection.ops.quote_name(table)} IN SHARE ROW EXCLUSIVE MODE"
            )
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'),"
                " nextval(pg_get_serial_sequence(%s, 'id')) + %s - 1)",
                [table, table, count],
            )
            last = cursor.fetchone()[0]
            return list(range(last - count + 1, last + 1))
        # SQLite serialises writers, and the caller holds the write transaction.
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        start = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        found = cursor.fetchone()
        start = max(start, found[0] if found else 0)
        return list(range(start + 1, start + count + 1))


def rows_write(table: str, columns: Sequence[str], rows: list[Row]) -> None:
    """COPY on PostgreSQL, batched INSERTs elsewhere; rows carry every column, ids included."""
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


def table_copy(
    report: SeedReport, name: str, table: str, columns: Sequence[str], data: bytes, rows: int
) -> None:
    """Rows already in COPY's text format streamed to ``table`` (PostgreSQL only), counted
    under ``name`` in ``report``."""
    tick = time.perf_counter()
    if data:
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            copy.write(data)
    totals = report.table(name)
    totals.rows += rows
    totals.seconds += time.perf_counter() - tick


def table_write(
    report: SeedReport, name: str, table: str, columns: Sequence[str], rows: list[Row]
) -> None:
    """``rows_write`` with the rows and seconds added to ``report`` under ``name``."""
    tick = time.perf_counter()
    rows_write(table, columns, rows)
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


@dataclass(frozen=True)
class BareTables:
    """The secondary indexes and foreign keys of some tables, as the database defines them:
    dropped for a bulk load and made again afterwards with the same names and definitions."""

    # (name, definition as pg_get_indexdef gives it, the models' CREATE INDEX statement or
    # None) in the order the indexes were made.
    indexes: list[tuple[str, str, str | None]]
    # (table, name, definition) of the foreign keys.
    foreign_keys: list[tuple[str, str, str]]


def tables_definitions(tables: Sequence[str]) -> BareTables:
    """What ``tables_bare`` drops: every index that backs no constraint (primary keys, unique
    and exclusion constraints stay, so lookups and conflicts still work during the load),
    and every foreign key of these tables.

    Indexes the models declare are made again with the SQL the migrations ran, since
    PostgreSQL's rendering of some conditions (``IN`` lists) re-parses into another
    expression; the others, and any whose model differs from the database (an index a
    migration changed by hand), from ``pg_get_indexdef``."""
    from_models = _model_indexes_sql(tables)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT index.relname, pg_get_indexdef(i.indexrelid)
              FROM pg_index i
              JOIN pg_class index ON index.oid = i.indexrelid
              JOIN pg_class tab ON tab.oid = i.indrelid
             WHERE tab.relname = ANY(%s) AND tab.relnamespace = 'public'::regnamespace
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
             ORDER BY i.indexrelid
            """,
            [list(tables)],
        )
        indexes = [
            (name, definition, from_models.get(name)) for name, definition in cursor.fetchall()
        ]
        cursor.execute(
            """
            SELECT tab.relname, c.conname, pg_get_constraintdef(c.oid)
              FROM pg_constraint c
              JOIN pg_class tab ON tab.oid = c.conrelid
             WHERE c.contype = 'f' AND tab.relname = ANY(%s)
               AND tab.relnamespace = 'public'::regnamespace
             ORDER BY c.oid
            """,
            [list(tables)],
        )
        foreign_keys = [(table, name, definition) for table, name, definition in cursor.fetchall()]
    return BareTables(indexes=indexes, foreign_keys=foreign_keys)


_INDEX_NAME = re.compile(r'CREATE (?:UNIQUE )?INDEX "?([^" ]+)"? ON')


def _model_indexes_sql(tables: Sequence[str]) -> dict[str, str]:
    """index name -> CREATE INDEX statement, as the schema editor writes it for the models of
    ``tables``: field indexes, ``Meta.indexes`` and conditional unique constraints."""
    # The private helper CREATE TABLE uses for the indexes of a model (not in the stubs).
    editor: Any = connection.schema_editor(collect_sql=True)
    found: dict[str, str] = {}
    for model in apps.get_models():
        if model._meta.db_table not in tables:
            continue
        statements = [str(s) for s in editor._model_indexes_sql(model)]
        for constraint in model._meta.constraints:
            statement = constraint.create_sql(model, editor)
            if statement is not None:
                statements.append(str(statement))
        for sql in statements:
            match = _INDEX_NAME.match(sql)
            if match:
                found[match.group(1)] = sql
    return found


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


@contextmanager
def tables_bare(tables: Sequence[str], report: SeedReport | None = None) -> Iterator[None]:
    """Load ``tables`` bare: without their secondary indexes and foreign keys, made again
    (sorted in bulk, and each foreign key checked in one pass) when the block ends. COPY
    into an indexed table is about three times slower, and deferred foreign keys check
    row by row at commit. Only for a database nothing else writes to meanwhile: between
    the drop and the rebuild nothing checks the references. PostgreSQL only; elsewhere
    the block runs as it is."""
    if connection.vendor != "postgresql" or not tables:
        yield
        return
    tick = time.perf_counter()
    bare = tables_definitions(tables)
    with connection.cursor() as cursor:
        # Checks still pending in an open transaction (tests) would block the ALTER TABLE.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table, name, _definition in bare.foreign_keys:
            cursor.execute(f"ALTER TABLE {_quote(table)} DROP CONSTRAINT {_quote(name)}")
        for name, _definition, _sql in bare.indexes:
            cursor.execute(f"DROP INDEX {_quote(name)}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    if report is not None:
        report.index_seconds += time.perf_counter() - tick
    failed = False
    try:
        yield
    except BaseException:
        failed = True
        raise
    finally:
        # Inside a failed transaction (tests) the rollback restores them.
        if not (failed and connection.in_atomic_block):
            tick = time.perf_counter()
            tables_rebuild(bare)
            if report is not None:
                report.index_seconds += time.perf_counter() - tick


def tables_rebuild(bare: BareTables) -> None:
    """The indexes and foreign keys of ``bare`` made again, with more memory for the sorts."""
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for name, definition, sql in bare.indexes:
            if sql is not None:
                cursor.execute(sql)
                cursor.execute("SELECT pg_get_indexdef(%s::regclass)", [_quote(name)])
                if cursor.fetchone()[0] == definition:
                    continue
                cursor.execute(f"DROP INDEX {_quote(name)}")
            cursor.execute(definition)
        for table, name, definition in bare.foreign_keys:
            cursor.execute(
                f"ALTER TABLE {_quote(table)} ADD CONSTRAINT {_quote(name)} {definition}"
            )
        cursor.execute("RESET maintenance_work_mem")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def session_tune() -> None:
    """Commits that do not wait for their WAL flush, for the rest of the session: a crash
    may lose the last batches written, never leave one half written. Not inside a
    transaction (tests), where a SET would outlive the rollback."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")


def progress_write(out: TextIO | None, report: SeedReport, started: float) -> None:
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


@dataclass
class SeedRun:
    """One ``manage.py seed`` run, handed to the ``seed`` function of each app in turn.

    ``customers`` is the number of customers the run is about: the contacts part writes
    them and sets ``report.customer_range``; when the contacts part is left out (``apps``),
    the newest ``customers`` existing customers are used instead.
    """

    customers: int
    seed: int | None = None
    batch_size: int = 10_000
    options: dict[str, Any] = field(default_factory=dict)
    apps: set[str] | None = None
    out: TextIO | None = None
    report: SeedReport = field(default_factory=SeedReport)
    started: float = field(default_factory=time.perf_counter)

    def wants(self, app_label: str) -> bool:
        return self.apps is None or app_label in self.apps

    def rng(self, part: str) -> random.Random:
        """A random stream per part: the same --seed gives the same data in every part."""
        return random.Random(f"{self.seed}:{part}" if self.seed is not None else None)

    def option(self, name: str, default: Any) -> Any:
        value = self.options.get(name)
        return default if value is None else value

    def customer_bounds(self) -> tuple[int, int] | None:
        """The (first, last) customer id this run works on; None when there are none."""
        if self.report.customer_range is None:
            newest = list(
                Customer.objects.order_by("-id").values_list("id", flat=True)[: self.customers]
            )
            if newest:
                self.report.customer_range = (newest[-1], newest[0])
        return self.report.customer_range

    def customer_chunks(self) -> Iterator[tuple[int, int]]:
        """(first, last) id ranges of about ``batch_size`` customers each, in id order."""
        bounds = self.customer_bounds()
        if bounds is None:
            return
        low, high = bounds
        while low <= high:
            ids = list(
                Customer.objects.filter(id__gte=low, id__lte=high)
                .order_by("id")
                .values_list("id", flat=True)[: self.batch_size]
            )
            if not ids:
                return
            yield ids[0], ids[-1]
            low = ids[-1] + 1

    def ids_reserve(self, table: str, count: int) -> list[int]:
        return ids_reserve(table, count)

    def table_write(self, name: str, table: str, columns: Sequence[str], rows: list[Row]) -> None:
        table_write(self.report, name, table, columns, rows)

    def tables_bare(self, tables: Sequence[str]) -> AbstractContextManager[None]:
        return tables_bare(tables, self.report)

    def table_copy(
        self, name: str, table: str, columns: Sequence[str], data: bytes, rows: int
    ) -> None:
        table_copy(self.report, name, table, columns, data, rows)

    def analyze(self, tables: Iterable[str]) -> None:
        analyze(tables)

    def progress(self) -> None:
        progress_write(self.out, self.report, self.started)
