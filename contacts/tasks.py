"""Background work of contacts: the daily duplicate search, customer imports, and the
outbound messages of every channel."""

import datetime as dt

from celery import Task, shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.utils import timezone

from .services.duplicates import duplicates_find
from .services.imports import customer_import_run
from .services.outbound import outbound_deliver, outbound_sweep

# Tries in all: the first plus the retries; seconds between tries double up to the maximum.
OUTBOUND_RETRIES = max(settings.CXCENTER_SEND_ATTEMPTS - 1, 0)
OUTBOUND_BACKOFF = 30
OUTBOUND_BACKOFF_MAX = 600


@shared_task
def find_duplicates(*, days: int | None = 2) -> int:
    """Pairs among customers changed in the last ``days`` (all customers with None); run daily."""
    since = timezone.now() - dt.timedelta(days=days) if days is not None else None
    return duplicates_find(since=since)


@shared_task(acks_late=True)
def import_customers(import_id: int) -> None:
    customer_import_run(import_id=import_id)


@shared_task(bind=True, name="contacts.outbound_deliver", max_retries=OUTBOUND_RETRIES)
def outbound_deliver_task(self: Task, interaction_id: int) -> str:
    """Send one queued outbound message; a transient failure is retried with backoff."""
    result = outbound_deliver(
        interaction_id=interaction_id, final_attempt=self.request.retries >= self.max_retries
    )
    if result == "retry":
        countdown = get_exponential_backoff_interval(
            factor=OUTBOUND_BACKOFF, retries=self.request.retries, maximum=OUTBOUND_BACKOFF_MAX
        )
        raise self.retry(countdown=countdown)
    return result


@shared_task(name="contacts.outbound_sweep")
def outbound_sweep_task() -> dict[str, int]:
    """Beat (every 5 minutes): fail messages whose worker died, queue again lost ones."""
    return outbound_sweep()
