"""Generated customers, identities, contact moments, orders, consents and facts for load tests.

PostgreSQL gets COPY with ids reserved from the sequences; other databases plain batched INSERTs.

``manage.py seed`` calls ``seed(run=...)`` of every installed app that has a ``seeding``
module, in the order of INSTALLED_APPS, with the run (``bench.seedrun``); this module is
the customers part, and says what a run offers (``SeedRun``) to the higher apps' parts.
"""

import random
import time
from collections.abc import Iterable

from django.db import connection, transaction
from django.utils import timezone

from contacts.models import Identity
from contacts.seeding.generator import _Generator, _questions_ensure, landline_for, mobile_for
from contacts.seeding.pools import CAMPAIGNS, TABLES
from contacts.seeding.run import Row, SeedReport, SeedRun, SeedTotals
from contacts.seeding.worker import Job, RowsWorker

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

    Each batch is written in one transaction; on PostgreSQL while the next is generated.
    The same ``run.seed`` gives the same people; e-mail
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

    total = run.customers

    def job_prepare(done: int) -> Job:
        """The next batch planned on ids reserved now, with the identities already taken."""
        tick = time.perf_counter()
        customer_ids = run.ids_reserve("contacts_customer", min(run.batch_size, total - done))
        first = report.customer_range[0] if report.customer_range else customer_ids[0]
        report.customer_range = (first, customer_ids[-1])
        plans, wanted = generator.customers(customer_ids)
        taken = _existing_identities(wanted)
        job = (
            plans,
            taken,
            run.ids_reserve("contacts_identity", len(wanted)),
            run.ids_reserve("contacts_interaction", sum(p["interactions"] for p in plans)),
            run.ids_reserve("contacts_order", sum(p["orders"] for p in plans)),
        )
        report.generate_seconds += time.perf_counter() - tick
        return job

    with run.tables_bare([table for table, _ in TABLES.values()]):
        if connection.vendor != "postgresql":
            done = 0
            while done < total:
                with transaction.atomic():
                    plans, taken, identity_ids, interaction_ids, order_ids = job_prepare(done)
                    tick = time.perf_counter()
                    batch, skipped = generator.rows(
                        plans,
                        taken=taken,
                        identity_ids=identity_ids,
                        interaction_ids=interaction_ids,
                        order_ids=order_ids,
                    )
                    report.generate_seconds += time.perf_counter() - tick
                    report.skipped_identities += skipped
                    for name, (table, columns) in TABLES.items():
                        run.table_write(name, table, columns, getattr(batch, name))
                done += len(plans)
                run.progress()
        else:
            # The rows are made in a second process; this one plans the next batch and
            # looks up its identities while PostgreSQL stores the previous one. A batch's
            # transaction holds the rows of one batch and the reserved ids of the next.
            worker = RowsWorker(generator)
            try:
                with transaction.atomic():
                    job = job_prepare(0)
                    worker.submit(job)
                done, pending = len(job[0]), 1
                while pending:
                    with transaction.atomic():
                        if done < total:
                            job = job_prepare(done)
                            worker.submit(job)
                            done += len(job[0])
                            pending += 1
                        result = worker.result()
                        pending -= 1
                        report.generate_seconds += result.seconds
                        report.skipped_identities += result.skipped
                        for name, (table, columns) in TABLES.items():
                            data, rows = result.data[name]
                            run.table_copy(name, table, columns, data, rows)
                    run.progress()
            finally:
                worker.close()
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
