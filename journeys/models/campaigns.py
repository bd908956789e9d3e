"""Campaigns: what marketing sends to whom and when, the contact center's briefing, the
launch checklist, warnings sent to contact-center leads, and per-user calendar feeds."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    READY = "ready", _("Ready")
    LIVE = "live", _("Live")
    FINISHED = "finished", _("Finished")
    CANCELLED = "cancelled", _("Cancelled")


# Campaigns that will reach, or are reaching, customers: these count in the calendar.
PLANNED_STATUSES = (CampaignStatus.SCHEDULED, CampaignStatus.READY, CampaignStatus.LIVE)


class Campaign(models.Model):
    """A campaign with its audience, channels, dates, briefing and launch checklist."""

    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(
        _("code"),
        max_length=50,
        unique=True,
        help_text=_("Carried by replies as their campaign code; letters, digits and dashes."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="campaigns",
    )
    offer = models.TextField(_("offer"), blank=True)
    product_skus = models.JSONField(_("product SKUs"), default=list, blank=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    response_rates = models.JSONField(
        _("expected response rate per channel (%)"), default=dict, blank=True
    )
    segment = models.ForeignKey(
        "journeys.Segment",
        verbose_name=_("segment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="campaigns",
    )
    launch_at = models.DateTimeField(_("launch"))
    end_at = models.DateTimeField(_("end"))
    landing_url = models.URLField(_("landing page"), blank=True)
    briefing = models.TextField(
        _("briefing for the contact center"),
        blank=True,
        help_text=_("The offer in the agents' words: what customers will ask, what agents say."),
    )
    faq = models.TextField(_("FAQ"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    # Counted when scheduled, so the calendar and forecast never recount a segment.
    audience_total = models.PositiveIntegerField(
        _("audience before suppression"), null=True, blank=True
    )
    audience_count = models.PositiveIntegerField(
        _("audience after suppression"), null=True, blank=True
    )
    counted_at = models.DateTimeField(_("counted"), null=True, blank=True)
    scheduled_at = models.DateTimeField(_("scheduled"), null=True, blank=True)
    short_notice = models.BooleanField(_("short notice"), default=False)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("briefing acknowledged"), null=True, blank=True)
    capacity_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    capacity_confirmed_at = models.DateTimeField(_("capacity confirmed"), null=True, blank=True)
    landing_ok = models.BooleanField(_("landing page reachable"), null=True, blank=True)
    landing_checked_at = models.DateTimeField(_("landing page checked"), null=True, blank=True)
    landing_error = models.CharField(_("landing page problem"), max_length=300, blank=True)
    override_reason = models.TextField(
        _("reason to launch without a complete checklist"), blank=True
    )
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    overridden_at = models.DateTimeField(_("overridden"), null=True, blank=True)
    # --- The message the campaign sends, its reminders, and how far sending got ---------
    message_subject = models.CharField(
        _("message subject"),
        max_length=200,
        blank=True,
        help_text=_("E-mail only. Placeholders: {name}, {first_name}, {code}."),
    )
    message_body = models.TextField(
        _("message"),
        blank=True,
        help_text=_("Placeholders: {name}, {first_name}, {code}."),
    )
    reminder_1_days = models.PositiveSmallIntegerField(
        _("first reminder after (days)"), null=True, blank=True
    )
    reminder_1_body = models.TextField(_("first reminder"), blank=True)
    reminder_2_days = models.PositiveSmallIntegerField(
        _("second reminder after (days)"), null=True, blank=True
    )
    reminder_2_body = models.TextField(_("second reminder"), blank=True)
    # Keyset cursor of the audience already turned into recipients; planned_at once done.
    recipients_cursor = models.PositiveBigIntegerField(default=0, editable=False)
    recipients_planned_at = models.DateTimeField(
        _("recipients planned"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-launch_at", "-id"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        permissions = [
            ("override_campaign", _("Can launch a campaign whose checklist is incomplete")),
            ("acknowledge_campaign", _("Can acknowledge a campaign for the contact center")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_at__gt=F("launch_at")), name="campaign_end_after_launch"
            )
        ]
        indexes = [
            models.Index(fields=["status", "launch_at"], name="campaign_status_launch_idx"),
            models.Index(fields=["launch_at", "end_at"], name="campaign_window_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class CampaignWarning(models.Model):
    """One warning to the contact-center leads; unique per lead time so it is sent once."""

    SCHEDULED = "scheduled"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="warnings")
    lead_time = models.CharField(_("lead time"), max_length=20)
    sent_at = models.DateTimeField(_("sent"))
    recipients = models.PositiveSmallIntegerField(_("recipients"), default=0)

    class Meta:
        ordering = ["sent_at", "id"]
        verbose_name = _("campaign warning")
        verbose_name_plural = _("campaign warnings")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "lead_time"], name="campaignwarning_once")
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.lead_time}"


class CalendarFeedToken(models.Model):
    """The secret of one user's .ics feed; only its SHA-256 is stored."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"feed of {self.user_id}"
