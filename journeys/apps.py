from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _route_interaction(*, interaction: Any, mail: Any = None, **kwargs: Any) -> None:
    """An inbound contact moment becomes work (see services.routing.interaction_route); an
    e-mail is threaded into its case first (services.mailthread.email_route)."""
    if mail is not None:
        from .services.mailthread import email_route

        email_route(interaction=interaction, mail=mail)
        return
    from .services.routing import interaction_route_recorded

    interaction_route_recorded(interaction=interaction)


def _route_interactions(*, interactions: Any, **kwargs: Any) -> None:
    """A batch of contact moments becomes work (see services.routing_bulk)."""
    from .services.routing_bulk import interactions_route_bulk

    interactions_route_bulk(
        interactions=interactions, new_customer_ids=kwargs.get("created_customer_ids", ())
    )


def _ensure_sla_policies(**kwargs: Any) -> None:
    from .services.sla import sla_policies_ensure

    sla_policies_ensure()


def _campaign_reply(*, interaction: Any, mail: Any = None, **kwargs: Any) -> None:
    """Before routing: a reply to a campaign message gets the campaign code and is counted
    (an e-mail also by the message it answers, In-Reply-To)."""
    from .services.campaign_sending import campaign_reply_record

    if mail is not None and mail.automatic:
        return
    campaign_reply_record(
        interaction=interaction, in_reply_to=mail.in_reply_to if mail is not None else ""
    )


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
        from django.db.models.signals import post_delete, post_migrate, post_save

        from accounts.models import Department, Holiday, OpeningHours
        from contacts.panels import CustomerPanel, panel_register, timeline_refs_register
        from contacts.search import SearchProvider, search_provider_register
        from contacts.signals import interaction_recorded, interactions_recorded_bulk

        from .caches import routing_config_changed
        from .live import cases_watch
        from .models import RoutingRule, SlaPolicy
        from .selectors.search import case_search_hits

        # Receivers run in the order connected: campaign attribution, routing, then the count.
        interaction_recorded.connect(_campaign_reply, dispatch_uid="journeys.campaign_reply")
        interaction_recorded.connect(_route_interaction, dispatch_uid="journeys.route_interaction")
        interactions_recorded_bulk.connect(
            _route_interactions, dispatch_uid="journeys.route_interactions"
        )
        interaction_recorded.connect(_campaign_unwarned, dispatch_uid="journeys.campaign_unwarned")
        # The routing configuration cached between cases (journeys.caches) is dropped where
        # it is written: saves and deletes here, bulk writes by the services doing them.
        for model in (RoutingRule, SlaPolicy, Department, OpeningHours, Holiday):
            name = model.__name__
            post_save.connect(
                routing_config_changed, sender=model, dispatch_uid=f"journeys.config.save.{name}"
            )
            post_delete.connect(
                routing_config_changed, sender=model, dispatch_uid=f"journeys.config.delete.{name}"
            )
        post_migrate.connect(routing_config_changed, dispatch_uid="journeys.routing_config_clear")
        connection_created.connect(cases_watch, dispatch_uid="journeys.live_cases")
        # The default SLA policies come back after a flush (transactional tests) too.
        post_migrate.connect(
            _ensure_sla_policies, sender=self, dispatch_uid="journeys.ensure_sla_policies"
        )
        default = connections[DEFAULT_DB_ALIAS]
        if default.connection is not None:
            cases_watch(sender=type(default), connection=default)
        search_provider_register(
            SearchProvider(key="cases", title=_("Cases"), find=case_search_hits, order=10)
        )
        from .selectors.timeline_refs import timeline_case_refs

        timeline_refs_register("cases", timeline_case_refs)
        panel_register(
            CustomerPanel(
                key="cases",
                title=_("Open cases"),
                url_name="journeys:customer_cases_panel",
                order=10,
            )
        )
