"""Blocks on the case page that a higher app (feedback) contributes.

Journeys never imports feedback: feedback registers a panel in its AppConfig.ready() naming
a URL that takes ``case_id`` and returns an HTML fragment, and saying which cases it is
for. The case page loads each panel that applies with htmx (and links to it).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


def _every_case(case: Any) -> bool:
    return True


@dataclass(frozen=True)
class CasePanel:
    key: str
    title: str | Promise
    url_name: str  # reversed with kwargs={"case_id": ...}
    # Whether the panel is for this case, from the case's own fields (no query).
    applies: Callable[[Any], bool] = _every_case
    order: int = 100


_PANELS: dict[str, CasePanel] = {}


def case_panel_register(panel: CasePanel) -> None:
    """Add or replace a panel; safe to call again (ready() may run more than once)."""
    _PANELS[panel.key] = panel


def case_panel_list(*, case: Any) -> list[CasePanel]:
    return sorted((p for p in _PANELS.values() if p.applies(case)), key=lambda p: (p.order, p.key))
