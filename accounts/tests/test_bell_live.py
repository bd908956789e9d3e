"""The live bell: it polls with the cursor it was drawn with; while nothing in the user's
notifications changed the answer is an empty 204 costing one query (the signed-in user's;
the session comes from the cache), with Redis as with the in-process cache."""

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import User

pytestmark = pytest.mark.django_db

BELL = reverse("accounts:bell")
HTMX = {"HX-Request": "true"}
LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture(params=["configured-cache", "locmem-cache"])
def poll_cache(request: pytest.FixtureRequest, settings) -> str:
    """The configured cache (Redis when REDIS_URL is set), then the in-process one."""
    if request.param == "locmem-cache":
        settings.CACHES = LOCMEM
    cache.clear()
    return str(settings.CACHES["default"]["BACKEND"])


def _poll_url(bell: str) -> str:
    found = re.search(r'hx-get="(/accounts/notifications/bell/\?cursor=[0-9a-f]+)"', bell)
    assert found, "the bell has no cursor to poll with"
    return found.group(1)


def test_the_page_draws_the_bell_that_loads_itself(agent_client: Client) -> None:
    page = agent_client.get(reverse("accounts:notifications")).text
    assert f'hx-get="{BELL}" hx-trigger="load"' in page


def test_an_idle_poll_is_an_empty_204_of_at_most_one_query(
    poll_cache: str, agent_client: Client, agent: User, django_assert_max_num_queries
) -> None:
    services.notification_send(recipients=[agent], title="Case waiting", email=False)
    bell = agent_client.get(BELL, headers=HTMX)
    assert bell.status_code == 200 and 'data-unread="1"' in bell.text
    url = _poll_url(bell.text)
    with django_assert_max_num_queries(1):
        response = agent_client.get(url, headers=HTMX)
    assert response.status_code == 204
    assert response.content == b""


def test_a_new_notification_redraws_the_bell_with_a_new_cursor(
    poll_cache: str, agent_client: Client, agent: User, manager: User
) -> None:
    url = _poll_url(agent_client.get(BELL, headers=HTMX).text)
    services.notification_send(recipients=[manager], title="Not for the agent", email=False)
    assert agent_client.get(url, headers=HTMX).status_code == 204

    services.notification_send(recipients=[agent], title="Case waiting", email=False)
    response = agent_client.get(url, headers=HTMX)
    assert response.status_code == 200
    assert 'data-unread="1"' in response.text and "Case waiting" in response.text
    assert 'id="bell"' in response.text and "<header" not in response.text
    # The redrawn bell polls on from its own cursor.
    assert agent_client.get(_poll_url(response.text), headers=HTMX).status_code == 204


def test_marking_read_elsewhere_redraws_the_bell(
    poll_cache: str, agent_client: Client, agent: User
) -> None:
    services.notification_send(recipients=[agent], title="Case waiting", email=False)
    url = _poll_url(agent_client.get(BELL, headers=HTMX).text)
    services.notification_mark_read(user=agent)
    response = agent_client.get(url, headers=HTMX)
    assert response.status_code == 200 and "badge" not in response.text


def test_a_lost_version_reads_the_database_again(agent_client: Client, agent: User) -> None:
    url = _poll_url(agent_client.get(BELL, headers=HTMX).text)
    cache.clear()
    response = agent_client.get(url, headers=HTMX)
    assert response.status_code == 200 and 'id="bell"' in response.text


@pytest.mark.parametrize("cursor", ["x" * 65, "abc;def", "../../"])
def test_a_malformed_cursor_is_refused(agent_client: Client, cursor: str) -> None:
    response = agent_client.get(BELL, {"cursor": cursor}, headers=HTMX)
    assert response.status_code == 400
    assert response.text == "This page is out of date; reload it."


def test_the_poll_is_for_signed_in_users_only(client: Client) -> None:
    response = client.get(BELL, {"cursor": "abc"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_poll_changes_nothing(agent_client: Client, agent: User) -> None:
    services.notification_send(recipients=[agent], title="Case waiting", email=False)
    url = _poll_url(agent_client.get(BELL, headers=HTMX).text)
    agent_client.get(url, headers=HTMX)
    assert agent.notifications.filter(read_at__isnull=True).count() == 1
    assert agent_client.post(url, headers=HTMX).status_code == 405
