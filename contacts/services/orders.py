"""Orders reported by the web shop and other systems, and their delivery (which starts the
feedback after delivery, through ``contacts.signals.order_delivered``)."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from contacts.models import Customer, Order
from contacts.services.identity import IdentityValue
from contacts.services.intake import customer_resolve, idempotent_create
from contacts.signals import order_delivered


@dataclass(frozen=True)
class OrderResult:
    order: Order
    created: bool
    customer_created: bool


def order_record(
    *,
    source: str,
    external_id: str,
    identities: Sequence[IdentityValue],
    product_sku: str,
    product_name: str = "",
    ordered_at: dt.datetime,
    amount: Decimal | None = None,
    name: str = "",
) -> OrderResult:
    """Store an order once per ``source`` + ``external_id`` (a replay returns the first one
    and writes nothing), for the customer the identities resolve to; keeps the customer's
    ``last_purchase_at`` current (never moving it backwards)."""
    customer_created = False

    def existing() -> Order | None:
        rows = Order.objects.filter(source=source, external_id=external_id).order_by()
        return next(iter(rows[:1]), None)

    def create() -> Order:
        nonlocal customer_created
        resolution = customer_resolve(identities=identities, name=name, seen_at=ordered_at)
        customer_created = resolution.created
        order = Order.objects.create(
            customer=resolution.customer,
            source=source,
            external_id=external_id,
            product_sku=product_sku,
            product_name=product_name,
            amount=amount,
            ordered_at=ordered_at,
        )
        Customer.objects.filter(
            Q(last_purchase_at__isnull=True) | Q(last_purchase_at__lt=ordered_at),
            pk=resolution.customer.pk,
        ).update(last_purchase_at=ordered_at)
        return order

    order, created = idempotent_create(existing=existing, create=create)
    return OrderResult(order=order, created=created, customer_created=created and customer_created)


@transaction.atomic
def order_mark_delivered(*, order: Order, delivered_at: dt.datetime) -> tuple[Order, bool]:
    """Record the delivery; the first time only, tell listeners (feedback schedules its
    invitation) inside this transaction. Returns the order and whether this call marked it.
    """
    if delivered_at < order.ordered_at:
        raise ValidationError(
            {"delivered_at": _("An order cannot be delivered before it was ordered.")}
        )
    # The conditional UPDATE claims the delivery: of two concurrent calls, one marks it.
    marked = Order.objects.filter(pk=order.pk, delivered_at__isnull=True).update(
        delivered_at=delivered_at
    )
    order.refresh_from_db()
    if marked:
        order_delivered.send(sender=Order, order=order)
    return order, bool(marked)
