"""Celery tasks of journeys: campaign warnings and landing-page checks (thin wrappers)."""

from celery import shared_task

from journeys.services import campaigns as services


@shared_task(name="journeys.campaign_warnings")
def campaign_warnings() -> int:
    """Beat: warn contact-center leads of upcoming campaigns (idempotent)."""
    return services.campaign_warnings_send()


@shared_task(name="journeys.landing_checks")
def landing_checks() -> int:
    """Beat: check the landing page of every planned campaign."""
    ids = services.landing_checks_due()
    for campaign_id in ids:
        services.landing_page_check(campaign_id=campaign_id)
    return len(ids)


@shared_task(name="journeys.landing_check")
def landing_check(campaign_id: int) -> bool | None:
    """On demand: check one campaign's landing page."""
    return services.landing_page_check(campaign_id=campaign_id)
