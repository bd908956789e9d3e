"""Forecast arithmetic, checked by hand: decaying curve, baseline, capacity, days over."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Department
from accounts.tests.factories import HolidayFactory, StaffingSlotFactory
from contacts.models import Direction
from contacts.tests.factories import InteractionFactory
from journeys.models import CampaignStatus
from journeys.selectors.campaigns import campaign_forecast
from journeys.services.forecast import (
    campaign_expected,
    forecast_context_load,
    forecast_summary,
    forecast_weights,
)
from journeys.tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


def _monday_after(days: int) -> dt.date:
    day = timezone.localdate() + dt.timedelta(days=days)
    return day + dt.timedelta(days=(7 - day.weekday()) % 7)


def _at(day: dt.date, hour: int = 9) -> dt.datetime:
    import zoneinfo

    return dt.datetime.combine(day, dt.time(hour), tzinfo=zoneinfo.ZoneInfo("Europe/Amsterdam"))


def test_weights_are_geometric_and_sum_to_one() -> None:
    assert forecast_weights(days=3, decay=0.5) == pytest.approx([4 / 7, 2 / 7, 1 / 7])
    assert forecast_weights(days=1, decay=0.5) == [1.0]


def test_expected_contacts_per_day_and_channel(settings) -> None:
    settings.CAMPAIGN_RESPONSE_DECAY = 0.5
    monday = _monday_after(14)
    campaign = CampaignFactory.build(
        audience_count=700,
        channels=["email", "sms"],
        response_rates={"email": 10, "sms": 1},
        launch_at=_at(monday),
        end_at=_at(monday + dt.timedelta(days=2), 17),
    )
    import zoneinfo

    expected = campaign_expected(campaign=campaign, tz=zoneinfo.ZoneInfo("Europe/Amsterdam"))
    # 700 × 10% = 70 e-mail replies over three days as 4:2:1 → 40, 20, 10; sms 7 → 4, 2, 1.
    assert list(expected) == [monday + dt.timedelta(days=i) for i in range(3)]
    assert [round(d["email"], 6) for d in expected.values()] == [40, 20, 10]
    assert [round(d["sms"], 6) for d in expected.values()] == [4, 2, 1]


def test_the_window_is_at_most_28_days() -> None:
    import zoneinfo

    start = _at(_monday_after(7))
    campaign = CampaignFactory.build(
        audience_count=100, launch_at=start, end_at=start + dt.timedelta(days=90)
    )
    assert len(campaign_expected(campaign=campaign, tz=zoneinfo.ZoneInfo("Europe/Amsterdam"))) == 28


def test_capacity_baseline_and_days_over_capacity(contact_center: Department, settings) -> None:
    settings.CAMPAIGN_RESPONSE_DECAY = 0.5
    contact_center.contacts_per_agent_hour = 6
    contact_center.save()
    # Monday: 3 agents 9-10 and 2 agents 10-11 → (3 + 2) × 6 = 30 contacts; Tuesday: 1 × 6 = 6.
    StaffingSlotFactory(department=contact_center, weekday=0, hour=9, agents=3)
    StaffingSlotFactory(department=contact_center, weekday=0, hour=10, agents=2)
    StaffingSlotFactory(department=contact_center, weekday=1, hour=9, agents=1)
    StaffingSlotFactory(department=contact_center, weekday=3, hour=9, agents=10)
    # Eight inbound contacts on Mondays over the last four weeks → baseline 2 on a Monday.
    today = timezone.localdate()
    last_monday = today - dt.timedelta(days=today.weekday() or 7)
    for week in range(4):
        for _ in range(2):
            InteractionFactory(
                direction=Direction.INBOUND,
                occurred_at=_at(last_monday - dt.timedelta(weeks=week), 11),
            )
    InteractionFactory(direction=Direction.OUTBOUND, occurred_at=_at(last_monday, 11))
    monday = _monday_after(14)
    HolidayFactory(department=contact_center, date=monday + dt.timedelta(days=2))
    campaign = CampaignFactory(
        status=CampaignStatus.SCHEDULED,
        audience_count=750,
        channels=["email"],
        response_rates={"email": 20},
        launch_at=_at(monday),
        end_at=_at(monday + dt.timedelta(days=3), 17),
    )
    ctx = forecast_context_load()
    assert ctx.capacity_by_weekday == {0: 30, 1: 6, 3: 60}
    assert ctx.baseline_by_weekday.get(0) == 2
    days = campaign_forecast(campaign=campaign, ctx=ctx)
    # 750 × 20% = 150 over four days as 8:4:2:1 → 80, 40, 20, 10.
    assert [(round(d.campaign), d.baseline, d.capacity, round(d.carried)) for d in days] == [
        (80, 2, 30, 0),
        (40, 0, 6, 0),
        (20, 0, 0, 0),  # holiday: closed, the 20 wait for Thursday
        (10, 0, 60, 20),
    ]
    assert [d.over for d in days] == [True, True, False, False]
    assert days[0].utilisation == pytest.approx(82 / 30)
    assert days[2].utilisation is None
    assert days[3].utilisation == pytest.approx(30 / 60)
    summary = forecast_summary(days=days)
    assert summary["expected"] == 150
    assert summary["peak_day"] == monday
    assert summary["over_days"] == [monday, monday + dt.timedelta(days=1)]


def test_other_planned_campaigns_add_to_the_load(contact_center: Department, settings) -> None:
    settings.CAMPAIGN_RESPONSE_DECAY = 1.0
    for weekday in range(7):
        StaffingSlotFactory(department=contact_center, weekday=weekday, hour=9, agents=10)
    monday = _monday_after(14)
    kwargs = {
        "channels": ["email"],
        "launch_at": _at(monday),
        "end_at": _at(monday + dt.timedelta(days=1), 17),
    }
    mine = CampaignFactory(audience_count=100, response_rates={"email": 40}, **kwargs)
    CampaignFactory(
        status=CampaignStatus.SCHEDULED, audience_count=100, response_rates={"email": 60}, **kwargs
    )
    CampaignFactory(
        status=CampaignStatus.DRAFT, audience_count=9999, response_rates={"email": 60}, **kwargs
    )
    days = campaign_forecast(campaign=mine)
    assert [(d.campaign, d.others, d.capacity) for d in days] == [(20, 30, 60), (20, 30, 60)]
    assert not any(d.over for d in days)
