"""Background work of contacts: the daily duplicate search, customer imports, and the
outbound messages of every channel."""

import datetime as dt

from celery import Task, shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.utils import timezone

from .services.duplicates import duplicates_find
from .services.imports import customer_import_run, customer_imports_sweep
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


# Redelivered when the worker dies: the run continues at the import's checkpoint.
@shared_task(acks_late=True, reject_on_worker_lost=True)
def import_customers(import_id: int) -> None:
    customer_import_run(import_id=import_id)


@shared_task(acks_late=True)
def mail_acknowledge(*, interaction_id: int, case_number: int) -> bool:
    """The acknowledgement of receipt for one inbound e-mail; at most once (see the service)."""
    from .mail.acknowledge import mail_acknowledge as acknowledge

    return acknowledge(interaction_id=interaction_id, case_number=case_number)


@shared_task(acks_late=True)
def mailbox_fetch(mailbox_id: int) -> int:
    """One batch of one IMAP mailbox; returns how many messages were processed."""
    from .mail.imap import mailbox_fetch as fetch

    return fetch(mailbox_id=mailbox_id).processed


@shared_task
def mailboxes_fetch() -> int:
    """Beat: a fetch task per active IMAP mailbox (each skips when one already runs)."""
    from .mail.imap import mailboxes_fetch_ids

    ids = mailboxes_fetch_ids()
    for mailbox_id in ids:
        mailbox_fetch.delay(mailbox_id)
    return len(ids)


@shared_task(bind=True, name="contacts.outbound_deliver", max_retries=OUTBOUND_RETRIES)
def outbound_deliver_task(self: Task, interaction_id: int) -> str:
    """Send one queued outbound message; a transient failure is retried with backoff."""
    result = outbound_deliver(
        interaction_id=interaction_id,
        final_attempt=self.max_retries is not None and self.request.retries >= self.max_retries,
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


@shared_task
def imports_sweep() -> int:
    """Fail imports that stopped making progress (beat, every minute); idempotent."""
    return customer_imports_sweep()
