"""Acknowledgement of receipt: when a mailbox sends one (on, not for automatic messages, not
to a bouncing address, once per message) and what it says (the case number in the subject,
as outgoing replies carry it, so the customer's answer threads back into the case)."""

import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from contacts.mail.models import EmailDetail

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Acknowledgement:
    interaction_id: int
    customer_id: int
    case_number: int
    to: str
    from_address: str
    subject: str
    body: str
    in_reply_to: str


def _default_text() -> str:
    return _(
        "Thank you for your message. We received it and registered it as case "
        "{case_number}. We will answer as soon as we can; keep the case number in the "
        "subject when you write to us about it."
    )


def acknowledgement_compose(*, detail: EmailDetail, case_number: int) -> Acknowledgement | None:
    """The acknowledgement for this e-mail, or None when none is due: the mailbox does not
    acknowledge, the message was automatic (no mail loops), already acknowledged, or the
    sender's address bounces."""
    mailbox = detail.mailbox
    interaction = detail.interaction
    if mailbox is None or not mailbox.acknowledge or not mailbox.is_active:
        return None
    if detail.is_automatic or detail.acknowledged_at is not None:
        return None
    identity = interaction.identity
    if identity is not None and identity.bouncing_since is not None:
        return None
    with translation.override(interaction.customer.language or "nl"):
        template = mailbox.acknowledgement_text.strip() or _default_text()
        values = {"case_number": str(case_number), "subject": interaction.subject}
        body = template
        for name, value in values.items():
            body = body.replace("{" + name + "}", value)
        subject = _("Re: %(subject)s (case %(number)s)") % {
            "subject": interaction.subject or _("your message"),
            "number": case_number,
        }
    return Acknowledgement(
        interaction_id=interaction.pk,
        customer_id=interaction.customer_id,
        case_number=case_number,
        to=detail.from_address,
        from_address=mailbox.address,
        subject=subject[:300],
        body=body,
        in_reply_to=interaction.message_id,
    )


def acknowledgement_deliver(*, acknowledgement: Acknowledgement) -> bool:
    """Hand the acknowledgement to the one outbound path: recorded as an outbound contact
    moment now, sent after commit by a worker, threaded to the customer's message and
    answered through the case's signed reply address. False (nothing recorded) when the
    customer may not get it, e.g. opted out of e-mail."""
    from contacts.models import Channel, Customer, Identity, IdentityKind
    from contacts.replyaddress import reply_address_for
    from contacts.services.outbound import OutboundKind, Thread, outbound_send

    customer = Customer.objects.get(pk=acknowledgement.customer_id)
    identity = Identity.objects.filter(
        customer_id=customer.pk, kind=IdentityKind.EMAIL, value=acknowledgement.to.lower()
    ).first()
    thread = Thread(
        in_reply_to=acknowledgement.in_reply_to,
        references=(acknowledgement.in_reply_to,) if acknowledgement.in_reply_to else (),
        reply_to=reply_address_for(
            case_id=acknowledgement.case_number, mailbox_address=acknowledgement.from_address
        ),
    )
    try:
        outbound_send(
            customer=customer,
            channel=Channel.EMAIL,
            subject=acknowledgement.subject,
            body=acknowledgement.body,
            thread=thread,
            kind=OutboundKind.ACKNOWLEDGEMENT,
            identity=identity,
        )
    except ValidationError as exc:
        logger.info(
            "acknowledgement for contact moment %s not sent: %s",
            acknowledgement.interaction_id,
            "; ".join(exc.messages),
        )
        return False
    return True


def mail_acknowledge(*, interaction_id: int, case_number: int) -> bool:
    """Send the acknowledgement for one inbound e-mail at most once: the message is claimed
    with a conditional UPDATE, so a task run twice (or by two workers) sends one."""
    with transaction.atomic():
        detail = (
            EmailDetail.objects.select_related(
                "mailbox", "interaction", "interaction__customer", "interaction__identity"
            )
            .filter(pk=interaction_id)
            .first()
        )
        if detail is None:
            return False
        acknowledgement = acknowledgement_compose(detail=detail, case_number=case_number)
        if acknowledgement is None:
            return False
        claimed = EmailDetail.objects.filter(
            pk=interaction_id, acknowledged_at__isnull=True
        ).update(acknowledged_at=timezone.now())
        if not claimed:
            return False
        if not acknowledgement_deliver(acknowledgement=acknowledgement):
            transaction.set_rollback(True)
            return False
    return True
