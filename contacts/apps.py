from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = _("Customers and contact moments")

    def ready(self) -> None:
        from anymail.signals import inbound

        from .mail.inbound import anymail_inbound_receive

        inbound.connect(anymail_inbound_receive, dispatch_uid="contacts.mail.anymail_inbound")

        from anymail.signals import tracking

        from .services.tracking import anymail_tracking_received

        tracking.connect(anymail_tracking_received, dispatch_uid="contacts.anymail_tracking")

        from .search import SearchProvider, search_provider_register
        from .selectors.customers import customer_search_hits

        search_provider_register(
            SearchProvider(
                key="customers", title=_("Customers"), find=customer_search_hits, order=20
            )
        )
