"""Who a campaign sends to: one row per customer and step (the message, then at most two
reminders), claimed by one worker at a time, so that a customer gets each step at most
once; and the contacts about campaigns the contact center was not warned about."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# Step 0 is the campaign message; 1 and 2 are the reminders for those who did not react.
MESSAGE_STEP = 0
REMINDER_STEPS = (1, 2)
STEPS = (MESSAGE_STEP, *REMINDER_STEPS)


class RecipientStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    CLAIMED = "claimed", _("Being sent")
    SENT = "sent", _("Handed to the outbound path")
    SKIPPED = "skipped", _("Not sent")


class CampaignRecipient(models.Model):
    campaign = models.ForeignKey(
        "journeys.Campaign", on_delete=models.CASCADE, related_name="recipients"
    )
    customer = models.ForeignKey(
        "contacts.Customer", on_delete=models.CASCADE, related_name="campaign_recipients"
    )
    step = models.PositiveSmallIntegerField(_("step"), default=MESSAGE_STEP)
    status = models.CharField(
        _("status"), max_length=10, choices=RecipientStatus.choices, default=RecipientStatus.PENDING
    )
    # Not before this moment (quiet hours defer a message; they never drop it).
    not_before = models.DateTimeField(_("not before"))
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True)
    channel = models.CharField(_("channel"), max_length=20, blank=True)
    interaction = models.OneToOneField(
        "contacts.Interaction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="campaign_recipient",
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    skip_reason = models.CharField(_("why not sent"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("campaign recipient")
        verbose_name_plural = _("campaign recipients")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "customer", "step"], name="campaignrecipient_once"
            ),
            models.CheckConstraint(condition=Q(step__lte=2), name="campaignrecipient_step"),
        ]
        indexes = [
            # The batch claim: due rows of one campaign.
            models.Index(
                fields=["campaign", "not_before", "id"],
                condition=Q(status="pending"),
                name="campaignrecipient_due_idx",
            ),
            # Claims a dead worker left behind.
            models.Index(
                fields=["claimed_at"],
                condition=Q(status="claimed"),
                name="campaignrecipient_claimed_idx",
            ),
            # Reminders: sent messages of a step, oldest first.
            models.Index(
                fields=["campaign", "step", "sent_at"],
                condition=Q(status="sent"),
                name="campaignrecipient_sent_idx",
            ),
            # A customer's reply finds the campaign message it answers.
            models.Index(
                fields=["customer", "-sent_at"],
                condition=Q(status="sent"),
                name="campaignrecipient_customer_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.customer_id}/{self.step}"


class UnwarnedReason(models.TextChoices):
    UNKNOWN = "unknown", _("Unknown campaign code")
    UNACKNOWLEDGED = "unacknowledged", _("Briefing not acknowledged")


class UnwarnedCampaignContact(models.Model):
    """An inbound contact about a campaign the contact center was not warned about: one row
    per contact moment (so a replay counts once), counted by day without touching the
    contact moments."""

    interaction = models.OneToOneField(
        "contacts.Interaction", on_delete=models.CASCADE, related_name="unwarned_campaign"
    )
    campaign = models.ForeignKey(
        "journeys.Campaign", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    campaign_code = models.CharField(_("campaign code"), max_length=50)
    reason = models.CharField(_("reason"), max_length=20, choices=UnwarnedReason.choices)
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    occurred_at = models.DateTimeField(_("when"))

    class Meta:
        verbose_name = _("unwarned campaign contact")
        verbose_name_plural = _("unwarned campaign contacts")
        indexes = [
            models.Index(fields=["occurred_at"], name="unwarned_occurred_idx"),
            models.Index(fields=["department", "occurred_at"], name="unwarned_department_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_code} {self.occurred_at:%Y-%m-%d}"
