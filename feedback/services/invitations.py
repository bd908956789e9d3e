"""Survey invitations: scheduled when an order is delivered, sent by the beat job at their due
time on the customer's preferred channel (with consent), reminded at most twice, expired.

Tokens: every message carries a new random token and only its SHA-256 hash is stored (one
``InvitationToken`` per message, at most three). Keeping the hashes of all sent links, not
only the newest, means the link in the first e-mail still works after a reminder went out;
the database still holds nothing a visitor could use.
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from contacts.channels import ChannelChoice, channel_for_customer, channel_spec
from contacts.models import Customer, Identity, Order, OutboundKind
from contacts.services.outbound import outbound_send
from feedback.models import (
    Invitation,
    InvitationStatus,
    InvitationToken,
    SkipReason,
    Survey,
)
from feedback.tokens import token_hash, token_new

logger = logging.getLogger(__name__)

PENDING = (InvitationStatus.SCHEDULED, InvitationStatus.SENT)


def survey_active() -> Survey | None:
    return Survey.objects.filter(is_active=True).first()


def invitation_schedule(*, order_id: int, now: dt.datetime | None = None) -> Invitation | None:
    """Create the invitation for a delivered order (once per order and survey) and, when it
    is due already, send it right after commit; later ones are sent by the beat job.

    Called from the ``order_delivered`` signal inside the intake transaction. Calling it
    again for the same order returns the existing invitation and changes nothing.
    """
    now = now or timezone.now()
    survey = survey_active()
    if survey is None:
        return None
    order = Order.objects.filter(pk=order_id).values("customer_id", "product_sku", "delivered_at")
    row = order.first()
    if row is None:
        return None
    due = (row["delivered_at"] or now) + dt.timedelta(hours=survey.delay_hours)
    invitation, created = Invitation.objects.get_or_create(
        order_id=order_id,
        survey=survey,
        defaults={
            "customer_id": row["customer_id"],
            "product_sku": row["product_sku"],
            "due_at": due,
            "expires_at": max(due, now) + dt.timedelta(days=survey.expiry_days),
        },
    )
    if created and due <= now:
        from feedback.tasks import invitation_send_task

        # celery-types types shared tasks as Task; Celery's Django fixup makes them DjangoTask.
        invitation_send_task.delay_on_commit(invitation.pk)  # type: ignore[attr-defined]
    return invitation


def _reachable_customer(customer: Customer) -> Customer:
    # A merged customer's messages go to the record they were merged into.
    seen = 0
    while customer.merged_into_id and seen < 5:
        customer = Customer.objects.get(pk=customer.merged_into_id)
        seen += 1
    return customer


def channel_choose(*, customer: Customer) -> tuple[str, Identity] | SkipReason:
    """(channel, identity) to invite ``customer`` on: the preferred channel first, then the
    others the registry can send on; a channel the customer opted out of is never used.
    Without a channel left: the reason (opted out, or no address at all)."""
    choice: ChannelChoice = channel_for_customer(customer=customer)
    if choice.identity is None:
        return SkipReason.OPTED_OUT if choice.opted_out else SkipReason.NO_ADDRESS
    return choice.channel, choice.identity


def _next_due(
    invitation: Invitation, *, first_sent: dt.datetime, sends_after: int
) -> dt.datetime | None:
    """When the next reminder is due after ``sends_after`` messages, or None for no more."""
    offsets = invitation.survey.reminder_offsets_days()
    index = sends_after - 1  # after the first message, the first reminder is next
    if index >= len(offsets):
        return None
    due = first_sent + dt.timedelta(days=offsets[index])
    return due if due < invitation.expires_at else None


def survey_link(token: str) -> str:
    return f"{settings.SITE_URL}{reverse('survey:answer', kwargs={'token': token})}"


def _message(
    invitation: Invitation, *, customer: Customer, link: str, reminder: bool
) -> tuple[str, str]:
    with translation.override(customer.language or "nl"):
        subject = _("Reminder: how did we do?") if reminder else _("How did we do?")
        greeting = _("Dear %(name)s,") % {"name": customer.name} if customer.name else _("Hello,")
        body = "\n\n".join(
            [
                greeting,
                _(
                    "Your order has been delivered. Would you tell us how it went? It takes a minute."
                ),
                link,
                _("This link works until %(date)s.")
                % {"date": timezone.localtime(invitation.expires_at).date().isoformat()},
            ]
        )
    return subject, body


def _finish(invitation: Invitation, **changes: object) -> bool:
    """Move a pending invitation to a final state, unless someone else moved it first."""
    return bool(
        Invitation.objects.filter(
            pk=invitation.pk, status=invitation.status, reminders_sent=invitation.reminders_sent
        ).update(due_at=None, **changes)
    )


def invitation_send(*, invitation_id: int, now: dt.datetime | None = None) -> str:
    """Send the message (first or reminder) that is due for one invitation.

    The row is claimed with a conditional UPDATE on the state read (status, reminders sent,
    due time); a second worker's UPDATE matches nothing and it stops. The message is
    recorded in the same transaction through the outbound path, which sends it after
    commit and retries a failing provider itself, so the invitation is sent once.
    Returns what happened: sent, reminded, skipped, expired or not_due.
    """
    now = now or timezone.now()
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_related("survey", "customer").filter(pk=invitation_id).first()
        )
        if (
            invitation is None
            or invitation.status not in PENDING
            or invitation.due_at is None
            or invitation.due_at > now
        ):
            return "not_due"
        if invitation.expires_at <= now:
            _finish(invitation, status=InvitationStatus.EXPIRED)
            return "expired"
        customer = _reachable_customer(invitation.customer)
        if customer.erased_at is not None:
            _finish(invitation, status=InvitationStatus.SKIPPED, skip_reason=SkipReason.ERASED)
            return "skipped"
        choice = channel_choose(customer=customer)
        if isinstance(choice, SkipReason):
            if invitation.status == InvitationStatus.SENT:
                # Opted out after the first message: no reminders, the link stays valid.
                _finish(invitation, status=InvitationStatus.SENT)
                return "skipped"
            _finish(invitation, status=InvitationStatus.SKIPPED, skip_reason=choice)
            return "skipped"
        channel, identity = choice
        reminder = invitation.status == InvitationStatus.SENT
        sends_after = invitation.reminders_sent + 1 + (1 if reminder else 0)
        first_sent = invitation.sent_at or now
        claimed = Invitation.objects.filter(
            pk=invitation.pk,
            status=invitation.status,
            reminders_sent=invitation.reminders_sent,
            due_at=invitation.due_at,
        ).update(
            status=InvitationStatus.SENT,
            channel=channel,
            sent_at=first_sent,
            last_sent_at=now,
            reminders_sent=F("reminders_sent") + (1 if reminder else 0),
            due_at=_next_due(invitation, first_sent=first_sent, sends_after=sends_after),
        )
        if not claimed:
            return "not_due"
        token = token_new()
        InvitationToken.objects.create(invitation=invitation, token_hash=token_hash(token))
        subject, body = _message(
            invitation, customer=customer, link=survey_link(token), reminder=reminder
        )
        if not channel_spec(channel).has_subject:
            body = f"{subject}\n{body}"
        outbound_send(
            customer=customer,
            channel=channel,
            body=body,
            subject=subject,
            kind=OutboundKind.REMINDER if reminder else OutboundKind.INVITATION,
            identity=identity,
        )
    return "reminded" if reminder else "sent"


def invitations_expire(*, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    return Invitation.objects.filter(status__in=PENDING, expires_at__lte=now).update(
        status=InvitationStatus.EXPIRED, due_at=None
    )


def invitations_send_due(*, now: dt.datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Expire what ran out, then send every due invitation (first messages and reminders).

    Safe to run any number of times and in parallel: each row is claimed before sending.
    One failing message is logged and retried on the next run; it does not stop the rest.
    """
    now = now or timezone.now()
    counts = {"expired": invitations_expire(now=now)}
    due_ids = list(
        Invitation.objects.filter(status__in=PENDING, due_at__lte=now)
        .order_by("due_at")
        .values_list("pk", flat=True)[:limit]
    )
    for invitation_id in due_ids:
        try:
            result = invitation_send(invitation_id=invitation_id, now=now)
        except Exception:
            logger.exception("feedback invitation %s could not be sent", invitation_id)
            result = "failed"
        counts[result] = counts.get(result, 0) + 1
    return counts


def invitation_mark_opened(*, invitation: Invitation, now: dt.datetime | None = None) -> None:
    """Record the first time the link was opened (a timestamp only; nothing else changes)."""
    if invitation.opened_at is None:
        Invitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(
            opened_at=now or timezone.now()
        )
