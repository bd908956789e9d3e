"""Settings → Channels: the state of each provider cxcenter sends through (configured,
sent today, failed sends of the last week with their reasons, the last error). A fixed
number of queries on bounded index ranges, whatever the volume."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import user_roles
from contacts.channels import SENDABLE, channel_configured, channel_spec
from contacts.models import Channel, DeliveryStatus, Direction, Interaction, OutboundKind

FAILED_DAYS = 7
FAILED_SHOWN = 10
TESTS_SHOWN = 5
DELIVERED = (DeliveryStatus.SENT, DeliveryStatus.DELIVERED, DeliveryStatus.READ)


def channels_may_manage(*, user: User) -> bool:
    return bool({Role.ADMIN, Role.MANAGER} & user_roles(user=user))


@dataclass
class ProviderState:
    channel: str
    label: "str | Promise"
    configured: bool
    backend: str
    details: list[tuple[Promise | str, Promise | str]]
    sent_today: int = 0
    failed_week: int = 0
    failed: list[Interaction] = field(default_factory=list)

    @property
    def last_error(self) -> Interaction | None:
        return self.failed[0] if self.failed else None


def _details(channel: str) -> list[tuple[Any, str | Promise]]:
    """What is configured, without secrets."""
    if channel == Channel.EMAIL:
        mailer = settings.MAILERS.get("default", {})
        options = mailer.get("OPTIONS", {})
        server = f"{options['host']}:{options.get('port', 25)}" if "host" in options else ""
        return [
            (_("From"), settings.CXCENTER_MAIL_FROM),
            (_("Mail backend"), mailer.get("BACKEND", "").rsplit(".", 2)[-2]),
            (_("Server"), server or "—"),
        ]
    if channel == Channel.WHATSAPP:
        return [
            (_("API"), settings.WHATSAPP_API_BASE),
            (_("Phone number id"), settings.WHATSAPP_PHONE_NUMBER_ID or "—"),
            (
                _("Webhook signature secret"),
                _("set") if settings.WHATSAPP_APP_SECRET else _("missing"),
            ),
        ]
    return [
        (_("API"), settings.TWILIO_API_BASE),
        (_("Account"), settings.TWILIO_ACCOUNT_SID or "—"),
        (_("Sender"), settings.TWILIO_MESSAGING_SERVICE_SID or settings.TWILIO_FROM or "—"),
    ]


def _visible(user: User) -> Q:
    """Admins see every send; a manager those of their department and the automatic ones."""
    if Role.ADMIN in user_roles(user=user):
        return Q()
    return Q(department_id=user.department_id) | Q(department__isnull=True)


def channel_overview(*, user: User, now: dt.datetime | None = None) -> list[ProviderState]:
    now = now or timezone.now()
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    week = now - dt.timedelta(days=FAILED_DAYS)
    visible = _visible(user)
    sent = dict(
        Interaction.objects.filter(
            visible,
            direction=Direction.OUTBOUND,
            channel__in=SENDABLE,
            occurred_at__gte=today,
            delivery_status__in=DELIVERED,
        )
        .values_list("channel")
        .annotate(n=Count("id"))
        .order_by()
    )
    failed_counts = dict(
        Interaction.objects.filter(
            visible, delivery_status=DeliveryStatus.FAILED, delivery_updated_at__gte=week
        )
        .values_list("channel")
        .annotate(n=Count("id"))
        .order_by()
    )
    states = []
    for channel in SENDABLE:
        spec = channel_spec(channel)
        states.append(
            ProviderState(
                channel=channel,
                label=spec.label,
                configured=channel_configured(channel),
                backend=getattr(settings, spec.backend_setting),
                details=_details(channel),
                sent_today=sent.get(channel, 0),
                failed_week=failed_counts.get(channel, 0),
                failed=list(
                    Interaction.objects.filter(
                        visible,
                        channel=channel,
                        delivery_status=DeliveryStatus.FAILED,
                        delivery_updated_at__gte=week,
                    )
                    .select_related("customer", "outbound")
                    .order_by("-delivery_updated_at", "-id")[:FAILED_SHOWN]
                ),
            )
        )
    return states


def channel_test_messages(*, user: User) -> list[Interaction]:
    """The latest test messages sent from the Channels page, with their status."""
    return list(
        Interaction.objects.filter(
            _visible(user), direction=Direction.OUTBOUND, outbound__kind=OutboundKind.TEST
        )
        .select_related("outbound")
        .order_by("-occurred_at", "-id")[:TESTS_SHOWN]
    )
