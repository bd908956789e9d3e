"""Generated segments and campaigns (finished, live, scheduled, draft) on the campaign codes
of the seeded contact moments."""

import datetime as dt
import time

from django.utils import timezone

from accounts.models import Department, User
from accounts.roles import Role
from accounts.services import role_assign
from contacts.seeding import CAMPAIGNS, SeedRun
from journeys.models import (
    Campaign,
    CampaignStatus,
    Segment,
)
from journeys.seeding.staff import SEED_USER_PREFIX, Staff
from journeys.selectors.campaigns import campaign_audience

SEGMENTS = (
    ("Seed: e-mail opt-in", {"consent_channel": "email"}),
    ("Seed: Amsterdam met e-mail opt-in", {"city": "Amsterdam", "consent_channel": "email"}),
    ("Seed: hardlopers zonder GPS-horloge",
     {"bought_skus": ["SHOE-42"], "not_bought_skus": ["WATCH-GPS"]}),
)  # fmt: skip
# code (from the seeded contact moments), name, segment, status, launch offset (days),
# length (days), products, channels
CAMPAIGN_PLANS = (
    (CAMPAIGNS[0], "Voorjaarsuitverkoop", 0, CampaignStatus.FINISHED, -120, 21, ["SHOE-42"]),
    (CAMPAIGNS[1], "Zomerschoenen", 2, CampaignStatus.LIVE, -3, 21, ["SHOE-WALK"]),
    (CAMPAIGNS[2], "Black Friday", 0, CampaignStatus.SCHEDULED, 10, 7, ["WATCH-GPS"]),
    (CAMPAIGNS[3], "Winterjassen", 1, CampaignStatus.DRAFT, 40, 28, ["JACKET-RAIN"]),
)


def campaigns_seed(*, run: SeedRun, staff: Staff) -> None:
    """Segments and campaigns, once: an existing campaign code is left as it is."""
    tick = time.perf_counter()
    marketing = staff.departments[Department.MARKETING]
    owner, created = User.objects.get_or_create(
        username=f"{SEED_USER_PREFIX}marketer", defaults={"department": marketing}
    )
    if created:
        owner.set_unusable_password()
        owner.save(update_fields=["password"])
        role_assign(user=owner, role=Role.MARKETER)
    segments = []
    for name, definition in SEGMENTS:
        segment, _ = Segment.objects.get_or_create(
            name=name, defaults={"definition": definition, "created_by": owner}
        )
        segments.append(segment)
    now = timezone.now().replace(second=0, microsecond=0)
    written = 0
    for code, name, segment_index, status, offset, days, skus in CAMPAIGN_PLANS:
        if Campaign.objects.filter(code=code).exists():
            continue
        launch = now + dt.timedelta(days=offset)
        campaign = Campaign(
            name=name,
            code=code,
            owner=owner,
            offer=f"{name}: 20% korting",
            product_skus=skus,
            channels=["email", "whatsapp"],
            response_rates={"email": 2, "whatsapp": 4},
            segment=segments[segment_index],
            launch_at=launch,
            end_at=launch + dt.timedelta(days=days),
            landing_url=f"https://www.example.nl/acties/{code.lower()}",
            briefing=f"Klanten vragen naar {name}; de korting geldt op de hele collectie.",
            status=status,
        )
        if status != CampaignStatus.DRAFT:
            campaign.audience_total = campaign_audience(campaign=campaign, suppress=False).count()
            campaign.audience_count = campaign_audience(campaign=campaign, now=now).count()
            campaign.counted_at = now
            campaign.scheduled_at = launch - dt.timedelta(days=14)
        campaign.save()
        written += 1
    totals = run.report.table("campaigns")
    totals.rows += written
    totals.seconds += time.perf_counter() - tick
