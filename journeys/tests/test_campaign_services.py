"""Campaign transitions, short notice, warnings to contact-center leads and the launch gate."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from accounts.models import Department, Notification, User
from accounts.roles import Role
from accounts.tests.factories import UserFactory
from contacts.tests.factories import CustomerFactory
from journeys.models import Campaign, CampaignStatus, CampaignWarning
from journeys.services import campaigns as services
from journeys.tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_lead(contact_center: Department) -> User:
    return UserFactory(username="lead2", department=contact_center, roles=[Role.MANAGER])


def _ready_to_launch(campaign: Campaign, lead: User) -> Campaign:
    Campaign.objects.filter(pk=campaign.pk).update(landing_ok=True)
    campaign.refresh_from_db()
    return services.campaign_acknowledge(campaign=campaign, by=lead)


def test_scheduling_counts_the_audience_once_and_warns_every_lead(
    marketer: User, manager: User, second_lead: User
) -> None:
    CustomerFactory.create_batch(3)
    campaign: Campaign = CampaignFactory(owner=marketer)
    campaign = services.campaign_schedule(campaign=campaign, by=marketer)
    assert campaign.status == CampaignStatus.SCHEDULED
    assert (campaign.audience_total, campaign.audience_count) == (3, 3)
    assert campaign.short_notice is False
    for lead in (manager, second_lead):
        notes = Notification.objects.filter(recipient=lead, kind="campaign-warning")
        assert notes.count() == 1
        assert campaign.briefing in notes.get().body_text
    assert not Notification.objects.filter(recipient=marketer).exists()
    assert list(campaign.warnings.values_list("lead_time", flat=True)) == ["scheduled"]


def test_scheduling_with_little_notice_marks_short_notice_and_asks_for_acknowledgement(
    marketer: User, manager: User
) -> None:
    campaign: Campaign = CampaignFactory(
        owner=marketer, launch_at=timezone.now() + dt.timedelta(days=2)
    )
    campaign = services.campaign_schedule(campaign=campaign, by=marketer)
    assert campaign.short_notice is True
    note = Notification.objects.get(recipient=manager)
    with translation.override("en"):
        assert note.title_text.startswith("Short notice")
        assert "acknowledge" in note.body_text
    # Every lead time already due is recorded with the first warning, not sent again later.
    assert set(campaign.warnings.values_list("lead_time", flat=True)) == {
        "scheduled",
        "10wd",
        "3wd",
    }
    assert services.campaign_warnings_send() == 0
    assert Notification.objects.filter(recipient=manager).count() == 1


def test_only_a_contact_center_lead_can_acknowledge(
    marketer: User, manager: User, sales: Department
) -> None:
    other_manager = UserFactory(username="salesboss", department=sales, roles=[Role.MANAGER])
    campaign = services.campaign_schedule(campaign=CampaignFactory(owner=marketer), by=marketer)
    for person in (marketer, other_manager):
        with pytest.raises(ValidationError):
            services.campaign_acknowledge(campaign=campaign, by=person)
    campaign = services.campaign_acknowledge(campaign=campaign, by=manager)
    assert campaign.acknowledged_by == manager
    assert campaign.acknowledged_at is not None


def test_warnings_at_lead_times_are_sent_once_however_often_the_task_runs(
    marketer: User, manager: User, second_lead: User
) -> None:
    now = timezone.now()
    campaign = CampaignFactory(owner=marketer, launch_at=now + dt.timedelta(days=21))
    services.campaign_schedule(campaign=campaign, by=marketer, now=now)
    assert services.campaign_warnings_send(now=now) == 0
    # No opening hours: every day is a working day, so "10wd" is due 10 days ahead.
    later = campaign.launch_at - dt.timedelta(days=9, hours=12)
    assert services.campaign_warnings_send(now=later) == 1
    assert services.campaign_warnings_send(now=later) == 0
    last_day = campaign.launch_at - dt.timedelta(hours=12)
    assert services.campaign_warnings_send(now=last_day) == 2  # 3wd and 1d together
    assert services.campaign_warnings_send(now=last_day) == 0
    for lead in (manager, second_lead):
        assert Notification.objects.filter(recipient=lead).count() == 3
    assert CampaignWarning.objects.filter(campaign=campaign).count() == 4
    assert set(CampaignWarning.objects.values_list("recipients", flat=True)) == {2}


def test_no_warnings_for_drafts_cancelled_or_past_campaigns(marketer: User, manager: User) -> None:
    CampaignFactory(owner=marketer, launch_at=timezone.now() + dt.timedelta(hours=5))
    CampaignFactory(
        owner=marketer,
        status=CampaignStatus.CANCELLED,
        launch_at=timezone.now() + dt.timedelta(hours=5),
    )
    assert services.campaign_warnings_send() == 0
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"segment": None}, "segment"),
        ({"channels": []}, "channels"),
        ({"briefing": ""}, "briefing"),
    ],
)
def test_scheduling_refuses_an_incomplete_campaign(
    marketer: User, changes: dict, field: str
) -> None:
    campaign = CampaignFactory(owner=marketer, **changes)
    with pytest.raises(ValidationError) as exc:
        services.campaign_schedule(campaign=campaign, by=marketer)
    assert field in exc.value.message_dict
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT
    assert not CampaignWarning.objects.exists()


def test_scheduling_refuses_a_launch_in_the_past(marketer: User) -> None:
    start = timezone.now() - dt.timedelta(days=1)
    campaign = CampaignFactory(owner=marketer, launch_at=start)
    with pytest.raises(ValidationError) as exc:
        services.campaign_schedule(campaign=campaign, by=marketer)
    assert "launch_at" in exc.value.message_dict


@pytest.mark.parametrize(
    "status, action",
    [
        (CampaignStatus.SCHEDULED, "campaign_schedule"),
        (CampaignStatus.DRAFT, "campaign_finish"),
        (CampaignStatus.DRAFT, "campaign_launch"),
        (CampaignStatus.LIVE, "campaign_cancel"),
        (CampaignStatus.FINISHED, "campaign_cancel"),
        (CampaignStatus.CANCELLED, "campaign_mark_ready"),
        (CampaignStatus.DRAFT, "campaign_acknowledge"),
    ],
)
def test_invalid_transitions_are_refused(
    status: str, action: str, marketer: User, manager: User
) -> None:
    campaign = CampaignFactory(owner=marketer, status=status)
    with pytest.raises(ValidationError):
        getattr(services, action)(campaign=campaign, by=manager)
    campaign.refresh_from_db()
    assert campaign.status == status


def test_going_live_is_refused_until_the_checklist_is_complete(
    marketer: User, manager: User
) -> None:
    campaign = services.campaign_schedule(campaign=CampaignFactory(owner=marketer), by=marketer)
    with pytest.raises(ValidationError, match="Landing page reachable"):
        services.campaign_launch(campaign=campaign, by=marketer)
    with pytest.raises(ValidationError):
        services.campaign_mark_ready(campaign=campaign, by=marketer)
    campaign = _ready_to_launch(campaign, manager)
    campaign = services.campaign_mark_ready(campaign=campaign, by=marketer)
    assert campaign.status == CampaignStatus.READY
    campaign = services.campaign_launch(campaign=campaign, by=marketer)
    assert campaign.status == CampaignStatus.LIVE
    assert campaign.overridden_at is None
    campaign = services.campaign_finish(campaign=campaign, by=marketer)
    assert campaign.status == CampaignStatus.FINISHED


def test_faq_must_be_published_before_launch(marketer: User, manager: User) -> None:
    campaign = services.campaign_schedule(
        campaign=CampaignFactory(owner=marketer, faq="  "), by=marketer
    )
    campaign = _ready_to_launch(campaign, manager)
    with pytest.raises(ValidationError, match="FAQ published"):
        services.campaign_launch(campaign=campaign, by=marketer)


def test_only_a_manager_with_a_written_reason_can_override_the_gate(
    marketer: User, manager: User
) -> None:
    campaign = services.campaign_schedule(campaign=CampaignFactory(owner=marketer), by=marketer)
    with pytest.raises(ValidationError, match="Only a manager"):
        services.campaign_launch(campaign=campaign, by=marketer, override_reason="Haast")
    with pytest.raises(ValidationError):
        services.campaign_launch(campaign=campaign, by=manager, override_reason="   ")
    campaign = services.campaign_launch(
        campaign=campaign, by=manager, override_reason="Landingspagina staat op de CDN"
    )
    assert campaign.status == CampaignStatus.LIVE
    assert campaign.overridden_by == manager
    assert campaign.override_reason == "Landingspagina staat op de CDN"
    assert campaign.overridden_at is not None


def test_editing_a_live_campaign_is_refused(marketer: User) -> None:
    campaign = CampaignFactory(owner=marketer, status=CampaignStatus.LIVE)
    values = {"name": "Nieuw", "launch_at": campaign.launch_at, "end_at": campaign.end_at}
    with pytest.raises(ValidationError):
        services.campaign_update(campaign=campaign, values=values, by=marketer)


def test_a_rate_is_needed_for_every_channel(marketer: User) -> None:
    start = timezone.now() + dt.timedelta(days=10)
    values = {
        "name": "X",
        "code": "x",
        "channels": ["email", "sms"],
        "response_rates": {"email": 1.0},
        "launch_at": start,
        "end_at": start + dt.timedelta(days=3),
    }
    with pytest.raises(ValidationError) as exc:
        services.campaign_create(owner=marketer, values=values)
    assert "channels" in exc.value.message_dict
    assert not Campaign.objects.exists()


def test_the_warning_names_days_over_capacity_and_the_beat_task_sends_it(
    marketer: User, manager: User, contact_center: Department
) -> None:
    from accounts.tests.factories import StaffingSlotFactory
    from journeys.tasks.campaigns import campaign_warnings

    manager.language = "nl"
    manager.save(update_fields=["language"])
    contact_center.contacts_per_agent_hour = 1
    contact_center.save()
    for weekday in range(7):
        StaffingSlotFactory(department=contact_center, weekday=weekday, hour=9, agents=1)
    CustomerFactory.create_batch(5)
    now = timezone.now()
    campaign = CampaignFactory(
        owner=marketer, launch_at=now + dt.timedelta(days=30), response_rates={"email": 100}
    )
    services.campaign_schedule(campaign=campaign, by=marketer, now=now)
    # One contact a day of capacity; five replies expected, most of them on the first day.
    with translation.override("nl"):  # rendered in the reader's language
        body = Notification.objects.get(recipient=manager).body_text
    assert "Boven capaciteit op:" in body
    assert "Doelgroep na uitsluiting: 5 klanten." in body
    Campaign.objects.filter(pk=campaign.pk).update(
        launch_at=timezone.now() + dt.timedelta(hours=20)
    )
    assert campaign_warnings() == 3  # 10wd, 3wd and 1d, folded into one message
    assert campaign_warnings() == 0
    assert Notification.objects.filter(recipient=manager).count() == 2


def test_changing_the_briefing_or_landing_page_reopens_those_checklist_items(
    marketer: User, manager: User
) -> None:
    campaign = services.campaign_schedule(campaign=CampaignFactory(owner=marketer), by=marketer)
    campaign = _ready_to_launch(campaign, manager)
    values = {
        "launch_at": campaign.launch_at,
        "end_at": campaign.end_at,
        "channels": campaign.channels,
        "response_rates": campaign.response_rates,
    }
    campaign = services.campaign_update(
        campaign=campaign, values={**values, "name": "Ander"}, by=marketer
    )
    assert campaign.acknowledged_at is not None
    assert campaign.landing_ok is True
    campaign = services.campaign_update(
        campaign=campaign,
        values={**values, "briefing": "Nieuwe tekst", "landing_url": "https://example.com/b"},
        by=marketer,
    )
    assert campaign.acknowledged_at is None
    assert campaign.landing_ok is None
