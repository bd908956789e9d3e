"""Batch intake of the REST API: up to 1,000 contact moments or orders per request, a
result per item in input order. A well-formed item passes a light check (``_Checker``) that
accepts only what the single endpoint's serializer accepts; any other item is checked by the
serializer's fields, so a bad one is rejected alone with their messages. The valid ones go to
the batch service in one transaction.

The body is read by ``contacts.api.json_body`` (the API's parser with a limit of its own) so
that a batch may be larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (which guards every other
request) up to ``CXCENTER_BATCH_MAX_BYTES``."""

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.fields import Field, SkipField, empty
from rest_framework.request import Request
from rest_framework.response import Response

from contacts.api import (
    BODY_MAX,
    IDENTITIES_MAX,
    ContactsAPIView,
    InteractionInSerializer,
    OrderInSerializer,
    json_body,
    perms_required,
)
from contacts.models import IdentityKind
from contacts.services.batch import (
    BATCH_MAX,
    InteractionItem,
    ItemResult,
    ItemStatus,
    OrderItem,
    interactions_intake_batch,
    orders_record_batch,
)
from contacts.services.identity import IdentityValue
from contacts.services.identity_fast import identity_normalise_fast

BATCH_MAX_BYTES_DEFAULT = 10 * 1024 * 1024


# The request schema of a batch: each item is checked on its own and a bad one (even one
# that is not an object) is answered as "rejected" in the results while the request as a
# whole is still taken, so the documented item is any JSON value; its fields are those of
# the single endpoint.
class InteractionBatchInSerializer(serializers.Serializer):
    items = serializers.ListField(
        child=serializers.JSONField(),
        min_length=1,
        max_length=BATCH_MAX,
        help_text="Contact moments, each as for POST /api/v1/interactions/.",
    )


class OrderBatchInSerializer(serializers.Serializer):
    items = serializers.ListField(
        child=serializers.JSONField(),
        min_length=1,
        max_length=BATCH_MAX,
        help_text="Orders, each as for POST /api/v1/orders/.",
    )


class BatchItemResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position of the item in the request.")
    status = serializers.ChoiceField(
        choices=[s.value for s in ItemStatus],
        help_text="created; existing (a replay of source + external_id, nothing written); "
        "rejected (see errors, nothing written for this item).",
    )
    id = serializers.IntegerField(
        allow_null=True, help_text="The contact moment or order; null when rejected."
    )
    customer_id = serializers.IntegerField(allow_null=True)
    customer_created = serializers.BooleanField()
    # A field named like Serializer.errors, which the stubs take for that property.
    errors = serializers.DictField(  # type: ignore[assignment]
        allow_null=True, help_text="Messages per field, as the single endpoint gives them."
    )


class BatchResultSerializer(serializers.Serializer):
    results = BatchItemResultSerializer(many=True)
    created = serializers.IntegerField()
    existing = serializers.IntegerField()
    rejected = serializers.IntegerField()


def _items(data: Any) -> list[Any]:
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise ApiValidationError({"items": [_("Send a list of items.")]})
    if not items:
        raise ApiValidationError({"items": [_("Send at least one item.")]})
    if len(items) > BATCH_MAX:
        raise ApiValidationError(
            {"items": [_("At most %(max)s items per request.") % {"max": BATCH_MAX}]}
        )
    return items


def _validate(fields: Mapping[str, Field], raw: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """What the serializer's is_valid() does for one item, with fields built once per
    request instead of per item."""
    if not isinstance(raw, dict):
        return {}, {"non_field_errors": [_("Each item must be an object.")]}
    data: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    for name, field in fields.items():
        try:
            data[name] = field.run_validation(raw.get(name, empty))
        except ApiValidationError as exc:
            errors[name] = exc.detail
        except DjangoValidationError as exc:
            errors[name] = exc.messages
        except SkipField:
            continue
    return data, errors


class _Slow(Exception):
    """The item is not plainly valid: the serializer's fields decide, with their messages."""


_SOURCE = re.compile(r"^[\w.\-:]+$")
_MISSING = object()
_KINDS = {str(value): value for value, _label in IdentityKind.choices}


@dataclass
class _Checker:
    """The light path for the common case, a well-formed item: plain type, length and choice
    checks per field, with the datetimes and identities of a batch parsed once per distinct
    value. It accepts only what the serializer accepts and gives the same data; anything
    else raises ``_Slow`` and goes through ``_validate``."""

    fields: Mapping[str, Field]
    times: dict[Any, Any] = dc_field(default_factory=dict)
    identities: dict[tuple[str, str], IdentityValue] = dc_field(default_factory=dict)

    def text(self, raw: dict[str, Any], name: str, limit: int, *, required: bool = False) -> str:
        value = raw.get(name, _MISSING)
        if value is _MISSING and not required:
            return ""
        if type(value) is not str:
            raise _Slow
        value = value.strip()
        if len(value) > limit or (required and not value) or "\x00" in value:
            raise _Slow
        try:
            value.encode()
        except UnicodeEncodeError:
            raise _Slow from None
        return value

    def choice(self, raw: dict[str, Any], name: str) -> Any:
        value = raw.get(name)
        if type(value) is not str:
            raise _Slow
        choices = self.fields[name].choice_strings_to_values  # type: ignore[attr-defined]
        if value not in choices:
            raise _Slow
        return choices[value]

    def field(self, raw: dict[str, Any], name: str, *, cached: bool = False) -> Any:
        value = raw.get(name, empty)
        if cached and type(value) is str and value in self.times:
            return self.times[value]
        try:
            result = self.fields[name].run_validation(value)
        except (ApiValidationError, DjangoValidationError, SkipField):
            raise _Slow from None
        if cached and type(value) is str:
            self.times[value] = result
        return result

    def resolving(self, raw: Any) -> dict[str, Any]:
        if type(raw) is not dict:
            raise _Slow
        source = self.text(raw, "source", 50, required=True)
        if not _SOURCE.search(source):
            raise _Slow
        given = raw.get("identities")
        if type(given) is not list or not 1 <= len(given) <= IDENTITIES_MAX:
            raise _Slow
        return {
            "source": source,
            "external_id": self.text(raw, "external_id", 200, required=True),
            "identities": [self.identity(i) for i in given],
            "name": self.text(raw, "name", 200),
        }

    def identity(self, raw: Any) -> IdentityValue:
        if type(raw) is not dict:
            raise _Slow
        kind = raw.get("kind")
        value = raw.get("value")
        if type(kind) is not str or type(value) is not str:
            raise _Slow
        found = self.identities.get((kind, value))
        if found is None:
            if kind not in _KINDS:
                raise _Slow
            try:
                found = identity_normalise_fast(
                    kind=_KINDS[kind], value=self.text(raw, "value", 254)
                )
            except DjangoValidationError:
                raise _Slow from None
            self.identities[(kind, value)] = found
        return found

    def interaction(self, raw: Any) -> dict[str, Any]:
        data = self.resolving(raw)
        data["channel"] = self.choice(raw, "channel")
        data["direction"] = self.choice(raw, "direction")
        data["occurred_at"] = self.field(raw, "occurred_at", cached=True)
        data["subject"] = self.text(raw, "subject", 300)
        body = raw.get("body", "")
        if type(body) is not str or len(body) > BODY_MAX or "\x00" in body:
            raise _Slow
        try:
            body.encode()
        except UnicodeEncodeError:
            raise _Slow from None
        data["body"] = body
        data["topic"] = self.text(raw, "topic", 100)
        data["campaign"] = self.text(raw, "campaign", 50)
        return data

    def order(self, raw: Any) -> dict[str, Any]:
        data = self.resolving(raw)
        data["product_sku"] = self.text(raw, "product_sku", 100, required=True)
        data["product_name"] = self.text(raw, "product_name", 200)
        data["ordered_at"] = self.field(raw, "ordered_at", cached=True)
        data["amount"] = self.field(raw, "amount")
        return data


def _respond[I](
    *,
    request: Request,
    serializer: type[serializers.Serializer],
    check: Callable[["_Checker", Any], dict[str, Any]],
    build: Callable[[dict[str, Any]], I],
    run: Callable[[Sequence[I]], list[ItemResult]],
) -> Response:
    raw_items = _items(
        json_body(
            request, limit=getattr(settings, "CXCENTER_BATCH_MAX_BYTES", BATCH_MAX_BYTES_DEFAULT)
        )
    )
    fields = serializer().fields
    checker = _Checker(fields=fields)
    valid: list[I] = []
    positions: list[int] = []
    rejected: dict[int, dict[str, Any]] = {}
    for index, raw in enumerate(raw_items):
        try:
            data = check(checker, raw)
        except _Slow:
            data, errors = _validate(fields, raw)
            if errors:
                rejected[index] = errors
                continue
        valid.append(build(data))
        positions.append(index)
    outcome = dict(zip(positions, run(valid) if valid else [], strict=True))
    results = []
    counts = dict.fromkeys(ItemStatus, 0)
    for index in range(len(raw_items)):
        if index in rejected:
            counts[ItemStatus.REJECTED] += 1
            results.append(
                {
                    "index": index,
                    "status": ItemStatus.REJECTED.value,
                    "id": None,
                    "customer_id": None,
                    "customer_created": False,
                    "errors": rejected[index],
                }
            )
            continue
        result = outcome[index]
        counts[result.status] += 1
        results.append(
            {
                "index": index,
                "status": result.status.value,
                "id": result.object_id,
                "customer_id": result.customer_id,
                "customer_created": result.customer_created,
                "errors": None,
            }
        )
    return Response(
        {
            "results": results,
            "created": counts[ItemStatus.CREATED],
            "existing": counts[ItemStatus.EXISTING],
            "rejected": counts[ItemStatus.REJECTED],
        }
    )


_RESPONSES = {
    200: BatchResultSerializer,
    400: OpenApiResponse(description="Not JSON, no list of items, none or more than 1,000."),
    413: OpenApiResponse(description="The body is larger than CXCENTER_BATCH_MAX_BYTES."),
    415: OpenApiResponse(description="The body is not application/json."),
}


def _interaction(data: dict[str, Any]) -> InteractionItem:
    return InteractionItem(
        source=data["source"],
        external_id=data["external_id"],
        channel=data["channel"],
        direction=data["direction"],
        occurred_at=data["occurred_at"],
        identities=data["identities"],
        name=data["name"],
        subject=data["subject"],
        body=data["body"],
        topic=data["topic"],
        campaign_code=data["campaign"],
    )


def _order(data: dict[str, Any]) -> OrderItem:
    return OrderItem(
        source=data["source"],
        external_id=data["external_id"],
        identities=data["identities"],
        product_sku=data["product_sku"],
        product_name=data["product_name"],
        ordered_at=data["ordered_at"],
        amount=data["amount"],
        name=data["name"],
    )


class InteractionBatchView(ContactsAPIView):
    """Log up to 1,000 contact moments at once, with the rules of the single endpoint."""

    permission_classes = [perms_required("contacts.add_interaction")]

    @extend_schema(
        operation_id="interactions_batch",
        request=InteractionBatchInSerializer,
        responses=_RESPONSES,
        description=(
            "Each item as for POST /api/v1/interactions/. One result per item in input "
            "order: created, existing (source + external_id seen before, or earlier in this "
            "batch; nothing written) or rejected with errors per field (only that item). "
            "New contact moments are routed into cases like single ones."
        ),
    )
    def post(self, request: Request) -> Response:
        return _respond(
            request=request,
            serializer=InteractionInSerializer,
            check=_Checker.interaction,
            build=_interaction,
            run=lambda items: interactions_intake_batch(items=items),
        )


class OrderBatchView(ContactsAPIView):
    """Record up to 1,000 orders at once, with the rules of the single endpoint."""

    permission_classes = [perms_required("contacts.add_order")]

    @extend_schema(
        operation_id="orders_batch",
        request=OrderBatchInSerializer,
        responses=_RESPONSES,
        description=(
            "Each item as for POST /api/v1/orders/; one result per item in input order "
            "(created, existing or rejected with errors)."
        ),
    )
    def post(self, request: Request) -> Response:
        return _respond(
            request=request,
            serializer=OrderInSerializer,
            check=_Checker.order,
            build=_order,
            run=lambda items: orders_record_batch(items=items),
        )


urlpatterns = [
    path("interactions/batch/", InteractionBatchView.as_view(), name="api-interactions-batch"),
    path("orders/batch/", OrderBatchView.as_view(), name="api-orders-batch"),
]
