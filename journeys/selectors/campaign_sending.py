"""Reads of campaign sending: counts per step on the campaign page, and the number of
contacts about campaigns the contact center was not warned about."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q

from accounts.models import Department
from contacts.models import DeliveryStatus
from journeys.models import (
    STEPS,
    Campaign,
    CampaignRecipient,
    RecipientStatus,
    UnwarnedCampaignContact,
)


@dataclass(frozen=True)
class StepCounts:
    step: int
    waiting: int = 0
    sent: int = 0
    delivered: int = 0
    opened: int = 0
    replied: int = 0
    failed: int = 0
    skipped: int = 0

    @property
    def is_reminder(self) -> bool:
        return self.step > 0


def campaign_send_counts(*, campaign: Campaign) -> list[StepCounts]:
    """Per step (message, reminders): waiting, sent, delivered, opened, replied, failed and
    not sent. One grouped query over the campaign's own recipients."""
    delivery = "interaction__delivery_status"
    rows = (
        CampaignRecipient.objects.filter(campaign=campaign)
        .values("step")
        .annotate(
            waiting=Count(
                "id", filter=Q(status__in=[RecipientStatus.PENDING, RecipientStatus.CLAIMED])
            ),
            sent=Count("id", filter=Q(status=RecipientStatus.SENT)),
            delivered=Count(
                "id",
                filter=Q(**{f"{delivery}__in": [DeliveryStatus.DELIVERED, DeliveryStatus.READ]}),
            ),
            opened=Count("id", filter=Q(**{delivery: DeliveryStatus.READ})),
            replied=Count("replied_at"),
            failed=Count("id", filter=Q(**{delivery: DeliveryStatus.FAILED})),
            skipped=Count("id", filter=Q(status=RecipientStatus.SKIPPED)),
        )
        .order_by("step")
    )
    found = {row["step"]: StepCounts(**row) for row in rows}
    reminders = [s for s in STEPS[1:] if getattr(campaign, f"reminder_{s}_days") is not None]
    return [found.get(step, StepCounts(step=step)) for step in (STEPS[0], *reminders)]


def unwarned_campaign_contacts(
    *, since: dt.datetime, until: dt.datetime, department: Department | None = None
) -> int:
    """Inbound contacts in [since, until) about a campaign the contact center was not warned
    about (unknown code, or briefing never acknowledged). Counted over their own small
    table, by index, never over the contact moments."""
    qs = UnwarnedCampaignContact.objects.filter(occurred_at__gte=since, occurred_at__lt=until)
    if department is not None:
        qs = qs.filter(department=department)
    return qs.count()
