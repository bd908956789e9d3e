"""Data quality: how complete a customer record is, stale profile facts, unreachable customers."""

import datetime as dt
import operator
from functools import reduce

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from accounts.models import User
from contacts.channels import channel_identity_kinds
from contacts.models import (
    Channel,
    Consent,
    ConsentStatus,
    Customer,
    Identity,
    IdentityKind,
    ProfileFact,
    ProfileQuestion,
)
from contacts.selectors.data import Page, keyset_desc
from contacts.services.identity import PHONE_KINDS

# Channels on which a customer can be reached with a message or a call.
REACHING_CHANNELS = (Channel.EMAIL, Channel.PHONE, Channel.WHATSAPP, Channel.SMS)


def quality_allowed(*, user: User) -> bool:
    return user.has_perm("contacts.view_auditentry") or user.has_perm("contacts.merge_customer")


def customer_completeness(*, customer: Customer) -> int:
    """How complete the record is, 0–100: name, street, postcode and city, an e-mail address,
    a phone number, a preferred channel, and the share of active profile questions answered.

    At most two queries: identities (none when prefetched) and the questions.
    """
    kinds = {identity.kind for identity in customer.identities.all()}
    questions = ProfileQuestion.objects.filter(is_active=True).aggregate(
        total=Count("pk"),
        answered=Count(
            "pk",
            filter=Q(
                Exists(
                    ProfileFact.objects.filter(
                        customer=customer, question=OuterRef("pk"), is_current=True
                    )
                )
            ),
        ),
    )
    checks = [
        bool(customer.name.strip()),
        bool(customer.street.strip()),
        bool(customer.postcode.strip() and customer.city.strip()),
        IdentityKind.EMAIL in kinds,
        bool(kinds & PHONE_KINDS),
        bool(customer.preferred_channel),
    ]
    score = float(sum(checks))
    parts = len(checks)
    if questions["total"]:
        score += questions["answered"] / questions["total"]
        parts += 1
    return round(100 * score / parts)


def stale_days() -> int:
    return getattr(settings, "PROFILE_FACT_STALE_DAYS", 365)


def stale_fact_list(*, user: User, cursor: str | None = None, limit: int = 25) -> Page[ProfileFact]:
    """Current facts recorded longer than PROFILE_FACT_STALE_DAYS ago, most recent first."""
    if not quality_allowed(user=user):
        return Page(items=[], next_cursor=None)
    before = timezone.now() - dt.timedelta(days=stale_days())
    qs = ProfileFact.objects.filter(
        is_current=True,
        recorded_at__lt=before,
        customer__merged_into__isnull=True,
        customer__erased_at__isnull=True,
    ).select_related("customer", "question")
    return keyset_desc(qs, field="recorded_at", cursor=cursor, limit=limit)


def _reachable() -> Q:
    """A customer has an identity for some channel that they did not opt out of."""
    parts = []
    for channel in REACHING_CHANNELS:
        has_identity = Exists(
            Identity.objects.filter(
                customer=OuterRef("pk"), kind__in=channel_identity_kinds(channel)
            )
        )
        opted_out = Exists(
            Consent.objects.filter(
                customer=OuterRef("pk"), channel=channel, status=ConsentStatus.OPT_OUT
            )
        )
        parts.append(Q(has_identity) & ~Q(opted_out))
    return reduce(operator.or_, parts)


def unreachable_customer_list(
    *, user: User, before_id: int | None = None, limit: int = 25
) -> Page[Customer]:
    """Active customers that no message or call can reach, newest records first."""
    if not quality_allowed(user=user):
        return Page(items=[], next_cursor=None)
    qs = Customer.objects.filter(merged_into__isnull=True, erased_at__isnull=True)
    if before_id is not None:
        qs = qs.filter(pk__lt=before_id)
    rows = list(qs.exclude(_reachable()).order_by("-pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(items=rows, next_cursor=str(rows[-1].pk) if more else None)
