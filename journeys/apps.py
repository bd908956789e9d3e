from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _route_interaction(*, interaction: Any, **kwargs: Any) -> None:
    """An inbound contact moment becomes work (see services.routing.interaction_route)."""
    from .services.routing import interaction_route

    interaction_route(interaction_id=interaction.pk)


class JourneysConfig(AppConfig):
    name = "journeys"
    verbose_name = _("Journeys, cases and campaigns")

    def ready(self) -> None:
        from contacts.panels import CustomerPanel, panel_register
        from contacts.signals import interaction_recorded

        interaction_recorded.connect(_route_interaction, dispatch_uid="journeys.route_interaction")
        panel_register(
            CustomerPanel(
                key="cases",
                title=_("Open cases"),
                url_name="journeys:customer_cases_panel",
                order=10,
            )
        )
