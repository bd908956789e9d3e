"""Serializer fields shared by every app's API: datetimes within a sane range, and strict
fields that refuse what the OpenAPI document does not allow instead of coercing it.

Year 0001 or 1347 is a typo or a probe, not a contact moment; Python and PostgreSQL accept
it and it comes back with the local-mean-time offset of 1347 (+00:19:32).

DRF turns ``0`` into ``"0"`` for a string, ``5`` into ``Decimal("5")`` for a decimal
documented as a string, ``"1.0"`` into ``1`` for an integer query parameter and ``"yes"``
into ``True``; a client that relies on that breaks on the next implementation. The fields
here accept exactly what their schema (written by the extensions in ``cxcenter.schema``)
says.
"""

import datetime as dt
import decimal
import re
from typing import Any

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.views import APIView

EARLIEST_YEAR = 1900
LATEST_YEAR = 2100

# A string with at least one character that is not whitespace: what a CharField without
# allow_blank takes, as it trims before checking.
NOT_BLANK_PATTERN = r"\S"


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
    """A string that must be sent as a JSON string: ``0`` is not the id ``"0"``.

    ``max_length`` counts the characters as sent, before trimming, as the schema does.
    """

    default_error_messages = {"not_a_string": _("Send this as a string.")}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("not_a_string")
        if self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


class StrictRegexField(StrictCharField):
    """A JSON string matching ``regex`` (searched, as OpenAPI's ``pattern`` is)."""

    default_error_messages = {"invalid": _("This value does not match the required pattern.")}

    def __init__(self, regex: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.regex = regex
        self.validators.append(RegexValidator(regex, message=self.error_messages["invalid"]))


class StrictDecimalField(serializers.DecimalField):
    """A decimal sent as a JSON string of digits, e.g. ``"89.95"``: not a JSON number (which
    a client may have rounded in binary), no sign unless negative values are allowed, no
    exponent, no spaces, at most ``max_digits`` with ``decimal_places`` after the point."""

    default_error_messages = {"not_a_decimal_string": _('Send this as a string, e.g. "89.95".')}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        whole = (self.max_digits or 30) - (self.decimal_places or 0)
        sign = "" if self.min_value is not None and self.min_value >= 0 else "-?"
        fraction = rf"(?:\.\d{{1,{self.decimal_places}}})?" if self.decimal_places else ""
        self.pattern = rf"^{sign}\d{{1,{whole}}}{fraction}$"

    def validate_empty_values(self, data: Any) -> tuple[bool, Any]:
        # DRF reads "" as null for a nullable decimal; the schema allows only null for that.
        return serializers.Field.validate_empty_values(self, data)

    def to_internal_value(self, data: Any) -> decimal.Decimal:
        if not isinstance(data, str) or not re.fullmatch(self.pattern.strip("^$"), data):
            self.fail("not_a_decimal_string")
        return super().to_internal_value(data)


class QueryIntegerField(serializers.IntegerField):
    """An integer query parameter written in digits (``"7"``; not ``"7.0"``, ``" 7"``)."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, str) and not re.fullmatch(r"-?[0-9]+", data):
            self.fail("invalid")
        return super().to_internal_value(data)


class QueryBooleanField(serializers.BooleanField):
    """A boolean query parameter: ``true`` or ``false``, as OpenAPI clients write it."""

    default_error_messages = {"invalid": _("Give true or false.")}

    def to_internal_value(self, data: Any) -> bool:
        if data in ("true", True):
            return True
        if data in ("false", False):
            return False
        self.fail("invalid")
        raise AssertionError  # pragma: no cover - fail() raises


class StrictCursorPagination(CursorPagination):
    """Cursor pages whose ``limit`` is refused with a 400 when it is not a whole number from
    1 to ``max_page_size``, instead of silently falling back to the default page size."""

    page_size_query_param = "limit"

    def get_page_size(self, request: Request) -> int | None:
        param = self.page_size_query_param
        if param is None or param not in request.query_params:
            return self.page_size
        raw = request.query_params[param]
        top = self.max_page_size or self.page_size or 1
        if not re.fullmatch(r"[0-9]+", raw) or not 1 <= int(raw) <= top:
            raise ValidationError(
                {param: [_("Give a whole number from 1 to %(max)d.") % {"max": top}]}
            )
        return int(raw)

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size or self.page_size,
                }
        return parameters


class QuerySerializer(serializers.Serializer):
    """Query parameters where a parameter given empty (``?customer=``) is refused unless its
    field allows blank, instead of being read as absent as DRF does for form-like input."""

    def to_internal_value(self, data: Any) -> Any:
        blank = serializers.CharField.default_error_messages["blank"]
        errors = {
            name: [blank]
            for name, field in self.fields.items()
            if name in data and data[name] == "" and not getattr(field, "allow_blank", False)
        }
        if errors:
            raise ValidationError(errors)
        return super().to_internal_value(data)
