"""Filing an inbound e-mail into its case: by In-Reply-To/References, then by a signed reply
address, then by the case number in the subject (only from that case's customer). A reply
to a resolved case reopens it within CXCENTER_REOPEN_DAYS; later it opens a new case that
follows the old one. Automatic messages (auto-replies, bounces) never open, reopen or get
an acknowledgement."""

import datetime as dt
import re

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from contacts.models import Interaction
from contacts.replyaddress import reply_address_case
from contacts.signals import MailHints
from contacts.tasks import mail_acknowledge
from journeys.models import Case, CaseMessage
from journeys.services.cases import case_customer_replied, case_reopen
from journeys.services.routing import (
    case_open_for,
    case_route_interaction,
    interaction_needs_routing,
)

# The forms outgoing subjects use ("Re: … (case 12)", Dutch "(zaak 12)") and the common
# "[#12]" of other help desks.
_SUBJECT_CASE = re.compile(r"\[#(\d{1,18})\]|\((?:case|zaak)\s+(\d{1,18})\)", re.IGNORECASE)


def _ids_both_forms(ids: list[str]) -> list[str]:
    """Message-IDs as stored with and without angle brackets (either side may strip them)."""
    out: list[str] = []
    for value in ids:
        bare = value.strip().strip("<>")
        if bare:
            out += [f"<{bare}>", bare]
    return out


def case_for_message_ids(*, ids: list[str], exclude_id: int) -> Case | None:
    """The case of the newest earlier message among ``ids`` (In-Reply-To first)."""
    wanted = _ids_both_forms(ids)
    if not wanted:
        return None
    link = (
        CaseMessage.objects.filter(interaction__message_id__in=wanted)
        .exclude(interaction_id=exclude_id)
        .select_related("case")
        .order_by("-interaction__occurred_at", "-interaction_id")
        .first()
    )
    return link.case if link else None


def case_for_reply_address(*, recipients: tuple[str, ...]) -> Case | None:
    for address in recipients:
        case_id = reply_address_case(address)
        if case_id is not None:
            found = Case.objects.filter(pk=case_id).first()
            if found is not None:
                return found
    return None


def case_for_subject(*, subject: str, customer_id: int) -> Case | None:
    """The case a subject names, only when it is this customer's: a number is guessable."""
    for match in _SUBJECT_CASE.finditer(subject):
        number = int(match.group(1) or match.group(2))
        found = Case.objects.filter(pk=number, customer_id=customer_id).first()
        if found is not None:
            return found
    return None


def email_case_find(*, interaction: Interaction, mail: MailHints) -> Case | None:
    ids = (
        [mail.in_reply_to, *reversed(mail.references)]
        if mail.in_reply_to
        else [*reversed(mail.references)]
    )
    return (
        case_for_message_ids(ids=[i for i in ids if i], exclude_id=interaction.pk)
        or case_for_reply_address(recipients=mail.recipients)
        or case_for_subject(subject=interaction.subject, customer_id=interaction.customer_id)
    )


def _reopen_until(case: Case, now: dt.datetime) -> bool:
    resolved = case.resolved_at or case.closed_at
    return resolved is not None and resolved >= now - dt.timedelta(
        days=settings.CXCENTER_REOPEN_DAYS
    )


@transaction.atomic(savepoint=False)
def email_route(*, interaction: Interaction, mail: MailHints) -> Case | None:
    """File a just-stored inbound e-mail (see the module docstring); returns its case, or
    None for an automatic message (recorded on the timeline only) or one that needs no
    routing."""
    if mail.automatic or not interaction_needs_routing(interaction=interaction):
        return None
    now = timezone.now()
    case = email_case_find(interaction=interaction, mail=mail)
    if case is not None and not case.is_open:
        if _reopen_until(case, now):
            case = case_reopen(case=case, by=None)
        else:
            return _acknowledged(
                case_route_interaction(interaction=interaction, follows=case), interaction, mail
            )
    if case is None:
        case = case_open_for(interaction=interaction)
    if case is not None:
        return case_customer_replied(case=case, interaction=interaction)
    return _acknowledged(case_route_interaction(interaction=interaction), interaction, mail)


def _acknowledged(case: Case, interaction: Interaction, mail: MailHints) -> Case:
    """A new case from a mailbox that acknowledges receipt: the acknowledgement with the
    case number is sent after commit (contacts decides and sends it, once)."""
    if mail.acknowledge and not mail.automatic:
        # celery-types types shared tasks as Task; Celery's Django fixup makes them DjangoTask.
        mail_acknowledge.delay_on_commit(interaction_id=interaction.pk, case_number=case.pk)  # type: ignore[attr-defined]
    return case
