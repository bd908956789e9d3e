"""Surveys after delivery, their invitations and answers, and the daily rollups the
dashboard reads."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SurveyKind(models.TextChoices):
    NPS = "nps", _("Net Promoter Score (0–10)")
    CSAT = "csat", _("Customer satisfaction (1–5)")
    GRADE = "grade", _("Report grade (1–10)")


# (lowest, highest) answer per kind.
SCALES: dict[str, tuple[int, int]] = {
    SurveyKind.NPS: (0, 10),
    SurveyKind.CSAT: (1, 5),
    SurveyKind.GRADE: (1, 10),
}
# An answer at or below this is unhappy and gets a follow-up case.
UNHAPPY_AT_OR_BELOW: dict[str, int] = {SurveyKind.NPS: 6, SurveyKind.CSAT: 2, SurveyKind.GRADE: 5}


class Survey(models.Model):
    """What is asked after a delivery, when, and how often we remind."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=SurveyKind.choices)
    question_nl = models.CharField(_("question (Dutch)"), max_length=300)
    question_en = models.CharField(_("question (English)"), max_length=300)
    free_text_nl = models.CharField(
        _("open question (Dutch)"),
        max_length=300,
        blank=True,
        help_text=_("Leave empty for no open question."),
    )
    free_text_en = models.CharField(_("open question (English)"), max_length=300, blank=True)
    target = models.DecimalField(
        _("target score"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("For NPS: the target NPS (−100 to 100); otherwise the target average."),
    )
    is_active = models.BooleanField(
        _("active"), default=False, help_text=_("The survey sent after every delivered order.")
    )
    delay_hours = models.PositiveIntegerField(_("send after delivery (hours)"), default=24)
    first_reminder_days = models.PositiveSmallIntegerField(
        _("first reminder after (days)"), null=True, blank=True, default=3
    )
    second_reminder_days = models.PositiveSmallIntegerField(
        _("second reminder after (days)"), null=True, blank=True, default=7
    )
    expiry_days = models.PositiveSmallIntegerField(_("link valid for (days)"), default=30)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-is_active", "name"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="survey_one_active"
            ),
            models.CheckConstraint(condition=Q(expiry_days__gte=1), name="survey_expiry_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def scale(self) -> tuple[int, int]:
        return SCALES[self.kind]

    def question(self, language: str) -> str:
        return self.question_nl if language == "nl" else self.question_en

    def free_text(self, language: str) -> str:
        return self.free_text_nl if language == "nl" else self.free_text_en

    def reminder_offsets_days(self) -> list[int]:
        """Days after the first send at which reminders go out: at most two, increasing."""
        offsets = [d for d in (self.first_reminder_days, self.second_reminder_days) if d]
        return sorted(set(offsets))[:2]


class SurveyAspect(models.Model):
    """One part of the experience scored on its own (delivery, product, contact…)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="aspects")
    key = models.SlugField(_("key"), max_length=30)
    label_nl = models.CharField(_("label (Dutch)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200)
    target = models.DecimalField(_("target average"), max_digits=4, decimal_places=1)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("survey aspect")
        verbose_name_plural = _("survey aspects")
        constraints = [models.UniqueConstraint(fields=["survey", "key"], name="aspect_unique_key")]

    def __str__(self) -> str:
        return self.key

    def label(self, language: str) -> str:
        return self.label_nl if language == "nl" else self.label_en


class InvitationStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    SENT = "sent", _("Sent")
    ANSWERED = "answered", _("Answered")
    EXPIRED = "expired", _("Expired")
    SKIPPED = "skipped", _("Not sent")


class SkipReason(models.TextChoices):
    ERASED = "erased", _("Customer erased")
    OPTED_OUT = "opted_out", _("Customer opted out")
    NO_ADDRESS = "no_address", _("No address on any allowed channel")


class Invitation(models.Model):
    """The invitation to answer one survey about one order; sent once, reminded at most twice.

    Links carry a random token; only SHA-256 hashes of sent tokens are stored
    (``InvitationToken``), so a copy of the database holds no usable link.
    """

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="invitations")
    order = models.ForeignKey("contacts.Order", on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(
        "contacts.Customer", on_delete=models.CASCADE, related_name="survey_invitations"
    )
    product_sku = models.CharField(_("product SKU"), max_length=100, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=InvitationStatus.choices,
        default=InvitationStatus.SCHEDULED,
    )
    skip_reason = models.CharField(
        _("why not sent"), max_length=20, choices=SkipReason.choices, blank=True
    )
    channel = models.CharField(_("sent on"), max_length=20, blank=True)
    # When the next message (first send or reminder) is due; null when nothing more is due.
    due_at = models.DateTimeField(_("next message due"), null=True, blank=True)
    expires_at = models.DateTimeField(_("link expires"))
    sent_at = models.DateTimeField(_("first sent"), null=True, blank=True)
    last_sent_at = models.DateTimeField(_("last sent"), null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(fields=["order", "survey"], name="invitation_once_per_order"),
            models.CheckConstraint(condition=Q(reminders_sent__lte=2), name="invitation_max_two"),
        ]
        indexes = [
            # The beat job: what is due now.
            models.Index(
                fields=["due_at"],
                condition=Q(status__in=["scheduled", "sent"]) & Q(due_at__isnull=False),
                name="invitation_due_idx",
            ),
            models.Index(
                fields=["expires_at"],
                condition=Q(status__in=["scheduled", "sent"]),
                name="invitation_expiry_idx",
            ),
            models.Index(fields=["sent_at"], name="invitation_sent_idx"),
            models.Index(fields=["customer", "-created_at"], name="invitation_customer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}:{self.order_id} ({self.status})"


class InvitationToken(models.Model):
    """The SHA-256 hash of one link sent for an invitation (first send and each reminder)."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("invitation link")
        verbose_name_plural = _("invitation links")

    def __str__(self) -> str:
        return f"{self.invitation_id}:{self.token_hash[:8]}…"


class Sentiment(models.TextChoices):
    POSITIVE = "positive", _("Positive")
    NEUTRAL = "neutral", _("Neutral")
    NEGATIVE = "negative", _("Negative")


class Response(models.Model):
    """A customer's answer to an invitation; one per invitation."""

    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, related_name="response")
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    customer = models.ForeignKey(
        "contacts.Customer", on_delete=models.CASCADE, related_name="survey_responses"
    )
    # Copied from the invitation and order so that breakdowns need no joins.
    kind = models.CharField(_("kind"), max_length=10, choices=SurveyKind.choices)
    product_sku = models.CharField(_("product SKU"), max_length=100, blank=True)
    product_name = models.CharField(_("product"), max_length=200, blank=True)
    channel = models.CharField(_("invited on"), max_length=20, blank=True)
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The department of the customer's latest case before answering."),
    )
    score = models.SmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)
    sentiment = models.CharField(_("sentiment"), max_length=10, choices=Sentiment.choices)
    is_unhappy = models.BooleanField(_("unhappy"), default=False)
    language = models.CharField(_("language"), max_length=8, blank=True)
    answered_at = models.DateTimeField(_("answered"))
    interaction = models.ForeignKey(
        "contacts.Interaction",
        verbose_name=_("contact moment"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    followup_case = models.ForeignKey(
        "journeys.Case",
        verbose_name=_("follow-up case"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feedback_responses",
    )

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        indexes = [
            models.Index(fields=["-answered_at", "-id"], name="response_answered_idx"),
            models.Index(
                fields=["-answered_at", "-id"],
                condition=~Q(comment=""),
                name="response_verbatim_idx",
            ),
            models.Index(fields=["customer", "-answered_at"], name="response_customer_idx"),
            models.Index(
                fields=["answered_at"],
                condition=Q(is_unhappy=True, followup_case__isnull=True),
                name="response_unhappy_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.score}"


class AspectScore(models.Model):
    """The score one response gave one aspect."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="aspect_scores")
    aspect = models.ForeignKey(SurveyAspect, on_delete=models.CASCADE, related_name="scores")
    score = models.SmallIntegerField(_("score"))

    class Meta:
        verbose_name = _("aspect score")
        verbose_name_plural = _("aspect scores")
        constraints = [
            models.UniqueConstraint(fields=["response", "aspect"], name="aspect_score_once")
        ]

    def __str__(self) -> str:
        return f"{self.aspect_id}={self.score}"


class Dimension(models.TextChoices):
    ALL = "all", _("All")
    PRODUCT = "product", _("Product")
    CHANNEL = "channel", _("Channel")
    DEPARTMENT = "department", _("Department")
    ASPECT = "aspect", _("Aspect")


class DailyRollup(models.Model):
    """Counts of one local day for one slice (all, a product, a channel, a department, an
    aspect). Rebuilt from the raw rows by ``rollup_rebuild``; the dashboard and the summary
    API read only these."""

    date = models.DateField()
    dimension = models.CharField(max_length=12, choices=Dimension.choices)
    key = models.CharField(max_length=100, blank=True)
    label = models.CharField(max_length=200, blank=True)
    invitations_sent = models.PositiveIntegerField(default=0)
    responses = models.PositiveIntegerField(default=0)
    nps_count = models.PositiveIntegerField(default=0)
    nps_promoters = models.PositiveIntegerField(default=0)
    nps_detractors = models.PositiveIntegerField(default=0)
    csat_count = models.PositiveIntegerField(default=0)
    csat_satisfied = models.PositiveIntegerField(default=0)
    csat_sum = models.PositiveIntegerField(default=0)
    grade_count = models.PositiveIntegerField(default=0)
    grade_sum = models.PositiveIntegerField(default=0)
    aspect_count = models.PositiveIntegerField(default=0)
    aspect_sum = models.PositiveIntegerField(default=0)
    positive = models.PositiveIntegerField(default=0)
    neutral = models.PositiveIntegerField(default=0)
    negative = models.PositiveIntegerField(default=0)
    unhappy = models.PositiveIntegerField(default=0)
    unhappy_resolved_48h = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("daily rollup")
        verbose_name_plural = _("daily rollups")
        constraints = [
            models.UniqueConstraint(fields=["date", "dimension", "key"], name="rollup_unique_slice")
        ]
        indexes = [models.Index(fields=["dimension", "date"], name="rollup_dimension_date_idx")]

    def __str__(self) -> str:
        return f"{self.date} {self.dimension}:{self.key}"


class OutcomeRollup(models.Model):
    """What the contact center achieved on one local day for one department: the counts
    behind the outcomes page. Rebuilt from the raw rows by ``outcome_rollup_rebuild``; the
    page reads only these. ``department`` empty: nobody could be named (no department left)."""

    date = models.DateField()
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # Inbound contact moments and the questions asked again in them.
    contacts = models.PositiveIntegerField(default=0)
    asked_again = models.PositiveIntegerField(default=0)
    # Cases opened (in the department that first had them) and hand-offs made by it.
    cases_opened = models.PositiveIntegerField(default=0)
    transfers = models.PositiveIntegerField(default=0)
    cases_transferred_twice = models.PositiveIntegerField(default=0)
    # The exception queue: arrivals, and waits as a histogram (see outcome histograms).
    exceptions = models.PositiveIntegerField(default=0)
    exception_wait = models.JSONField(default=dict, blank=True)
    # Unhappy survey answers and those followed up within 48 hours.
    unhappy = models.PositiveIntegerField(default=0)
    unhappy_followed_48h = models.PositiveIntegerField(default=0)
    # First responses: a histogram of minutes, and the SLA outcome where it is known.
    first_response = models.JSONField(default=dict, blank=True)
    response_decided = models.PositiveIntegerField(default=0)
    response_met = models.PositiveIntegerField(default=0)
    # Customers with a contact on a topic, and those who came back on it within 7 days.
    topic_customers = models.PositiveIntegerField(default=0)
    repeat_customers = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("outcome rollup")
        verbose_name_plural = _("outcome rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["date", "department"],
                condition=Q(department__isnull=False),
                name="outcome_rollup_unique_day",
            ),
            models.UniqueConstraint(
                fields=["date"],
                condition=Q(department__isnull=True),
                name="outcome_rollup_unique_day_none",
            ),
        ]
        indexes = [models.Index(fields=["department", "date"], name="outcome_rollup_dept_idx")]

    def __str__(self) -> str:
        return f"{self.date} {self.department_id or '-'}"
