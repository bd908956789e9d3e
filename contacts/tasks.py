"""Background work of contacts: the daily duplicate search and customer imports."""

import datetime as dt

from celery import shared_task
from django.utils import timezone

from .services.duplicates import duplicates_find
from .services.imports import customer_import_run


@shared_task
def find_duplicates(*, days: int | None = 2) -> int:
    """Pairs among customers changed in the last ``days`` (all customers with None); run daily."""
    since = timezone.now() - dt.timedelta(days=days) if days is not None else None
    return duplicates_find(since=since)


@shared_task(acks_late=True)
def import_customers(import_id: int) -> None:
    customer_import_run(import_id=import_id)
