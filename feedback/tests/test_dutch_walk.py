"""Every page of every persona in Dutch: no English leftover from a list of known ones.

Reverses every named URL that needs no arguments, a few with objects, and follows the main
navigation; each page answered with HTML is searched for Django's empty choice "---------",
English times ("a.m.", "p.m."), raw channel codes and lead times shown as text, and English
strings of the interface."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.exceptions import NoReverseMatch

from accounts.models import User
from contacts.tests.factories import CustomerFactory, ProfileQuestionFactory
from journeys.models import CampaignStatus
from journeys.tests.factories import CampaignFactory, CaseFactory, JourneyFactory, SegmentFactory

pytestmark = pytest.mark.django_db

PERSONAS = ["agent", "member", "marketer", "manager", "outsider"]
# Not pages for people, or not in the interface's language by design.
# Provider webhooks (anymail, WhatsApp, Twilio) are no pages for people.
SKIP_PREFIXES = (
    "admin:", "api", "schema", "swagger", "redoc", "set_language", "logout", "anymail:", "webhooks:",
)  # fmt: skip
SKIP_NAMES = {"accounts:logout", "accounts:bell", "contacts:data_export_csv"}

# A leftover is shown as text, so it is searched between tags, not inside attributes.
LEFTOVERS = [
    re.compile(r"-{9}"),  # Django's empty_label
    re.compile(r"\b[ap]\.m\."),
    re.compile(r">\s*(email|sms|whatsapp|phone|facebook|instagram|chat|store|web|letter)\s*<"),
    re.compile(r"\b\d+wd\b"),
    re.compile(r"[ >](Select an option|choose a question|choose an answer|no condition)\b"),
    re.compile(r">\s*(Save|Cancel|Edit|Search|Filter|Older|Sign out|Customers|Campaigns)\s*<"),
    re.compile(r"\b(Who is left out and why|Add a rule|Copy link|Time zone:|Legend)\b"),
]


def _names(resolver: URLResolver, prefix: str = "") -> list[str]:
    names = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            names += _names(pattern, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.append(prefix + pattern.name)
    return names


def _paths() -> list[str]:
    paths = []
    for name in sorted(set(_names(get_resolver()))):
        if name.startswith(SKIP_PREFIXES) or name in SKIP_NAMES:
            continue
        try:
            paths.append(reverse(name))
        except NoReverseMatch:
            continue
    return paths


def _visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    # Drop attributes so values like value="email" are not mistaken for text.
    return re.sub(r"<([a-zA-Z0-9]+)(\s[^>]*)?>", r"<\1>", html)


def _dutch_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    return client


@pytest.fixture
def objects(contact_center, marketer: User):
    customer = CustomerFactory(name="Anna de Vries")
    ProfileQuestionFactory(key="children", label_nl="Hoeveel kinderen?", answer_type="number")
    case = CaseFactory(customer=customer, department=contact_center)
    segment = SegmentFactory(definition={"consent_channel": "email"})
    draft = CampaignFactory(segment=segment, channels=["email", "sms"])
    scheduled = CampaignFactory(
        segment=segment, status=CampaignStatus.SCHEDULED, audience_count=5, short_notice=True
    )
    journey = JourneyFactory()
    return [
        reverse("contacts:customer", args=[customer.pk]),
        reverse("journeys:case", args=[case.pk]),
        reverse("journeys:campaign_detail", args=[draft.pk]),
        reverse("journeys:campaign_detail", args=[scheduled.pk]),
        reverse("journeys:campaign_edit", args=[draft.pk]),
        reverse("journeys:segment_edit", args=[segment.pk]),
        reverse("journeys:journey_detail", args=[journey.pk]),
    ]


def _nav(html: str) -> list[str]:
    match = re.search(r'<nav class="mainnav"[^>]*>(.*?)</nav>', html, re.S)
    return re.findall(r'<a href="(/[^"]*)"', match.group(1)) if match else []


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_english_leftover_on_any_page_in_dutch(
    persona: str, objects: list[str], request: pytest.FixtureRequest
) -> None:
    user: User = request.getfixturevalue(persona)
    client = _dutch_client(user)
    todo = [*_paths(), *objects]
    seen: set[str] = set()
    found: list[str] = []
    while todo:
        path = todo.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        todo += _nav(html)
        text = _visible_text(html)
        for pattern in LEFTOVERS:
            for match in pattern.finditer(text):
                found.append(f"{path}: {match.group(0)!r}")
    assert len(seen) > 10
    assert found == [], "\n".join(found)
