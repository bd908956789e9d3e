"""Permissions and roles cached between requests (accounts.access): no permission query on
a request once cached, and every change of roles or permissions seen at once."""

import pytest
from django.contrib.auth.models import Group, Permission
from rest_framework.test import APIClient

from accounts.access import user_groups, user_permissions
from accounts.models import User
from accounts.roles import Role
from accounts.selectors import user_roles


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


@pytest.mark.django_db
def test_a_second_request_reads_no_permissions(agent, django_assert_num_queries) -> None:
    user_permissions(user=_fresh(agent))
    user_groups(user=_fresh(agent))
    user = _fresh(agent)
    with django_assert_num_queries(0):
        assert user.has_perms(["contacts.view_customer", "journeys.view_case"])
        assert user_roles(user=user) == {Role.AGENT}


@pytest.mark.django_db
def test_a_role_given_is_seen_at_once(agent) -> None:
    assert not _fresh(agent).has_perm("journeys.add_campaign")
    agent.groups.add(Group.objects.get(name=Role.MARKETER.value))
    user = _fresh(agent)
    assert user.has_perm("journeys.add_campaign")
    assert user_roles(user=user) == {Role.AGENT, Role.MARKETER}


@pytest.mark.django_db
def test_a_role_taken_away_is_seen_at_once(agent) -> None:
    assert _fresh(agent).has_perm("journeys.view_case")
    agent.groups.clear()
    assert not _fresh(agent).has_perm("journeys.view_case")
    assert user_roles(user=_fresh(agent)) == frozenset()


@pytest.mark.django_db
def test_a_permission_removed_from_a_group_is_seen_at_once(agent) -> None:
    assert _fresh(agent).has_perm("journeys.view_case")
    group = Group.objects.get(name=Role.AGENT.value)
    group.permissions.remove(Permission.objects.get(codename="view_case"))
    assert not _fresh(agent).has_perm("journeys.view_case")


@pytest.mark.django_db
def test_a_deactivated_user_has_no_permissions(agent) -> None:
    assert _fresh(agent).has_perm("journeys.view_case")
    agent.is_active = False
    agent.save()
    assert not _fresh(agent).has_perm("journeys.view_case")


@pytest.mark.django_db
def test_api_request_with_a_cached_user_runs_only_the_token_query(
    api_client, integration, django_assert_num_queries
) -> None:
    user_permissions(user=integration)
    with django_assert_num_queries(1):
        response = api_client.get("/api/v1/interactions/")
    assert response.status_code == 405


@pytest.mark.django_db
def test_without_permission_the_api_still_refuses(outsider) -> None:
    client = APIClient()
    client.force_authenticate(outsider)
    assert client.post("/api/v1/interactions/", {}, format="json").status_code == 403
