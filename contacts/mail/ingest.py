"""The one ingest service for e-mail: RFC 822 bytes in, a contact moment out, stored once per
mailbox + Message-ID (a message without one: a hash of its bytes). The MTA pipe, the IMAP
fetch and the provider webhooks all end here."""

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.mail.models import Attachment, AttachmentRefusal, EmailDetail, Mailbox
from contacts.mail.parse import MailRefused, ParsedAttachment, ParsedMail, mail_parse
from contacts.mail.quotes import quote_split
from contacts.models import (
    Channel,
    Customer,
    DeliveryStatus,
    Direction,
    Identity,
    IdentityKind,
    Interaction,
)
from contacts.services.identity import identity_normalise
from contacts.services.intake import _identity_for_channel, customer_resolve, idempotent_create
from contacts.services.interactions import interaction_record
from contacts.signals import MailHints

SOURCE = "email"
BODY_MAX = 100_000
QUOTED_MAX = 200_000
HTML_MAX = 500_000


class Outcome:
    STORED = "stored"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"


@dataclass(frozen=True)
class MailIngestResult:
    outcome: str
    interaction: Interaction | None
    mailbox: Mailbox | None
    automatic: bool = False
    note: str = ""

    def line(self) -> str:
        """One line for the MTA's log and the command's output."""
        if self.interaction is None:
            return f"{self.outcome}: {self.note}"
        kind = " automatic" if self.automatic else ""
        box = f" for {self.mailbox.address}" if self.mailbox else ""
        return (
            f"{self.outcome}:{kind} contact moment {self.interaction.pk} of customer "
            f"{self.interaction.customer_id}{box}"
        )


def _base_address(address: str) -> str:
    local, _, domain = address.rpartition("@")
    return f"{local.split('+', 1)[0]}@{domain}".lower()


def mailbox_for(*, parsed: ParsedMail, mailbox: Mailbox | None) -> Mailbox | None:
    """The mailbox the message was sent to: the one given, else the first of our active
    addresses among Delivered-To/To/Cc (``support+anything@`` counts as ``support@``)."""
    if mailbox is not None:
        return mailbox
    ours = {m.address.lower(): m for m in Mailbox.objects.filter(is_active=True)}
    for address in parsed.recipients:
        found = ours.get(_base_address(address))
        if found is not None:
            return found
    return None


def _external_id(parsed: ParsedMail) -> str:
    if parsed.message_id and len(parsed.message_id) <= 190:
        return parsed.message_id
    if parsed.message_id:
        return "sha256:" + hashlib.sha256(parsed.message_id.encode()).hexdigest()
    return "raw-sha256:" + parsed.sha256


def _attachment_rows(
    attachments: list[ParsedAttachment], interaction: Interaction
) -> list[Attachment]:
    limit = settings.CXCENTER_MAIL_MAX_ATTACHMENT_BYTES
    allowed = set(settings.CXCENTER_MAIL_ATTACHMENT_TYPES)
    rows = []
    for item in attachments:
        row = Attachment(
            interaction=interaction,
            name=item.name,
            content_type=item.content_type,
            size=len(item.data),
        )
        if len(item.data) > limit:
            row.refused = AttachmentRefusal.TOO_LARGE
        elif item.content_type not in allowed:
            row.refused = AttachmentRefusal.TYPE
        else:
            digest = hashlib.sha256(item.data).hexdigest()
            # Stored under its hash: the same file twice (or a retried message) is one file.
            name = f"mail/{digest[:2]}/{digest}"
            if not default_storage.exists(name):
                name = default_storage.save(name, ContentFile(item.data))
            row.sha256 = digest
            row.file.name = name
        rows.append(row)
    return rows


def _count_for_today(mailbox: Mailbox) -> None:
    today = timezone.localdate()
    if not Mailbox.objects.filter(pk=mailbox.pk, count_day=today).update(
        count_today=F("count_today") + 1
    ):
        Mailbox.objects.filter(pk=mailbox.pk).update(count_day=today, count_today=1)


def _bounce_apply(*, parsed: ParsedMail, original: Interaction | None, now: dt.datetime) -> None:
    """A failed delivery: the address bounces from now on, and the message it was about
    shows as failed with the diagnostic."""
    bounce = parsed.bounce
    if bounce is None or bounce.action not in {"failed", ""}:
        return
    if bounce.recipient:
        Identity.objects.filter(
            kind=IdentityKind.EMAIL, value=bounce.recipient, bouncing_since__isnull=True
        ).update(bouncing_since=now)
    if original is not None:
        Interaction.objects.filter(pk=original.pk).update(
            delivery_status=DeliveryStatus.FAILED,
            delivery_error=(bounce.diagnostic or bounce.status or _("bounced"))[:500],
            delivery_updated_at=now,
        )


def _bounce_target(parsed: ParsedMail) -> tuple[Interaction | None, Identity | None]:
    """The outbound message a bounce is about, and the address that bounced."""
    bounce = parsed.bounce
    if bounce is None:
        return None, None
    original = None
    if bounce.original_message_id:
        bare = bounce.original_message_id.strip("<>")
        original = (
            Interaction.objects.filter(
                message_id__in=[bounce.original_message_id, bare], direction=Direction.OUTBOUND
            )
            .select_related("customer")
            .order_by()
            .first()
        )
    identity = None
    if bounce.recipient:
        identity = (
            Identity.objects.filter(kind=IdentityKind.EMAIL, value=bounce.recipient)
            .select_related("customer")
            .first()
        )
    return original, identity


def mail_ingest(*, raw: bytes, mailbox: Mailbox | None = None) -> MailIngestResult:
    """Store one message as an inbound e-mail contact moment of its sender's customer.

    MailRefused (nothing written) for a message that is too large, not a message, broken
    MIME or without sender. A message already stored returns it (``duplicate``). A bounce
    about an address we do not know, or mail from one of our own mailboxes, is ``ignored``.
    Routing into a case happens in the listeners of ``interaction_recorded``.
    """
    parsed = mail_parse(raw, max_bytes=settings.CXCENTER_MAIL_MAX_BYTES)
    box = mailbox_for(parsed=parsed, mailbox=mailbox)
    if Mailbox.objects.filter(address__iexact=_base_address(parsed.sender)).exists():
        return MailIngestResult(
            Outcome.IGNORED, None, box, note=_("sent by one of our own mailboxes (mail loop)")
        )
    source = f"{SOURCE}:{box.pk}" if box is not None else SOURCE
    external_id = _external_id(parsed)

    def existing() -> Interaction | None:
        rows = Interaction.objects.filter(source=source, external_id=external_id).exclude(
            external_id=""
        )
        return next(iter(rows.order_by()[:1]), None)

    found = existing()
    if found is not None:
        return MailIngestResult(Outcome.DUPLICATE, found, box, automatic=bool(parsed.automatic))
    original, bounced = _bounce_target(parsed)
    customer: Customer | None = None
    if parsed.bounce is not None:
        customer = original.customer if original else (bounced.customer if bounced else None)
        if customer is None:
            return MailIngestResult(
                Outcome.IGNORED,
                None,
                box,
                automatic=True,
                note=_("bounce for an address we do not know: %(address)s")
                % {"address": parsed.bounce.recipient or "?"},
            )
    try:
        sender = identity_normalise(kind=IdentityKind.EMAIL, value=parsed.sender)
    except ValidationError:
        raise MailRefused(_("the sender address is not valid")) from None
    split = quote_split(parsed.text)
    body, quoted = (parsed.text, "") if parsed.bounce else (split.new, split.quoted)
    hints = MailHints(
        message_id=parsed.message_id,
        in_reply_to=parsed.in_reply_to,
        references=tuple(parsed.references),
        recipients=tuple(parsed.recipients),
        automatic=bool(parsed.automatic),
        mailbox_id=box.pk if box else None,
        acknowledge=bool(box and box.acknowledge),
    )

    def create() -> Interaction:
        now = timezone.now()
        if customer is not None:
            owner, identity, created_customer = customer, bounced or None, False
            if identity is not None and identity.customer_id != owner.pk:
                identity = None
        else:
            resolution = customer_resolve(
                identities=[sender], name=parsed.sender_name, seen_at=parsed.date
            )
            owner, created_customer = resolution.customer, resolution.created
            identity = _identity_for_channel(resolution, Channel.EMAIL)
        interaction = interaction_record(
            customer=owner,
            identity=identity,
            channel=Channel.EMAIL,
            direction=Direction.INBOUND,
            occurred_at=parsed.date,
            subject=parsed.subject,
            body=body[:BODY_MAX],
            department=box.department if box else None,
            source=source,
            external_id=external_id,
            created_customer=created_customer,
            message_id=parsed.message_id,
            mail=hints,
        )
        EmailDetail.objects.create(
            interaction=interaction,
            mailbox=box,
            from_address=parsed.sender,
            to=", ".join(parsed.to),
            cc=", ".join(parsed.cc),
            in_reply_to=parsed.in_reply_to,
            references=" ".join(parsed.references),
            headers=parsed.headers,
            quoted=quoted[:QUOTED_MAX],
            html=parsed.html[:HTML_MAX],
            is_automatic=bool(parsed.automatic),
            automatic_reason=parsed.automatic,
            bounce_recipient=parsed.bounce.recipient if parsed.bounce else "",
            bounce_diagnostic=parsed.bounce.diagnostic if parsed.bounce else "",
            size=parsed.size,
            sha256=parsed.sha256,
        )
        Attachment.objects.bulk_create(_attachment_rows(parsed.attachments, interaction))
        _bounce_apply(parsed=parsed, original=original, now=now)
        if not parsed.automatic and identity is not None and identity.bouncing_since:
            # The customer writes from the address again: it works.
            Identity.objects.filter(pk=identity.pk).update(bouncing_since=None)
        if box is not None:
            _count_for_today(box)
        return interaction

    with transaction.atomic():
        interaction, created = idempotent_create(existing=existing, create=create)
    return MailIngestResult(
        Outcome.STORED if created else Outcome.DUPLICATE,
        interaction,
        box,
        automatic=bool(parsed.automatic),
    )
