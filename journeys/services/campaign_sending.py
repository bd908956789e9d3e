"""A live campaign sends: its audience after suppression becomes recipients (one row per
customer and step), due recipients are claimed in batches and each is handed to the
outbound path as a contact moment with the campaign code, on the customer's preferred
channel among the campaign's channels. Replies are matched to the message they answer;
contacts about campaigns nobody warned the contact center about are recorded.

At most once: a recipient row is unique per campaign, customer and step; a batch claims
rows with a conditional UPDATE (and ``skip_locked`` on PostgreSQL), and the contact moment
and the row's "sent" are written in one transaction under the row's lock, checked against
the claim token. A worker that dies before that commit leaves a claim that is released to
"pending" later; one that died after it left a "sent" row. Either way the customer gets one
message.
"""

import datetime as dt
import logging
import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.channels import channel_for_customer
from contacts.models import Customer, DeliveryStatus, Direction, Interaction, OutboundKind
from contacts.services.outbound import outbound_send
from journeys.models import (
    MESSAGE_STEP,
    REMINDER_STEPS,
    Campaign,
    CampaignRecipient,
    CampaignStatus,
    CaseMessage,
    RecipientStatus,
    UnwarnedCampaignContact,
    UnwarnedReason,
)
from journeys.selectors.campaigns import campaign_audience, campaign_frequency_cap_days

logger = logging.getLogger(__name__)

CLAIM_STUCK_AFTER = dt.timedelta(minutes=15)
# Reminders go to those whose message was not opened (read) and not answered; a message that
# failed (a bounce) is not followed by a reminder either.
NO_REMINDER_AFTER = (DeliveryStatus.READ, DeliveryStatus.FAILED)
# The campaign form's fields of the message and its reminders.
MESSAGE_FIELDS = (
    "message_subject",
    "message_body",
    "reminder_1_days",
    "reminder_1_body",
    "reminder_2_days",
    "reminder_2_body",
)
MAX_TEXT = 10_000
_PLACEHOLDER = re.compile(r"\{(name|first_name|code)\}")


def campaign_send_batch_size() -> int:
    return int(getattr(settings, "CAMPAIGN_SEND_BATCH", 500))


def campaign_plan_batch_size() -> int:
    return int(getattr(settings, "CAMPAIGN_PLAN_BATCH", 5000))


def campaign_reply_window_days() -> int:
    return int(getattr(settings, "CAMPAIGN_REPLY_WINDOW_DAYS", 14))


# --- The text --------------------------------------------------------------------------


def campaign_step_text(*, campaign: Campaign, step: int) -> str:
    if step == MESSAGE_STEP:
        return campaign.message_body
    return getattr(campaign, f"reminder_{step}_body", "")


def campaign_message_render(
    *, campaign: Campaign, customer: Customer, step: int
) -> tuple[str, str]:
    """Subject and text for ``customer``. Only the known placeholders are replaced (a plain
    substitution, never ``str.format``: the text is written by users)."""
    name = customer.name.strip()
    values = {"name": name, "first_name": name.split(" ")[0] if name else "", "code": campaign.code}

    def fill(text: str) -> str:
        return _PLACEHOLDER.sub(lambda m: values[m[1]], text)

    subject = fill(campaign.message_subject or campaign.name)
    if step != MESSAGE_STEP:
        subject = _("Reminder: %(subject)s") % {"subject": subject}
    return subject, fill(campaign_step_text(campaign=campaign, step=step))


def campaign_sending_problems(*, values: dict) -> dict[str, str]:
    """Per field, what is wrong with the message and reminder fields of a campaign form."""
    errors: dict[str, str] = {}
    for key in ("message_body", "reminder_1_body", "reminder_2_body"):
        if len(values.get(key) or "") > MAX_TEXT:
            errors[key] = _("At most %(max)s characters.") % {"max": MAX_TEXT}
    for step in REMINDER_STEPS:
        days, body = values.get(f"reminder_{step}_days"), values.get(f"reminder_{step}_body", "")
        if f"reminder_{step}_body" in errors:
            continue
        if (days is None) != (not (body or "").strip()):
            errors[f"reminder_{step}_body"] = _("Give both the delay and the text, or neither.")
        elif days is not None and not 1 <= days <= 60:
            errors[f"reminder_{step}_days"] = _("Between 1 and 60 days.")
    if values.get("reminder_2_days") is not None and values.get("reminder_1_days") is None:
        errors["reminder_2_days"] = _("The second reminder needs a first one.")
    return errors


# --- Recipients ------------------------------------------------------------------------


def campaign_sending_campaigns(*, now: dt.datetime) -> list[Campaign]:
    """Live campaigns inside their window with a message to send."""
    return list(
        Campaign.objects.filter(status=CampaignStatus.LIVE, launch_at__lte=now, end_at__gt=now)
        .exclude(message_body="")
        .select_related("segment", "owner")
        .order_by("launch_at", "id")
    )


def campaign_recipients_plan(*, campaign: Campaign, now: dt.datetime | None = None) -> int:
    """Turn the next slice of the audience after suppression into recipients of the message
    (keyset on customer id, so a million customers are planned over several runs), then the
    reminders now due. Returns the rows added; safe to run twice (the unique constraint)."""
    now = now or timezone.now()
    limit = campaign_plan_batch_size()
    added = 0
    if campaign.recipients_planned_at is None:
        ids = list(
            campaign_audience(campaign=campaign, now=now)
            .filter(pk__gt=campaign.recipients_cursor)
            .order_by("pk")
            .values_list("pk", flat=True)[:limit]
        )
        added += _add(campaign=campaign, customer_ids=ids, step=MESSAGE_STEP, now=now)
        changes: dict[str, object] = {}
        if ids:
            changes["recipients_cursor"] = ids[-1]
        if len(ids) < limit:
            changes["recipients_planned_at"] = now
        if changes:
            Campaign.objects.filter(pk=campaign.pk).update(**changes)
            for key, value in changes.items():
                setattr(campaign, key, value)
    for step in REMINDER_STEPS:
        days = getattr(campaign, f"reminder_{step}_days")
        if days is None or not campaign_step_text(campaign=campaign, step=step).strip():
            continue
        due = list(
            CampaignRecipient.objects.filter(
                campaign=campaign,
                step=step - 1,
                status=RecipientStatus.SENT,
                sent_at__lte=now - dt.timedelta(days=days),
                replied_at__isnull=True,
            )
            .exclude(interaction__delivery_status__in=NO_REMINDER_AFTER)
            .exclude(
                Exists(
                    CampaignRecipient.objects.filter(
                        campaign=campaign, customer=OuterRef("customer"), step=step
                    )
                )
            )
            .order_by("sent_at", "id")
            .values_list("customer_id", flat=True)[:limit]
        )
        added += _add(campaign=campaign, customer_ids=due, step=step, now=now)
    return added


def _add(*, campaign: Campaign, customer_ids: list[int], step: int, now: dt.datetime) -> int:
    if not customer_ids:
        return 0
    rows = [
        CampaignRecipient(campaign=campaign, customer_id=pk, step=step, not_before=now)
        for pk in customer_ids
    ]
    CampaignRecipient.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return len(rows)


def campaign_claims_release(*, now: dt.datetime | None = None) -> int:
    """Claims held longer than a worker needs: the worker died before sending; waiting again."""
    now = now or timezone.now()
    return CampaignRecipient.objects.filter(
        status=RecipientStatus.CLAIMED, claimed_at__lt=now - CLAIM_STUCK_AFTER
    ).update(status=RecipientStatus.PENDING, claim="", claimed_at=None)


# --- Sending ---------------------------------------------------------------------------


def quiet_hours_until(*, customer: Customer, now: dt.datetime) -> dt.datetime | None:
    """The end of the customer's quiet hours when ``now`` falls inside them, else None.
    Quiet hours are local time and may span midnight (22:00–08:00)."""
    start, end = customer.quiet_hours_start, customer.quiet_hours_end
    if start is None or end is None or start == end:
        return None
    local = timezone.localtime(now)
    t = local.time()
    tz = local.tzinfo
    if start < end:
        if start <= t < end:
            return dt.datetime.combine(local.date(), end, tzinfo=tz)
        return None
    if t >= start:
        return dt.datetime.combine(local.date() + dt.timedelta(days=1), end, tzinfo=tz)
    if t < end:
        return dt.datetime.combine(local.date(), end, tzinfo=tz)
    return None


def _claim(*, campaign_id: int, now: dt.datetime, limit: int) -> tuple[str, list[int]]:
    token = secrets.token_hex(16)
    with transaction.atomic():
        ids = list(
            CampaignRecipient.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(campaign_id=campaign_id, status=RecipientStatus.PENDING, not_before__lte=now)
            .order_by("not_before", "id")
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            CampaignRecipient.objects.filter(pk__in=ids, status=RecipientStatus.PENDING).update(
                status=RecipientStatus.CLAIMED, claim=token, claimed_at=now
            )
    return token, ids


def _capped(*, campaign: Campaign, customer_id: int, now: dt.datetime) -> bool:
    since = now - dt.timedelta(days=campaign_frequency_cap_days())
    return (
        Interaction.objects.filter(
            customer_id=customer_id, direction=Direction.OUTBOUND, occurred_at__gte=since
        )
        .exclude(campaign_code="")
        .exclude(campaign_code=campaign.code)
        .exists()
    )


def _skip(recipient: CampaignRecipient, reason: str) -> str:
    recipient.status = RecipientStatus.SKIPPED
    recipient.skip_reason = reason[:200]
    recipient.save(update_fields=["status", "skip_reason"])
    return "skipped"


def _send_one(*, campaign: Campaign, recipient_id: int, token: str, now: dt.datetime) -> str:
    with transaction.atomic():
        recipient = (
            CampaignRecipient.objects.select_for_update(of=("self",))
            .select_related("customer")
            .filter(pk=recipient_id, status=RecipientStatus.CLAIMED, claim=token)
            .first()
        )
        if recipient is None:
            return "lost"  # released and claimed again by another worker
        customer = recipient.customer
        until = quiet_hours_until(customer=customer, now=now)
        if until is not None:
            recipient.status, recipient.claim, recipient.claimed_at = (
                RecipientStatus.PENDING,
                "",
                None,
            )
            recipient.not_before = until
            recipient.save(update_fields=["status", "claim", "claimed_at", "not_before"])
            return "deferred"
        if recipient.step == MESSAGE_STEP and _capped(
            campaign=campaign, customer_id=customer.pk, now=now
        ):
            return _skip(recipient, _("Frequency cap: another campaign reached them recently."))
        choice = channel_for_customer(customer=customer, among=campaign.channels)
        if not choice.found:
            if choice.opted_out:
                return _skip(recipient, _("Opted out of the campaign's channels."))
            return _skip(recipient, _("No address on the campaign's channels."))
        subject, body = campaign_message_render(
            campaign=campaign, customer=customer, step=recipient.step
        )
        try:
            with transaction.atomic():
                interaction = outbound_send(
                    customer=customer,
                    channel=choice.channel,
                    subject=subject,
                    body=body,
                    campaign_code=campaign.code,
                    department=campaign.owner.department,
                    kind=OutboundKind.CAMPAIGN,
                    identity=choice.identity,
                )
        except ValidationError as exc:
            return _skip(recipient, " ".join(exc.messages))
        recipient.status = RecipientStatus.SENT
        recipient.channel = choice.channel
        recipient.interaction = interaction
        recipient.sent_at = interaction.occurred_at
        recipient.claim = ""
        recipient.save(update_fields=["status", "channel", "interaction", "sent_at", "claim"])
        return "sent"


def campaign_batch_send(
    *, campaign_id: int, now: dt.datetime | None = None, limit: int | None = None
) -> dict[str, int]:
    """Claim and send one batch of due recipients of a live campaign. Returns counts per
    outcome (sent, deferred, skipped, lost) and "claimed"; a full batch means more wait."""
    now = now or timezone.now()
    limit = limit or campaign_send_batch_size()
    outcome = {"claimed": 0, "sent": 0, "deferred": 0, "skipped": 0, "lost": 0}
    campaign = (
        Campaign.objects.filter(
            pk=campaign_id, status=CampaignStatus.LIVE, launch_at__lte=now, end_at__gt=now
        )
        .select_related("owner")
        .first()
    )
    if campaign is None:
        return outcome
    token, ids = _claim(campaign_id=campaign.pk, now=now, limit=limit)
    outcome["claimed"] = len(ids)
    for recipient_id in ids:
        outcome[_send_one(campaign=campaign, recipient_id=recipient_id, token=token, now=now)] += 1
    return outcome


def campaign_sending_run(*, now: dt.datetime | None = None) -> list[int]:
    """Beat: plan the recipients of every live campaign and release dead claims. Returns the
    ids of campaigns with recipients due, for which batches are to be sent."""
    now = now or timezone.now()
    campaign_claims_release(now=now)
    due = []
    for campaign in campaign_sending_campaigns(now=now):
        campaign_recipients_plan(campaign=campaign, now=now)
        if CampaignRecipient.objects.filter(
            campaign=campaign, status=RecipientStatus.PENDING, not_before__lte=now
        ).exists():
            due.append(campaign.pk)
    return due


# --- Replies and unwarned contacts -----------------------------------------------------


def _reply_query() -> tuple[str, list[str], list[str]]:
    """The reply match as one plain statement, built once per process from the models'
    columns; each branch of ``_recipient_answered`` adds its own condition and order."""
    global _REPLY_QUERY
    if _REPLY_QUERY is None:
        qn = connection.ops.quote_name
        # Concrete fields always have a column; the stubs allow None for the others.
        recipient_columns = [
            (f.attname, str(f.column)) for f in CampaignRecipient._meta.concrete_fields
        ]
        campaign_columns = [(f.attname, str(f.column)) for f in Campaign._meta.concrete_fields]
        columns = [f"r.{qn(column)}" for _attname, column in recipient_columns]
        columns += [f"c.{qn(column)}" for _attname, column in campaign_columns]
        _REPLY_QUERY = (
            f"SELECT {', '.join(columns)} FROM {qn(CampaignRecipient._meta.db_table)} r "
            f"JOIN {qn(Campaign._meta.db_table)} c ON c.id = r.campaign_id",
            [attname for attname, _column in recipient_columns],
            [attname for attname, _column in campaign_columns],
        )
    return _REPLY_QUERY


_REPLY_QUERY: tuple[str, list[str], list[str]] | None = None


def _recipient_answered(*, interaction: Interaction, in_reply_to: str) -> CampaignRecipient | None:
    """The campaign message ``interaction`` answers, with its campaign.

    Asked for every inbound contact moment, and mostly there is none: so it is one plain
    statement on the index of a customer's sent messages; building the equivalent queryset
    (join, filters, ordering) each time cost several times running it."""
    select, recipient_fields, campaign_fields = _reply_query()
    where = " WHERE r.customer_id = %s AND r.status = %s"
    params: list[int | str | dt.datetime] = [interaction.customer_id, RecipientStatus.SENT.value]
    if in_reply_to:
        select += f" JOIN {connection.ops.quote_name(Interaction._meta.db_table)} i"
        select += " ON i.id = r.interaction_id"
        where += " AND i.message_id = %s ORDER BY r.id LIMIT 1"
        params.append(in_reply_to)
    elif interaction.campaign_code:
        where += " AND c.code = %s ORDER BY r.sent_at DESC, r.id DESC LIMIT 1"
        params.append(interaction.campaign_code)
    else:
        since = interaction.occurred_at - dt.timedelta(days=campaign_reply_window_days())
        where += (
            " AND r.channel = %s AND r.sent_at >= %s AND r.sent_at <= %s"
            " ORDER BY r.sent_at DESC, r.id DESC LIMIT 1"
        )
        params += [interaction.channel, since, interaction.occurred_at]
    with connection.cursor() as cursor:
        cursor.execute(select + where, params)
        row = cursor.fetchone()
    if row is None:
        return None
    split = len(recipient_fields)
    recipient = CampaignRecipient.from_db(connection.alias, recipient_fields, row[:split])
    values = list(row[split:])
    # A plain cursor leaves the database's values as they come: JSON as text.
    for n, field in enumerate(Campaign._meta.concrete_fields):
        for convert in field.get_db_converters(connection):
            values[n] = convert(values[n], field, connection)
    recipient.campaign = Campaign.from_db(connection.alias, campaign_fields, values)
    return recipient


def campaign_reply_record(
    *, interaction: Interaction, in_reply_to: str = ""
) -> CampaignRecipient | None:
    """An inbound contact moment that answers a campaign message (``in_reply_to`` its
    Message-ID, the same campaign code, or the same customer on the same channel within the
    reply window) gets the campaign code — before it is routed, so the case carries it too —
    and counts as the reply to that message (once). Returns the recipient answered."""
    if interaction.direction != Direction.INBOUND:
        return None
    recipient = _recipient_answered(interaction=interaction, in_reply_to=in_reply_to)
    if recipient is None:
        return None
    if not interaction.campaign_code:
        interaction.campaign_code = recipient.campaign.code
        Interaction.objects.filter(pk=interaction.pk).update(campaign_code=recipient.campaign.code)
    CampaignRecipient.objects.filter(pk=recipient.pk, replied_at__isnull=True).update(
        replied_at=interaction.occurred_at
    )
    return recipient


def campaign_unwarned_record(*, interaction: Interaction) -> UnwarnedCampaignContact | None:
    """Record an inbound contact about a campaign the contact center was not warned about:
    an unknown code, or a campaign whose briefing no contact-center lead acknowledged. The
    department is the one of the case the contact was routed to. Once per contact moment."""
    code = interaction.campaign_code.strip()
    if interaction.direction != Direction.INBOUND or not code:
        return None
    campaign = Campaign.objects.filter(code__in={code, code.lower()}).order_by("pk").first()
    if campaign is None:
        reason = UnwarnedReason.UNKNOWN
    elif campaign.acknowledged_at is None:
        reason = UnwarnedReason.UNACKNOWLEDGED
    else:
        return None
    department_id = (
        CaseMessage.objects.filter(interaction=interaction)
        .values_list("case__department_id", flat=True)
        .first()
    ) or interaction.department_id
    row, _created = UnwarnedCampaignContact.objects.get_or_create(
        interaction=interaction,
        defaults={
            "campaign": campaign,
            "campaign_code": code[:50],
            "reason": reason,
            "department_id": department_id,
            "occurred_at": interaction.occurred_at,
        },
    )
    return row
