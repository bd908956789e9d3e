"""What ``manage.py seed`` hands each app's ``seed`` function (``bench.seedrun``): the
run's options and the COPY helpers, as protocols, so the apps stay below ``bench``."""

import random
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

Row = tuple[Any, ...]


class SeedTotals(Protocol):
    rows: int
    seconds: float


class SeedReport(Protocol):
    """Rows and seconds per table of a seed run; ``generate_seconds`` is the Python side."""

    generate_seconds: float
    skipped_identities: int
    # The ids of the first and last customer written by the run.
    customer_range: tuple[int, int] | None

    def table(self, name: str) -> SeedTotals: ...


class SeedRun(Protocol):
    """What ``manage.py seed`` hands the ``seed`` function of each app (``bench.seedrun``):
    the run's options, and the COPY helpers the apps write their rows with."""

    customers: int
    seed: int | None
    batch_size: int

    @property
    def report(self) -> SeedReport: ...

    def wants(self, app_label: str) -> bool: ...

    def rng(self, part: str) -> random.Random: ...

    def option(self, name: str, default: Any) -> Any: ...

    def customer_bounds(self) -> tuple[int, int] | None: ...

    def customer_chunks(self) -> Iterator[tuple[int, int]]:
        """(first, last) id ranges of about ``batch_size`` customers each, in id order."""
        ...

    def ids_reserve(self, table: str, count: int) -> list[int]:
        """Ids for rows written later in the same transaction, so children can point at
        their parents without a read-back."""
        ...

    def table_write(self, name: str, table: str, columns: Sequence[str], rows: list[Row]) -> None:
        """COPY on PostgreSQL, batched INSERTs elsewhere, counted under ``name``."""
        ...

    def table_copy(
        self, name: str, table: str, columns: Sequence[str], data: bytes, rows: int
    ) -> None:
        """``rows`` rows already in COPY's text format (PostgreSQL only), counted under
        ``name``."""
        ...

    def tables_bare(self, tables: Sequence[str]) -> AbstractContextManager[None]:
        """Load ``tables`` without their secondary indexes and foreign keys, made again
        when the block ends."""
        ...

    def analyze(self, tables: Iterable[str]) -> None: ...

    def progress(self) -> None: ...
