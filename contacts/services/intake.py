"""Contact moments and customers arriving from other systems: resolve the identities to one
customer (creating or linking as needed) and store the contact moment exactly once."""

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext_noop

from contacts.channels import channel_identity_kinds
from contacts.models import (
    Customer,
    DuplicateCandidate,
    Identity,
    Interaction,
)
from contacts.services.identity import IdentityValue
from contacts.services.interactions import interaction_record
from contacts.signals import interaction_stored

# Stored untranslated; the duplicates page translates it when shown.
SHARED_IDENTITIES_REASON = gettext_noop("identities used together in one contact")
# A unique-constraint race (two first contacts of one new customer at once) is retried once.
ATTEMPTS = 2


@dataclass
class Resolution:
    customer: Customer
    created: bool
    identities: dict[tuple[str, str], Identity]
    others: list[Customer]


@dataclass(frozen=True)
class IntakeResult:
    interaction: Interaction
    created: bool
    customer_created: bool


def _newest_first(customer: Customer) -> tuple[float, int]:
    at = customer.last_interaction_at
    return (at.timestamp() if at else float("-inf"), customer.pk)


def customer_resolve(
    *, identities: Sequence[IdentityValue], name: str = "", seen_at: dt.datetime
) -> Resolution:
    """The one customer these (normalised) identities belong to.

    - none known: a new customer with all of them;
    - some known: their customer, and the unknown ones linked to it;
    - known at two or more customers: the most recently active one, and every other pair
      recorded as a possible duplicate (nothing moves until a person merges them).

    Must run in a transaction; a concurrent insert of the same identity raises
    IntegrityError, which the caller retries.
    """
    wanted = list(dict.fromkeys((i.kind, i.value) for i in identities))
    match = Q(pk__in=[])
    for kind, value in wanted:
        match |= Q(kind=kind, value=value)
    known = {
        (i.kind, i.value): i
        for i in Identity.objects.filter(match).select_related("customer", "customer__merged_into")
    }
    owners: dict[int, Customer] = {}
    for identity in known.values():
        owner = identity.customer
        # A merge moves identities to the survivor; this covers a pointer left behind.
        if owner.merged_into is not None:
            owner = owner.merged_into
        if owner.erased_at is None:
            owners[owner.pk] = owner
    created = False
    others: list[Customer] = []
    if not owners:
        customer = Customer.objects.create(name=name[:200])
        created = True
    else:
        ranked = sorted(owners.values(), key=_newest_first, reverse=True)
        customer, others = ranked[0], ranked[1:]
        if others:
            pairs = [
                DuplicateCandidate(
                    first_id=min(customer.pk, other.pk),
                    second_id=max(customer.pk, other.pk),
                    reason=SHARED_IDENTITIES_REASON,
                )
                for other in others
            ]
            DuplicateCandidate.objects.bulk_create(pairs, ignore_conflicts=True)
        if name and not customer.name:
            Customer.objects.filter(pk=customer.pk, name="").update(name=name[:200])
            customer.name = name[:200]
    new = [
        Identity(customer=customer, kind=kind, value=value, first_seen=seen_at, last_seen=seen_at)
        for kind, value in wanted
        if (kind, value) not in known
    ]
    for identity in new:
        identity.save(force_insert=True)
        known[(identity.kind, identity.value)] = identity
    return Resolution(customer=customer, created=created, identities=known, others=others)


def _identity_for_channel(resolution: Resolution, channel: str) -> Identity | None:
    """The identity the contact came in through: the first of a kind that fits the channel,
    held by the customer the contact is attached to."""
    mine = [i for i in resolution.identities.values() if i.customer_id == resolution.customer.pk]
    for kind in channel_identity_kinds(channel):
        for identity in mine:
            if identity.kind == kind:
                return identity
    return None


def idempotent_create[T](
    *, existing: Callable[[], T | None], create: Callable[[], T], look_first: bool = True
) -> tuple[T, bool]:
    """``create()`` once per natural key: the row from ``existing()`` when it is there, also
    when a concurrent request inserted it between our look-up and our insert (the unique
    constraint raises, the savepoint is rolled back, and the other request's row is returned).

    ``look_first=False``: no look-up before the insert, only after a conflict — one query
    less for every new row, a rolled-back attempt for every replay (the unique constraint
    must be hit before ``create()`` does anything outside the database).
    """
    if look_first:
        found = existing()
        if found is not None:
            return found, False
    for attempt in range(ATTEMPTS):
        try:
            with transaction.atomic():
                return create(), True
        except IntegrityError:
            found = existing()
            if found is not None:
                return found, False
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def interaction_intake(
    *,
    source: str,
    external_id: str,
    channel: str,
    direction: str,
    occurred_at: dt.datetime,
    identities: Sequence[IdentityValue],
    name: str = "",
    subject: str = "",
    body: str = "",
    topic: str = "",
    campaign_code: str = "",
) -> IntakeResult:
    """Store a contact moment reported by another system, once per ``source`` +
    ``external_id``; a replay returns the first one and writes nothing.

    Resolves the customer from ``identities`` (see ``customer_resolve``); routing happens
    in listeners of ``interaction_recorded`` (sent by ``interaction_record``).
    """
    customer_created = False

    def existing() -> Interaction | None:
        # The exclude repeats the condition of the partial unique index, so that SQLite
        # uses it too; no ORDER BY (first() would add one and scan by id instead).
        rows = Interaction.objects.filter(source=source, external_id=external_id).exclude(
            external_id=""
        )
        return next(iter(rows.order_by()[:1]), None)

    def create() -> Interaction:
        nonlocal customer_created
        resolution = customer_resolve(identities=identities, name=name, seen_at=occurred_at)
        customer_created = resolution.created
        return interaction_record(
            customer=resolution.customer,
            identity=_identity_for_channel(resolution, channel),
            channel=channel,
            direction=direction,
            occurred_at=occurred_at,
            subject=subject,
            body=body,
            topic=topic,
            campaign_code=campaign_code,
            source=source,
            external_id=external_id,
            created_customer=resolution.created,
        )

    # Replays are the exception: the unique index on source + external_id finds them (the
    # insert comes before any listener runs), so a new contact moment needs no look-up.
    interaction, created = idempotent_create(existing=existing, create=create, look_first=False)
    if created:
        new_customer = customer_created
        transaction.on_commit(
            lambda: interaction_stored.send(
                sender=Interaction, interaction=interaction, created_customer=new_customer
            )
        )
    return IntakeResult(
        interaction=interaction,
        created=created,
        customer_created=created and customer_created,
    )
