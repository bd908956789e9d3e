"""Seams for higher apps (journeys, feedback): contacts sends, they listen.

Contacts never imports a higher app. A receiver does one thing: call its own app's
service with ids, so a reader finds the work in that service.
"""

from django.dispatch import Signal

# Sent inside the intake transaction after a new inbound or outbound contact moment is
# stored (not for replays). kwargs: interaction (Interaction), created_customer (bool).
interaction_recorded = Signal()

# Sent inside the batch intake transaction once per batch, instead of interaction_recorded
# per moment, so that listeners do their work set-based. kwargs: interactions
# (list[Interaction], in input order, customers attached), created_customer_ids (set[int]).
interactions_recorded_bulk = Signal()

# Sent after commit, once per contact moment newly stored by the single or the batch intake:
# for side effects that must not run inside the transaction. kwargs: interaction,
# created_customer (bool).
interaction_stored = Signal()

# Sent inside the transaction after an order was first marked delivered. kwargs: order.
order_delivered = Signal()
