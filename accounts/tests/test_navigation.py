"""The main navigation by role in the base template, and switching the language."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts import context_processors
from accounts.roles import Role

PAGE = reverse("accounts:notifications")


def _nav_links(client: Client, path: str = PAGE) -> list[tuple[str, str]]:
    html = client.get(path).content.decode()
    match = re.search(r'<nav class="mainnav"[^>]*>(.*?)</nav>', html, re.S)
    assert match, "the page has no main navigation"
    return re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', match.group(1))


def test_manager_sees_settings_in_the_navigation(manager_client: Client) -> None:
    assert ("/accounts/settings/", "Settings") in _nav_links(manager_client)


@pytest.mark.parametrize("persona", ["agent", "member", "marketer", "outsider"])
def test_people_who_are_not_managers_do_not_see_settings(
    persona: str, request: pytest.FixtureRequest
) -> None:
    client: Client = request.getfixturevalue(f"{persona}_client")
    assert "/accounts/settings/" not in [url for url, _label in _nav_links(client)]


def test_an_outsider_gets_an_empty_navigation(outsider_client: Client) -> None:
    assert _nav_links(outsider_client) == []


def test_an_anonymous_visitor_sees_no_navigation(client: Client, db: None) -> None:
    html = client.get(reverse("accounts:login")).content
    assert b'class="mainnav"' not in html
    assert b'id="bell"' not in html


def test_the_current_section_is_marked_as_the_current_page(manager_client: Client) -> None:
    html = manager_client.get(reverse("accounts:settings")).content.decode()
    assert '<a href="/accounts/settings/" aria-current="page">Settings</a>' in html
    other = manager_client.get(PAGE).content.decode()
    assert 'aria-current="page"' not in other


def test_the_header_names_the_user_and_their_roles(manager_client: Client) -> None:
    html = manager_client.get(PAGE).content.decode()
    assert re.search(r'<span class="who" title="manager">[^<]+</span>', html)


def test_navigation_shows_entries_by_role_and_skips_names_that_do_not_resolve(
    monkeypatch: pytest.MonkeyPatch, agent_client: Client, manager_client: Client
) -> None:
    monkeypatch.setattr(
        context_processors,
        "NAVIGATION",
        [
            ("accounts:notifications", "Agent inbox", {Role.AGENT}),
            ("nowhere:missing", "Ghost", {Role.AGENT, Role.MANAGER}),
            ("accounts:settings", "Manager settings", {Role.MANAGER}),
        ],
    )
    assert _nav_links(agent_client) == [("/accounts/notifications/", "Agent inbox")]
    assert _nav_links(manager_client) == [("/accounts/settings/", "Manager settings")]


def test_the_navigation_costs_one_query_for_the_roles(
    monkeypatch: pytest.MonkeyPatch, manager_client: Client, django_assert_num_queries
) -> None:
    # Many entries share one roles lookup: session, user, groups, notifications page.
    monkeypatch.setattr(
        context_processors,
        "NAVIGATION",
        [("accounts:settings", f"Entry {i}", {Role.MANAGER}) for i in range(10)],
    )
    with django_assert_num_queries(3):
        assert len(_nav_links(manager_client)) == 10


def test_switching_to_dutch_sets_the_cookie_and_the_next_page_is_dutch(
    agent_client: Client, settings
) -> None:
    assert b'<html lang="en">' in agent_client.get(PAGE).content

    response = agent_client.post("/i18n/setlang/", {"language": "nl", "next": PAGE})

    assert response.status_code == 302
    assert response["Location"] == PAGE
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nl"
    page = agent_client.get(PAGE)
    assert b'<html lang="nl">' in page.content


def test_an_anonymous_visitor_can_switch_the_login_page_to_dutch(client: Client, db: None) -> None:
    login = reverse("accounts:login")
    response = client.post("/i18n/setlang/", {"language": "nl", "next": login})
    assert response.status_code == 302
    assert b'<html lang="nl">' in client.get(login).content


def test_an_unknown_language_is_ignored(agent_client: Client, settings) -> None:
    agent_client.post("/i18n/setlang/", {"language": "xx", "next": PAGE})
    assert settings.LANGUAGE_COOKIE_NAME not in agent_client.cookies
    assert b'<html lang="en">' in agent_client.get(PAGE).content
