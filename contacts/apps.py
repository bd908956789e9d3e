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

        from django.db.models.signals import post_delete, post_migrate, post_save

        from .catalogue import profile_questions_changed
        from .models import ProfileQuestion

        # The profile questions cached between requests (contacts.catalogue) are dropped
        # where they are written.
        post_save.connect(
            profile_questions_changed, sender=ProfileQuestion, dispatch_uid="contacts.pq.save"
        )
        post_delete.connect(
            profile_questions_changed, sender=ProfileQuestion, dispatch_uid="contacts.pq.delete"
        )
        post_migrate.connect(profile_questions_changed, dispatch_uid="contacts.pq.migrate")

        from .search import SearchProvider, search_provider_register
        from .selectors.customers import customer_search_hits

        search_provider_register(
            SearchProvider(
                key="customers", title=_("Customers"), find=customer_search_hits, order=20
            )
        )
