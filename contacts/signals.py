"""Seams for higher apps (journeys, feedback): contacts sends, they listen.

Contacts never imports a higher app. A receiver does one thing: call its own app's
service with ids, so a reader finds the work in that service.
"""

from django.dispatch import Signal

# Sent inside the intake transaction after a new inbound or outbound contact moment is
# stored (not for replays). kwargs: interaction (Interaction), created_customer (bool).
interaction_recorded = Signal()

# Sent inside the transaction after an order was first marked delivered. kwargs: order.
order_delivered = Signal()
