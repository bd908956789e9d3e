"""GDPR: export everything held about a customer, and erase the personal part of it.

Both find the data generically through the model relations, so models of later apps are
covered without changes here: the rows that point at the customer, and the rows those own
(a cascading foreign key, e.g. a comment on a case of the customer).
"""

import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import serializers
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import ForeignObjectRel, Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Notification, User
from contacts.models import (
    AuditAction,
    AuditEntry,
    Channel,
    Consent,
    ConsentStatus,
    Customer,
    CustomerImport,
    DuplicateCandidate,
    DuplicateStatus,
    Identity,
    IdentityKind,
    Interaction,
    Order,
    ProfileFact,
)
from contacts.services.audit import audit_record
from contacts.services.merge import customer_relations

# Text fields of other apps' models that hold personal data and are cleared on erasure:
# a field whose name is one of these, or ends in "_" + one of these ("resolution_note").
PERSONAL_FIELD_NAMES = frozenset(
    {"body", "subject", "comment", "text", "note", "name", "email", "phone", "address"}
)
ERASED_CUSTOMER_FIELDS = ("name", "street", "postcode", "city")
# Contacts models erased by explicit rules below; every other related model gets the
# generic treatment.
EXPLICIT_MODELS = (
    Identity,
    IdentityKind,
    Interaction,
    ProfileFact,
    Consent,
    Order,
    AuditEntry,
    DuplicateCandidate,
)
EXPORT_CHUNK = 2000
# What an erased value is replaced with in free text that stays (notifications, audit).
REDACTED = "[erased]"
# Stored files larger than this are not read for traces (imports are capped far below).
MEDIA_SCAN_MAX_BYTES = 50 * 1024 * 1024
MEDIA_TEXT_SUFFIXES = frozenset({".csv", ".txt", ".json", ".eml", ".tsv", ""})


def _owned_relations(model: type[models.Model]) -> Iterator[ForeignObjectRel]:
    """Rows of other models that belong to a row of ``model`` (deleted with it)."""
    for rel in model._meta.get_fields(include_hidden=True):
        if (
            isinstance(rel, ForeignObjectRel)
            and not rel.many_to_many
            and rel.on_delete is models.CASCADE
            and rel.related_model is not model
        ):
            yield rel


def _related_querysets(*, customer: Customer) -> Iterator[models.QuerySet]:
    """Querysets of every row about ``customer``: direct relations and what those rows own."""
    for rel in customer_relations():
        rows = rel.related_model._base_manager.filter(**{rel.field.name: customer})
        yield rows
        for child in _owned_relations(rel.related_model):
            if child.related_model is Customer:
                continue
            yield child.related_model._base_manager.filter(
                **{f"{child.field.name}__in": rows.values("pk")}
            )


def customer_export_data(*, customer: Customer) -> dict[str, Any]:
    """Everything held about ``customer``, grouped by model label (serializer "python" form)."""
    data: dict[str, list[dict[str, Any]]] = {
        Customer._meta.label: serializers.serialize("python", [customer])
    }
    for rows in _related_querysets(customer=customer):
        label = rows.model._meta.label
        serialized = serializers.serialize(
            "python", rows.order_by("pk").iterator(chunk_size=EXPORT_CHUNK)
        )
        if serialized:
            existing = data.setdefault(label, [])
            seen = {item["pk"] for item in existing}
            existing.extend(item for item in serialized if item["pk"] not in seen)
    return {"customer_id": customer.pk, "exported_at": timezone.now().isoformat(), "data": data}


def customer_export(*, customer: Customer, user: User) -> dict[str, Any]:
    """The GDPR export of ``customer``, recorded in the audit log."""
    with transaction.atomic():
        payload = customer_export_data(customer=customer)
        audit_record(actor=user, action=AuditAction.EXPORT, customer=customer)
    return payload


def _is_personal(field: models.Field) -> bool:
    if not isinstance(field, models.CharField | models.TextField) or field.unique:
        return False
    name = field.name
    return name in PERSONAL_FIELD_NAMES or any(
        name.endswith(f"_{word}") for word in PERSONAL_FIELD_NAMES
    )


def _erase_generic(rows: models.QuerySet) -> None:
    fields = [f.name for f in rows.model._meta.concrete_fields if _is_personal(f)]
    if fields:
        rows.update(**dict.fromkeys(fields, ""))


# --- Traces: the person's values wherever they were copied ------------------------------------


def customer_traces(*, customer: Customer) -> list[str]:
    """The strings that identify ``customer`` in free text: identity values (phones also in
    national notation), the name, and those of records merged into it."""
    people = Customer.objects.filter(Q(pk=customer.pk) | Q(merged_into=customer))
    identities = Identity.objects.filter(customer__in=people).values_list("kind", "value")
    traces: set[str] = set()
    for kind, value in identities:
        traces.add(value)
        if kind in (IdentityKind.PHONE, IdentityKind.WHATSAPP) and value.startswith("+31"):
            traces.add("0" + value[3:])
    traces.update(name for name in people.values_list("name", flat=True) if len(name) >= 3)
    return sorted(traces, key=len, reverse=True)


def _pattern(traces: Iterable[str]) -> re.Pattern[str] | None:
    words = [re.escape(t) for t in traces if t]
    return re.compile("|".join(words), re.IGNORECASE) if words else None


def _redact(value: Any, pattern: re.Pattern[str]) -> Any:
    if isinstance(value, str):
        return pattern.sub(REDACTED, value)
    if isinstance(value, list):
        return [_redact(item, pattern) for item in value]
    if isinstance(value, dict):
        return {_redact(k, pattern): _redact(v, pattern) for k, v in value.items()}
    return value


def _without_lines(text: str, pattern: re.Pattern[str]) -> str:
    return "".join(line for line in text.splitlines(keepends=True) if not pattern.search(line))


def _text_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField | models.JSONField)
        and not f.choices
        and not f.primary_key
    ]


def _redact_rows(rows: models.QuerySet, traces: list[str], pattern: re.Pattern[str]) -> int:
    """Replace the traces in every text column of ``rows``; returns the rows changed."""
    fields = _text_fields(rows.model)
    if not fields:
        return 0
    condition = Q(pk__in=[])
    annotations = {}
    for field in fields:
        column = field.name
        if isinstance(field, models.JSONField):
            column = f"_gdpr_{field.name}"
            annotations[column] = Cast(field.name, TextField())
        for trace in traces:
            condition |= Q(**{f"{column}__icontains": trace})
    changed = 0
    for row in rows.annotate(**annotations).filter(condition).iterator(chunk_size=EXPORT_CHUNK):
        updates = {}
        for field in fields:
            value = getattr(row, field.attname)
            if field.name == "content" and isinstance(row, CustomerImport):
                new = _without_lines(value, pattern)
            else:
                new = _redact(value, pattern)
            if new != value:
                updates[field.attname] = new
        if updates:
            rows.model._base_manager.filter(pk=row.pk).update(**updates)
            changed += 1
    return changed


def _redact_media(pattern: re.Pattern[str]) -> int:
    """Drop the lines holding a trace from every stored text file; returns files changed."""
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return 0
    changed = 0
    for path in root.rglob("*"):
        if (
            not path.is_file()
            or path.suffix.lower() not in MEDIA_TEXT_SUFFIXES
            or path.stat().st_size > MEDIA_SCAN_MAX_BYTES
        ):
            continue
        text = path.read_bytes().decode("utf-8", errors="surrogateescape")
        if not pattern.search(text):
            continue
        partial = path.with_name(f".{path.name}.erasing")
        partial.write_bytes(_without_lines(text, pattern).encode("utf-8", errors="surrogateescape"))
        os.replace(partial, path)
        changed += 1
    return changed


def customers_sharing_traces(*, customer: Customer, limit: int = 50) -> list[Customer]:
    """Other live customers with one of ``customer``'s identity values, under any kind (the
    phone number of a WhatsApp contact is the same person's phone): offered for erasure too."""
    values = list(Identity.objects.filter(customer=customer).values_list("value", flat=True))
    if not values:
        return []
    return list(
        Customer.objects.filter(
            identities__kind__in=IdentityKind.values,
            identities__value__in=values,
            erased_at__isnull=True,
            merged_into__isnull=True,
        )
        .exclude(pk=customer.pk)
        .distinct()
        .order_by("pk")[:limit]
    )


@transaction.atomic
def customer_erase(*, customer: Customer, user: User) -> Customer:
    """Remove the personal data of ``customer`` everywhere, keep what counts for statistics.

    Kept: the customer row (empty), contact moments without subject and body, orders,
    the audit log. Deleted: identities and profile facts. Consent becomes "opted out" on
    every channel so nothing is sent anymore. Other apps' rows: text fields with a personal
    name (see PERSONAL_FIELD_NAMES) are cleared. Then the person's identity values and name
    are replaced by "[erased]" in every text column of those rows, of notifications and of
    the audit log, and the lines holding them are dropped from import files and stored files.
    """
    locked = Customer.objects.select_for_update().filter(pk=customer.pk).first()
    if locked is None:
        raise ValidationError(_("This customer no longer exists."))
    if locked.erased_at is not None:
        raise ValidationError(_("This customer was already erased."))
    if locked.merged_into_id is not None:
        raise ValidationError(
            _("This record was merged; erase the customer it was merged into instead.")
        )
    customer = locked
    now = timezone.now()
    traces = customer_traces(customer=customer)
    pattern = _pattern(traces)

    for rows in _related_querysets(customer=customer):
        if rows.model in EXPLICIT_MODELS:
            continue
        _erase_generic(rows)
    redacted = {"rows": 0, "files": 0}
    if pattern is not None:
        # Copies outside the customer's own rows: other apps' texts, the inbox, the audit
        # log (a search for the e-mail address), import files kept for their report.
        for rows in _related_querysets(customer=customer):
            if rows.model not in (Identity, ProfileFact):  # deleted below
                redacted["rows"] += _redact_rows(rows, traces, pattern)
        for model in (Notification, AuditEntry, CustomerImport):
            redacted["rows"] += _redact_rows(model._base_manager.all(), traces, pattern)
        redacted["files"] = _redact_media(pattern)
    Interaction.objects.filter(customer=customer).update(subject="", body="")
    ProfileFact.objects.filter(customer=customer).delete()
    Identity.objects.filter(customer=customer).delete()
    for channel in Channel.values:
        Consent.objects.update_or_create(
            customer=customer,
            channel=channel,
            defaults={"status": ConsentStatus.OPT_OUT, "changed_at": now, "source": "gdpr"},
        )
    DuplicateCandidate.objects.filter(
        Q(first=customer) | Q(second=customer), status=DuplicateStatus.OPEN
    ).update(status=DuplicateStatus.DISMISSED, resolved_by=user, resolved_at=now)
    # Records merged into this one still carry the name and address they had.
    Customer.objects.filter(merged_into=customer).update(
        **dict.fromkeys(ERASED_CUSTOMER_FIELDS, ""), erased_at=now, updated_at=now
    )
    for name in ERASED_CUSTOMER_FIELDS:
        setattr(customer, name, "")
    customer.erased_at = now
    customer.quiet_hours_start = customer.quiet_hours_end = None
    customer.save(
        update_fields=[
            *ERASED_CUSTOMER_FIELDS,
            "erased_at",
            "quiet_hours_start",
            "quiet_hours_end",
            "updated_at",
        ]
    )
    # Counts only: the audit entry of an erasure holds nothing of the person.
    audit_record(actor=user, action=AuditAction.ERASE, customer=customer, **redacted)
    return customer


@transaction.atomic
def customers_erase(*, customer: Customer, also: Iterable[int], user: User) -> list[Customer]:
    """Erase ``customer`` and those of ``also`` that share one of its identity values.

    Only customers offered by :func:`customers_sharing_traces` are erased with it, so a
    forged id erases nobody else; all or nothing.
    """
    offered = {c.pk: c for c in customers_sharing_traces(customer=customer)}
    chosen = [offered[pk] for pk in dict.fromkeys(also) if pk in offered]
    if len(chosen) != len(set(also)):
        raise ValidationError(_("Only the customers listed here can be erased with this one."))
    return [customer_erase(customer=c, user=user) for c in [customer, *chosen]]
