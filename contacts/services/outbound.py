"""The one outbound path: everything that leaves cxcenter (case replies, acknowledgements,
survey invitations and reminders, campaign messages, test messages) is validated, recorded
as an outbound contact moment with delivery status "queued", and handed to the provider
after commit by a Celery task, never inside a database transaction.

Delivery status: queued → sending (claimed by one worker) → sent → delivered → read, or
failed with the reason. A transient failure puts the message back to queued and the task
retries with exponential backoff; after the last attempt it is failed. A claim is a
conditional UPDATE, so a task that runs twice sends once.
"""

import datetime as dt
import logging
from dataclasses import dataclass
from email.utils import make_msgid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Department, User
from contacts.backends import Message, PermanentDeliveryError, TransientDeliveryError
from contacts.channels import (
    channel_address,
    channel_backend,
    channel_identity_kinds,
    channel_opted_out,
    channel_spec,
)
from contacts.models import (
    Channel,
    Customer,
    DeliveryStatus,
    Direction,
    Identity,
    Interaction,
    OutboundKind,
    OutboundMessage,
)
from contacts.services.identity import identity_normalise
from contacts.services.intake import customer_resolve
from contacts.services.interactions import interaction_record

logger = logging.getLogger(__name__)

MAX_BODY = 10_000
MAX_ERROR = 500
# Automatic messages say so (RFC 3834), so that the customer's auto-responder stays quiet.
AUTO_SUBMITTED = {
    OutboundKind.ACKNOWLEDGEMENT: "auto-replied",
    OutboundKind.INVITATION: "auto-generated",
    OutboundKind.REMINDER: "auto-generated",
    OutboundKind.CAMPAIGN: "auto-generated",
}
# Provider receipts move a message forward only: "read" never becomes "delivered".
PROGRESS = [DeliveryStatus.SENT, DeliveryStatus.DELIVERED, DeliveryStatus.READ]
# A worker that holds a claim this long has died; a queued message this long was lost by
# the broker (longer than the longest backoff between attempts).
SENDING_STUCK_AFTER = dt.timedelta(minutes=15)
QUEUED_STUCK_AFTER = dt.timedelta(minutes=30)


@dataclass(frozen=True)
class Thread:
    """E-mail threading of a message, built by the caller (journeys builds it for a case):
    the message id it answers, the chain of earlier ones, the signed reply address and a
    tag that carries the case number in the subject."""

    in_reply_to: str = ""
    references: tuple[str, ...] = ()
    reply_to: str = ""
    subject_tag: str = ""


def _mail_domain() -> str:
    return settings.CXCENTER_MAIL_ADDRESS.rpartition("@")[2] or "localhost"


def _subject(subject: str, thread: Thread | None) -> str:
    subject = " ".join(subject.split())
    if thread and thread.subject_tag and thread.subject_tag not in subject:
        subject = f"{subject} {thread.subject_tag}".strip()
    return subject[:300]


def outbound_validate(
    *, customer: Customer, channel: str, body: str, identity: Identity | None = None
) -> Identity:
    """The identity to send to, or ValidationError saying what is wrong (per field)."""
    errors: dict[str, str] = {}
    if not body.strip():
        errors["body"] = _("Write the message.")
    elif len(body) > MAX_BODY:
        errors["body"] = _("The message is longer than %(max)s characters.") % {"max": MAX_BODY}
    label = channel_spec(channel).label
    if not channel_spec(channel).sends:
        errors["channel"] = _("cxcenter does not send on %(channel)s.") % {"channel": label}
    elif channel_opted_out(customer_id=customer.pk, channel=channel):
        errors["channel"] = _("The customer opted out of %(channel)s; choose another channel.") % {
            "channel": label
        }
    if errors:
        raise ValidationError(errors)
    if not customer.is_active_record:
        raise ValidationError(_("This customer was merged or erased; nothing was sent."))
    if identity is None:
        identity = channel_address(customer_id=customer.pk, channel=channel)
    if identity is None or identity.customer_id != customer.pk:
        raise ValidationError(
            {
                "channel": _("No %(channel)s address is known for this customer.")
                % {"channel": label}
            }
        )
    return identity


@transaction.atomic
def outbound_send(
    *,
    customer: Customer,
    channel: str,
    body: str,
    subject: str = "",
    agent: User | None = None,
    department: Department | None = None,
    topic: str = "",
    campaign_code: str = "",
    thread: Thread | None = None,
    kind: str = OutboundKind.REPLY,
    identity: Identity | None = None,
) -> Interaction:
    """Record a message to ``customer`` on ``channel`` as queued and send it after commit.

    Opted out of the channel, no address for it, an empty or oversized text, a channel
    cxcenter cannot send on, a merged or erased customer → ValidationError and nothing is
    stored. The returned contact moment shows the delivery status as it changes.
    """
    body = body.strip()
    identity = outbound_validate(customer=customer, channel=channel, body=body, identity=identity)
    is_email = channel == Channel.EMAIL
    interaction = interaction_record(
        customer=customer,
        channel=channel,
        direction=Direction.OUTBOUND,
        occurred_at=timezone.now(),
        subject=_subject(subject, thread),
        body=body,
        topic=topic,
        campaign_code=campaign_code,
        identity=identity,
        agent=agent,
        department=department,
        # E-mail: our Message-ID, known before sending, so that a reply finds this moment.
        message_id=make_msgid(domain=_mail_domain()) if is_email else "",
        delivery_status=DeliveryStatus.QUEUED,
    )
    OutboundMessage.objects.create(
        interaction=interaction,
        kind=kind,
        to_address=identity.value,
        reply_to=(thread.reply_to if thread and is_email else ""),
        in_reply_to=(thread.in_reply_to if thread and is_email else ""),
        references=(" ".join(thread.references) if thread and is_email else ""),
    )
    from contacts.tasks import outbound_deliver_task

    # celery-types types shared tasks as Task; Celery's Django fixup makes them DjangoTask.
    outbound_deliver_task.delay_on_commit(interaction.pk)  # type: ignore[attr-defined]
    return interaction


def outbound_test_send(*, channel: str, address: str, by: User) -> Interaction:
    """A test message from Settings → Channels to ``address`` (found or added as a
    customer's identity), through the outbound path like any other message."""
    if not channel_spec(channel).sends:
        raise ValidationError({"channel": _("Choose e-mail, SMS or WhatsApp.")})
    try:
        value = identity_normalise(kind=channel_identity_kinds(channel)[0], value=address)
    except ValidationError as exc:
        raise ValidationError({"address": exc.messages}) from exc
    with transaction.atomic():
        resolution = customer_resolve(identities=[value], seen_at=timezone.now())
        identity = resolution.identities[(value.kind, value.value)]
        return outbound_send(
            customer=resolution.customer,
            channel=channel,
            subject=_("Test message from cxcenter"),
            body=_(
                "This is a test message sent by %(user)s from Settings → Channels. "
                "If it arrived, the channel works."
            )
            % {"user": by.get_full_name() or by.get_username()},
            agent=by,
            department=by.department,
            kind=OutboundKind.TEST,
            identity=identity,
        )


def _message(interaction: Interaction, outbound: OutboundMessage) -> Message:
    headers: tuple[tuple[str, str], ...] = ()
    if outbound.kind in AUTO_SUBMITTED:
        headers = (("Auto-Submitted", AUTO_SUBMITTED[OutboundKind(outbound.kind)]),)
    return Message(
        channel=interaction.channel,
        to=outbound.to_address,
        body=interaction.body,
        subject=interaction.subject,
        message_id=interaction.message_id,
        in_reply_to=outbound.in_reply_to,
        references=tuple(outbound.references.split()),
        reply_to=outbound.reply_to,
        headers=headers,
    )


def _settle(interaction_id: int, status: str, *, error: str = "", message_id: str = "") -> None:
    """Leave "sending" for ``status``, unless a receipt already moved the message on."""
    changes: dict[str, object] = {
        "delivery_status": status,
        "delivery_error": error[:MAX_ERROR],
        "delivery_updated_at": timezone.now(),
    }
    if message_id:
        changes["message_id"] = message_id[:255]
    Interaction.objects.filter(pk=interaction_id, delivery_status=DeliveryStatus.SENDING).update(
        **changes
    )


def outbound_deliver(*, interaction_id: int, final_attempt: bool) -> str:
    """Hand one queued message to its provider. Runs in a worker, outside any transaction.

    Returns "sent", "retry" (transient failure, back to queued: call again later),
    "failed", or "skipped" (not queued: already sent, being sent, or unknown).
    """
    claimed = Interaction.objects.filter(
        pk=interaction_id, direction=Direction.OUTBOUND, delivery_status=DeliveryStatus.QUEUED
    ).update(delivery_status=DeliveryStatus.SENDING, delivery_updated_at=timezone.now())
    if not claimed:
        return "skipped"
    OutboundMessage.objects.filter(pk=interaction_id).update(attempts=F("attempts") + 1)
    interaction = Interaction.objects.select_related("outbound").get(pk=interaction_id)
    try:
        provider_id = channel_backend(interaction.channel).send(
            _message(interaction, interaction.outbound)
        )
    except PermanentDeliveryError as exc:
        _settle(interaction_id, DeliveryStatus.FAILED, error=str(exc))
        return "failed"
    except TransientDeliveryError as exc:
        if final_attempt:
            _settle(interaction_id, DeliveryStatus.FAILED, error=str(exc))
            return "failed"
        _settle(interaction_id, DeliveryStatus.QUEUED, error=str(exc))
        return "retry"
    except Exception as exc:
        # A fault in a backend, not in the provider: trying again would fail the same way.
        logger.exception("outbound %s: backend error", interaction_id)
        _settle(interaction_id, DeliveryStatus.FAILED, error=f"{type(exc).__name__}: {exc}")
        return "failed"
    _settle(interaction_id, DeliveryStatus.SENT, message_id=provider_id)
    return "sent"


def outbound_receipt(
    *, message_id: str, status: str, error: str = "", channels: tuple[str, ...] = ()
) -> int:
    """A provider's receipt (sent, delivered, read, failed) for the outbound message with
    ``message_id``; it never moves a message backwards. Returns the rows changed (0 for an
    unknown id, a stale or a repeated receipt)."""
    if not message_id or status not in {*PROGRESS, DeliveryStatus.FAILED}:
        return 0
    if status == DeliveryStatus.FAILED:
        # A failure after "sent" is possible (the handset never got it); not after delivery.
        later = [DeliveryStatus.DELIVERED, DeliveryStatus.READ, DeliveryStatus.FAILED]
    else:
        later = PROGRESS[PROGRESS.index(DeliveryStatus(status)) :]
    rows = Interaction.objects.filter(message_id=message_id, direction=Direction.OUTBOUND)
    if channels:
        rows = rows.filter(channel__in=channels)
    return rows.exclude(delivery_status__in=later).update(
        delivery_status=status,
        delivery_error=error[:MAX_ERROR] if status == DeliveryStatus.FAILED else "",
        delivery_updated_at=timezone.now(),
    )


def outbound_sweep(*, now: dt.datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Beat: messages no worker will finish. A claim held too long (the worker died while
    sending) is marked failed — it may or may not have arrived, so it is not sent again; a
    message queued too long (the broker lost the task) is queued again."""
    now = now or timezone.now()
    stuck = list(
        Interaction.objects.filter(
            delivery_status=DeliveryStatus.SENDING,
            delivery_updated_at__lt=now - SENDING_STUCK_AFTER,
        ).values_list("pk", flat=True)[:limit]
    )
    failed = 0
    if stuck:
        failed = Interaction.objects.filter(
            pk__in=stuck, delivery_status=DeliveryStatus.SENDING
        ).update(
            delivery_status=DeliveryStatus.FAILED,
            delivery_error=_("The sending worker stopped; it is unknown whether it arrived."),
            delivery_updated_at=now,
        )
    lost = list(
        Interaction.objects.filter(
            Q(delivery_updated_at__lt=now - QUEUED_STUCK_AFTER),
            delivery_status=DeliveryStatus.QUEUED,
        ).values_list("pk", flat=True)[:limit]
    )
    from contacts.tasks import outbound_deliver_task

    # Touched, so that a long queue (a big campaign) is not queued again on every run.
    Interaction.objects.filter(pk__in=lost, delivery_status=DeliveryStatus.QUEUED).update(
        delivery_updated_at=now
    )
    for interaction_id in lost:
        # celery-types types shared tasks as Task; Celery's Django fixup makes them DjangoTask.
        outbound_deliver_task.delay_on_commit(interaction_id)  # type: ignore[attr-defined]
    return {"failed": failed, "requeued": len(lost)}
