"""The channel registry: per channel of ``Channel``, which identity kinds address it, whether
cxcenter sends or receives on it, and which backend sends. Every address chooser and every
"can we send on this?" question in the project asks this module."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.module_loading import import_string

from contacts.backends import MessageBackend
from contacts.models import Channel, Consent, ConsentStatus, Customer, Identity, IdentityKind


@dataclass(frozen=True)
class ChannelSpec:
    label: "str | Promise"
    # Identity kinds that reach the customer on this channel, best first.
    identity_kinds: tuple[str, ...] = ()
    # cxcenter sends on it itself (through ``backend_setting``).
    sends: bool = False
    # Messages on it come in to cxcenter (API, webhooks, mail ingest).
    receives: bool = False
    # The agent records what happened outside cxcenter (a call, a visit, a letter).
    logged: bool = False
    # The message has a subject line of its own (e-mail); elsewhere it is part of the text.
    has_subject: bool = False
    # Name of the setting with the dotted path of the backend class that sends.
    backend_setting: str = ""
    # Settings that must be non-empty before the provider counts as configured.
    requires: tuple[str, ...] = field(default=())


CHANNELS: dict[str, ChannelSpec] = {
    Channel.EMAIL: ChannelSpec(
        label=Channel.EMAIL.label,
        identity_kinds=(IdentityKind.EMAIL,),
        sends=True,
        receives=True,
        has_subject=True,
        backend_setting="CXCENTER_EMAIL_BACKEND",
        requires=("CXCENTER_MAIL_ADDRESS",),
    ),
    Channel.SMS: ChannelSpec(
        label=Channel.SMS.label,
        identity_kinds=(IdentityKind.SMS, IdentityKind.PHONE, IdentityKind.WHATSAPP),
        sends=True,
        receives=True,
        backend_setting="CXCENTER_SMS_BACKEND",
        requires=("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"),
    ),
    Channel.WHATSAPP: ChannelSpec(
        label=Channel.WHATSAPP.label,
        identity_kinds=(IdentityKind.WHATSAPP, IdentityKind.PHONE),
        sends=True,
        receives=True,
        backend_setting="CXCENTER_WHATSAPP_BACKEND",
        requires=("WHATSAPP_TOKEN", "WHATSAPP_PHONE_NUMBER_ID"),
    ),
    Channel.PHONE: ChannelSpec(
        label=Channel.PHONE.label,
        identity_kinds=(IdentityKind.PHONE, IdentityKind.WHATSAPP, IdentityKind.SMS),
        receives=True,
        logged=True,
    ),
    Channel.STORE: ChannelSpec(label=Channel.STORE.label, receives=True, logged=True),
    Channel.LETTER: ChannelSpec(label=Channel.LETTER.label, receives=True, logged=True),
    Channel.CHAT: ChannelSpec(
        label=Channel.CHAT.label, identity_kinds=(IdentityKind.CHAT,), receives=True
    ),
    Channel.FACEBOOK: ChannelSpec(
        label=Channel.FACEBOOK.label, identity_kinds=(IdentityKind.FACEBOOK,), receives=True
    ),
    Channel.INSTAGRAM: ChannelSpec(
        label=Channel.INSTAGRAM.label, identity_kinds=(IdentityKind.INSTAGRAM,), receives=True
    ),
    Channel.X: ChannelSpec(label=Channel.X.label, identity_kinds=(IdentityKind.X,), receives=True),
    Channel.WEB: ChannelSpec(label=Channel.WEB.label, receives=True),
    Channel.NOTE: ChannelSpec(label=Channel.NOTE.label),
}

# The order in which sendable channels are tried after the customer's preferred one.
SENDABLE: tuple[str, ...] = tuple(code for code, spec in CHANNELS.items() if spec.sends)
LOGGED: tuple[str, ...] = tuple(code for code, spec in CHANNELS.items() if spec.logged)

_NO_CHANNEL = ChannelSpec(label=Channel.NOTE.label)


def channel_spec(channel: str) -> ChannelSpec:
    """The registry entry of ``channel``; an unknown channel sends and receives nothing."""
    return CHANNELS.get(channel, _NO_CHANNEL)


def channel_sendable(channel: str) -> bool:
    return channel_spec(channel).sends


def channel_identity_kinds(channel: str) -> tuple[str, ...]:
    return channel_spec(channel).identity_kinds


def channel_configured(channel: str) -> bool:
    """Whether the settings a real provider needs for ``channel`` are all there."""
    spec = channel_spec(channel)
    return spec.sends and all(getattr(settings, name, "") for name in spec.requires)


def channel_backend(channel: str) -> MessageBackend:
    """A new instance of the backend that sends on ``channel`` (see ``backend_setting``)."""
    spec = channel_spec(channel)
    if not spec.sends:
        raise ValueError(f"cxcenter does not send on {channel!r}")
    return import_string(getattr(settings, spec.backend_setting))()


def _best(found: list[Identity], kinds: tuple[str, ...]) -> Identity | None:
    # The kind that fits the channel best, then the one seen most recently.
    candidates = [i for i in found if i.kind in kinds]
    if not candidates:
        return None
    return min(candidates, key=lambda i: (kinds.index(i.kind), -i.last_seen.timestamp(), -i.pk))


def channel_address(*, customer_id: int, channel: str) -> Identity | None:
    """The identity to send to on ``channel``: the kind that fits best, then the most recently
    seen one. None when the customer has no address for it. One query."""
    kinds = channel_identity_kinds(channel)
    if not kinds:
        return None
    return _best(list(Identity.objects.filter(customer_id=customer_id, kind__in=kinds)), kinds)


@dataclass(frozen=True)
class ChannelChoice:
    """Where to reach a customer: the channel and identity, or why there is none."""

    channel: str = ""
    identity: Identity | None = None
    # Without a channel: True when an address existed on a channel the customer opted out of.
    opted_out: bool = False

    @property
    def found(self) -> bool:
        return self.identity is not None


def channel_opted_out(*, customer_id: int, channel: str) -> bool:
    return Consent.objects.filter(
        customer_id=customer_id, channel=channel, status=ConsentStatus.OPT_OUT
    ).exists()


def channel_for_customer(
    *, customer: Customer, among: tuple[str, ...] | list[str] | None = None
) -> ChannelChoice:
    """The channel to send to ``customer`` on: their preferred channel when it is among the
    allowed ones, then the others in registry order; a channel they opted out of or have no
    address for is skipped. Two queries whatever the number of channels."""
    allowed = [c for c in (among if among is not None else SENDABLE) if channel_sendable(c)]
    order = [customer.preferred_channel] if customer.preferred_channel in allowed else []
    order += [c for c in allowed if c not in order]
    kinds = {kind for channel in order for kind in channel_identity_kinds(channel)}
    found = list(Identity.objects.filter(customer_id=customer.pk, kind__in=kinds))
    opted_out = set(
        Consent.objects.filter(
            Q(channel__in=order), customer_id=customer.pk, status=ConsentStatus.OPT_OUT
        ).values_list("channel", flat=True)
    )
    blocked = False
    for channel in order:
        identity = _best(found, channel_identity_kinds(channel))
        if identity is None:
            continue
        if channel in opted_out:
            blocked = True
            continue
        return ChannelChoice(channel=channel, identity=identity)
    return ChannelChoice(opted_out=blocked)


def sendable_channel_choices() -> list[tuple[str, str]]:
    """(value, label) of the channels cxcenter can send on, for forms."""
    return [(code, str(CHANNELS[code].label)) for code in SENDABLE]


def channel_label(value: str) -> str:
    """The channel's name for people (``sms`` → "SMS"); an unknown code as it is."""
    return str(CHANNELS[value].label) if value in CHANNELS else value
