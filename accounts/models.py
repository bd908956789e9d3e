"""Users, departments, opening hours, staffed capacity and in-app notifications."""

import zoneinfo

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .texts import text_render, texts_render


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class Department(models.Model):
    """A part of the organisation that owns work: contact center, marketing, sales, …"""

    CONTACT_CENTER = "contact-center"
    MARKETING = "marketing"
    SALES = "sales"
    ICT = "ict"
    OPERATIONS = "operations"
    MANAGEMENT = "management"

    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.SlugField(
        _("code"),
        max_length=50,
        unique=True,
        help_text=_("Stable short name used by integrations."),
    )
    timezone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Amsterdam", validators=[validate_timezone]
    )
    contacts_per_agent_hour = models.PositiveSmallIntegerField(
        _("contacts an agent handles per hour"), default=6
    )
    email = models.EmailField(_("shared e-mail address"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class User(AbstractUser):
    """A person who signs in: agent, marketer, manager, … or an integration account."""

    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=[("nl", _("Dutch")), ("en", _("English"))],
        default="nl",
    )

    class Meta(AbstractUser.Meta):
        # The stubs type AbstractUser.Meta's names as str; Django takes lazy strings.
        verbose_name = _("user")  # type: ignore[assignment]
        verbose_name_plural = _("users")  # type: ignore[assignment]
        indexes = [models.Index(fields=["department", "is_active"], name="user_department_idx")]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class OpeningHours(models.Model):
    """One opening range on one weekday; a day may have several."""

    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="opening_hours"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        ordering = ["department", "weekday", "opens"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes__gt=F("opens")), name="opening_closes_after_opens"
            ),
            models.UniqueConstraint(
                fields=["department", "weekday", "opens"], name="opening_unique_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def clean(self) -> None:
        if self.opens is not None and self.closes is not None and self.closes <= self.opens:
            raise ValidationError({"closes": _("Closing time must be after opening time.")})


class Holiday(models.Model):
    """A day a department is closed, whatever its opening hours say."""

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["department", "date"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        constraints = [
            models.UniqueConstraint(fields=["department", "date"], name="holiday_unique_date")
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class StaffingSlot(models.Model):
    """Agents on duty in one hour of one weekday; capacity = agents × contacts per agent-hour."""

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="staffing")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    hour = models.PositiveSmallIntegerField(_("hour"))
    agents = models.PositiveSmallIntegerField(_("agents on duty"), default=0)

    class Meta:
        ordering = ["department", "weekday", "hour"]
        verbose_name = _("staffing slot")
        verbose_name_plural = _("staffing slots")
        constraints = [
            models.UniqueConstraint(
                fields=["department", "weekday", "hour"], name="staffing_unique_slot"
            ),
            models.CheckConstraint(condition=Q(hour__lt=24), name="staffing_hour_in_day"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.hour:02d}:00 × {self.agents}"


class Notification(models.Model):
    """An entry in one user's in-app inbox."""

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    # ``title`` is an untranslated message id with ``title_params`` (or, without params, text
    # as written); ``body_parts`` are generated lines, ``body`` what a person wrote. Both are
    # rendered in the reader's language when shown (accounts.texts).
    title = models.CharField(_("title"), max_length=200)
    title_params = models.JSONField(_("title parameters"), default=dict, blank=True)
    body = models.TextField(_("message"), blank=True)
    body_parts = models.JSONField(_("message parts"), default=list, blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    kind = models.SlugField(_("kind"), max_length=50, default="general")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_inbox_idx"),
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title_text

    @property
    def title_text(self) -> str:
        """The title in the active language."""
        return text_render({"m": self.title, "p": self.title_params})

    @property
    def body_text(self) -> str:
        """The generated lines (in the active language), then what a person wrote."""
        return "\n".join(p for p in (texts_render(self.body_parts), self.body) if p)


class ApiToken(models.Model):
    """A key an integration sends as ``Authorization: Token <key>``; only its hash is stored.

    The key is shown once, when it is made. ``prefix`` (its first characters) lets
    people tell tokens apart; ``digest`` (SHA-256 of the whole key) finds the row.
    """

    PREFIX_LENGTH = 8

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=PREFIX_LENGTH, editable=False)
    digest = models.CharField(_("digest"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        indexes = [models.Index(fields=["prefix"], name="apitoken_prefix_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
