"""Generated customers, identities, contact moments, orders, consents and facts for load tests.

PostgreSQL gets COPY with ids reserved from the sequences; other databases plain batched INSERTs.

``manage.py seed`` calls ``seed(run=...)`` of every installed app that has a ``seeding``
module, in the order of INSTALLED_APPS, with the run (``bench.seedrun``); this module is
the customers part, and says what a run offers (``SeedRun``) to the higher apps' parts.
"""

import random
import time
from collections.abc import Iterable, Sequence

from django.db import connection, transaction
from django.utils import timezone

from contacts.models import Identity
from contacts.seeding.generator import _Generator, _questions_ensure, landline_for, mobile_for
from contacts.seeding.pools import CAMPAIGNS, TABLES
from contacts.seeding.run import Row, SeedReport, SeedRun, SeedTotals

__all__ = [
    "CAMPAIGNS",
    "TABLES",
    "Row",
    "SeedReport",
    "SeedRun",
    "SeedTotals",
    "customers_seed",
    "landline_for",
    "mobile_for",
    "seed",
]


def _existing_identities(wanted: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """The (kind, value) pairs already stored, so a run never breaks the unique constraint."""
    by_kind: dict[str, list[str]] = {}
    for kind, value in wanted:
        by_kind.setdefault(kind, []).append(value)
    found: set[tuple[str, str]] = set()
    if connection.vendor == "postgresql":
        # One array parameter per kind: no statement with thousands of placeholders to build.
        with connection.cursor() as cursor:
            for kind, values in by_kind.items():
                cursor.execute(
                    "SELECT kind, value FROM contacts_identity WHERE kind = %s AND value = ANY(%s)",
                    [kind, values],
                )
                found.update(cursor.fetchall())
        return found
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
    run: SeedRun,
    interactions_per_customer: float = 10,
    orders_per_customer: float = 1.5,
) -> None:
    """Append ``run.customers`` generated customers with their identities, timelines and
    orders.

    Each batch is written in one transaction, while the next is generated. The same ``run.seed`` gives the same people; e-mail
    addresses, numbers and external ids derive from the reserved ids, so a second run
    never collides with the first.
    """
    rng = random.Random(run.seed)
    report = run.report
    generator = _Generator(
        rng=rng,
        now=timezone.now().replace(microsecond=0),
        interactions_per_customer=interactions_per_customer,
        orders_per_customer=orders_per_customer,
        questions=_questions_ensure(),
    )

    def customer_ids_reserve(count: int) -> list[int]:
        ids = run.ids_reserve("contacts_customer", count)
        first = report.customer_range[0] if report.customer_range else ids[0]
        report.customer_range = (first, ids[-1])
        return ids

    total = run.customers
    # Generating a batch (and planning the next) overlaps with writing the previous one:
    # a batch's transaction holds the previous batch's rows and its own reserved ids.
    behind: list[tuple[str, str, Sequence[str], list[Row]]] = []
    with run.tables_bare([table for table, _ in TABLES.values()]):
        with transaction.atomic():
            plans, wanted = generator.customers(customer_ids_reserve(min(run.batch_size, total)))
        done = 0
        while done < total:
            with transaction.atomic():
                taken = _existing_identities(wanted)
                identity_ids = run.ids_reserve("contacts_identity", len(wanted))
                interaction_ids = run.ids_reserve(
                    "contacts_interaction", sum(p["interactions"] for p in plans)
                )
                order_ids = run.ids_reserve("contacts_order", sum(p["orders"] for p in plans))
                done += len(plans)
                next_ids = (
                    customer_ids_reserve(min(run.batch_size, total - done)) if done < total else []
                )
                with run.tables_write_behind(behind):
                    tick = time.perf_counter()
                    batch, skipped = generator.rows(
                        plans,
                        taken=taken,
                        identity_ids=identity_ids,
                        interaction_ids=interaction_ids,
                        order_ids=order_ids,
                    )
                    if next_ids:
                        plans, wanted = generator.customers(next_ids)
                    report.generate_seconds += time.perf_counter() - tick
                report.skipped_identities += skipped
                behind = [
                    (name, table, columns, getattr(batch, name))
                    for name, (table, columns) in TABLES.items()
                ]
            run.progress()
        with transaction.atomic(), run.tables_write_behind(behind):
            pass
        run.progress()
    run.analyze(table for table, _ in TABLES.values())


def seed(*, run: SeedRun) -> None:
    """The customers part of ``manage.py seed``."""
    if not run.wants("contacts"):
        return
    customers_seed(
        run=run,
        interactions_per_customer=run.option("interactions_per_customer", 10),
        orders_per_customer=run.option("orders_per_customer", 1.5),
    )
