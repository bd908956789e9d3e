"""Background work of accounts: e-mailing notifications."""

from celery import shared_task

from .services import email_send


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_notification_email(*, subject: str, body: str, to: list[str]) -> int:
    return email_send(subject=subject, body=body, to=to)
