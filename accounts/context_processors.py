"""Navigation by role for the base template."""

import functools
from typing import Any, TypedDict

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .roles import Role
from .selectors import user_roles

# (url name, label, roles that see it). A name that does not resolve yet is left out.
NAVIGATION = [
    ("journeys:inbox", _("Inbox"), {Role.AGENT, Role.MEMBER, Role.MANAGER}),
    ("contacts:search", _("Customers"), {Role.AGENT, Role.MEMBER, Role.MANAGER, Role.MARKETER}),
    ("contacts:data_duplicates", _("Customer data"), {Role.MANAGER}),
    ("journeys:campaigns", _("Campaigns"), {Role.MARKETER, Role.MANAGER}),
    ("journeys:calendar", _("Calendar"), {Role.MARKETER, Role.MANAGER, Role.AGENT}),
    ("journeys:journey_list", _("Journeys"), {Role.MARKETER, Role.MANAGER}),
    ("feedback:dashboard", _("Feedback"), {Role.MANAGER}),
    ("feedback:outcomes", _("Outcomes"), {Role.MANAGER}),
    ("journeys:reports", _("Reports"), {Role.MANAGER, Role.ADMIN}),
    ("accounts:settings", _("Settings"), {Role.MANAGER, Role.ADMIN}),
]


class NavItem(TypedDict):
    url: str
    label: Promise
    active: bool


@functools.cache
def _navigation_urls(
    script_prefix: str, root_urlconf: str, urlconf: str | None, entries: int
) -> tuple[tuple[str, Any, frozenset[Role]], ...]:
    """The links that resolve, reversed once per prefix, URLconf and list of entries (``id``
    of NAVIGATION), not on every page."""
    found = []
    for name, label, allowed in NAVIGATION:
        try:
            found.append((reverse(name, urlconf=urlconf), label, frozenset(allowed)))
        except NoReverseMatch:
            continue
    return tuple(found)


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_role_names": []}
    roles = user_roles(user=user)
    items: list[NavItem] = [
        {"url": url, "label": label, "active": False}
        for url, label, allowed in _navigation_urls(
            get_script_prefix(), settings.ROOT_URLCONF, get_urlconf(), id(NAVIGATION)
        )
        if roles & allowed
    ]
    # The longest link the page lies under is the current one (/feedback/outcomes/ is under
    # /feedback/ too).
    current = max(
        (item for item in items if item["url"] != "/" and request.path.startswith(item["url"])),
        key=lambda item: len(item["url"]),
        default=None,
    )
    if current is not None:
        current["active"] = True
    return {"nav_items": items, "user_role_names": sorted(r.value for r in roles)}
