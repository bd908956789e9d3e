"""The OpenAPI document says what the API really answers: every error it can give, with a
schema for the error bodies, and the constraints DRF checks but drf-spectacular leaves out.
"""

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from cxcenter.apifields import NOT_BLANK_PATTERN, StrictRegexField

ErrorSerializer = inline_serializer(
    name="Error",
    fields={
        "detail": serializers.CharField(help_text="What went wrong."),
        "request_id": serializers.CharField(
            required=False, help_text="Quote this when asking about an unexpected error."
        ),
    },
)

# A 400 is either {"detail": "..."} (unreadable body or address) or a message list per field.
VALIDATION_ERROR = {
    "type": "object",
    "description": "A list of messages per field that was refused, or `detail` for the "
    "request as a whole (unreadable JSON, a NUL character, nesting too deep).",
    "additionalProperties": True,
}

ERRORS = {
    "400": "Refused input: a message per field, or `detail`.",
    "401": "No valid token or session.",
    "403": "The caller's role does not allow this.",
    "404": "Unknown id, or not visible to the caller.",
    "413": "The body is larger than the server accepts.",
    "429": "Too many requests; wait for the seconds in `Retry-After`.",
    "500": "Unexpected error; the body carries a request id.",
    "503": "The database is unreachable; retry after `Retry-After` seconds.",
}


class ProjectAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        error = self.resolve_serializer(ErrorSerializer, "response").ref
        for code, description in ERRORS.items():
            if code == "413" and self.method not in ("POST", "PUT", "PATCH"):
                continue
            schema = VALIDATION_ERROR if code == "400" else error
            responses.setdefault(
                code,
                {"description": description, "content": {"application/json": {"schema": schema}}},
            )
        return responses


def _walk(node: Any) -> None:
    if isinstance(node, dict):
        props = node.get("properties", {})
        identities = props.get("identities")
        if (
            isinstance(identities, dict)
            and identities.get("type") == "array"
            and identities.get("items", {}).get("$ref", "").endswith("/IdentityIn")
        ):
            identities.setdefault("minItems", 1)
        for value in node.values():
            _walk(value)
    elif isinstance(node, list):
        for value in node:
            _walk(value)


def postprocess_constraints(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Add what DRF enforces and drf-spectacular does not write: ``identities`` needs one."""
    _walk(result.get("components", {}).get("schemas", {}))
    return result


class StrictCharFieldExtension(OpenApiSerializerFieldExtension):
    """A strict string as it is checked: not blank (after trimming) unless allowed."""

    target_class = "cxcenter.apifields.StrictCharField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema: AutoSchema, direction: Any) -> dict[str, Any]:
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        field = self.target
        if direction == "request" and not field.allow_blank:
            schema["minLength"] = max(schema.get("minLength", 0), 1)
            if field.trim_whitespace and not isinstance(field, StrictRegexField):
                schema.setdefault("pattern", NOT_BLANK_PATTERN)
        return schema


class StrictDecimalFieldExtension(OpenApiSerializerFieldExtension):
    """A decimal sent as a string of digits, with the pattern the field checks."""

    target_class = "cxcenter.apifields.StrictDecimalField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema: AutoSchema, direction: Any) -> dict[str, Any]:
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if direction == "request":
            schema.update({"type": "string", "format": "decimal", "pattern": self.target.pattern})
        return schema
