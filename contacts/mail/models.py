"""Models of inbound e-mail: the mailboxes we fetch or receive for, the e-mail side of a
contact moment (headers, quoted history, sanitised HTML) and its attachments."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class TlsMode(models.TextChoices):
    SSL = "ssl", _("SSL/TLS (port 993)")
    STARTTLS = "starttls", _("STARTTLS (port 143)")
    NONE = "none", _("None (local servers only)")


class Mailbox(models.Model):
    """A support address of ours: where its mail is fetched (IMAP, optional) and which
    department its new cases go to. The password never sits in the database in plain text:
    it comes from the environment variable named here, or is stored encrypted."""

    name = models.SlugField(_("name"), max_length=50, unique=True)
    address = models.EmailField(_("address"), unique=True)
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("New cases from this address go to this department; empty: routing rules."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    host = models.CharField(
        _("IMAP host"),
        max_length=200,
        blank=True,
        help_text=_("Empty: mail arrives by pipe or webhook."),
    )
    port = models.PositiveIntegerField(_("IMAP port"), default=993)
    tls = models.CharField(
        _("encryption"), max_length=10, choices=TlsMode.choices, default=TlsMode.SSL
    )
    username = models.CharField(_("IMAP user"), max_length=200, blank=True)
    password_env = models.CharField(
        _("password from environment variable"),
        max_length=100,
        blank=True,
        help_text=_("The name of the variable, e.g. MAILBOX_SUPPORT_PASSWORD."),
    )
    password_encrypted = models.TextField(_("encrypted password"), blank=True, editable=False)
    folder = models.CharField(_("folder"), max_length=200, default="INBOX")
    processed_folder = models.CharField(
        _("processed folder"),
        max_length=200,
        blank=True,
        help_text=_("Fetched mail is moved here; empty: it is flagged as read and processed."),
    )
    acknowledge = models.BooleanField(_("acknowledge receipt"), default=False)
    acknowledgement_text = models.TextField(
        _("acknowledgement text"),
        blank=True,
        help_text=_("{case_number} and {subject} are filled in; empty: a standard text."),
    )
    last_fetch_at = models.DateTimeField(_("last fetch"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)
    count_day = models.DateField(null=True, blank=True, editable=False)
    count_today = models.PositiveIntegerField(_("messages today"), default=0, editable=False)
    # A lease instead of a held row lock: one fetcher at a time, and a crashed one's lease
    # runs out by itself.
    fetching_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")

    def __str__(self) -> str:
        return self.address

    @property
    def fetches(self) -> bool:
        return bool(self.host)


class EmailDetail(models.Model):
    """The e-mail side of a contact moment. ``Interaction.body`` holds only the new text;
    the quoted history and the sanitised HTML stay here."""

    interaction = models.OneToOneField(
        "contacts.Interaction", on_delete=models.CASCADE, primary_key=True, related_name="email"
    )
    mailbox = models.ForeignKey(
        Mailbox, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_address = models.CharField(_("from"), max_length=254)
    to = models.TextField(_("to"), blank=True)
    cc = models.TextField(_("cc"), blank=True)
    in_reply_to = models.CharField(_("in reply to"), max_length=255, blank=True)
    references = models.TextField(_("references"), blank=True)
    headers = models.TextField(_("headers"), blank=True)
    quoted = models.TextField(_("quoted text"), blank=True)
    html = models.TextField(_("HTML (sanitised)"), blank=True)
    is_automatic = models.BooleanField(_("automatic"), default=False)
    automatic_reason = models.CharField(_("why automatic"), max_length=100, blank=True)
    bounce_recipient = models.CharField(_("bounced address"), max_length=254, blank=True)
    bounce_diagnostic = models.CharField(_("bounce diagnostic"), max_length=500, blank=True)
    size = models.PositiveIntegerField(_("size"), default=0)
    sha256 = models.CharField(max_length=64)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail")
        verbose_name_plural = _("e-mails")

    def __str__(self) -> str:
        return f"{self.from_address} ({self.interaction_id})"


class AttachmentRefusal(models.TextChoices):
    TOO_LARGE = "too_large", _("attachment refused (too large)")
    TYPE = "type", _("attachment refused (type not allowed)")


class Attachment(models.Model):
    """A file that came with an e-mail, stored through Django's storage API under its
    sha256; a refused one keeps its name and why, without the file."""

    interaction = models.ForeignKey(
        "contacts.Interaction", on_delete=models.CASCADE, related_name="attachments"
    )
    name = models.CharField(_("name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64, blank=True)
    file = models.FileField(_("file"), upload_to="mail/", max_length=200, blank=True)
    refused = models.CharField(
        _("refused"), max_length=10, choices=AttachmentRefusal.choices, blank=True
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        indexes = [models.Index(fields=["interaction"], name="attachment_interaction_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(refused="") | Q(file=""), name="attachment_refused_without_file"
            )
        ]

    def __str__(self) -> str:
        return self.name
