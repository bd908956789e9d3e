"""Replies from a case: on the customer's preferred (or the chosen) channel, with consent,
recorded as an outbound contact moment and linked to the case; canned replies filled in."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from contacts.models import (
    CHANNEL_IDENTITY_KINDS,
    Channel,
    Consent,
    ConsentStatus,
    Direction,
    Identity,
    Interaction,
    Order,
)
from contacts.services.interactions import interaction_record
from journeys.backends import DeliveryError, message_backend
from journeys.models import CannedReply, Case
from journeys.services.cases import case_record_response

# Channels a reply can be sent on from cxcenter itself.
REPLY_CHANNELS = (Channel.EMAIL, Channel.SMS, Channel.WHATSAPP)
# Channels on which the agent records what happened outside cxcenter (a call, a visit).
LOGGED_CHANNELS = (Channel.PHONE, Channel.STORE, Channel.LETTER)


def reply_channel_default(*, case: Case) -> str:
    """The customer's preferred channel when we can send on it, else the channel the case
    came in on, else e-mail."""
    preferred = case.customer.preferred_channel
    if preferred in REPLY_CHANNELS:
        return preferred
    origin_channel = case.origin.channel if case.origin_id and case.origin else ""
    if origin_channel in REPLY_CHANNELS:
        return origin_channel
    return Channel.EMAIL


def _address(case: Case, channel: str) -> Identity | None:
    kinds = CHANNEL_IDENTITY_KINDS.get(channel, ())
    found = list(Identity.objects.filter(customer_id=case.customer_id, kind__in=kinds))
    if not found:
        return None
    # The kind that fits the channel best, then the one seen most recently.
    return min(found, key=lambda i: (kinds.index(i.kind), -i.last_seen.timestamp()))


def case_reply_send(
    *,
    case: Case,
    by: User,
    body: str,
    channel: str = "",
    subject: str = "",
    seen_message_id: int | None = None,
    confirmed: bool = False,
) -> Interaction:
    """Send ``body`` to the customer and record it on the case.

    Opted out of the channel, no address for it, or an empty text → ValidationError and
    nothing is sent or stored. A failing provider rolls the record back. A colleague's
    answer since ``seen_message_id`` refuses it unless ``confirmed`` (case_record_response).
    """
    channel = channel or reply_channel_default(case=case)
    body = body.strip()
    errors: dict[str, str] = {}
    if not body:
        errors["body"] = _("Write the reply.")
    if channel not in REPLY_CHANNELS:
        errors["channel"] = _("Replies go by e-mail, SMS or WhatsApp; log calls separately.")
    elif Consent.objects.filter(
        customer_id=case.customer_id, channel=channel, status=ConsentStatus.OPT_OUT
    ).exists():
        errors["channel"] = _("The customer opted out of %(channel)s; choose another channel.") % {
            "channel": Channel(channel).label
        }
    if errors:
        raise ValidationError(errors)
    if not case.is_open:
        raise ValidationError(_("This case is already resolved or closed; reopen it first."))
    identity = _address(case, channel)
    if identity is None:
        raise ValidationError(
            {"channel": _("No %(channel)s address is known for this customer.")
             % {"channel": Channel(channel).label}}
        )  # fmt: skip
    subject = subject.strip() or _("Re: %(subject)s (case %(number)s)") % {
        "subject": case.subject,
        "number": case.pk,
    }
    with transaction.atomic():
        interaction = interaction_record(
            customer=case.customer,
            channel=channel,
            direction=Direction.OUTBOUND,
            occurred_at=timezone.now(),
            subject=subject[:300],
            body=body,
            topic=case.topic,
            identity=identity,
            agent=by,
            department=case.department,
        )
        case_record_response(
            case=case, interaction=interaction, seen_message_id=seen_message_id, confirmed=confirmed
        )
        # Sent last: when the provider fails, the transaction rolls the record back.
        _deliver(channel=channel, to=identity.value, subject=subject, body=body)
    return interaction


def _deliver(*, channel: str, to: str, subject: str, body: str) -> None:
    try:
        if channel == Channel.EMAIL:
            EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [to]).send()
        else:
            message_backend(channel=channel).send(channel=channel, to=to, body=body)
    except (DeliveryError, OSError) as exc:
        raise ValidationError(
            _("The message could not be sent (%(error)s); nothing was recorded.") % {"error": exc}
        ) from exc


def case_call_log(
    *,
    case: Case,
    by: User,
    body: str,
    channel: str = Channel.PHONE,
    occurred_at: dt.datetime | None = None,
) -> Interaction:
    """Record a call (or visit, letter) the agent had with the customer as a response."""
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write down what was discussed.")})
    if channel not in LOGGED_CHANNELS:
        raise ValidationError({"channel": _("Log a phone call, store visit or letter.")})
    if not case.is_open:
        raise ValidationError(_("This case is already resolved or closed; reopen it first."))
    with transaction.atomic():
        interaction = interaction_record(
            customer=case.customer,
            channel=channel,
            direction=Direction.OUTBOUND,
            occurred_at=occurred_at or timezone.now(),
            subject=_("Call about case %(number)s") % {"number": case.pk},
            body=body,
            topic=case.topic,
            agent=by,
            department=case.department,
        )
        case_record_response(case=case, interaction=interaction)
    return interaction


def canned_reply_render(*, reply: CannedReply, case: Case) -> str:
    """The reply's text with {customer_name}, {case_number} and {order} filled in."""
    order = (
        Order.objects.filter(customer_id=case.customer_id)
        .order_by("-ordered_at", "-id")
        .values_list("external_id", flat=True)
        .first()
    )
    values = {
        "customer_name": case.customer.name or "",
        "case_number": str(case.pk),
        "order": order or "",
    }
    text = reply.body
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return text
