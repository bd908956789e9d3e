"""Background work of accounts: e-mailing notifications."""

from celery import shared_task

from .services import email_send, notification_email_send


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_notification_emails(*, notification_ids: list[int]) -> int:
    """E-mail notifications, each rendered in its recipient's language."""
    return notification_email_send(notification_ids=notification_ids)


# Not idempotent (nothing records that the mail went out), so acknowledged on receipt: a
# crash loses the copy by e-mail, never sends it twice; the inbox has the notification.
@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, acks_late=False)
def send_notification_email(*, subject: str, body: str, to: list[str]) -> int:
    """Messages queued before notifications were stored untranslated."""
    return email_send(subject=subject, body=body, to=to)


@shared_task
def purge_read_notifications(*, days: int = 90) -> int:
    """Delete notifications read more than ``days`` ago; run daily by beat."""
    from .services import notification_purge_read

    return notification_purge_read(days=days)
