"""The live inbox: the section asks every 10 s whether anything changed; one query and an
empty 204 when nothing did, the redrawn section with a count when something did."""

import datetime as dt
import re
from typing import Any

import pytest
from django.core import signing
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Department, User
from contacts.tests.factories import InteractionFactory
from journeys.models import Case
from journeys.tests.factories import CaseFactory
from journeys.views.inbox import POLL_SALT

pytestmark = pytest.mark.django_db

INBOX = reverse("journeys:inbox")
POLL = reverse("journeys:inbox_poll")
HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}
LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def _poll_url(page: str) -> str:
    found = re.search(r'hx-get="(/inbox/poll/\?[^"]+)"', page)
    assert found, "the section has no live poll"
    return found.group(1).replace("&amp;", "&")


def _backdate(days: int = 1) -> None:
    # Everything created so far happened before the page was drawn.
    Case.objects.update(updated_at=timezone.now() - dt.timedelta(days=days))


@pytest.fixture(params=["configured-cache", "locmem-cache"])
def poll_cache(request: pytest.FixtureRequest, settings) -> str:
    """The configured cache (Redis when REDIS_URL is set), then the in-process one."""
    if request.param == "locmem-cache":
        settings.CACHES = LOCMEM
    cache.clear()
    return str(settings.CACHES["default"]["BACKEND"])


@pytest.mark.parametrize("rows", [1, 50])
@pytest.mark.parametrize("tab", ["mine", "queue"])
def test_a_poll_that_finds_nothing_is_an_empty_204_of_at_most_one_query(
    poll_cache: str,
    rows: int,
    tab: str,
    agent_client: Client,
    agent: User,
    contact_center: Department,
    django_assert_max_num_queries,
) -> None:
    for n in range(rows):
        CaseFactory(
            department=contact_center, owner=agent if n % 2 else None,
            resolution_due=timezone.now() + dt.timedelta(days=3),
        )  # fmt: skip
    _backdate()
    url = _poll_url(agent_client.get(INBOX, {"tab": tab}).text)
    # The session comes from the cache, and so does "no case was written since": what is
    # left is the signed-in user.
    with django_assert_max_num_queries(1):
        response = agent_client.get(url, **HTMX)
    assert response.status_code == 204
    assert response.content == b""


def test_a_change_outside_the_section_renews_only_the_poll(
    agent_client: Client, agent: User, contact_center: Department, sales: Department,
    django_assert_max_num_queries,
) -> None:  # fmt: skip
    CaseFactory(department=contact_center, subject="Eigen vraag")
    _backdate()
    url = _poll_url(agent_client.get(INBOX, {"tab": "queue", "priority": "normal"}).text)
    CaseFactory(department=sales, subject="Andere afdeling")

    response = agent_client.get(url, **HTMX)
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#inbox-live" and response["HX-Reswap"] == "outerHTML"
    assert response.text.strip().startswith('<div class="inbox-live" id="inbox-live"')
    assert "Andere afdeling" not in response.text and "<table" not in response.text
    renewed = _poll_url(response.text)
    assert "priority=normal" in renewed and "tab=queue" in renewed
    # From the renewed token on, the idle poll answers from the cache again.
    with django_assert_max_num_queries(1):
        assert agent_client.get(renewed, **HTMX).status_code == 204


def test_any_write_to_a_case_makes_the_poll_look(
    agent_client: Client, agent: User, contact_center: Department
) -> None:
    case = CaseFactory(department=contact_center, subject="Oud")
    _backdate()
    url = _poll_url(agent_client.get(INBOX, {"tab": "queue"}).text)
    assert agent_client.get(url, **HTMX).status_code == 204
    # A bulk update through the query set, as services do, is noticed too.
    Case.objects.filter(pk=case.pk).update(subject="Nieuw", updated_at=timezone.now())
    response = agent_client.get(url, **HTMX)
    assert response.status_code == 200 and "Nieuw" in response.text


def test_cases_a_batch_opens_make_the_poll_look(
    agent_client: Client, api_client: Any, contact_center: Department
) -> None:
    CaseFactory(department=contact_center, subject="Oud")
    _backdate()
    url = _poll_url(agent_client.get(INBOX, {"tab": "queue"}).text)
    assert agent_client.get(url, **HTMX).status_code == 204
    # The batch intake writes its cases with COPY, which no watched statement sees.
    item = {
        "source": "email-gateway",
        "external_id": "msg-live-1",
        "channel": "email",
        "direction": "in",
        "occurred_at": timezone.now().isoformat(),
        "identities": [{"kind": "email", "value": "nieuw@example.nl"}],
        "subject": "Uit de batch",
    }
    batch = api_client.post("/api/v1/interactions/batch/", {"items": [item]}, format="json")
    assert batch.json()["created"] == 1
    response = agent_client.get(url, **HTMX)
    assert response.status_code == 200 and "Uit de batch" in response.text


def test_a_new_case_redraws_the_section_with_a_count(
    agent_client: Client, contact_center: Department
) -> None:
    old = CaseFactory(department=contact_center, subject="Oude vraag")
    _backdate()
    url = _poll_url(agent_client.get(INBOX, {"tab": "queue"}).text)
    CaseFactory(department=contact_center, subject="Nieuwe vraag", origin=InteractionFactory())

    response = agent_client.get(url, **HTMX)
    assert response.status_code == 200
    assert '<section id="inbox-section"' in response.text and "<header" not in response.text
    assert "Nieuwe vraag" in response.text and "Oude vraag" in response.text
    assert "1 case new or changed since" in response.text
    # The redrawn section polls on from there, and keeps counting.
    assert agent_client.get(_poll_url(response.text), **HTMX).status_code == 204
    old.subject = "Gewijzigd"
    old.save()
    again = agent_client.get(_poll_url(response.text), **HTMX)
    assert "2 cases new or changed since" in again.text


def test_a_case_assigned_to_me_appears_in_my_cases(
    agent_client: Client, agent: User, contact_center: Department
) -> None:
    _backdate()
    url = _poll_url(agent_client.get(INBOX, {"tab": "mine"}).text)
    case = CaseFactory(department=contact_center, subject="Voor jou")
    Case.objects.filter(pk=case.pk).update(owner=agent, updated_at=timezone.now())
    response = agent_client.get(url, **HTMX)
    assert response.status_code == 200 and "Voor jou" in response.text


def test_an_sla_colour_due_to_change_redraws_without_a_database_change(
    agent_client: Client, agent: User, contact_center: Department
) -> None:
    CaseFactory(
        department=contact_center, owner=agent,
        resolution_due=timezone.now() + dt.timedelta(hours=2, seconds=1),
        first_response_due=None,
    )  # fmt: skip
    _backdate()
    url = _poll_url(agent_client.get(INBOX).text)
    found = re.search(r"token=([^&]+)", url)
    assert found is not None
    token = signing.loads(found.group(1).replace("%3A", ":"), salt=POLL_SALT)
    assert token["c"] is not None
    expired = {**token, "c": timezone.now().timestamp() - 1}
    response = agent_client.get(POLL, {"token": signing.dumps(expired, salt=POLL_SALT)}, **HTMX)
    assert response.status_code == 200 and '<section id="inbox-section"' in response.text


def test_a_forged_or_someone_elses_poll_token_is_refused(
    agent_client: Client, manager: User, contact_center: Department
) -> None:
    assert agent_client.get(POLL, {"token": "nonsense"}, **HTMX).status_code == 400
    theirs = signing.dumps(
        {"u": manager.pk, "t": "queue", "d": contact_center.pk, "o": 0, "s": 0, "c": None},
        salt=POLL_SALT,
    )
    response = agent_client.get(POLL, {"token": theirs}, **HTMX)
    assert response.status_code == 400
    assert response.text == "This inbox is out of date; reload the page."


def test_the_poll_is_for_signed_in_users_only(client: Client) -> None:
    response = client.get(POLL, {"token": "x"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
