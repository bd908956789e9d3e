"""Campaign pages: who may do what, creating, scheduling, acknowledging, the launch gate."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification, User
from journeys.models import Campaign, CampaignStatus
from journeys.tests.factories import CampaignFactory, SegmentFactory

pytestmark = pytest.mark.django_db


def _form(segment_pk: int, **changes: str | list[str]) -> dict[str, str | list[str]]:
    launch = timezone.localtime() + dt.timedelta(days=30)
    data: dict[str, str | list[str]] = {
        "name": "Winterjas",
        "code": "winterjas-2026",
        "offer": "20% korting",
        "product_skus": "JAS-1, JAS-2",
        "segment": str(segment_pk),
        "launch_at": launch.strftime("%Y-%m-%dT09:00"),
        "end_at": (launch + dt.timedelta(days=14)).strftime("%Y-%m-%dT17:00"),
        "channels": ["email", "sms"],
        "rate_email": "2.5",
        "rate_sms": "1",
        "landing_url": "https://example.com/winter",
        "briefing": "Klanten vragen naar de kortingscode.",
        "faq": "Geldt het in de winkel? Ja.",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("persona", ["agent", "member", "outsider"])
def test_campaign_pages_are_for_marketers_and_managers(persona: str, request) -> None:
    client: Client = request.getfixturevalue(f"{persona}_client")
    campaign = CampaignFactory()
    assert client.get(reverse("journeys:campaigns")).status_code == 403
    assert client.get(reverse("journeys:campaign_add")).status_code == 403
    assert client.get(reverse("journeys:campaign_edit", args=[campaign.pk])).status_code == 403
    assert client.post(reverse("journeys:campaign_schedule", args=[campaign.pk])).status_code == 403
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT


@pytest.mark.parametrize("persona", ["member", "outsider"])
def test_member_and_outsider_cannot_see_the_calendar(persona: str, request) -> None:
    client: Client = request.getfixturevalue(f"{persona}_client")
    assert client.get(reverse("journeys:calendar")).status_code == 403
    campaign = CampaignFactory(status=CampaignStatus.SCHEDULED)
    assert client.get(reverse("journeys:campaign_detail", args=[campaign.pk])).status_code == 403


def test_agents_read_the_calendar_and_briefings_but_not_drafts(agent_client: Client) -> None:
    start = timezone.now() + dt.timedelta(days=1)
    planned = CampaignFactory(
        name="Zichtbaar",
        status=CampaignStatus.SCHEDULED,
        launch_at=start,
        briefing="Zeg: code WINTER",
    )
    draft = CampaignFactory(name="Geheim concept", launch_at=start)
    month = timezone.localdate(start).strftime("%Y-%m")
    response = agent_client.get(reverse("journeys:calendar"), {"month": month})
    assert response.status_code == 200
    assert "Zichtbaar" in response.text
    assert "Geheim concept" not in response.text
    detail = agent_client.get(reverse("journeys:campaign_detail", args=[planned.pk]))
    assert detail.status_code == 200
    assert "Zeg: code WINTER" in detail.text
    assert reverse("journeys:campaign_schedule", args=[planned.pk]) not in detail.text
    assert reverse("journeys:campaign_launch", args=[planned.pk]) not in detail.text
    assert agent_client.get(reverse("journeys:campaign_detail", args=[draft.pk])).status_code == 404
    assert (
        agent_client.post(reverse("journeys:campaign_acknowledge", args=[planned.pk])).status_code
        == 403
    )


def test_a_marketer_creates_edits_and_schedules_a_campaign(
    marketer_client: Client, marketer: User, manager: User
) -> None:
    segment = SegmentFactory()
    response = marketer_client.post(reverse("journeys:campaign_add"), _form(segment.pk))
    assert response.status_code == 302, response.context["form"].errors
    campaign = Campaign.objects.get()
    assert campaign.owner == marketer
    assert campaign.product_skus == ["JAS-1", "JAS-2"]
    assert campaign.response_rates == {"email": 2.5, "sms": 1.0}
    edit = reverse("journeys:campaign_edit", args=[campaign.pk])
    assert "JAS-1, JAS-2" in marketer_client.get(edit).text
    response = marketer_client.post(edit, _form(segment.pk, name="Winterjas 2"))
    assert response.status_code == 302
    response = marketer_client.post(reverse("journeys:campaign_schedule", args=[campaign.pk]))
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.name, campaign.status) == ("Winterjas 2", CampaignStatus.SCHEDULED)
    assert Notification.objects.filter(recipient=manager, kind="campaign-warning").count() == 1


def test_bad_campaign_input_shows_errors_and_saves_nothing(marketer_client: Client) -> None:
    segment = SegmentFactory()
    url = reverse("journeys:campaign_add")
    cases = [
        _form(segment.pk, end_at="2020-01-01T00:00"),
        _form(segment.pk, rate_sms=""),
        _form(segment.pk, rate_email="150"),
        _form(segment.pk, code="met spaties"),
        _form(segment.pk, segment="999999"),
        _form(segment.pk, landing_url="ftp://example.com/"),
        _form(segment.pk, launch_at="morgen"),
    ]
    for data in cases:
        assert marketer_client.post(url, data).status_code == 400
    assert not Campaign.objects.exists()
    CampaignFactory(code="bestaat")
    assert marketer_client.post(url, _form(segment.pk, code="bestaat")).status_code == 400


def test_short_notice_is_shown_and_a_lead_acknowledges_it(
    marketer_client: Client, manager_client: Client, manager: User
) -> None:
    campaign = CampaignFactory(launch_at=timezone.now() + dt.timedelta(days=2))
    marketer_client.post(reverse("journeys:campaign_schedule", args=[campaign.pk]))
    detail = reverse("journeys:campaign_detail", args=[campaign.pk])
    page = marketer_client.get(detail).text
    assert "Short notice" in page
    assert reverse("journeys:campaign_acknowledge", args=[campaign.pk]) not in page
    assert (
        marketer_client.post(
            reverse("journeys:campaign_acknowledge", args=[campaign.pk])
        ).status_code
        == 403
    )
    lead_page = manager_client.get(detail).text
    assert reverse("journeys:campaign_acknowledge", args=[campaign.pk]) in lead_page
    response = manager_client.post(reverse("journeys:campaign_acknowledge", args=[campaign.pk]))
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.acknowledged_by == manager
    # Replaying the acknowledgement changes nothing.
    first = campaign.acknowledged_at
    manager_client.post(reverse("journeys:campaign_acknowledge", args=[campaign.pk]))
    campaign.refresh_from_db()
    assert campaign.acknowledged_at == first


def test_go_live_is_refused_with_an_open_checklist_and_allowed_with_a_managers_reason(
    marketer_client: Client, manager_client: Client, manager: User
) -> None:
    campaign = CampaignFactory(status=CampaignStatus.SCHEDULED)
    url = reverse("journeys:campaign_launch", args=[campaign.pk])
    response = marketer_client.post(url)
    assert response.status_code == 400
    assert "checklist is not complete" in response.text
    response = manager_client.post(url, {"override_reason": "Pagina staat live op het CDN"})
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.LIVE
    assert campaign.overridden_by == manager
    # A second launch is a refused transition, not a crash.
    assert manager_client.post(url, {"override_reason": "nogmaals"}).status_code == 400


@pytest.mark.parametrize(
    "name",
    [
        "campaign_schedule",
        "campaign_acknowledge",
        "campaign_confirm_capacity",
        "campaign_ready",
        "campaign_launch",
        "campaign_finish",
        "campaign_cancel",
        "campaign_check_landing",
    ],
)
def test_state_changes_refuse_get(name: str, manager_client: Client) -> None:
    campaign = CampaignFactory()
    assert manager_client.get(reverse(f"journeys:{name}", args=[campaign.pk])).status_code == 405


def test_unknown_campaign_is_404(marketer_client: Client) -> None:
    assert (
        marketer_client.get(reverse("journeys:campaign_detail", args=[999999])).status_code == 404
    )
    assert (
        marketer_client.post(reverse("journeys:campaign_schedule", args=[999999])).status_code
        == 404
    )


def test_check_landing_is_enqueued_after_commit(
    marketer_client: Client, django_capture_on_commit_callbacks
) -> None:
    campaign = CampaignFactory(
        status=CampaignStatus.SCHEDULED, landing_url="http://example.invalid/"
    )
    with django_capture_on_commit_callbacks() as callbacks:
        response = marketer_client.post(
            reverse("journeys:campaign_check_landing", args=[campaign.pk])
        )
    assert response.status_code == 302
    assert len(callbacks) == 1


@pytest.mark.parametrize("rows", [1, 50])
def test_campaign_list_queries_do_not_grow(
    rows: int, marketer_client: Client, django_assert_num_queries
) -> None:
    CampaignFactory.create_batch(rows)
    url = reverse("journeys:campaigns")
    marketer_client.get(url)
    with django_assert_num_queries(2):
        assert marketer_client.get(url).status_code == 200


def test_campaign_list_pages_with_a_keyset(marketer_client: Client) -> None:
    campaigns = CampaignFactory.create_batch(55)
    first = marketer_client.get(reverse("journeys:campaigns"))
    assert len(first.context["campaigns"]) == 50
    before = first.context["next_before"]
    second = marketer_client.get(
        reverse("journeys:campaigns"), {"before": before}, headers={"HX-Request": "true"}
    )
    assert [c.pk for c in second.context["campaigns"]] == [c.pk for c in campaigns[:5]][::-1]
    assert "<html" not in second.text


@pytest.mark.parametrize("rows", [1, 50])
def test_calendar_queries_do_not_grow(
    rows: int, agent_client: Client, django_assert_num_queries
) -> None:
    start = timezone.now() + dt.timedelta(days=1)
    CampaignFactory.create_batch(
        rows, status=CampaignStatus.SCHEDULED, launch_at=start, audience_count=100
    )
    url = reverse("journeys:calendar")
    month = {"month": timezone.localdate(start).strftime("%Y-%m")}
    agent_client.get(url, month)
    with django_assert_num_queries(8):
        assert agent_client.get(url, month).status_code == 200


def test_calendar_highlights_days_over_capacity(marketer_client: Client, contact_center) -> None:
    from accounts.tests.factories import StaffingSlotFactory

    for weekday in range(7):
        StaffingSlotFactory(department=contact_center, weekday=weekday, hour=9, agents=1)
    start = timezone.now() + dt.timedelta(days=3)
    CampaignFactory(
        name="Drukte", status=CampaignStatus.SCHEDULED, launch_at=start, audience_count=10_000
    )
    month = timezone.localdate(start).strftime("%Y-%m")
    response = marketer_client.get(reverse("journeys:calendar"), {"month": month})
    assert response.context["month"].over_days
    assert "over capacity" in response.text


def test_calendar_month_navigation_and_bad_month(marketer_client: Client) -> None:
    response = marketer_client.get(reverse("journeys:calendar"), {"month": "2026-01"})
    assert "?month=2025-12" in response.text
    assert "?month=2026-02" in response.text
    partial = marketer_client.get(
        reverse("journeys:calendar"), {"month": "2026-02"}, headers={"HX-Request": "true"}
    )
    assert "<html" not in partial.text
    assert "HX-Request" in partial["Vary"]
    assert (
        marketer_client.get(reverse("journeys:calendar"), {"month": "2026-13"}).status_code == 400
    )


def test_the_calendar_explains_its_figures_and_keeps_the_short_notice_mark_first(
    marketer_client: Client,
) -> None:
    start = timezone.now() + dt.timedelta(days=3)
    CampaignFactory(
        name="Een heel lange campagnenaam die in een vakje niet past",
        status=CampaignStatus.SCHEDULED,
        short_notice=True,
        launch_at=start,
    )
    response = marketer_client.get(
        reverse("journeys:calendar"), {"month": timezone.localdate(start).strftime("%Y-%m")}
    )
    legend = response.text.split('class="calendar-legend"')[1].split("</dl>")[0]
    assert "+8 / cap. 720" in legend
    assert "staffed capacity" in legend
    item = response.text.split('<li class="status-scheduled">')[1].split("</li>")[0]
    assert item.index("short-mark") < item.index("Een heel lange campagnenaam")
