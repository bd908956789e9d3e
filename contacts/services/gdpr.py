"""GDPR: export everything held about a customer, and erase the personal part of it.

Both find the data generically through the model relations, so models of later apps are
covered without changes here: the rows that point at the customer, and the rows those own
(a cascading foreign key, e.g. a comment on a case of the customer).
"""

from collections.abc import Iterator
from typing import Any

from django.core import serializers
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import ForeignObjectRel, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from contacts.models import (
    AuditAction,
    AuditEntry,
    Channel,
    Consent,
    ConsentStatus,
    Customer,
    DuplicateCandidate,
    DuplicateStatus,
    Identity,
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
    Interaction,
    ProfileFact,
    Consent,
    Order,
    AuditEntry,
    DuplicateCandidate,
)
EXPORT_CHUNK = 2000


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


@transaction.atomic
def customer_erase(*, customer: Customer, user: User) -> Customer:
    """Remove the personal data of ``customer`` everywhere, keep what counts for statistics.

    Kept: the customer row (empty), contact moments without subject and body, orders,
    the audit log. Deleted: identities and profile facts. Consent becomes "opted out" on
    every channel so nothing is sent anymore. Other apps' rows: text fields with a personal
    name (see PERSONAL_FIELD_NAMES) are cleared.
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

    for rows in _related_querysets(customer=customer):
        if rows.model in EXPLICIT_MODELS:
            continue
        _erase_generic(rows)
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
    audit_record(actor=user, action=AuditAction.ERASE, customer=customer)
    return customer
