"""Generated customers, identities, contact moments, orders, consents and facts for load tests.

PostgreSQL gets COPY with ids reserved from the sequences; other databases plain batched INSERTs.

``manage.py seed`` calls ``seed(run=...)`` of every installed app that has a ``seeding``
module, in the order of INSTALLED_APPS; this module is the customers part, and the higher
apps use ``SeedRun``, ``ids_reserve`` and ``rows_write`` from here (never the other way).
"""

import random
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TextIO

from django.db import connection, transaction
from django.utils import timezone

from contacts.models import (
    Customer,
    Identity,
)
from contacts.seeding_people import CustomerGenerator, questions_ensure
from contacts.seeding_people import mobile_for as mobile_for

# Re-exported: the higher apps' seeding writes its rows through these.
from contacts.seeding_tables import Row as Row
from contacts.seeding_tables import _reserve_ids, _write, indexes_deferred, progress_write
from contacts.seeding_tables import analyze as analyze
from contacts.seeding_tables import ids_reserve as ids_reserve
from contacts.seeding_tables import rows_write as rows_write
from contacts.seeding_tables import table_write as table_write

# Plain strings: database adapters need not know Django's choice enums.
CUSTOMER_COLUMNS = (
    "id", "name", "street", "postcode", "city", "country", "language", "preferred_channel",
    "created_at", "updated_at", "last_interaction_at", "last_purchase_at",
)  # fmt: skip
IDENTITY_COLUMNS = ("id", "customer_id", "kind", "value", "first_seen", "last_seen")
INTERACTION_COLUMNS = (
    "id", "customer_id", "identity_id", "channel", "direction", "occurred_at", "subject",
    "body", "topic", "campaign_code", "source", "external_id", "created_at", "message_id",
    "delivery_status", "delivery_error",
)  # fmt: skip
ORDER_COLUMNS = (
    "id", "customer_id", "source", "external_id", "product_sku", "product_name", "amount",
    "ordered_at", "delivered_at", "created_at",
)  # fmt: skip
CONSENT_COLUMNS = ("customer_id", "channel", "status", "changed_at", "source")
FACT_COLUMNS = (
    "customer_id", "question_id", "value", "source_channel", "recorded_at", "is_current",
)  # fmt: skip

TABLES = {
    "customers": ("contacts_customer", CUSTOMER_COLUMNS),
    "identities": ("contacts_identity", IDENTITY_COLUMNS),
    "interactions": ("contacts_interaction", INTERACTION_COLUMNS),
    "orders": ("contacts_order", ORDER_COLUMNS),
    "consents": ("contacts_consent", CONSENT_COLUMNS),
    "facts": ("contacts_profilefact", FACT_COLUMNS),
}


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
        default_factory=lambda: {name: TableTotals() for name in TABLES}
    )
    generate_seconds: float = 0.0
    total_seconds: float = 0.0
    skipped_identities: int = 0
    # The ids of the first and last customer written by this run.
    customer_range: tuple[int, int] | None = None

    def table(self, name: str) -> TableTotals:
        """The totals of ``name``, added at the end of the report when new (higher apps)."""
        return self.tables.setdefault(name, TableTotals())


def _existing_identities(wanted: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """The (kind, value) pairs already stored, so a run never breaks the unique constraint."""
    by_kind: dict[str, list[str]] = {}
    for kind, value in wanted:
        by_kind.setdefault(kind, []).append(value)
    found: set[tuple[str, str]] = set()
    chunk = min(5000, connection.features.max_query_params or 5000)
    for kind, values in by_kind.items():
        for start in range(0, len(values), chunk):
            found.update(
                Identity.objects.filter(kind=kind, value__in=values[start : start + chunk])
                .values_list("kind", "value")
                .iterator()
            )
    return found


def customers_seed(
    *,
    customers: int,
    interactions_per_customer: float = 10,
    orders_per_customer: float = 1.5,
    seed: int | None = None,
    batch_size: int = 10_000,
    out: TextIO | None = None,
    report: SeedReport | None = None,
) -> SeedReport:
    """Append ``customers`` generated customers with their identities, timelines and orders.

    Each batch is one transaction. The same ``seed`` gives the same people; e-mail
    addresses, numbers and external ids derive from the reserved ids, so a second run
    never collides with the first.
    """
    rng = random.Random(seed)
    report = report if report is not None else SeedReport()
    started = time.perf_counter()
    generator = CustomerGenerator(
        rng=rng,
        now=timezone.now().replace(microsecond=0),
        interactions_per_customer=interactions_per_customer,
        orders_per_customer=orders_per_customer,
        questions=questions_ensure(),
    )
    done = 0
    while done < customers:
        size = min(batch_size, customers - done)
        with transaction.atomic():
            tick = time.perf_counter()
            customer_ids = _reserve_ids("contacts_customer", size)
            first = report.customer_range[0] if report.customer_range else customer_ids[0]
            report.customer_range = (first, customer_ids[-1])
            plans, wanted = generator.customers(customer_ids)
            taken = _existing_identities(wanted)
            batch, skipped = generator.rows(
                plans,
                taken=taken,
                identity_ids=_reserve_ids("contacts_identity", len(wanted)),
                interaction_ids=_reserve_ids(
                    "contacts_interaction", sum(p["interactions"] for p in plans)
                ),
                order_ids=_reserve_ids("contacts_order", sum(p["orders"] for p in plans)),
            )
            report.skipped_identities += skipped
            report.generate_seconds += time.perf_counter() - tick
            for name, (table, columns) in TABLES.items():
                rows = getattr(batch, name)
                tick = time.perf_counter()
                _write(table, columns, rows)
                totals = report.tables[name]
                totals.rows += len(rows)
                totals.seconds += time.perf_counter() - tick
        done += size
        progress_write(out, report, started)
    analyze(table for table, _ in TABLES.values())
    report.total_seconds = time.perf_counter() - started
    return report


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

    def progress(self) -> None:
        progress_write(self.out, self.report, self.started)


def customer_chunks(run: SeedRun) -> Iterable[tuple[int, int]]:
    """(first, last) id ranges of about ``run.batch_size`` customers each, in id order."""
    bounds = run.customer_bounds()
    if bounds is None:
        return
    low, high = bounds
    while low <= high:
        ids = list(
            Customer.objects.filter(id__gte=low, id__lte=high)
            .order_by("id")
            .values_list("id", flat=True)[: run.batch_size]
        )
        if not ids:
            return
        yield ids[0], ids[-1]
        low = ids[-1] + 1


def seed(*, run: SeedRun) -> None:
    """The customers part of ``manage.py seed``."""
    if not run.wants("contacts"):
        return
    existing = Customer.objects.order_by("-id").values_list("id", flat=True).first() or 0
    # Bare tables pay off when the load is at least as large as what is there already.
    with indexes_deferred(
        [table for table, _ in TABLES.values()],
        enabled=run.option("defer_indexes", run.customers >= max(existing, 50_000)),
        out=run.out,
    ):
        _customers_part(run)


def _customers_part(run: "SeedRun") -> None:
    customers_seed(
        customers=run.customers,
        interactions_per_customer=run.option("interactions_per_customer", 10),
        orders_per_customer=run.option("orders_per_customer", 1.5),
        seed=run.seed,
        batch_size=run.batch_size,
        out=run.out,
        report=run.report,
    )
