"""Panels on the customer page that higher apps (journeys, feedback) contribute.

Contacts never imports a higher app: each one registers a panel in its AppConfig.ready()
naming a URL that takes ``customer_id`` and returns an HTML fragment. The customer page
loads every registered panel with htmx (and links to it for browsers without script).
"""

from dataclasses import dataclass

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
