"""Reads for the data-management pages: duplicate pairs, imports, the audit log, list export."""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.db.models import F, Model, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Upper
from django.http import Http404

from accounts.models import User
from contacts.models import (
    AuditEntry,
    Customer,
    CustomerImport,
    DuplicateCandidate,
    DuplicateStatus,
    Identity,
    IdentityKind,
)
from contacts.services.identity import PHONE_KINDS, identity_guess

EXPORT_MAX_ROWS = 10_000
RECENT_FIRST = F("last_interaction_at").desc(nulls_last=True)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Page[T]:
    items: list[T]
    next_cursor: str | None


def cursor_encode(at: dt.datetime, pk: int) -> str:
    """A keyset position (timestamp, id) as a short URL-safe string."""
    return f"{(at - _EPOCH) // dt.timedelta(microseconds=1)}_{pk}"


def cursor_decode(raw: str | None) -> tuple[dt.datetime, int] | None:
    """The position of a cursor, or None for a missing or malformed one (the first page)."""
    if not raw:
        return None
    micros, sep, pk = raw.partition("_")
    if not sep or not micros.lstrip("-").isdigit() or not pk.isdigit():
        return None
    try:
        return _EPOCH + dt.timedelta(microseconds=int(micros)), int(pk)
    except OverflowError:
        return None


def keyset_desc[T: Model](
    qs: QuerySet[T], *, field: str, cursor: str | None, limit: int
) -> Page[T]:
    """Newest first on (field, id); one query, one row more than asked to know if more follow."""
    position = cursor_decode(cursor)
    if position is not None:
        at, pk = position
        qs = qs.filter(Q(**{f"{field}__lt": at}) | Q(**{field: at, "pk__lt": pk}))
    rows = list(qs.order_by(f"-{field}", "-pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = cursor_encode(getattr(rows[-1], field), rows[-1].pk) if more else None
    return Page(items=rows, next_cursor=next_cursor)


def _attach_identities(customers: list[Customer]) -> None:
    """Give each customer ``shown_identities`` with one query for all of them."""
    by_customer: dict[int, list[Identity]] = {c.pk: [] for c in customers}
    for identity in Identity.objects.filter(customer_id__in=by_customer).order_by("kind", "id"):
        by_customer[identity.customer_id].append(identity)
    for customer in customers:
        customer.shown_identities = by_customer[customer.pk]


def duplicate_list_open(
    *, user: User, cursor: str | None = None, limit: int = 20
) -> Page[DuplicateCandidate]:
    """Open pairs, newest first, with both customers and their identities (two queries)."""
    if not user.has_perm("contacts.merge_customer"):
        return Page(items=[], next_cursor=None)
    qs = DuplicateCandidate.objects.filter(status=DuplicateStatus.OPEN).select_related(
        "first", "second"
    )
    page = keyset_desc(qs, field="created_at", cursor=cursor, limit=limit)
    customers = {c.pk: c for pair in page.items for c in (pair.first, pair.second)}
    _attach_identities(list(customers.values()))
    return page


def duplicate_get_open(*, user: User, pk: int) -> DuplicateCandidate:
    if not user.has_perm("contacts.merge_customer"):
        raise Http404
    try:
        return DuplicateCandidate.objects.get(pk=pk, status=DuplicateStatus.OPEN)
    except DuplicateCandidate.DoesNotExist:
        raise Http404 from None


def duplicate_list_for_customer(*, user: User, customer: Customer) -> list[DuplicateCandidate]:
    """Open pairs with ``customer``; each has ``other``, the customer it is paired with."""
    if not user.has_perm("contacts.merge_customer"):
        return []
    pairs = list(
        DuplicateCandidate.objects.filter(
            Q(first=customer) | Q(second=customer), status=DuplicateStatus.OPEN
        ).select_related("first", "second")[:20]
    )
    for pair in pairs:
        pair.other = pair.second if pair.first_id == customer.pk else pair.first
    return pairs


def customer_get_for_data(*, user: User, pk: int, perm: str) -> Customer:
    """The customer ``pk`` for a data-management action; 404 without ``perm`` or row."""
    if not user.has_perm(perm):
        raise Http404
    try:
        return Customer.objects.get(pk=pk)
    except Customer.DoesNotExist:
        raise Http404 from None


def customer_find_for_data(*, user: User, pk: int, perm: str) -> Customer | None:
    """Like ``customer_get_for_data``, for an id typed into a form: None when unknown."""
    if not user.has_perm(perm):
        return None
    return Customer.objects.filter(pk=pk).first()


def audit_list(
    *, user: User, customer_id: int | None = None, cursor: str | None = None, limit: int = 50
) -> Page[AuditEntry]:
    """The audit log, newest first (index audit_at_idx, or audit_customer_idx per customer)."""
    if not user.has_perm("contacts.view_auditentry"):
        return Page(items=[], next_cursor=None)
    qs = AuditEntry.objects.select_related("actor", "customer")
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    return keyset_desc(qs, field="at", cursor=cursor, limit=limit)


def import_list(*, user: User, before_id: int | None = None, limit: int = 20) -> Page[Any]:
    """Past imports, newest first, without their (large) file content and report."""
    if not user.has_perm("contacts.import_customer"):
        return Page(items=[], next_cursor=None)
    qs = CustomerImport.objects.select_related("created_by").defer("content", "rejected")
    if before_id is not None:
        qs = qs.filter(pk__lt=before_id)
    rows = list(qs.order_by("-pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(items=rows, next_cursor=str(rows[-1].pk) if more else None)


def import_get(*, user: User, pk: int) -> CustomerImport:
    if not user.has_perm("contacts.import_customer"):
        raise Http404
    try:
        return CustomerImport.objects.select_related("created_by").defer("content").get(pk=pk)
    except CustomerImport.DoesNotExist:
        raise Http404 from None


def import_get_with_content(*, user: User, pk: int) -> CustomerImport:
    """``import_get`` with the file (for the rejected rows in their original columns)."""
    if not user.has_perm("contacts.import_customer"):
        raise Http404
    try:
        return CustomerImport.objects.get(pk=pk)
    except CustomerImport.DoesNotExist:
        raise Http404 from None


def _search(*, user: User, query: str, limit: int) -> QuerySet[Customer]:
    """Active customers matching ``query``: an identity in any notation, else part of the name."""
    qs = Customer.objects.filter(merged_into__isnull=True, erased_at__isnull=True)
    query = query.strip()
    if not query:
        return qs.order_by(RECENT_FIRST, "-id")[:limit]
    match = Q(upper_name__contains=query.upper())
    guesses = identity_guess(query)
    if guesses:
        by_identity = Q(pk__in=[])
        for guess in guesses:
            by_identity |= Q(kind=guess.kind, value=guess.value)
        match |= Q(pk__in=Identity.objects.filter(by_identity).values("customer_id"))
    # The trigram index on upper(name) serves the "contains" on PostgreSQL.
    return qs.annotate(upper_name=Upper("name")).filter(match).order_by(RECENT_FIRST, "-id")[:limit]


def _search_ids(*, user: User, query: str, limit: int) -> list[int] | QuerySet[Customer, int]:
    """The customer search of the search page when it is there, else the minimal one above."""
    try:
        module = import_module("contacts.selectors.customers")
    except ImportError:
        module = None
    search = getattr(module, "customer_search", None)
    if search is None:
        return _search(user=user, query=query, limit=limit).values_list("pk", flat=True)
    found = search(user=user, query=query, limit=limit)
    return [getattr(c, "pk", c) for c in found]


def customer_export_rows(
    *, user: User, query: str, limit: int = EXPORT_MAX_ROWS
) -> Iterator[tuple[str, ...]]:
    """One row per matching customer in the import's columns (``imports.COLUMNS``: name,
    e-mail, phone, customer number, street, postcode, city, language), so an exported file can
    be imported again; streamed from the database in chunks. E-mail, phone and customer
    number are the customer's first of each kind."""
    if not user.has_perm("contacts.import_customer"):
        return
    limit = min(limit, EXPORT_MAX_ROWS)
    mine = Identity.objects.filter(customer=OuterRef("pk")).order_by("id")
    rows = (
        Customer.objects.filter(
            pk__in=_search_ids(user=user, query=query, limit=limit),
            merged_into__isnull=True,
            erased_at__isnull=True,
        )
        .annotate(
            email=Subquery(mine.filter(kind=IdentityKind.EMAIL).values("value")[:1]),
            phone=Subquery(mine.filter(kind__in=PHONE_KINDS).values("value")[:1]),
            number=Subquery(mine.filter(kind=IdentityKind.CUSTOMER_NUMBER).values("value")[:1]),
        )
        .order_by(RECENT_FIRST, "-id")
        .values_list("name", "email", "phone", "number", "street", "postcode", "city", "language")
    )
    for row in rows.iterator(chunk_size=2000):
        yield tuple(value or "" for value in row)
