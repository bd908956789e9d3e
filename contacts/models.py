"""Customers and everything known about them: identities, contact moments, profile facts,
consents, orders, duplicate candidates, imports and the audit log."""

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from contacts.mail.models import Attachment, EmailDetail
    from contacts.panels import TimelineRef


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    WHATSAPP = "whatsapp", _("WhatsApp")
    SMS = "sms", _("SMS")
    FACEBOOK = "facebook", _("Facebook")
    INSTAGRAM = "instagram", _("Instagram")
    X = "x", _("X (Twitter)")
    CHAT = "chat", _("Web chat")
    STORE = "store", _("Store visit")
    WEB = "web", _("Website")
    LETTER = "letter", _("Letter")
    NOTE = "note", _("Internal note")


class IdentityKind(models.TextChoices):
    EMAIL = "email", _("E-mail address")
    PHONE = "phone", _("Phone number")
    WHATSAPP = "whatsapp", _("WhatsApp number")
    SMS = "sms", _("SMS number")
    FACEBOOK = "facebook", _("Facebook account")
    INSTAGRAM = "instagram", _("Instagram handle")
    X = "x", _("X (Twitter) handle")
    CUSTOMER_NUMBER = "customer_number", _("Customer number")
    WEBSHOP = "webshop", _("Web-shop account")
    CHAT = "chat", _("Chat visitor id")


class Direction(models.TextChoices):
    INBOUND = "in", _("Inbound")
    OUTBOUND = "out", _("Outbound")


class DeliveryStatus(models.TextChoices):
    """Where an outbound message is: set by the outbound path and by provider callbacks."""

    QUEUED = "queued", _("Queued")
    # Claimed by a worker that is handing it to the provider right now.
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    READ = "read", _("Read")
    FAILED = "failed", _("Failed")


class Customer(models.Model):
    """One person, whatever channel they use. Merged customers keep a pointer to the survivor."""

    name = models.CharField(_("name"), max_length=200, blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=16, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="NL", blank=True)
    language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=[("nl", _("Dutch")), ("en", _("English"))],
        default="nl",
    )
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=20, choices=Channel.choices, blank=True
    )
    quiet_hours_start = models.TimeField(_("quiet from"), null=True, blank=True)
    quiet_hours_end = models.TimeField(_("quiet until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    last_interaction_at = models.DateTimeField(_("last contact"), null=True, blank=True)
    last_purchase_at = models.DateTimeField(_("last purchase"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged_from",
    )
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True)

    # Set by the selectors for a page: the identities shown, whether the search matched
    # exactly, and the e-mail address and phone number that tell namesakes apart.
    shown_identities: "list[Identity]"
    exact_match: bool
    shown_email: str
    shown_phone: str

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        permissions = [
            ("merge_customer", _("Can merge duplicate customers")),
            ("export_customer", _("Can export all data of a customer (GDPR)")),
            ("erase_customer", _("Can erase a customer (GDPR)")),
            ("import_customer", _("Can import and export customer lists")),
        ]
        indexes = [
            models.Index(Upper("name"), name="customer_name_upper_idx"),
            models.Index(fields=["postcode"], name="customer_postcode_idx"),
            # On PostgreSQL migration 0005 builds this one as (last_interaction_at DESC
            # NULLS LAST, id DESC), the search's order, so a name search reads its 25 rows
            # in order instead of sorting every match; SQLite has no NULLS LAST in indexes.
            models.Index(
                fields=["-last_interaction_at", "-id"],
                condition=Q(merged_into__isnull=True),
                name="customer_recent_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.name or _("Customer %(id)s") % {"id": self.pk}

    @property
    def is_active_record(self) -> bool:
        return self.merged_into_id is None and self.erased_at is None


class Identity(models.Model):
    """A handle that points at one customer: an e-mail address, a phone number, …"""

    # No index of its own: identity_customer_idx (customer, kind) starts with it.
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="identities", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=20, choices=IdentityKind.choices)
    value = models.CharField(_("value"), max_length=254)
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(_("last seen"))
    # E-mail: since when mail to this address bounces (a delivery status notification said
    # so); the reply form warns the agent. Cleared when the customer writes from it again.
    bouncing_since = models.DateTimeField(_("bouncing since"), null=True, blank=True)

    class Meta:
        verbose_name = _("identity")
        verbose_name_plural = _("identities")
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="identity_unique_kind_value")
        ]
        indexes = [models.Index(fields=["customer", "kind"], name="identity_customer_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class Interaction(models.Model):
    """One contact moment, in either direction, on any channel."""

    # No index of its own: interaction_timeline_idx (customer, occurred_at, id) starts with it.
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="interactions", db_index=False
    )
    identity = models.ForeignKey(
        Identity, on_delete=models.SET_NULL, null=True, blank=True, related_name="interactions"
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    occurred_at = models.DateTimeField(_("when"))
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("message"), blank=True)
    topic = models.CharField(_("topic"), max_length=100, blank=True)
    campaign_code = models.CharField(_("campaign"), max_length=50, blank=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    source = models.CharField(_("source system"), max_length=50, default="cxcenter")
    external_id = models.CharField(_("id in the source system"), max_length=200, blank=True)
    # E-mail: the RFC 5322 Message-ID (ours for outbound, the sender's for inbound);
    # WhatsApp/SMS: the provider's message id. Threading and receipts look it up.
    message_id = models.CharField(_("message id"), max_length=255, blank=True)
    delivery_status = models.CharField(
        _("delivery status"), max_length=10, choices=DeliveryStatus.choices, blank=True
    )
    delivery_error = models.CharField(_("delivery error"), max_length=500, blank=True)
    delivery_updated_at = models.DateTimeField(_("delivery updated"), null=True, blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    # Set by contacts.selectors.timeline for a page: the e-mail detail and the attachments.
    mail: "EmailDetail | None"
    files: "list[Attachment]"
    # Set by contacts.selectors.timeline: what the moment belongs to (its case), as the
    # registered apps say it.
    refs: "list[TimelineRef]"

    class Meta:
        verbose_name = _("contact moment")
        verbose_name_plural = _("contact moments")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~Q(external_id=""),
                name="interaction_unique_source_external_id",
            )
        ]
        indexes = [
            # The timeline: newest first, keyset on (occurred_at, id).
            models.Index(
                fields=["customer", "-occurred_at", "-id"], name="interaction_timeline_idx"
            ),
            models.Index(
                fields=["customer", "channel", "-occurred_at", "-id"],
                name="interaction_channel_idx",
            ),
            models.Index(fields=["-occurred_at"], name="interaction_occurred_idx"),
            # Inbound volume per day (forecast baseline, reachability): an index-only scan.
            models.Index(
                fields=["occurred_at"],
                condition=Q(direction="in"),
                name="interaction_inbound_idx",
            ),
            models.Index(
                fields=["campaign_code", "occurred_at"],
                condition=~Q(campaign_code=""),
                name="interaction_campaign_idx",
            ),
            models.Index(
                fields=["message_id"],
                condition=~Q(message_id=""),
                name="interaction_message_id_idx",
            ),
            # Settings → Channels: messages sent per channel today, failed sends this week.
            models.Index(
                fields=["channel", "occurred_at"],
                condition=Q(direction="out"),
                name="interaction_outbound_idx",
            ),
            models.Index(
                fields=["delivery_updated_at"],
                condition=Q(delivery_status="failed"),
                name="interaction_failed_idx",
            ),
            # The sweep of messages no worker will finish.
            models.Index(
                fields=["delivery_updated_at"],
                condition=Q(delivery_status__in=["queued", "sending"]),
                name="interaction_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.get_direction_display()} {self.occurred_at:%Y-%m-%d %H:%M}"


class OutboundKind(models.TextChoices):
    REPLY = "reply", _("Reply")
    ACKNOWLEDGEMENT = "ack", _("Acknowledgement of receipt")
    INVITATION = "invitation", _("Survey invitation")
    REMINDER = "reminder", _("Survey reminder")
    CAMPAIGN = "campaign", _("Campaign message")
    TEST = "test", _("Test message")


class OutboundMessage(models.Model):
    """How an outbound contact moment is to be sent: the address, the e-mail threading
    headers, and the attempts so far. The status is on the contact moment itself."""

    interaction = models.OneToOneField(
        Interaction, on_delete=models.CASCADE, primary_key=True, related_name="outbound"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=OutboundKind.choices)
    to_address = models.CharField(_("to"), max_length=254)
    reply_to = models.CharField(_("reply to"), max_length=254, blank=True)
    in_reply_to = models.CharField(_("in reply to"), max_length=255, blank=True)
    references = models.TextField(_("references"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)

    class Meta:
        verbose_name = _("outbound message")
        verbose_name_plural = _("outbound messages")
        indexes = [
            # Settings → Channels lists the latest test messages.
            models.Index(fields=["interaction"], condition=Q(kind="test"), name="outbound_test_idx")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.to_address}"


class AnswerType(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    YES_NO = "yes_no", _("Yes or no")
    CHOICE = "choice", _("One of a list")


class ProfileQuestion(models.Model):
    """A question in the progressive-profiling catalogue."""

    key = models.SlugField(_("key"), max_length=50, unique=True)
    label_nl = models.CharField(_("question (Dutch)"), max_length=200)
    label_en = models.CharField(_("question (English)"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    ask_after = models.ForeignKey(
        "self",
        verbose_name=_("ask only after"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
        help_text=_("Offer this question only once that one is answered."),
    )
    answer_type = models.CharField(
        _("answer type"), max_length=10, choices=AnswerType.choices, default=AnswerType.TEXT
    )
    choices = models.TextField(_("choices"), blank=True, help_text=_("One per line."))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("profile question")
        verbose_name_plural = _("profile questions")

    def __str__(self) -> str:
        return self.key

    def label(self, language: str) -> str:
        return self.label_nl if language == "nl" else self.label_en

    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class ProfileFact(models.Model):
    """An answer to a profile question; older answers stay as history (``is_current`` off)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="facts")
    question = models.ForeignKey(ProfileQuestion, on_delete=models.PROTECT, related_name="facts")
    value = models.CharField(_("answer"), max_length=500)
    source_channel = models.CharField(
        _("learnt through"), max_length=20, choices=Channel.choices, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"))
    is_current = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("profile fact")
        verbose_name_plural = _("profile facts")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "question"],
                condition=Q(is_current=True),
                name="fact_one_current_per_question",
            )
        ]
        indexes = [
            models.Index(fields=["customer", "question", "-recorded_at"], name="fact_history_idx"),
            models.Index(
                fields=["question", "value"], condition=Q(is_current=True), name="fact_value_idx"
            ),
            # The stale-facts list: oldest current answers first.
            models.Index(
                fields=["recorded_at", "id"], condition=Q(is_current=True), name="fact_recorded_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question.key}={self.value}"


class FactAskedAgain(models.Model):
    """An agent recorded a fact the customer had already given, with the same value."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(ProfileQuestion, on_delete=models.CASCADE, related_name="+")
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    asked_at = models.DateTimeField()

    class Meta:
        verbose_name = _("question asked again")
        verbose_name_plural = _("questions asked again")
        indexes = [models.Index(fields=["asked_at"], name="asked_again_at_idx")]

    def __str__(self) -> str:
        return f"{self.question_id} asked again of {self.customer_id}"


class ConsentStatus(models.TextChoices):
    OPT_IN = "in", _("Opted in")
    OPT_OUT = "out", _("Opted out")


class Consent(models.Model):
    """Whether a customer may be contacted on a channel, and since when, from where."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="consents")
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=3, choices=ConsentStatus.choices)
    changed_at = models.DateTimeField(_("since"))
    source = models.CharField(_("source"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.UniqueConstraint(fields=["customer", "channel"], name="consent_one_per_channel")
        ]

    def __str__(self) -> str:
        return f"{self.channel}: {self.status}"


class Order(models.Model):
    """A purchase reported by the web shop or another system."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="orders")
    source = models.CharField(_("source system"), max_length=50)
    external_id = models.CharField(_("order number"), max_length=200)
    product_sku = models.CharField(_("product SKU"), max_length=100)
    product_name = models.CharField(_("product"), max_length=200, blank=True)
    amount = models.DecimalField(
        _("amount"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    ordered_at = models.DateTimeField(_("ordered"))
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="order_unique_source_id")
        ]
        indexes = [
            models.Index(fields=["customer", "-ordered_at"], name="order_customer_idx"),
            models.Index(fields=["product_sku", "customer"], name="order_sku_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id}"


class DuplicateStatus(models.TextChoices):
    OPEN = "open", _("To review")
    MERGED = "merged", _("Merged")
    DISMISSED = "dismissed", _("Not the same person")


class DuplicateCandidate(models.Model):
    """Two customers that may be one person; ``first`` always has the lower id."""

    first = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=DuplicateStatus.choices, default=DuplicateStatus.OPEN
    )
    created_at = models.DateTimeField(_("found"), auto_now_add=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    # Set by contacts.selectors.data for a customer page: the customer it is paired with.
    other: "Customer"

    class Meta:
        verbose_name = _("duplicate candidate")
        verbose_name_plural = _("duplicate candidates")
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="duplicate_unique_pair"),
            models.CheckConstraint(
                condition=Q(first__lt=models.F("second")), name="duplicate_ordered_pair"
            ),
        ]
        indexes = [
            models.Index(
                fields=["-created_at"], condition=Q(status="open"), name="duplicate_open_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.first_id} ~ {self.second_id}"


class AuditAction(models.TextChoices):
    VIEW = "view", _("Viewed")
    EXPORT = "export", _("Exported (GDPR)")
    ERASE = "erase", _("Erased (GDPR)")
    MERGE = "merge", _("Merged")
    IMPORT = "import", _("Imported")
    CSV_EXPORT = "csv_export", _("Exported a list")


class AuditEntry(models.Model):
    """Who did what to which customer's personal data, and when."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    customer = models.ForeignKey(
        Customer, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_entries"
    )
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [
            models.Index(fields=["customer", "-at"], name="audit_customer_idx"),
            models.Index(fields=["-at"], name="audit_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class CustomerImport(models.Model):
    """A CSV file of customers being imported by a Celery task, with a per-row report."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(max_length=200)
    content = models.TextField()
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    imported_rows = models.PositiveIntegerField(default=0)
    rejected = models.JSONField(default=list, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Rows that made a new customer, and rows that matched (and filled in) a known one.
    created_rows = models.PositiveIntegerField(default=0)
    updated_rows = models.PositiveIntegerField(default=0)
    rejected_rows = models.PositiveIntegerField(default=0)
    # Checkpoint: data rows done, committed together with their rows; a resumed run
    # starts here, so every row is imported once.
    position = models.PositiveIntegerField(default=0)
    # Set by the run that holds the import, refreshed with every checkpoint; the sweeper
    # fails a running import whose heartbeat stopped.
    run_token = models.CharField(max_length=32, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # Why it failed, in English as stored (translated when shown).
    failure_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="import_sweep_idx")]
        verbose_name = _("customer import")
        verbose_name_plural = _("customer imports")

    def __str__(self) -> str:
        return self.filename


# The e-mail models live in their own module; imported here so that Django finds them.
from contacts.mail.models import Attachment, EmailDetail, Mailbox  # noqa: E402, F401
