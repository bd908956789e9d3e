"""Notifications about cases and campaigns are read in the reader's language, whoever
triggered them and in whatever language that person worked."""

import datetime as dt

from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Notification, User
from accounts.roles import Role
from accounts.tests.factories import UserFactory
from journeys.services import cases as case_services
from journeys.tests.factories import CaseFactory


def _dutch_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    return client


def test_a_dutch_agents_bell_shows_dutch_text_for_a_notification_from_an_english_user(
    agent: User, contact_center
) -> None:
    agent.language = "nl"
    agent.save(update_fields=["language"])
    lead = UserFactory(
        username="englishlead", department=contact_center, roles=[Role.MANAGER], language="en"
    )
    case = CaseFactory(department=contact_center)
    with translation.override("en"):  # the lead works in English
        case_services.case_assign(case=case, user=agent, by=lead)

    response = _dutch_client(agent).get(reverse("accounts:bell"))

    assert response.status_code == 200
    assert f"Zaak {case.pk} is aan je toegewezen" in response.content.decode()


def test_the_same_notification_reads_in_english_for_an_english_reader(
    agent: User, contact_center
) -> None:
    lead = UserFactory(username="dutchlead", department=contact_center, roles=[Role.MANAGER])
    case = CaseFactory(department=contact_center)
    with translation.override("nl"):
        case_services.case_assign(case=case, user=agent, by=lead)
    client = Client()
    client.force_login(agent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(reverse("accounts:notifications"))

    assert f"Case {case.pk} was assigned to you" in response.content.decode()


def test_an_escalation_names_its_kind_in_the_readers_language(
    manager: User, contact_center
) -> None:
    case = CaseFactory(
        department=contact_center,
        first_response_due=timezone.now() + dt.timedelta(days=9),
        resolution_due=timezone.now() + dt.timedelta(hours=1),
    )
    with translation.override("en"):
        assert case_services.sla_escalate(now=timezone.now() + dt.timedelta(days=1)) == 1
    note = Notification.objects.get(recipient=manager)
    with translation.override("nl"):
        assert note.title_text == f"Zaak {case.pk} geëscaleerd: Oplossing te laat"
    with translation.override("en"):
        assert note.title_text == f"Case {case.pk} escalated: Resolution overdue"
