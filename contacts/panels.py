"""Panels on the customer page that higher apps (journeys, feedback) contribute, and the
references they add to timeline rows (the case a contact moment belongs to).

Contacts never imports a higher app: each one registers a panel in its AppConfig.ready()
naming a URL that takes ``customer_id`` and returns an HTML fragment. The customer page
loads every registered panel with htmx (and links to it for browsers without script).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class CustomerPanel:
    key: str
    title: str | Promise
    url_name: str  # reversed with kwargs={"customer_id": ...}
    order: int = 100


_PANELS: dict[str, CustomerPanel] = {}


def panel_register(panel: CustomerPanel) -> None:
    """Add or replace a panel; safe to call again (ready() may run more than once)."""
    _PANELS[panel.key] = panel


def panel_list() -> list[CustomerPanel]:
    return sorted(_PANELS.values(), key=lambda p: (p.order, p.key))


@dataclass(frozen=True)
class TimelineRef:
    """What a contact moment belongs to in a higher app (a case): a label, and a link when
    the viewer may open it (None: the reference without a link)."""

    label: str | Promise
    url: str | None = None


# Given the viewer and the ids of one timeline page, the references per contact moment id.
# One query per page, never one per row.
TimelineRefs = Callable[[Any, list[int]], dict[int, TimelineRef]]

_TIMELINE_REFS: dict[str, TimelineRefs] = {}


def timeline_refs_register(key: str, refs: TimelineRefs) -> None:
    """Add or replace a source of timeline references; safe to call again."""
    _TIMELINE_REFS[key] = refs


def timeline_refs_list() -> list[TimelineRefs]:
    return [_TIMELINE_REFS[key] for key in sorted(_TIMELINE_REFS)]
