"""request_user: the signed-in user of a request, and a refusal for an anonymous one."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from rest_framework.request import Request

from accounts.models import User
from accounts.signed_in import request_user


def test_a_page_request_gives_its_user(agent: User) -> None:
    request = RequestFactory().get("/")
    request.user = agent
    assert request_user(request) == agent


def test_an_api_request_gives_its_user(agent: User) -> None:
    request = Request(RequestFactory().get("/api/v1/tasks/"))
    request.user = agent
    assert request_user(request) == agent


def test_an_anonymous_request_is_refused() -> None:
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with pytest.raises(PermissionDenied):
        request_user(request)
