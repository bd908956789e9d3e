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
