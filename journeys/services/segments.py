"""Segment state changes: create and edit (the definition comes from SegmentForm)."""

from typing import Any

from django.db import transaction

from accounts.models import User
from journeys.models import Segment


@transaction.atomic
def segment_create(*, name: str, description: str, definition: dict[str, Any], by: User) -> Segment:
    segment = Segment(name=name, description=description, definition=definition, created_by=by)
    segment.full_clean()
    segment.save()
    return segment


@transaction.atomic
def segment_update(
    *, segment: Segment, name: str, description: str, definition: dict[str, Any]
) -> Segment:
    segment.name, segment.description, segment.definition = name, description, definition
    segment.full_clean()
    segment.save()
    return segment
