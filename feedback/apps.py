from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _on_order_delivered(sender: Any, order: Any, **kwargs: Any) -> None:
    from .services.invitations import invitation_schedule

    invitation_schedule(order_id=order.pk)


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Customer feedback")

    def ready(self) -> None:
        from contacts.panels import CustomerPanel, panel_register
        from contacts.signals import order_delivered

        order_delivered.connect(_on_order_delivered, dispatch_uid="feedback.order_delivered")
        panel_register(
            CustomerPanel(
                key="feedback",
                title=_("Feedback"),
                url_name="feedback:customer_panel",
                order=20,
            )
        )
