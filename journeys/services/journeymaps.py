"""Journey map state changes: journeys, stages, enrolling customers and moving them."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from contacts.models import Customer
from journeys.models import Enrollment, Journey, JourneyStage, StageChange


@transaction.atomic
def journey_create(*, values: dict[str, Any], by: User) -> Journey:
    journey = Journey(created_by=by, **values)
    journey.full_clean()
    journey.save()
    return journey


@transaction.atomic
def journey_update(*, journey: Journey, values: dict[str, Any]) -> Journey:
    for key, value in values.items():
        setattr(journey, key, value)
    journey.full_clean()
    journey.save()
    return journey


@transaction.atomic
def journey_stage_save(
    *, journey: Journey, values: dict[str, Any], stage: JourneyStage | None = None
) -> JourneyStage:
    """Add a stage to ``journey`` or change ``stage`` (which must belong to it)."""
    if stage is None:
        stage = JourneyStage(journey=journey)
    elif stage.journey_id != journey.pk:
        raise ValidationError(_("That stage belongs to another journey."))
    for key, value in values.items():
        setattr(stage, key, value)
    stage.name = " ".join(stage.name.split())
    stage.full_clean()
    try:
        with transaction.atomic():
            stage.save()
    except IntegrityError:
        # The same name saved at the same moment by someone else: the constraint decides.
        raise ValidationError(_("This journey already has a stage with that name.")) from None
    return stage


def _check_customer(customer: Customer) -> None:
    if not customer.is_active_record:
        raise ValidationError({"customer": _("This customer was merged or erased.")})


@transaction.atomic
def journey_enroll(
    *,
    journey: Journey,
    customer: Customer,
    stage: JourneyStage,
    by: User | None,
    at: dt.datetime | None = None,
) -> Enrollment:
    """Put ``customer`` in ``journey`` at ``stage`` and open their first stay."""
    if stage.journey_id != journey.pk:
        raise ValidationError({"stage": _("That stage belongs to another journey.")})
    _check_customer(customer)
    at = at or timezone.now()
    try:
        with transaction.atomic():
            enrollment = Enrollment.objects.create(
                journey=journey, customer=customer, stage=stage, enrolled_at=at, stage_entered_at=at
            )
    except IntegrityError:
        raise ValidationError(
            {"customer": _("This customer is already in the journey; move them instead.")}
        ) from None
    StageChange.objects.create(
        journey=journey, customer=customer, stage=stage, entered_at=at, by=by
    )
    return enrollment


@transaction.atomic
def journey_move(
    *, enrollment: Enrollment, stage: JourneyStage, by: User | None, at: dt.datetime | None = None
) -> Enrollment:
    """Move an enrolled customer to ``stage`` (any order, back or forth); the history keeps
    each stay with its start and end."""
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if stage.journey_id != enrollment.journey_id:
        raise ValidationError({"stage": _("That stage belongs to another journey.")})
    if stage.pk == enrollment.stage_id:
        raise ValidationError({"stage": _("The customer is already in this stage.")})
    at = at or timezone.now()
    if at < enrollment.stage_entered_at:
        raise ValidationError({"stage": _("A move cannot be earlier than the last one.")})
    StageChange.objects.filter(
        journey_id=enrollment.journey_id, customer_id=enrollment.customer_id, left_at__isnull=True
    ).update(left_at=at)
    StageChange.objects.create(
        journey_id=enrollment.journey_id,
        customer_id=enrollment.customer_id,
        from_stage_id=enrollment.stage_id,
        stage=stage,
        entered_at=at,
        by=by,
    )
    enrollment.stage = stage
    enrollment.stage_entered_at = at
    enrollment.save(update_fields=["stage", "stage_entered_at"])
    return enrollment
