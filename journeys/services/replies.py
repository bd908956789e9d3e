"""Replies from a case: on the customer's preferred (or the chosen) channel, with consent,
through the one outbound path (recorded first, sent after commit) and linked to the case;
e-mail threaded to the customer's last message; canned replies filled in."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from contacts.channels import LOGGED, SENDABLE, channel_address, channel_spec
from contacts.models import Channel, Direction, Interaction, Order, OutboundKind
from contacts.replyaddress import reply_address_for
from contacts.services.interactions import interaction_record
from contacts.services.outbound import Thread, outbound_send
from journeys.models import CannedReply, Case, CaseMessage
from journeys.services.cases import case_record_response

# E-mail threading: at most this many earlier message ids in References (RFC 5322 allows
# more, but mail programs only need the first and the last few).
REFERENCES_KEPT = 10


def reply_channel_default(*, case: Case) -> str:
    """The customer's preferred channel when we can send on it, else the channel the case
    came in on, else e-mail."""
    preferred = case.customer.preferred_channel
    if preferred in SENDABLE:
        return preferred
    origin_channel = case.origin.channel if case.origin_id and case.origin else ""
    if origin_channel in SENDABLE:
        return origin_channel
    return Channel.EMAIL


def case_subject_tag(*, case_id: int) -> str:
    """The case number as it appears in the subject of every e-mail about the case."""
    return f"[#{case_id}]"


def case_thread(*, case: Case) -> Thread:
    """Threading of an e-mail about ``case``: In-Reply-To the customer's last e-mail (or
    our last one), References the e-mails of the case oldest first, the signed reply
    address as Reply-To, the case number in the subject. One query."""
    rows = list(
        CaseMessage.objects.filter(case=case, interaction__channel=Channel.EMAIL)
        .exclude(interaction__message_id="")
        .order_by("-interaction__occurred_at", "-interaction_id")
        .values_list("interaction__message_id", "interaction__direction")[:REFERENCES_KEPT]
    )
    last_inbound = next((mid for mid, direction in rows if direction == Direction.INBOUND), "")
    return Thread(
        in_reply_to=last_inbound or (rows[0][0] if rows else ""),
        references=tuple(mid for mid, _direction in reversed(rows)),
        reply_to=reply_address_for(case_id=case.pk, mailbox_address=settings.CXCENTER_MAIL_ADDRESS),
        subject_tag=case_subject_tag(case_id=case.pk),
    )


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
    nothing is sent or stored. The provider is called after commit; when it fails, the
    reply stays on the case, marked failed with the reason. A colleague's answer since
    ``seen_message_id`` refuses it unless ``confirmed`` (case_record_response).
    """
    channel = channel or reply_channel_default(case=case)
    errors: dict[str, str] = {}
    if not body.strip():
        errors["body"] = _("Write the reply.")
    if channel not in SENDABLE:
        errors["channel"] = _("Replies go by e-mail, SMS or WhatsApp; log calls separately.")
    if errors:
        raise ValidationError(errors)
    if not case.is_open:
        raise ValidationError(_("This case is already resolved or closed; reopen it first."))
    subject = subject.strip() or _("Re: %(subject)s") % {"subject": case.subject}
    with transaction.atomic():
        interaction = outbound_send(
            customer=case.customer,
            channel=channel,
            body=body,
            subject=subject,
            agent=by,
            department=case.department,
            topic=case.topic,
            thread=case_thread(case=case) if channel_spec(channel).has_subject else None,
            kind=OutboundKind.REPLY,
        )
        case_record_response(
            case=case, interaction=interaction, seen_message_id=seen_message_id, confirmed=confirmed
        )
    return interaction


def reply_address_warning(*, case: Case, channel: str) -> str:
    """A warning for the reply form when the address a reply would go to has bounced."""
    identity = channel_address(customer_id=case.customer_id, channel=channel)
    if identity is None or identity.bouncing_since is None:
        return ""
    return _(
        "Mail to %(address)s has bounced since %(date)s; check the address with the customer "
        "or reply on another channel."
    ) % {
        "address": identity.value,
        "date": timezone.localtime(identity.bouncing_since).date().isoformat(),
    }


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
    if channel not in LOGGED:
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
