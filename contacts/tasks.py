"""Background work of contacts: the daily duplicate search and customer imports."""

import datetime as dt

from celery import shared_task
from django.utils import timezone

from .services.duplicates import duplicates_find
from .services.imports import customer_import_run, customer_imports_sweep


@shared_task
def find_duplicates(*, days: int | None = 2) -> int:
    """Pairs among customers changed in the last ``days`` (all customers with None); run daily."""
    since = timezone.now() - dt.timedelta(days=days) if days is not None else None
    return duplicates_find(since=since)


# Redelivered when the worker dies: the run continues at the import's checkpoint.
@shared_task(acks_late=True, reject_on_worker_lost=True)
def import_customers(import_id: int) -> None:
    customer_import_run(import_id=import_id)


@shared_task
def imports_sweep() -> int:
    """Fail imports that stopped making progress (beat, every minute); idempotent."""
    return customer_imports_sweep()
