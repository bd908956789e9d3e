"""The set-based merge of one chunk of parsed import rows into customers, identities and
profile facts: one look-up for all identities of the chunk, one for the current facts, and
an insert or update per table — not per row."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.models import User
from contacts.models import Customer, Identity, ProfileFact, ProfileQuestion
from contacts.services.bulk import identities_lookup, model_new, models_insert

FILLED_COLUMNS = ("name", "street", "postcode", "city")


@dataclass
class ChunkOutcome:
    created: int = 0
    updated: int = 0
    # (index in the chunk, reason) of rows that wrote nothing.
    rejected: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class ParsedRow:
    """One checked CSV row (``contacts.services.imports.row_parse``)."""

    name: str = ""
    address: dict[str, str] = field(default_factory=dict)
    language: str = ""
    identities: list[tuple[str, str]] = field(default_factory=list)
    facts: list[tuple[ProfileQuestion, str]] = field(default_factory=list)


def chunk_merge(*, rows: Sequence[ParsedRow], user: User | None, now: dt.datetime) -> ChunkOutcome:
    """Merge ``rows`` (in file order; a later row sees what an earlier one created). A row
    whose identities belong to two customers, or to a merged or erased one, is rejected."""
    outcome = ChunkOutcome()
    known = identities_lookup(pairs={pair for row in rows for pair in row.identities})
    new_customers: list[Customer] = []
    changed: dict[int, Customer] = {}
    changed_fields: set[str] = set()
    new_identities: list[Identity] = []
    facts: list[tuple[Customer, ProfileQuestion, str]] = []
    for index, row in enumerate(rows):
        try:
            customer = _owner(row, known)
        except ValidationError as exc:
            outcome.rejected.append((index, " ".join(exc.messages)))
            continue
        if customer is None:
            customer = model_new(
                Customer, name=row.name, language=row.language or "nl", **row.address
            )
            new_customers.append(customer)
            outcome.created += 1
        else:
            outcome.updated += 1
            for column, value in {"name": row.name, **row.address}.items():
                if value and not getattr(customer, column):
                    setattr(customer, column, value)
                    changed_fields.add(column)
                    if customer.pk is not None:
                        changed[customer.pk] = customer
        for kind, value in row.identities:
            if (kind, value) not in known:
                identity = model_new(
                    Identity,
                    customer=customer,
                    kind=kind,
                    value=value,
                    first_seen=now,
                    last_seen=now,
                )
                known[(kind, value)] = identity
                new_identities.append(identity)
        facts += [(customer, question, value) for question, value in row.facts]
    models_insert(groups=[(Customer, new_customers), (Identity, new_identities)], now=now)
    if changed:
        for customer in changed.values():
            customer.updated_at = now
        Customer.objects.bulk_update(
            list(changed.values()), [*sorted(changed_fields), "updated_at"]
        )
    _facts_write(facts, user=user, now=now)
    return outcome


def _owner(row: ParsedRow, known: dict[tuple[str, str], Identity]) -> Customer | None:
    owners: dict[int, Customer] = {}
    for pair in row.identities:
        identity = known.get(pair)
        if identity is not None:
            # Stored customers by their key (each identity row brings its own instance of
            # its customer); customers of this chunk not saved yet by their object.
            owner = identity.customer
            owners[owner.pk if owner.pk is not None else -id(owner)] = owner
    if len(owners) > 1:
        raise ValidationError(_("The identities in this row belong to different customers."))
    if not owners:
        return None
    customer = next(iter(owners.values()))
    if customer.pk is not None and not customer.is_active_record:
        raise ValidationError(_("This customer was merged or erased."))
    return customer


def _facts_write(
    facts: list[tuple[Customer, ProfileQuestion, str]], *, user: User | None, now: dt.datetime
) -> None:
    """A new current fact where the value differs from the current one (which stops being
    current); the same value again writes nothing."""
    if not facts:
        return
    stored = ProfileFact.objects.filter(
        customer_id__in={c.pk for c, _, _ in facts},
        question_id__in={q.pk for _, q, _ in facts},
        is_current=True,
    ).values_list("pk", "customer_id", "question_id", "value")
    current: dict[tuple[int, int], tuple[int | None, str, ProfileFact | None]] = {
        (customer_id, question_id): (pk, value, None)
        for pk, customer_id, question_id, value in stored
    }
    close: list[int] = []
    new: list[ProfileFact] = []
    for customer, question, value in facts:
        key = (customer.pk, question.pk)
        pk, old, pending = current.get(key, (None, None, None))
        if old == value:
            continue
        if pending is not None:
            pending.is_current = False
        elif pk is not None:
            close.append(pk)
        fact = model_new(
            ProfileFact,
            customer=customer,
            question=question,
            value=value,
            recorded_by=user,
            recorded_at=now,
        )
        new.append(fact)
        current[key] = (None, value, fact)
    if close:
        ProfileFact.objects.filter(pk__in=close).update(is_current=False)
    models_insert(groups=[(ProfileFact, new)], now=now)
