"""Demo journey map, segment and campaigns for ``manage.py demo`` (idempotent)."""

import datetime as dt
from typing import TextIO

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from contacts.models import Channel
from journeys.models import Campaign, GoalMetric, Journey, JourneyStage, Segment
from journeys.selectors.segments import customers_active
from journeys.services.campaigns import campaign_create, campaign_schedule
from journeys.services.journeymaps import journey_enroll, journey_move

STAGES = [
    ("Oriëntatie", False, [Channel.WEB, Channel.EMAIL, Channel.INSTAGRAM]),
    ("Aankoop", True, [Channel.WEB, Channel.CHAT]),
    ("Levering", True, [Channel.EMAIL, Channel.SMS, Channel.PHONE]),
    ("Gebruik en nazorg", False, [Channel.EMAIL, Channel.PHONE, Channel.WHATSAPP]),
    ("Herhaalaankoop", False, [Channel.EMAIL, Channel.WEB]),
]


def _journey(*, now: dt.datetime, marketer: User | None) -> Journey:
    journey = Journey.objects.create(
        name="Nieuwe klant: van oriëntatie tot herhaalaankoop",
        description="Van het eerste bezoek aan de webshop tot de tweede bestelling.",
        goal="Meer nieuwe klanten bestellen binnen een jaar een tweede keer.",
        goal_metric=GoalMetric.REPEAT_PURCHASE,
        goal_target=30,
        goal_deadline=(now + dt.timedelta(days=365)).date(),
        created_by=marketer,
    )
    stages = JourneyStage.objects.bulk_create(
        JourneyStage(
            journey=journey,
            name=name,
            order=(i + 1) * 10,
            is_moment_of_truth=mot,
            planned_channels=list(channels),
        )
        for i, (name, mot, channels) in enumerate(STAGES)
    )
    customers = list(customers_active().order_by("id")[:40])
    for n, customer in enumerate(customers):
        start = now - dt.timedelta(days=60 - n)
        enrollment = journey_enroll(
            journey=journey, customer=customer, stage=stages[0], by=marketer, at=start
        )
        # Customers move on at their own pace; some go back a stage, as real customers do.
        for step in range(1, 1 + n % len(stages)):
            target = stages[step] if not (n % 7 == 0 and step == 2) else stages[0]
            if target.pk == enrollment.stage_id:
                continue
            enrollment = journey_move(
                enrollment=enrollment,
                stage=target,
                by=marketer,
                at=start + dt.timedelta(days=step * 3 + n % 3),
            )
    return journey


@transaction.atomic
def load(*, out: TextIO) -> None:
    if Campaign.objects.filter(code__in=["demo-winterjas", "demo-voorjaar"]).exists():
        out.write("Demo campaigns are already there.\n")
        return
    marketer = User.objects.filter(username="marketer").first()
    if marketer is None:
        out.write("Demo campaigns skipped: no marketer user.\n")
        return
    now = timezone.now()
    journey = Journey.objects.filter(name__startswith="Nieuwe klant").first() or _journey(
        now=now, marketer=marketer
    )
    segment, _created = Segment.objects.get_or_create(
        name="E-mailtoestemming, geen winterjas",
        defaults={
            "description": "Klanten die mail mogen ontvangen en nog geen winterjas kochten.",
            "definition": {"consent_channel": "email", "not_bought_skus": ["JAS-WINTER"]},
            "created_by": marketer,
        },
    )
    local = timezone.localtime(now)
    next_week = local.replace(hour=9, minute=0, second=0, microsecond=0) + dt.timedelta(days=3)
    in_three_weeks = next_week + dt.timedelta(days=18)
    short = campaign_create(
        owner=marketer,
        values={
            "name": "Winterjas -20%",
            "code": "demo-winterjas",
            "offer": "20% korting op alle winterjassen met code WINTER20.",
            "product_skus": ["JAS-WINTER"],
            "channels": [Channel.EMAIL, Channel.SMS],
            "response_rates": {Channel.EMAIL: 4.0, Channel.SMS: 1.5},
            "segment": segment,
            "launch_at": next_week,
            "end_at": next_week + dt.timedelta(days=14),
            "landing_url": "https://example.com/winterjas",
            "briefing": "Klanten bellen over de code WINTER20. Zeg: de korting geldt online "
            "en in de winkel, tot en met het einde van de actie.",
            "faq": "Geldt de code ook in de winkel? Ja.\nKan ik de code combineren? Nee.",
        },
    )
    campaign_schedule(campaign=short, by=marketer, now=now)
    spring = campaign_create(
        owner=marketer,
        values={
            "name": "Voorjaarscollectie",
            "code": "demo-voorjaar",
            "offer": "De nieuwe voorjaarscollectie, met gratis verzending.",
            "product_skus": [],
            "channels": [Channel.EMAIL],
            "response_rates": {Channel.EMAIL: 2.0},
            "segment": segment,
            "launch_at": in_three_weeks,
            "end_at": in_three_weeks + dt.timedelta(days=21),
            "landing_url": "https://example.com/voorjaar",
            "briefing": "Vragen over maten en verzending: verzending is gratis vanaf het eerste "
            "artikel.",
            "faq": "",
        },
    )
    campaign_schedule(campaign=spring, by=marketer, now=now)
    out.write(
        f"Demo campaigns: journey '{journey.name}' with {len(STAGES)} stages, segment "
        f"'{segment.name}', 2 campaigns (one at short notice).\n"
    )
