"""Cases: work for a customer with one owning department and agent, SLAs, sub-tasks for other
departments, transfers, escalations, routing rules and canned replies."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Length, Replace
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _


class Priority(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")
    LOW = "low", _("Low")


# Higher number = more urgent; used to raise a priority one step and to sort queues.
PRIORITY_RANK = {Priority.LOW: 0, Priority.NORMAL: 1, Priority.HIGH: 2, Priority.URGENT: 3}


class CaseStatus(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    WAITING_CUSTOMER = "waiting_customer", _("Waiting on customer")
    WAITING_DEPARTMENT = "waiting_department", _("Waiting on another department")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (
    CaseStatus.NEW,
    CaseStatus.OPEN,
    CaseStatus.WAITING_CUSTOMER,
    CaseStatus.WAITING_DEPARTMENT,
)
OPEN_Q = Q(status__in=OPEN_STATUSES)


class SlaPolicy(models.Model):
    """Response and resolution targets, in business minutes of the owning department."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, blank=True)
    is_default = models.BooleanField(
        _("default for its priority"),
        default=False,
        help_text=_("Used for cases of this priority that no rule gives a policy."),
    )
    first_response_minutes = models.PositiveIntegerField(_("first response within (minutes)"))
    next_response_minutes = models.PositiveIntegerField(_("next response within (minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution within (minutes)"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [
            models.UniqueConstraint(
                fields=["priority"],
                condition=Q(is_default=True),
                name="sla_one_default_per_priority",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Case(models.Model):
    """A customer's question or problem, owned by one department and one customer-facing agent."""

    customer = models.ForeignKey(
        "contacts.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="cases",
    )
    origin = models.ForeignKey(
        "contacts.Interaction",
        verbose_name=_("originating contact moment"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    subject = models.CharField(_("subject"), max_length=300)
    topic = models.CharField(_("topic"), max_length=100, blank=True)
    campaign_code = models.CharField(_("campaign"), max_length=50, blank=True)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.NEW
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("owning department"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_cases",
    )
    is_exception = models.BooleanField(
        _("in the exception queue"),
        default=False,
        help_text=_("No routing rule matched: a lead must look at it."),
    )
    routing_rule = models.ForeignKey(
        "journeys.RoutingRule", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sla_policy = models.ForeignKey(
        SlaPolicy, verbose_name=_("SLA policy"), on_delete=models.PROTECT, related_name="cases"
    )
    first_response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    next_response_due = models.DateTimeField(_("next response due"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    first_responded_at = models.DateTimeField(_("first response"), null=True, blank=True)
    sla_paused_at = models.DateTimeField(_("SLA paused since"), null=True, blank=True)
    transfer_count = models.PositiveIntegerField(_("transfers"), default=0)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    resolution_note = models.TextField(_("what was done"), blank=True)
    # The newest message of the thread, kept by the services so that the inbox shows who
    # wrote last without reading the thread of every row.
    last_message_at = models.DateTimeField(_("last message"), null=True, blank=True)
    last_message_direction = models.CharField(
        _("last message from"),
        max_length=3,
        blank=True,
        choices=[("in", _("Customer")), ("out", _("Us"))],
    )
    last_message_preview = models.CharField(_("last message preview"), max_length=140, blank=True)
    follows = models.ForeignKey(
        "self",
        verbose_name=_("follows case"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="followed_by",
        help_text=_("The earlier case this one continues (a late reply to a resolved case)."),
    )

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            # Department queue: open, unowned, oldest due first.
            models.Index(
                fields=["department", "resolution_due", "id"],
                condition=Q(owner__isnull=True) & OPEN_Q,
                name="case_queue_idx",
            ),
            # "My cases".
            models.Index(
                fields=["owner", "resolution_due", "id"],
                condition=OPEN_Q,
                name="case_owner_open_idx",
            ),
            # Exception queue.
            models.Index(
                fields=["created_at", "id"],
                condition=Q(is_exception=True) & OPEN_Q,
                name="case_exception_idx",
            ),
            # The escalation job scans open cases by due time.
            models.Index(fields=["resolution_due"], condition=OPEN_Q, name="case_due_open_idx"),
            models.Index(
                fields=["first_response_due"],
                condition=OPEN_Q & Q(first_responded_at__isnull=True),
                name="case_first_due_open_idx",
            ),
            models.Index(fields=["customer", "-created_at"], name="case_customer_idx"),
            # The live inbox asks "anything changed since?" per queue and per owner.
            models.Index(fields=["department", "updated_at"], name="case_department_updated_idx"),
            models.Index(fields=["owner", "updated_at"], name="case_owner_updated_idx"),
            models.Index(fields=["department", "created_at"], name="case_department_created_idx"),
            # Escalated and still open (wallboard).
            models.Index(
                fields=["-escalated_at"],
                condition=OPEN_Q & Q(escalated_at__isnull=False),
                name="case_escalated_open_idx",
            ),
            # Resolved today / within SLA (wallboard, reports).
            models.Index(
                fields=["resolved_at"],
                condition=Q(resolved_at__isnull=False),
                name="case_resolved_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class CaseMessage(models.Model):
    """A contact moment that belongs to a case (the thread with the customer)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    interaction = models.OneToOneField(
        "contacts.Interaction", on_delete=models.CASCADE, related_name="case_link"
    )

    class Meta:
        verbose_name = _("case message")
        verbose_name_plural = _("case messages")

    def __str__(self) -> str:
        return f"{self.case_id}:{self.interaction_id}"


class CaseParticipant(models.Model):
    """Someone who worked on a case (owned, took, transferred, noted, replied, did or asked
    for a sub-task); they keep read access after the case has moved on."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(_("first worked on it"), auto_now_add=True)

    class Meta:
        verbose_name = _("case participant")
        verbose_name_plural = _("case participants")
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], name="case_participant_once")
        ]
        indexes = [models.Index(fields=["user", "case"], name="case_participant_user_idx")]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.user_id}"


class CaseComment(models.Model):
    """An internal note on a case; customers never see these."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("note"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")

    def __str__(self) -> str:
        return self.body[:50]


class SubTaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class SubTask(models.Model):
    """Internal work another department does for a case; the case stays with its owner."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="subtasks")
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="subtasks",
    )
    description = models.TextField(_("what is needed"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    due_at = models.DateTimeField(_("due"))
    status = models.CharField(
        _("status"), max_length=10, choices=SubTaskStatus.choices, default=SubTaskStatus.OPEN
    )
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    result = models.TextField(_("result"), blank=True)

    class Meta:
        verbose_name = _("sub-task")
        verbose_name_plural = _("sub-tasks")
        indexes = [
            models.Index(
                fields=["department", "due_at", "id"],
                condition=Q(status="open"),
                name="subtask_open_idx",
            )
        ]

    def __str__(self) -> str:
        return self.description[:50]


class Transfer(models.Model):
    """A recorded hand-off of a case from one department to another."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transfers")
    from_department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="+"
    )
    to_department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="+"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.TextField(_("reason"))
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_department=models.F("to_department")),
                name="transfer_to_another_department",
            )
        ]
        indexes = [
            models.Index(fields=["case", "at"], name="transfer_case_idx"),
            # Hand-offs by the department that made them (reports), and by day (rollups).
            models.Index(fields=["from_department", "at"], name="transfer_from_idx"),
            models.Index(fields=["at"], name="transfer_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_department_id} → {self.to_department_id}"


class EscalationKind(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response overdue")
    NEXT_RESPONSE = "next_response", _("Next response overdue")
    RESOLUTION = "resolution", _("Resolution overdue")
    TRANSFERS = "transfers", _("Transferred more than twice")


class Escalation(models.Model):
    """One escalation of a case to its department's manager; unique per case and kind, so a
    job that runs twice escalates once."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="escalations")
    kind = models.CharField(_("kind"), max_length=20, choices=EscalationKind.choices)
    # The due time that was missed (for transfers: the moment of the transfer that crossed
    # the limit), so a later, new deadline of the same kind can escalate again.
    due_at = models.DateTimeField(_("was due"))
    at = models.DateTimeField(_("escalated"), auto_now_add=True)

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "due_at"], name="escalation_once_per_due"
            )
        ]
        indexes = [models.Index(fields=["at"], name="escalation_at_idx")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.kind}"


# A routing rule's words: comma-separated, at most this many.
MAX_RULE_WORDS = 20


def rule_words_count(words: str) -> int:
    return len([word for word in words.split(",") if word.strip()])


class RoutingRule(models.Model):
    """If an inbound contact moment matches, the case goes to this department with this
    priority and SLA. Rules are tried in order; the first match wins.

    The database holds the invariants, so the admin and the services cannot store a rule
    without a condition (it would catch everything after it, the exception queue
    included) or with more than MAX_RULE_WORDS words."""

    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    match_channel = models.CharField(_("channel is"), max_length=20, blank=True)
    match_topic = models.CharField(_("topic is"), max_length=100, blank=True)
    match_words = models.CharField(
        _("subject or message contains one of"),
        max_length=500,
        blank=True,
        help_text=_("Comma-separated words; any one matches."),
    )
    match_campaign = models.BooleanField(_("is a reply to a campaign"), default=False)
    match_campaign_code = models.CharField(_("campaign code is"), max_length=50, blank=True)
    match_fact_key = models.CharField(_("customer fact"), max_length=50, blank=True)
    match_fact_value = models.CharField(_("has the value"), max_length=200, blank=True)
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("route to"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    sla_policy = models.ForeignKey(
        SlaPolicy,
        verbose_name=_("SLA policy"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: the default policy of the priority."),
    )

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        constraints = [
            models.CheckConstraint(
                condition=~Q(
                    match_channel="",
                    match_topic="",
                    match_words="",
                    match_campaign=False,
                    match_campaign_code="",
                    match_fact_key="",
                ),
                name="routingrule_has_condition",
                violation_error_message=_("Give the rule at least one condition."),
            ),
            models.CheckConstraint(
                # Commas separate the words: at most MAX_RULE_WORDS - 1 of them.
                condition=LessThanOrEqual(
                    Length("match_words") - Length(Replace("match_words", Value(","), Value(""))),
                    MAX_RULE_WORDS - 1,
                ),
                name="routingrule_at_most_20_words",
                violation_error_message=_("A rule has at most 20 words."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # The words constraint on the field itself, with the count the user gave.
        count = rule_words_count(self.match_words)
        if count > MAX_RULE_WORDS:
            raise ValidationError(
                {
                    "match_words": ValidationError(
                        _("At most %(max)s words, not %(n)s."),
                        code="too_many_words",
                        params={"max": MAX_RULE_WORDS, "n": count},
                    )
                }
            )


class CannedReply(models.Model):
    """A saved answer with placeholders: {customer_name}, {case_number}, {order}."""

    department = models.ForeignKey(
        "accounts.Department", on_delete=models.CASCADE, related_name="canned_replies"
    )
    title = models.CharField(_("title"), max_length=100)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=[("nl", _("Dutch")), ("en", _("English"))],
        blank=True,
        help_text=_("Offered only for customers who speak it; empty: for every customer."),
    )
    body = models.TextField(_("text"))
    shortcut = models.CharField(_("shortcut"), max_length=20, blank=True)

    class Meta:
        ordering = ["department", "title"]
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")

    def __str__(self) -> str:
        return self.title
