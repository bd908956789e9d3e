"""The demo's live campaign: its message went out four days ago to the first customers of
the segment, a few opened it, one replied (routed to a case and counted), and the send
task (``journeys.campaign_sending``) now sends the rest and the first reminder to those
who did not open or reply."""

import datetime as dt
from typing import TextIO

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from contacts.models import Channel, DeliveryStatus, Direction, Interaction
from contacts.services.interactions import interaction_record
from journeys.models import Campaign, CampaignRecipient, CampaignStatus, RecipientStatus, Segment
from journeys.services.campaign_sending import campaign_batch_send, campaign_recipients_plan

CODE = "demo-najaar"
FIRST_SENT = 20


@transaction.atomic
def load(*, out: TextIO) -> None:
    if Campaign.objects.filter(code=CODE).exists():
        out.write("Demo live campaign is already there.\n")
        return
    marketer = User.objects.filter(username="marketer").first()
    segment = Segment.objects.filter(name="E-mailtoestemming, geen winterjas").first()
    if marketer is None or segment is None:
        out.write("Demo live campaign skipped: no marketer or segment.\n")
        return
    now = timezone.now()
    campaign = Campaign.objects.create(
        name="Najaarsuitverkoop",
        code=CODE,
        owner=marketer,
        offer="Tot 40% korting op de najaarscollectie.",
        channels=[Channel.EMAIL, Channel.SMS],
        response_rates={Channel.EMAIL: 3.0, Channel.SMS: 1.0},
        segment=segment,
        launch_at=now - dt.timedelta(days=4, hours=1),
        end_at=now + dt.timedelta(days=10),
        briefing="Klanten vragen of de korting ook in de winkel geldt: ja, tot het einde van "
        "de actie.",
        faq="Geldt de korting in de winkel? Ja.",
        status=CampaignStatus.LIVE,
        acknowledged_at=now - dt.timedelta(days=6),
        landing_ok=True,
        message_subject="Najaarsuitverkoop voor {first_name}",
        message_body="Beste {name},\n\nDeze week tot 40% korting op de najaarscollectie.\n\n"
        "Antwoord gerust op deze mail met je vragen.",
        reminder_1_days=3,
        reminder_1_body="Beste {first_name}, de najaarsuitverkoop loopt nog tot volgende week.",
        reminder_2_days=4,
        reminder_2_body="Laatste kans, {first_name}: de najaarsuitverkoop stopt binnenkort.",
    )
    campaign_recipients_plan(campaign=campaign, now=now)
    campaign_batch_send(campaign_id=campaign.pk, now=now, limit=FIRST_SENT)
    sent = list(
        CampaignRecipient.objects.filter(campaign=campaign, status=RecipientStatus.SENT)
        .select_related("interaction", "customer")
        .order_by("id")
    )
    # History: these went out four days ago; the first three were opened, the last answered.
    four_days_ago = now - dt.timedelta(days=4)
    ids = [r.interaction_id for r in sent if r.interaction_id is not None]
    Interaction.objects.filter(pk__in=ids).update(
        occurred_at=four_days_ago, delivery_status=DeliveryStatus.DELIVERED
    )
    Interaction.objects.filter(pk__in=ids[:3]).update(delivery_status=DeliveryStatus.READ)
    CampaignRecipient.objects.filter(pk__in=[r.pk for r in sent]).update(sent_at=four_days_ago)
    if sent:
        first = sent[-1]  # one who did not open it
        interaction_record(
            customer=first.customer,
            channel=first.channel,
            direction=Direction.INBOUND,
            occurred_at=now - dt.timedelta(days=3),
            subject="Re: Najaarsuitverkoop",
            body="Geldt de korting ook voor de jassen in de winkel in Utrecht?",
            identity=first.interaction.identity if first.interaction else None,
        )
    out.write(
        f"Demo live campaign '{campaign.name}': {len(sent)} messages sent, 1 reply; run the "
        "send task (journeys.campaign_sending) to send the rest and the first reminders.\n"
    )
