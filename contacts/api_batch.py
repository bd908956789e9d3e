"""Batch intake of the REST API: up to 1,000 contact moments or orders per request, a
result per item in input order. Each item is checked with the fields of the single
endpoint's serializer; a bad item is rejected alone, the valid ones go to the batch service
in one transaction.

The body is read and parsed here (not by DRF's parser) so that a batch may be larger than
``DATA_UPLOAD_MAX_MEMORY_SIZE`` (which guards every other request) up to
``CXCENTER_BATCH_MAX_BYTES``."""

import json
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ParseError, UnsupportedMediaType
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.fields import Field, SkipField, empty
from rest_framework.request import Request
from rest_framework.response import Response

from contacts.api import (
    ContactsAPIView,
    InteractionInSerializer,
    OrderInSerializer,
    PayloadTooLarge,
    perms_required,
)
from contacts.services.batch import (
    BATCH_MAX,
    InteractionItem,
    ItemResult,
    ItemStatus,
    OrderItem,
    interactions_intake_batch,
    orders_record_batch,
)

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
    errors = serializers.DictField(
        allow_null=True, help_text="Messages per field, as the single endpoint gives them."
    )


class BatchResultSerializer(serializers.Serializer):
    results = BatchItemResultSerializer(many=True)
    created = serializers.IntegerField()
    existing = serializers.IntegerField()
    rejected = serializers.IntegerField()


def _body(request: Request) -> Any:
    """The parsed JSON body, refused with 415, 413 or 400 before anything is written."""
    django_request = request._request
    if django_request.content_type != "application/json":
        raise UnsupportedMediaType(django_request.content_type or "")
    limit = getattr(settings, "CXCENTER_BATCH_MAX_BYTES", BATCH_MAX_BYTES_DEFAULT)
    try:
        declared = int(django_request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise PayloadTooLarge()
    if hasattr(django_request, "_body"):
        raw = django_request._body
    else:
        raw = django_request.read(limit + 1)
    if len(raw) > limit:
        raise PayloadTooLarge()
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise ParseError(_("The body is not valid JSON.")) from None


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


def _validate(fields: dict[str, Field], raw: Any) -> tuple[dict[str, Any], dict[str, Any]]:
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


def _respond[I](
    *,
    request: Request,
    serializer: type[serializers.Serializer],
    build: Callable[[dict[str, Any]], I],
    run: Callable[[Sequence[I]], list[ItemResult]],
) -> Response:
    raw_items = _items(_body(request))
    fields = serializer().fields
    valid: list[I] = []
    positions: list[int] = []
    rejected: dict[int, dict[str, Any]] = {}
    for index, raw in enumerate(raw_items):
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
            build=_order,
            run=lambda items: orders_record_batch(items=items),
        )


urlpatterns = [
    path("interactions/batch/", InteractionBatchView.as_view(), name="api-interactions-batch"),
    path("orders/batch/", OrderBatchView.as_view(), name="api-orders-batch"),
]
