"""The per-user .ics feed at a secret token URL."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from accounts.models import User
from journeys.models import CalendarFeedToken, CampaignStatus
from journeys.tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


def _new_feed_url(client: Client) -> str:
    response = client.post(reverse("journeys:calendar_feed_regenerate"))
    assert response.status_code == 302
    page = client.get(reverse("journeys:calendar"))
    return page.context["feed_url"]


def test_the_feed_is_a_valid_calendar_of_visible_campaigns(
    agent_client: Client, agent: User
) -> None:
    start = timezone.now() + dt.timedelta(days=5)
    CampaignFactory(name="Winterjas", status=CampaignStatus.SCHEDULED, launch_at=start)
    CampaignFactory(name="Concept", launch_at=start)
    url = _new_feed_url(agent_client)
    stored = CalendarFeedToken.objects.get(user=agent)
    assert stored.token_hash not in url  # only the hash is stored, the URL holds the secret
    response = Client().get(url)  # no login
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    summaries = [str(e["summary"]) for e in calendar.walk("VEVENT")]
    assert summaries == ["Winterjas (Scheduled)"]


def test_the_link_is_shown_once(marketer_client: Client) -> None:
    _new_feed_url(marketer_client)
    assert marketer_client.get(reverse("journeys:calendar")).context["feed_url"] is None


def test_wrong_or_old_tokens_are_404(marketer_client: Client) -> None:
    old = _new_feed_url(marketer_client)
    new = _new_feed_url(marketer_client)
    assert Client().get(old).status_code == 404
    assert Client().get(new).status_code == 200
    assert Client().get(reverse("journeys:calendar_feed", args=["nonsense"])).status_code == 404


def test_the_feed_stops_when_the_user_loses_access(marketer_client: Client, marketer: User) -> None:
    url = _new_feed_url(marketer_client)
    marketer.is_active = False
    marketer.save()
    assert Client().get(url).status_code == 404


def test_regenerating_needs_post_and_calendar_access(
    member_client: Client, agent_client: Client
) -> None:
    assert agent_client.get(reverse("journeys:calendar_feed_regenerate")).status_code == 405
    assert member_client.post(reverse("journeys:calendar_feed_regenerate")).status_code == 403
    assert not CalendarFeedToken.objects.exists()


def test_the_new_link_comes_with_a_copy_button_and_a_webcal_link(marketer_client: Client) -> None:
    marketer_client.post(reverse("journeys:calendar_feed_regenerate"))
    page = marketer_client.get(reverse("journeys:calendar"))
    feed_url = page.context["feed_url"]
    assert feed_url.startswith("http://testserver/")
    webcal = "webcal://" + feed_url.removeprefix("http://")
    assert f'href="{webcal}"' in page.text
    assert 'data-copy="#feed-url"' in page.text
    assert 'src="/static/js/calendar.js"' in page.text
