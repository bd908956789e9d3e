"""Merging two customer records into one: every row of every app that points at the source
moves to the target, in one transaction."""

import datetime as dt
from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import ForeignObjectRel, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from contacts.models import (
    AuditAction,
    Consent,
    Customer,
    DuplicateCandidate,
    DuplicateStatus,
    ProfileFact,
)
from contacts.services.audit import audit_record

# Empty fields of the target that are filled from the source.
FILLABLE_FIELDS = ("name", "street", "postcode", "city", "preferred_channel")


def customer_relations() -> Iterator[ForeignObjectRel]:
    """Every foreign key or one-to-one of any installed model that points at Customer.

    Hidden relations (``related_name="+"``) and the through tables of many-to-many fields
    are included, so a model added by a later app is found without changing this code.
    The self-reference ``Customer.merged_into`` is left out.
    """
    for rel in Customer._meta.get_fields(include_hidden=True):
        if not isinstance(rel, ForeignObjectRel) or rel.many_to_many:
            continue
        if rel.related_model is Customer:
            continue
        yield rel


def _unique_involves(model: type[models.Model], field: models.Field) -> bool:
    """Whether moving rows of ``field`` to another customer can clash with a unique rule."""
    if field.unique:
        return True
    for fields in model._meta.unique_together:
        if field.name in fields:
            return True
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and field.name in (
            constraint.fields or ()
        ):
            return True
        # Expression-based unique constraints: assume they may involve the customer.
        if isinstance(constraint, models.UniqueConstraint) and not constraint.fields:
            return True
    return False


def _move_generic(*, rel: ForeignObjectRel, source: Customer, target: Customer) -> int:
    """Point every row of ``rel`` at ``target``.

    Without a unique rule on the customer column this is one UPDATE. With one, rows move
    one by one, each in a savepoint: a row that would clash with a row the target already
    has is a duplicate of it, and is deleted instead (the target's row wins).
    """
    model = rel.related_model
    field = rel.field
    rows = model._base_manager.filter(**{field.name: source})
    if not _unique_involves(model, field):
        return rows.update(**{field.name: target})
    moved = 0
    for pk in list(rows.values_list("pk", flat=True)):
        try:
            with transaction.atomic():
                model._base_manager.filter(pk=pk).update(**{field.name: target})
            moved += 1
        except IntegrityError:
            model._base_manager.filter(pk=pk).delete()
    return moved


def _move_consents(*, source: Customer, target: Customer) -> int:
    """One consent per channel: where both have one, the most recently changed one counts."""
    theirs = {c.channel: c for c in Consent.objects.filter(customer=target)}
    moved = 0
    for consent in Consent.objects.filter(customer=source):
        kept = theirs.get(consent.channel)
        if kept is None:
            Consent.objects.filter(pk=consent.pk).update(customer=target)
            moved += 1
            continue
        if consent.changed_at > kept.changed_at:
            Consent.objects.filter(pk=kept.pk).update(
                status=consent.status, changed_at=consent.changed_at, source=consent.source
            )
        consent.delete()
    return moved


def _move_facts(*, source: Customer, target: Customer) -> int:
    """All facts move as history; per question only the newest current answer stays current."""
    mine = {f.question_id: f for f in ProfileFact.objects.filter(customer=source, is_current=True)}
    theirs = {
        f.question_id: f for f in ProfileFact.objects.filter(customer=target, is_current=True)
    }
    older = []
    for question_id in mine.keys() & theirs.keys():
        a, b = mine[question_id], theirs[question_id]
        older.append(b.pk if (a.recorded_at, a.pk) > (b.recorded_at, b.pk) else a.pk)
    if older:
        ProfileFact.objects.filter(pk__in=older).update(is_current=False)
    return ProfileFact.objects.filter(customer=source).update(customer=target)


def _move_candidates(*, source: Customer, target: Customer, user: User | None) -> None:
    """Close the pair being merged; other open pairs of the source now concern the target."""
    now = timezone.now()
    first, second = sorted((source.pk, target.pk))
    updated = DuplicateCandidate.objects.filter(first_id=first, second_id=second).update(
        status=DuplicateStatus.MERGED, resolved_by=user, resolved_at=now
    )
    if not updated:
        DuplicateCandidate.objects.create(
            first_id=first,
            second_id=second,
            reason=gettext_noop("merged by hand"),
            status=DuplicateStatus.MERGED,
            resolved_by=user,
            resolved_at=now,
        )
    others = DuplicateCandidate.objects.filter(Q(first=source) | Q(second=source)).exclude(
        first_id=first, second_id=second
    )
    repointed = []
    for candidate in others:
        other = candidate.second_id if candidate.first_id == source.pk else candidate.first_id
        if other != target.pk and candidate.status == DuplicateStatus.OPEN:
            low, high = sorted((other, target.pk))
            repointed.append(
                DuplicateCandidate(first_id=low, second_id=high, reason=candidate.reason)
            )
    # The source's own pairs stay as history only when decided; open ones are re-pointed.
    others.filter(status=DuplicateStatus.OPEN).delete()
    DuplicateCandidate.objects.bulk_create(repointed, ignore_conflicts=True)


def _later(a: dt.datetime | None, b: dt.datetime | None) -> dt.datetime | None:
    if a is None or b is None:
        return a or b
    return max(a, b)


def customer_merge(*, source: Customer, target: Customer, user: User | None) -> Customer:
    """Merge ``source`` into ``target`` and return the target, fresh from the database.

    Raises ValidationError for a merge into itself or with a merged or erased record.
    Either everything moves or nothing does.
    """
    if source.pk == target.pk:
        raise ValidationError(_("A customer cannot be merged into itself."))
    with transaction.atomic():
        # Lock both rows in id order, so two merges of the same pair cannot deadlock.
        locked = {
            c.pk: c
            for c in Customer.objects.select_for_update()
            .filter(pk__in=[source.pk, target.pk])
            .order_by("pk")
        }
        if len(locked) != 2:
            raise ValidationError(_("One of the customers no longer exists."))
        source, target = locked[source.pk], locked[target.pk]
        for customer in (source, target):
            if customer.merged_into_id is not None:
                raise ValidationError(
                    _("%(customer)s was already merged into another customer.")
                    % {"customer": customer}
                )
            if customer.erased_at is not None:
                raise ValidationError(
                    _("%(customer)s was erased and cannot be merged.") % {"customer": customer}
                )

        moved: dict[str, int] = {}
        for rel in customer_relations():
            model = rel.related_model
            if model is DuplicateCandidate:
                continue
            if model is Consent:
                count = _move_consents(source=source, target=target)
            elif model is ProfileFact:
                count = _move_facts(source=source, target=target)
            else:
                count = _move_generic(rel=rel, source=source, target=target)
            if count:
                label = model._meta.label
                moved[label] = moved.get(label, 0) + count
        _move_candidates(source=source, target=target, user=user)
        # Earlier merges into the source now point at the survivor: no chains to follow.
        Customer.objects.filter(merged_into=source).update(merged_into=target)

        changed = ["updated_at"]
        for name in FILLABLE_FIELDS:
            if not getattr(target, name) and getattr(source, name):
                setattr(target, name, getattr(source, name))
                changed.append(name)
        for name in ("last_interaction_at", "last_purchase_at"):
            later = _later(getattr(target, name), getattr(source, name))
            if later != getattr(target, name):
                setattr(target, name, later)
                changed.append(name)
        target.save(update_fields=changed)
        source.merged_into = target
        source.save(update_fields=["merged_into", "updated_at"])

        audit_record(
            actor=user,
            action=AuditAction.MERGE,
            customer=target,
            source_id=source.pk,
            target_id=target.pk,
            moved=moved,
        )
    target.refresh_from_db()
    return target
