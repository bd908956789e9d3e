"""Serializer fields shared by every app's API: datetimes within a sane range, strict strings.

Year 0001 or 1347 is a typo or a probe, not a contact moment; Python and PostgreSQL accept
it and it comes back with the local-mean-time offset of 1347 (+00:19:32).
"""

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

EARLIEST_YEAR = 1900
LATEST_YEAR = 2100


class BoundedDateTimeField(serializers.DateTimeField):
    """A timezone-aware datetime from 1900 up to 2100."""

    default_error_messages = {
        "out_of_range": _("Give a date between %(earliest)d and %(latest)d.")
        % {"earliest": EARLIEST_YEAR, "latest": LATEST_YEAR},
    }

    def to_internal_value(self, value: Any) -> dt.datetime:
        parsed = super().to_internal_value(value)
        if not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
            self.fail("out_of_range")
        return parsed


class StrictCharField(serializers.CharField):
    """A string that must be sent as a JSON string: ``0`` is not the id ``"0"``."""

    default_error_messages = {"not_a_string": _("Send this as a string.")}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)
