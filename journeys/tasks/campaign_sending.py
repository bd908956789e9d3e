"""Celery tasks that send live campaigns (thin wrappers of services.campaign_sending)."""

from celery import shared_task

from journeys.services import campaign_sending as services


@shared_task(name="journeys.campaign_sending")
def campaign_sending() -> int:
    """Beat: plan the recipients of live campaigns and start a batch for each with due
    recipients. Safe to run twice: recipients are unique and batches claim their rows."""
    due = services.campaign_sending_run()
    for campaign_id in due:
        campaign_send_batch.delay(campaign_id)
    return len(due)


@shared_task(name="journeys.campaign_send_batch")
def campaign_send_batch(campaign_id: int) -> dict[str, int]:
    """Send one batch of a campaign; a full batch starts the next one right away."""
    outcome = services.campaign_batch_send(campaign_id=campaign_id)
    if outcome["claimed"] >= services.campaign_send_batch_size():
        campaign_send_batch.delay(campaign_id)
    return outcome
