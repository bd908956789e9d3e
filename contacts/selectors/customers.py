"""Reads for the customer search and the customer 360 page, through the asking user's perms."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import psycopg
from django.conf import settings
from django.core.cache import cache
from django.db import connection, models
from django.db.models import Count, F, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext

from accounts.models import User
from contacts.catalogue import profile_questions_cached
from contacts.models import (
    AnswerType,
    Channel,
    Consent,
    Customer,
    Identity,
    IdentityKind,
    Order,
    ProfileFact,
    ProfileQuestion,
)
from contacts.search import SearchHit
from contacts.services.identity import IdentityValue, identity_guess

SEARCH_LIMIT = 25
# Shorter entries would match a large share of all names; they only match name prefixes.
NAME_CONTAINS_MIN = 3
NAME_PREFIX_MIN = 2
QUERY_MAX = 200
RECENT_FIRST = F("last_interaction_at").desc(nulls_last=True)
ORDERS_SHOWN = 10
# Channels a customer can give or withdraw consent for (a message or a call can reach them).
CONSENT_CHANNELS = (Channel.EMAIL, Channel.PHONE, Channel.SMS, Channel.WHATSAPP, Channel.LETTER)
# Answers that mean "none": follow-up questions (children's ages after "0 children") are
# not offered after them.
NEGATIVE_ANSWERS = frozenset({"0", "no", "nee", "false"})


@dataclass
class SearchResult:
    customers: list[Customer]
    exact_ids: set[int]
    more: bool
    query: str


def can_view(user: User) -> bool:
    return user.is_authenticated and user.has_perm("contacts.view_customer")


def _active() -> QuerySet[Customer]:
    return Customer.objects.filter(merged_into__isnull=True, erased_at__isnull=True)


def _exact_query() -> tuple[str, list[str]]:
    """The active customers owning any of some identities, recently active first, as one
    plain statement built once per process from the model's columns (``{match}``: one
    ``kind``/``value`` pair per guess). A look-up by e-mail or phone spent more on building
    the equivalent queryset and its identity subquery than on running it."""
    global _EXACT_QUERY
    if _EXACT_QUERY is None:
        qn = connection.ops.quote_name
        # Concrete fields always have a column; the stubs allow None for the others.
        columns = [(f.attname, str(f.column)) for f in Customer._meta.concrete_fields]
        _EXACT_QUERY = (
            f"SELECT {', '.join(f'c.{qn(column)}' for _attname, column in columns)} "
            f"FROM {qn(Customer._meta.db_table)} c "
            "WHERE c.merged_into_id IS NULL AND c.erased_at IS NULL AND c.id IN "
            f"(SELECT i.customer_id FROM {qn(Identity._meta.db_table)} i WHERE {{match}}) "
            "ORDER BY c.last_interaction_at DESC NULLS LAST, c.id DESC LIMIT %s",
            [attname for attname, _column in columns],
        )
    return _EXACT_QUERY


_EXACT_QUERY: tuple[str, list[str]] | None = None


def _exact_customers(*, guesses: list[IdentityValue], limit: int) -> list[Customer]:
    # The identities first (unique index on kind + value), then their customers.
    sql, fields = _exact_query()
    match = " OR ".join(["(i.kind = %s AND i.value = %s)"] * len(guesses))
    params: list[str | int] = [part for guess in guesses for part in (guess.kind, guess.value)]
    with connection.cursor() as cursor:
        cursor.execute(sql.format(match=match), [*params, limit])
        rows = cursor.fetchall()
    return [Customer.from_db(connection.alias, fields, row) for row in rows]


def customer_search(*, user: User, query: str, limit: int = SEARCH_LIMIT) -> list[Customer]:
    """Active customers for a search-box entry: exact identity matches (e-mail, phone in any
    notation, customer number) first, then names containing the entry, recently active first.

    Two queries at most; each customer gets ``exact_match`` (bool). An empty entry gives the
    most recently contacted customers (the CSV export of "everyone"). Empty for a user
    without ``contacts.view_customer``.
    """
    if not (query or "").strip():
        if not can_view(user):
            return []
        recent = _active().filter(last_interaction_at__isnull=False)
        return list(recent.order_by(RECENT_FIRST, "-id")[:limit])
    return customer_search_page(user=user, query=query, limit=limit).customers


def customer_search_page(*, user: User, query: str, limit: int = SEARCH_LIMIT) -> SearchResult:
    """``customer_search`` with ``more`` (whether there were more than ``limit`` names)."""
    query = " ".join((query or "").split())[:QUERY_MAX]
    if not can_view(user):
        return SearchResult(customers=[], exact_ids=set(), more=False, query=query)
    if not query:
        return SearchResult(customers=[], exact_ids=set(), more=False, query=query)
    exact: list[Customer] = []
    guesses = identity_guess(query)
    if guesses:
        exact = _exact_customers(guesses=guesses, limit=limit)
    exact_ids = {c.pk for c in exact}
    by_name: list[Customer] = []
    more = False
    # Names hold no digits and no "@": an e-mail address, phone or customer number that
    # matched no identity would only cost a scan over all names.
    looks_like_name = "@" not in query and not any(ch.isdigit() for ch in query)
    if looks_like_name and len(query) >= NAME_PREFIX_MIN and len(exact) < limit:
        # icontains is UPPER(name::text) LIKE UPPER(%q%) on PostgreSQL: the trigram index
        # customer_name_trgm_idx (migration 0002) serves it.
        name = (
            Q(name__icontains=query)
            if len(query) >= NAME_CONTAINS_MIN
            else Q(name__istartswith=query)
        )
        wanted = limit - len(exact)
        qs = _active().filter(name).exclude(pk__in=exact_ids).order_by(RECENT_FIRST, "-id")
        rows = list(qs[: wanted + 1])
        more = len(rows) > wanted
        by_name = rows[:wanted]
    for customer in exact:
        customer.exact_match = True
    for customer in by_name:
        customer.exact_match = False
    return SearchResult(customers=exact + by_name, exact_ids=exact_ids, more=more, query=query)


def customer_contact_details(*, customers: list[Customer]) -> None:
    """Give each customer ``shown_email`` and ``shown_phone`` (the most recently seen of
    each, or ""), so that namesakes in a list can be told apart; one query for the list."""
    for customer in customers:
        customer.shown_email = ""
        customer.shown_phone = ""
    if not customers:
        return
    by_id = {c.pk: c for c in customers}
    # Index identity_customer_idx (customer, kind); oldest first, so the newest wins.
    rows = (
        Identity.objects.filter(
            customer_id__in=by_id, kind__in=(IdentityKind.EMAIL, IdentityKind.PHONE)
        )
        .order_by("last_seen", "id")
        .values_list("customer_id", "kind", "value")
    )
    for customer_id, kind, value in rows:
        attribute = "shown_email" if kind == IdentityKind.EMAIL else "shown_phone"
        setattr(by_id[customer_id], attribute, value)


def customer_search_hits(*, user: User, query: str, limit: int = 8) -> list[SearchHit]:
    """The header search's customers: ``customer_search_page`` with e-mail and phone."""
    found = customer_search_page(user=user, query=query, limit=limit)
    customer_contact_details(customers=found.customers)
    return [
        SearchHit(
            kind="customers",
            label=c.name or gettext("(no name)"),
            url=reverse("contacts:customer", kwargs={"customer_id": c.pk}),
            details=[d for d in (c.shown_email, c.shown_phone) if d],
            exact=c.pk in found.exact_ids,
        )
        for c in found.customers
    ]


def customer_get(*, user: User, pk: int) -> Customer:
    """Any customer record (also merged or erased ones) that ``user`` may see; else 404."""
    if not can_view(user):
        raise Http404
    try:
        return Customer.objects.get(pk=pk)
    except Customer.DoesNotExist:
        raise Http404 from None


def customer_get_active(*, user: User, pk: int, perm: str | None = None) -> Customer:
    """A customer that is neither merged nor erased, for a change; 404 otherwise or without
    ``perm``."""
    if not can_view(user) or (perm is not None and not user.has_perm(perm)):
        raise Http404
    try:
        return _active().get(pk=pk)
    except Customer.DoesNotExist:
        raise Http404 from None


@dataclass
class KnownFact:
    fact: ProfileFact
    stale: bool


@dataclass
class ConsentRow:
    channel: str
    label: str | Promise
    consent: Consent | None


@dataclass
class CustomerOverview:
    """Everything the 360 page shows except the timeline and the registered panels."""

    customer: Customer
    identities: list[Identity] = field(default_factory=list)
    consents: list[ConsentRow] = field(default_factory=list)
    facts: list[KnownFact] = field(default_factory=list)
    next_question: ProfileQuestion | None = None
    orders: list[Order] = field(default_factory=list)


def stale_before() -> dt.datetime:
    return timezone.now() - dt.timedelta(days=settings.PROFILE_FACT_STALE_DAYS)


def consent_rows(*, consents: list[Consent]) -> list[ConsentRow]:
    by_channel = {c.channel: c for c in consents}
    rows = [
        ConsentRow(channel=ch.value, label=ch.label, consent=by_channel.pop(ch.value, None))
        for ch in CONSENT_CHANNELS
    ]
    # Consents on other channels (set by an import or an erasure) are shown too.
    rows += [
        ConsentRow(channel=c.channel, label=c.get_channel_display(), consent=c)
        for c in by_channel.values()
    ]
    return rows


def profile_question_next(
    *, questions: list[ProfileQuestion], answers: dict[int, str]
) -> ProfileQuestion | None:
    """The first active question (by order) without a current answer whose ``ask_after``
    question is answered, and not with a "none" answer (no ages after "0 children")."""
    for question in questions:
        if not question.is_active or question.pk in answers:
            continue
        if question.ask_after_id is not None:
            before = answers.get(question.ask_after_id)
            if before is None or before.strip().lower() in NEGATIVE_ANSWERS:
                continue
        return question
    return None


def profile_facts_current(*, customer: Customer) -> list[ProfileFact]:
    """The current facts by their question's order, each with its question from the
    catalogue kept between requests (a join on the questions cost more than the rest)."""
    facts = list(
        ProfileFact.objects.filter(customer=customer, is_current=True)
        .select_related("recorded_by")
        .order_by()
    )
    if not facts:
        return facts
    questions = {q.pk: q for q in profile_questions_cached()}
    missing = {f.question_id for f in facts} - questions.keys()
    if missing:
        questions.update({q.pk: q for q in ProfileQuestion.objects.filter(pk__in=missing)})
    for fact in facts:
        fact.question = questions[fact.question_id]
    facts.sort(key=lambda f: (f.question.order, f.question_id))
    return facts


def profile_questions_active() -> list[ProfileQuestion]:
    """The active questions by order, from the catalogue kept between requests."""
    return [q for q in profile_questions_cached() if q.is_active]


KNOWN_ANSWERS_LIMIT = 12
KNOWN_ANSWERS_TTL = 15 * 60


def profile_answers_known(*, question: ProfileQuestion) -> list[tuple[str, str]]:
    """The answers to offer for ``question`` as (stored value, label): its choices, yes/no,
    or else the most frequent current answers, counted at most every 15 minutes per question
    (one grouped query over the (question, value) index of current facts)."""
    if question.answer_type == AnswerType.CHOICE and question.choice_list():
        return [(c, c) for c in question.choice_list()]
    if question.answer_type == AnswerType.YES_NO:
        return [("yes", gettext("yes")), ("no", gettext("no"))]
    key = f"contacts:known-answers:{question.pk}"
    values = cache.get(key)
    if values is None:
        values = list(
            ProfileFact.objects.filter(question=question, is_current=True)
            .values("value")
            .annotate(n=Count("*"))
            .order_by("-n", "value")
            .values_list("value", flat=True)[:KNOWN_ANSWERS_LIMIT]
        )
        cache.set(key, values, KNOWN_ANSWERS_TTL)
    return [(v, v) for v in values]


def profile_next_for(*, customer: Customer) -> ProfileQuestion | None:
    """The next question for ``customer`` (two queries: current answers and the catalogue)."""
    answers = dict(
        ProfileFact.objects.filter(customer=customer, is_current=True).values_list(
            "question_id", "value"
        )
    )
    return profile_question_next(questions=profile_questions_active(), answers=answers)


def customer_overview(
    *, user: User, customer: Customer, with_orders: bool = True
) -> CustomerOverview:
    """What the 360 page shows of ``customer``, one query per part the user may see."""
    overview = CustomerOverview(customer=customer)
    if not customer.is_active_record:
        return overview
    show_orders = with_orders and user.has_perm("contacts.view_order")
    identities, consents, orders = _overview_rows(customer_id=customer.pk, orders=show_orders)
    overview.identities = identities
    overview.consents = consent_rows(consents=consents)
    if user.has_perm("contacts.view_profilefact"):
        facts = profile_facts_current(customer=customer)
        before = stale_before()
        overview.facts = [KnownFact(fact=f, stale=f.recorded_at < before) for f in facts]
        answers = {f.question_id: f.value for f in facts}
        overview.next_question = profile_question_next(
            questions=profile_questions_active(), answers=answers
        )
    overview.orders = orders
    return overview


def _fields(model: type[models.Model]) -> list[tuple[str, str]]:
    """(attribute, column) of each concrete field, in the order ``from_db`` takes them."""
    return [(f.attname, f.column) for f in model._meta.concrete_fields if f.column]


def _columns(model: type[models.Model]) -> str:
    return ", ".join(connection.ops.quote_name(column) for _, column in _fields(model))


def _rows[M: models.Model](model: type[M], cursor: Any) -> list[M]:
    names = [name for name, _ in _fields(model)]
    return [model.from_db(connection.alias, names, row) for row in cursor.fetchall()]


def _overview_rows(
    *, customer_id: int, orders: bool
) -> tuple[list[Identity], list[Consent], list[Order]]:
    """The customer's identities, consents and (with ``orders``) latest orders. With
    client-side binding (the default) one round trip of two or three statements: the SQL is
    written once here, building it through the ORM cost more than running it."""
    statements = [
        f"SELECT {_columns(Identity)} FROM contacts_identity WHERE customer_id = %s"
        " ORDER BY kind, value, id",
        f"SELECT {_columns(Consent)} FROM contacts_consent WHERE customer_id = %s ORDER BY id",
    ]
    if orders:
        statements.append(
            f"SELECT {_columns(Order)} FROM contacts_order WHERE customer_id = %s"
            f" ORDER BY ordered_at DESC, id DESC LIMIT {ORDERS_SHOWN}"
        )
    models_read: list[type[models.Model]] = [Identity, Consent, Order][: len(statements)]
    found: list[list[Any]] = []
    with connection.cursor() as cursor:
        if isinstance(cursor.cursor, psycopg.ClientCursor):
            cursor.execute("; ".join(statements), [customer_id] * len(statements))
            for n, model in enumerate(models_read):
                if n:
                    cursor.nextset()
                found.append(_rows(model, cursor))
        else:
            # Server-side binding takes one statement per execute.
            for statement, model in zip(statements, models_read, strict=True):
                cursor.execute(statement, [customer_id])
                found.append(_rows(model, cursor))
    found += [[]] * (3 - len(found))
    return found[0], found[1], found[2]


def order_get(*, user: User, pk: int, perm: str) -> Order:
    if not user.has_perm(perm):
        raise Http404
    try:
        return Order.objects.get(pk=pk)
    except Order.DoesNotExist:
        raise Http404 from None


def profile_question_get(*, pk: int) -> ProfileQuestion | None:
    return ProfileQuestion.objects.filter(pk=pk, is_active=True).first()
