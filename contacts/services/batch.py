"""Contact moments and orders in batches (up to ``BATCH_MAX`` per call) with the rules of the
single intake — identity resolution, idempotency per source + external id, routing — done
set-based: one look-up for all identity values, one for all natural keys, inserts with
COPY on PostgreSQL (``bulk.models_insert``), bulk routing (``interactions_recorded_bulk``), one transaction per batch.

A replayed item is reported as existing and writes nothing; a batch is retried once as a
whole when a concurrent writer inserts one of its identities or keys first.
"""

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone

from contacts.channels import channel_identity_kinds
from contacts.models import (
    Customer,
    DuplicateCandidate,
    Identity,
    Interaction,
    Order,
)
from contacts.services.bulk import (
    identities_lookup,
    model_new,
    models_insert,
    natural_keys_lookup,
    timestamps_raise,
)
from contacts.services.identity import IdentityValue
from contacts.services.intake import ATTEMPTS, SHARED_IDENTITIES_REASON
from contacts.signals import interaction_stored, interactions_recorded_bulk

BATCH_MAX = 1000


class ItemStatus(StrEnum):
    CREATED = "created"
    EXISTING = "existing"
    REJECTED = "rejected"


@dataclass(frozen=True)
class InteractionItem:
    source: str
    external_id: str
    channel: str
    direction: str
    occurred_at: dt.datetime
    identities: Sequence[IdentityValue]
    name: str = ""
    subject: str = ""
    body: str = ""
    topic: str = ""
    campaign_code: str = ""


@dataclass(frozen=True)
class OrderItem:
    source: str
    external_id: str
    identities: Sequence[IdentityValue]
    product_sku: str
    ordered_at: dt.datetime
    product_name: str = ""
    amount: Decimal | None = None
    name: str = ""


@dataclass(frozen=True)
class ItemResult:
    status: ItemStatus
    object_id: int
    customer_id: int
    customer_created: bool = False


@dataclass
class _Resolver:
    """``customer_resolve`` for many items: what is stored comes from one look-up, what the
    batch creates is kept in memory so later items of the batch see it."""

    known: dict[tuple[str, str], Identity]
    new_customers: list[Customer] = field(default_factory=list)
    new_identities: list[Identity] = field(default_factory=list)
    named: dict[int, Customer] = field(default_factory=dict)
    pairs: list[tuple[Customer, Customer]] = field(default_factory=list)

    def resolve(
        self, *, identities: Sequence[IdentityValue], name: str, seen_at: dt.datetime
    ) -> tuple[Customer, bool, list[Identity]]:
        wanted = list(dict.fromkeys((i.kind, i.value) for i in identities))
        owners: dict[int, Customer] = {}
        for pair in wanted:
            identity = self.known.get(pair)
            if identity is None:
                continue
            owner = identity.customer
            if owner.merged_into is not None:
                owner = owner.merged_into
            if owner.erased_at is None:
                owners[id(owner)] = owner
        created = not owners
        if created:
            customer = model_new(Customer, name=name[:200])
            self.new_customers.append(customer)
        else:
            ranked = sorted(owners.values(), key=_newest_first, reverse=True)
            customer = ranked[0]
            self.pairs += [(customer, other) for other in ranked[1:]]
            if name and not customer.name:
                customer.name = name[:200]
                if customer.pk is not None:
                    self.named[customer.pk] = customer
        mine = []
        for kind, value in wanted:
            identity = self.known.get((kind, value))
            if identity is None:
                identity = model_new(
                    Identity,
                    customer=customer,
                    kind=kind,
                    value=value,
                    first_seen=seen_at,
                    last_seen=seen_at,
                )
                self.known[(kind, value)] = identity
                self.new_identities.append(identity)
            if identity.customer is customer:
                mine.append(identity)
        return customer, created, mine

    def write(self, *, now: dt.datetime, then: tuple[type[Model], Sequence[Model]]) -> None:
        """Insert the new customers and identities and ``then`` (the rows that point at
        them), fill empty names, record duplicates."""
        models_insert(
            groups=[(Customer, self.new_customers), (Identity, self.new_identities), then],
            now=now,
        )
        if self.named:
            Customer.objects.bulk_update(list(self.named.values()), ["name"])
        candidates = {(min(a.pk, b.pk), max(a.pk, b.pk)) for a, b in self.pairs if a.pk != b.pk}
        if candidates:
            DuplicateCandidate.objects.bulk_create(
                [
                    DuplicateCandidate(first_id=a, second_id=b, reason=SHARED_IDENTITIES_REASON)
                    for a, b in sorted(candidates)
                ],
                ignore_conflicts=True,
            )


def _newest_first(customer: Customer) -> tuple[float, int]:
    at = customer.last_interaction_at
    return (at.timestamp() if at else float("-inf"), customer.pk or 0)


def _raise_stored(
    *,
    model: type[Model],
    column: str,
    rows: Iterable[tuple[Model | None, dt.datetime]],
    inserted: Sequence[Model],
) -> None:
    """Raise ``column`` of each stored row to the latest time it is paired with, in one
    statement; rows this batch inserted were written with their latest time already."""
    fresh = {id(row) for row in inserted}
    latest: dict[int, dt.datetime] = {}
    for row, at in rows:
        if row is None or id(row) in fresh:
            continue
        if row.pk not in latest or latest[row.pk] < at:
            latest[row.pk] = at
    timestamps_raise(model=model, column=column, values=latest)


def _retrying[T](run: Callable[[], T]) -> T:
    """One transaction per batch; once more when a concurrent writer won a unique key."""
    for attempt in range(ATTEMPTS):
        try:
            with transaction.atomic():
                return run()
        except IntegrityError:
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _replays[M: (Interaction, Order), I: (InteractionItem, OrderItem)](
    model: type[M], items: Sequence[I]
) -> tuple[dict[tuple[str, str], M], list[tuple[int, I]], _Resolver]:
    """Rows stored before, the items to store (the first of each new key in the batch), and
    a resolver that knows the stored identities of those."""
    first: dict[tuple[str, str], int] = {}
    for index, item in enumerate(items):
        first.setdefault((item.source, item.external_id), index)
    stored = natural_keys_lookup(model=model, keys=first)
    fresh = [(index, items[index]) for key, index in first.items() if key not in stored]
    pairs = {(i.kind, i.value) for _, item in fresh for i in item.identities}
    return stored, fresh, _Resolver(known=identities_lookup(pairs=pairs))


def _results(
    items: Sequence[InteractionItem | OrderItem],
    stored: dict[tuple[str, str], Interaction] | dict[tuple[str, str], Order],
    new: list[tuple[int, Interaction, bool]] | list[tuple[int, Order, bool]],
) -> list[ItemResult]:
    by_key = {(row.source, row.external_id): (index, row, created) for index, row, created in new}
    results = []
    for index, item in enumerate(items):
        key = (item.source, item.external_id)
        if key in stored:
            row, is_new, created = stored[key], False, False
        else:
            first, row, created = by_key[key]
            is_new = first == index
        results.append(
            ItemResult(
                status=ItemStatus.CREATED if is_new else ItemStatus.EXISTING,
                object_id=row.pk,
                customer_id=row.customer_id,
                customer_created=is_new and created,
            )
        )
    return results


def interactions_intake_batch(*, items: Sequence[InteractionItem]) -> list[ItemResult]:
    """Store each contact moment once per source + external id; one result per item, in
    order. An item repeated within the batch is reported as existing, like a replay."""
    if len(items) > BATCH_MAX:
        raise ValueError(f"at most {BATCH_MAX} items per batch")
    return _retrying(lambda: _interactions(items))


def _interactions(items: Sequence[InteractionItem]) -> list[ItemResult]:
    stored, fresh, resolver = _replays(Interaction, items)
    new: list[tuple[int, Interaction, bool]] = []
    for index, item in fresh:
        customer, created, mine = resolver.resolve(
            identities=item.identities, name=item.name, seen_at=item.occurred_at
        )
        through = _identity_for_channel(mine, item.channel)
        if through is not None and through.last_seen < item.occurred_at:
            through.last_seen = item.occurred_at
        if customer.last_interaction_at is None or customer.last_interaction_at < item.occurred_at:
            customer.last_interaction_at = item.occurred_at
        moment = model_new(
            Interaction,
            customer=customer,
            identity=through,
            channel=item.channel,
            direction=item.direction,
            occurred_at=item.occurred_at,
            subject=item.subject,
            body=item.body,
            topic=item.topic,
            campaign_code=item.campaign_code,
            source=item.source,
            external_id=item.external_id,
        )
        new.append((index, moment, created))
    moments = [moment for _, moment, _ in new]
    resolver.write(now=timezone.now(), then=(Interaction, moments))
    # Customers before identities, as a single intake updates them
    # (interactions.interaction_record): the other order deadlocks against it.
    _raise_stored(
        model=Customer,
        column="last_interaction_at",
        rows=((m.customer, m.occurred_at) for m in moments),
        inserted=resolver.new_customers,
    )
    _raise_stored(
        model=Identity,
        column="last_seen",
        rows=((m.identity, m.occurred_at) for m in moments),
        inserted=resolver.new_identities,
    )
    if moments:
        interactions_recorded_bulk.send(
            sender=Interaction,
            interactions=moments,
            created_customer_ids={m.customer_id for _, m, created in new if created},
        )
        transaction.on_commit(lambda: _stored(new))
    return _results(items, stored, new)


def _stored(new: list[tuple[int, Interaction, bool]]) -> None:
    for _, moment, created in new:
        interaction_stored.send(sender=Interaction, interaction=moment, created_customer=created)


def _identity_for_channel(mine: list[Identity], channel: str) -> Identity | None:
    for kind in channel_identity_kinds(channel):
        for identity in mine:
            if identity.kind == kind:
                return identity
    return None


def orders_record_batch(*, items: Sequence[OrderItem]) -> list[ItemResult]:
    """Store each order once per source + external id, for the customer its identities
    resolve to, keeping ``last_purchase_at`` current; one result per item, in order."""
    if len(items) > BATCH_MAX:
        raise ValueError(f"at most {BATCH_MAX} items per batch")
    return _retrying(lambda: _orders(items))


def _orders(items: Sequence[OrderItem]) -> list[ItemResult]:
    stored, fresh, resolver = _replays(Order, items)
    new: list[tuple[int, Order, bool]] = []
    for index, item in fresh:
        customer, created, _ = resolver.resolve(
            identities=item.identities, name=item.name, seen_at=item.ordered_at
        )
        if customer.pk is None and (
            customer.last_purchase_at is None or customer.last_purchase_at < item.ordered_at
        ):
            customer.last_purchase_at = item.ordered_at
        order = model_new(
            Order,
            customer=customer,
            source=item.source,
            external_id=item.external_id,
            product_sku=item.product_sku,
            product_name=item.product_name,
            amount=item.amount,
            ordered_at=item.ordered_at,
        )
        new.append((index, order, created))
    orders = [order for _, order, _ in new]
    resolver.write(now=timezone.now(), then=(Order, orders))
    _raise_stored(
        model=Customer,
        column="last_purchase_at",
        rows=((o.customer, o.ordered_at) for o in orders),
        inserted=resolver.new_customers,
    )
    return _results(items, stored, new)
