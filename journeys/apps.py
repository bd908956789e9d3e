from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _route_interaction(*, interaction: Any, **kwargs: Any) -> None:
    """An inbound contact moment becomes work (see services.routing.interaction_route)."""
    from .services.routing import interaction_route_recorded

    interaction_route_recorded(interaction=interaction)


def _campaign_reply(*, interaction: Any, **kwargs: Any) -> None:
    """Before routing: a reply to a campaign message gets the campaign code and is counted."""
    from .services.campaign_sending import campaign_reply_record

    campaign_reply_record(interaction=interaction)


def _campaign_unwarned(*, interaction: Any, **kwargs: Any) -> None:
    """After routing: a contact about a campaign nobody warned the contact center about."""
    from .services.campaign_sending import campaign_unwarned_record

    campaign_unwarned_record(interaction=interaction)


class JourneysConfig(AppConfig):
    name = "journeys"
    verbose_name = _("Journeys, cases and campaigns")

    def ready(self) -> None:
        from django.db import DEFAULT_DB_ALIAS, connections
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from accounts.models import Department, Holiday, OpeningHours
        from contacts.panels import CustomerPanel, panel_register
        from contacts.signals import interaction_recorded

        from .caches import routing_config_clear, routing_config_tables_set, routing_config_watch
        from .models import RoutingRule, SlaPolicy

        # Receivers run in the order connected: campaign attribution, routing, then the count.
        interaction_recorded.connect(_campaign_reply, dispatch_uid="journeys.campaign_reply")
        interaction_recorded.connect(_route_interaction, dispatch_uid="journeys.route_interaction")
        interaction_recorded.connect(_campaign_unwarned, dispatch_uid="journeys.campaign_unwarned")
        routing_config_tables_set(
            tables=tuple(
                m._meta.db_table
                for m in (RoutingRule, SlaPolicy, Department, OpeningHours, Holiday)
            )
        )
        connection_created.connect(routing_config_watch, dispatch_uid="journeys.routing_config")
        post_migrate.connect(routing_config_clear, dispatch_uid="journeys.routing_config_clear")
        default = connections[DEFAULT_DB_ALIAS]
        if default.connection is not None:
            routing_config_watch(sender=type(default), connection=default)
        panel_register(
            CustomerPanel(
                key="cases",
                title=_("Open cases"),
                url_name="journeys:customer_cases_panel",
                order=10,
            )
        )
