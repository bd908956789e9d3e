from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _is_followup(case: Any) -> bool:
    """Follow-up cases are opened with the topic "feedback" (services.responses)."""
    return bool(case.topic == "feedback")


def _on_order_delivered(sender: Any, order: Any, **kwargs: Any) -> None:
    from .services.invitations import invitation_schedule

    invitation_schedule(order_id=order.pk)


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Customer feedback")

    def ready(self) -> None:
        from contacts.panels import CustomerPanel, panel_register
        from contacts.signals import order_delivered
        from journeys.panels import CasePanel, case_panel_register

        order_delivered.connect(_on_order_delivered, dispatch_uid="feedback.order_delivered")
        panel_register(
            CustomerPanel(
                key="feedback",
                title=_("Feedback"),
                url_name="feedback:customer_panel",
                order=20,
            )
        )
        case_panel_register(
            CasePanel(
                key="followup",
                title=_("Feedback that opened this case"),
                url_name="feedback:case_followup_panel",
                applies=_is_followup,
                order=10,
            )
        )
