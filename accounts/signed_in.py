"""The signed-in user of a request behind login, typed as this project's user."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from rest_framework.request import Request

from accounts.models import User


def request_user(request: HttpRequest | Request) -> User:
    """``request.user`` of a page or an endpoint behind login (LoginRequiredMiddleware, an
    API permission class), where it is always a user; PermissionDenied for an anonymous one."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user
