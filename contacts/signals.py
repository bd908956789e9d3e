"""Seams for higher apps (journeys, feedback): contacts sends, they listen.

Contacts never imports a higher app. A receiver does one thing: call its own app's
service with ids, so a reader finds the work in that service.
"""

from dataclasses import dataclass

from django.dispatch import Signal


@dataclass(frozen=True)
class MailHints:
    """What an inbound e-mail says about the thread it belongs to, for the listener that
    files it into a case (journeys). ``automatic``: an auto-reply or bounce, which never
    opens, reopens or answers a case."""

    message_id: str
    in_reply_to: str
    references: tuple[str, ...]
    recipients: tuple[str, ...]
    automatic: bool
    mailbox_id: int | None = None
    acknowledge: bool = False


# Sent inside the intake transaction after a new inbound or outbound contact moment is
# stored (not for replays). kwargs: interaction (Interaction), created_customer (bool),
# mail (MailHints for an inbound e-mail, else None).
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
