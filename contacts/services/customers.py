"""Changes agents make to a customer: creating one by hand, details and preferences, consent
per channel, and logging a call, store visit or note."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from contacts.models import Consent, Customer, Identity, Interaction
from contacts.services.identity import IdentityValue
from contacts.services.interactions import interaction_record

DETAIL_FIELDS = (
    "name",
    "street",
    "postcode",
    "city",
    "country",
    "language",
    "preferred_channel",
    "quiet_hours_start",
    "quiet_hours_end",
)


@transaction.atomic
def customer_create(
    *, name: str, identities: Sequence[IdentityValue], user: User, **details: Any
) -> Customer:
    """A customer entered by an agent, with identities that no other customer has yet."""
    values = list(dict.fromkeys((i.kind, i.value) for i in identities))
    match = Q(pk__in=[])
    for kind, value in values:
        match |= Q(kind=kind, value=value)
    taken = Identity.objects.filter(match).select_related("customer").first() if values else None
    if taken is not None:
        raise ValidationError(
            _("%(identity)s already belongs to customer %(customer)s.")
            % {"identity": taken.value, "customer": taken.customer}
        )
    unknown = set(details) - set(DETAIL_FIELDS)
    if unknown:
        raise TypeError(f"unknown customer fields: {sorted(unknown)}")
    customer = Customer.objects.create(name=name, **details)
    now = timezone.now()
    try:
        with transaction.atomic():
            Identity.objects.bulk_create(
                [
                    Identity(customer=customer, kind=k, value=v, first_seen=now, last_seen=now)
                    for k, v in values
                ]
            )
    except IntegrityError:
        raise ValidationError(
            _("One of these identities was just added to another customer.")
        ) from None
    return customer


def customer_update(*, customer: Customer, user: User, **details: Any) -> Customer:
    """Change name, address and contact preferences of an active customer."""
    unknown = set(details) - set(DETAIL_FIELDS)
    if unknown:
        raise TypeError(f"unknown customer fields: {sorted(unknown)}")
    if not customer.is_active_record:
        raise ValidationError(_("This customer record can no longer be changed."))
    start, end = (
        details.get("quiet_hours_start", customer.quiet_hours_start),
        details.get("quiet_hours_end", customer.quiet_hours_end),
    )
    if (start is None) != (end is None):
        raise ValidationError(_("Give both the start and the end of the quiet hours, or neither."))
    for name, value in details.items():
        setattr(customer, name, value)
    customer.full_clean(exclude=["merged_into"])
    customer.save(update_fields=[*details, "updated_at"])
    return customer


def consent_set(
    *, customer: Customer, channel: str, status: str, source: str, user: User
) -> Consent:
    """Opt the customer in or out on one channel, now, recording where that came from."""
    if not customer.is_active_record:
        raise ValidationError(_("This customer record can no longer be changed."))
    consent, _created = Consent.objects.update_or_create(
        customer=customer,
        channel=channel,
        defaults={"status": status, "changed_at": timezone.now(), "source": source[:100]},
    )
    return consent


def interaction_log(
    *,
    customer: Customer,
    user: User,
    channel: str,
    direction: str,
    subject: str = "",
    body: str = "",
    topic: str = "",
    occurred_at: dt.datetime | None = None,
) -> Interaction:
    """A call, store visit or note logged by an agent on the customer page."""
    if not customer.is_active_record:
        raise ValidationError(_("This customer record can no longer be changed."))
    return interaction_record(
        customer=customer,
        channel=channel,
        direction=direction,
        occurred_at=occurred_at or timezone.now(),
        subject=subject,
        body=body,
        topic=topic,
        agent=user,
        department=user.department if user.department_id else None,
    )
