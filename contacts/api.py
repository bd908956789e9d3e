"""REST API of contacts (integration contract v1): contact moments in, customers out, orders
and deliveries in. Views parse and check permission; the work is in services and selectors."""

import io
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import path, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, NotFound, UnsupportedMediaType
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from contacts.models import Channel, Customer, Direction, IdentityKind, Interaction, Order
from contacts.selectors import customers as selectors
from contacts.selectors.data import cursor_decode
from contacts.selectors.timeline import timeline_page
from contacts.services.identity import IdentityValue, identity_normalise
from contacts.services.intake import interaction_intake
from contacts.services.orders import order_mark_delivered, order_record
from cxcenter.apifields import (
    BoundedDateTimeField,
    StrictCharField,
    StrictDecimalField,
    StrictRegexField,
)
from cxcenter.parsers import GuardedJSONParser

BODY_MAX = 20_000
IDENTITIES_MAX = 10


# --- Plumbing --------------------------------------------------------------------------------


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("The request body is too large.")
    default_code = "too_large"


def json_body(request: Request, *, limit: int) -> Any:
    """The JSON body read with a limit of its own (``limit`` bytes, instead of
    DATA_UPLOAD_MAX_MEMORY_SIZE) and parsed by the API's parser, as ``request.data`` is:
    415 when not JSON, 413 when larger, 400 when not parseable."""
    django_request = request._request
    if django_request.content_type != "application/json":
        raise UnsupportedMediaType(django_request.content_type or "")
    try:
        declared = int(django_request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise PayloadTooLarge()
    raw = (
        django_request._body if hasattr(django_request, "_body") else django_request.read(limit + 1)
    )
    if len(raw) > limit:
        raise PayloadTooLarge()
    return GuardedJSONParser().parse(io.BytesIO(raw))


def perms_required(*perms: str) -> type[BasePermission]:
    """A DRF permission: signed in (token or session) and holding every one of ``perms``."""

    class HasPerms(BasePermission):
        message = gettext_lazy("You do not have permission to do this.")

        def has_permission(self, request: Request, view: APIView) -> bool:
            user = request.user
            return bool(user and user.is_authenticated and user.has_perms(perms))

    HasPerms.__name__ = "Has_" + "_".join(p.replace(".", "_") for p in perms)
    return HasPerms


def _django_errors(exc: DjangoValidationError) -> ApiValidationError:
    if hasattr(exc, "error_dict"):
        return ApiValidationError(exc.message_dict)
    return ApiValidationError({"non_field_errors": exc.messages})


class ContactsAPIView(APIView):
    def handle_exception(self, exc: Exception) -> Response:
        # Django refuses bodies over DATA_UPLOAD_MAX_MEMORY_SIZE when DRF reads them; answer
        # in JSON with 413 instead of Django's plain 400 page.
        if isinstance(exc, RequestDataTooBig):
            exc = PayloadTooLarge()
        return super().handle_exception(exc)


# --- Serializers -----------------------------------------------------------------------------


class IdentityInSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=IdentityKind.choices)
    value = StrictCharField(max_length=254)

    def validate(self, attrs: dict[str, Any]) -> IdentityValue:
        try:
            return identity_normalise(kind=attrs["kind"], value=attrs["value"])
        except DjangoValidationError as exc:
            raise ApiValidationError({"value": exc.messages}) from None


class _ResolvingSerializer(serializers.Serializer):
    # A field named like Field.source, which the stubs take for that attribute.
    source = StrictRegexField(r"^[\w.\-:]+$", max_length=50)  # type: ignore[assignment]
    external_id = StrictCharField(max_length=200)
    # many=True builds a ListSerializer, which takes min_length and max_length; the stubs
    # check the arguments against the child serializer.
    identities = IdentityInSerializer(many=True, min_length=1, max_length=IDENTITIES_MAX)  # type: ignore[call-arg]
    name = StrictCharField(max_length=200, required=False, default="", allow_blank=True)


class InteractionInSerializer(_ResolvingSerializer):
    channel = serializers.ChoiceField(choices=[c for c in Channel.choices if c[0] != "note"])
    direction = serializers.ChoiceField(choices=Direction.choices)
    occurred_at = BoundedDateTimeField()
    subject = StrictCharField(max_length=300, required=False, default="", allow_blank=True)
    body = StrictCharField(
        max_length=BODY_MAX, required=False, default="", allow_blank=True, trim_whitespace=False
    )
    topic = StrictCharField(max_length=100, required=False, default="", allow_blank=True)
    campaign = StrictCharField(max_length=50, required=False, default="", allow_blank=True)


class IntakeResultSerializer(serializers.Serializer):
    interaction_id = serializers.IntegerField()
    customer_id = serializers.IntegerField()
    created = serializers.BooleanField(help_text="False when this was a replay.")
    customer_created = serializers.BooleanField()


class OrderInSerializer(_ResolvingSerializer):
    product_sku = StrictCharField(max_length=100)
    product_name = StrictCharField(max_length=200, required=False, default="", allow_blank=True)
    ordered_at = BoundedDateTimeField()
    amount = StrictDecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True, default=None
    )


class OrderSerializer(serializers.ModelSerializer):
    class Meta:
        model = Order
        fields = [
            "id",
            "customer",
            "source",
            "external_id",
            "product_sku",
            "product_name",
            "amount",
            "ordered_at",
            "delivered_at",
        ]


class OrderResultSerializer(serializers.Serializer):
    order = OrderSerializer()
    created = serializers.BooleanField(help_text="False when this was a replay.")
    customer_created = serializers.BooleanField()


class DeliveredInSerializer(serializers.Serializer):
    delivered_at = BoundedDateTimeField()


class DeliveredResultSerializer(serializers.Serializer):
    order = OrderSerializer()
    marked = serializers.BooleanField(help_text="False when it was already delivered.")


def _label(name: str) -> Any:
    """The model field's verbose name as a ModelSerializer labels it (capitalised, lazily)."""
    return capfirst(Customer._meta.get_field(name).verbose_name)


class CustomerSummarySerializer(serializers.Serializer):
    # The fields a ModelSerializer of Customer would make, declared: a look-up is mostly
    # fixed cost, and a ModelSerializer inspects the model again on every response.
    id = serializers.BigIntegerField(label="ID", read_only=True)
    name = serializers.CharField(allow_blank=True, max_length=200, required=False)
    postcode = serializers.CharField(allow_blank=True, max_length=16, required=False)
    city = serializers.CharField(allow_blank=True, max_length=100, required=False)
    last_interaction_at = serializers.DateTimeField(
        allow_null=True, label=_label("last_interaction_at"), required=False
    )
    exact_match = serializers.BooleanField(
        help_text="Found by an identity (e-mail, phone, customer number), not by name."
    )


class CustomerSearchSerializer(serializers.Serializer):
    results = CustomerSummarySerializer(many=True)
    more = serializers.BooleanField(help_text="More customers match; refine the search.")


class IdentitySerializer(serializers.Serializer):
    kind = serializers.CharField()
    value = serializers.CharField()
    first_seen = serializers.DateTimeField()
    last_seen = serializers.DateTimeField()


class FactSerializer(serializers.Serializer):
    question = serializers.CharField(source="fact.question.key")
    value = serializers.CharField(source="fact.value")
    source_channel = serializers.CharField(source="fact.source_channel")
    recorded_at = serializers.DateTimeField(source="fact.recorded_at")
    stale = serializers.BooleanField()


class ConsentSerializer(serializers.Serializer):
    channel = serializers.CharField()
    status = serializers.CharField(source="consent.status", allow_null=True, default=None)
    changed_at = serializers.DateTimeField(
        source="consent.changed_at", allow_null=True, default=None
    )
    # A field named like Field.source, which the stubs take for that attribute.
    source = serializers.CharField(source="consent.source", allow_null=True, default=None)  # type: ignore[assignment]


class QuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    key = serializers.CharField()
    label_nl = serializers.CharField()
    label_en = serializers.CharField()
    answer_type = serializers.CharField()
    choices = serializers.ListField(child=serializers.CharField(), source="choice_list")


class CustomerDetailSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="customer.pk")
    name = serializers.CharField(source="customer.name")
    street = serializers.CharField(source="customer.street")
    postcode = serializers.CharField(source="customer.postcode")
    city = serializers.CharField(source="customer.city")
    country = serializers.CharField(source="customer.country")
    language = serializers.CharField(source="customer.language")
    preferred_channel = serializers.CharField(source="customer.preferred_channel")
    quiet_hours_start = serializers.TimeField(source="customer.quiet_hours_start", allow_null=True)
    quiet_hours_end = serializers.TimeField(source="customer.quiet_hours_end", allow_null=True)
    last_interaction_at = serializers.DateTimeField(
        source="customer.last_interaction_at", allow_null=True
    )
    last_purchase_at = serializers.DateTimeField(
        source="customer.last_purchase_at", allow_null=True
    )
    merged_into = serializers.IntegerField(
        source="customer.merged_into_id",
        allow_null=True,
        help_text="Set when this record was merged: use that customer instead.",
    )
    erased_at = serializers.DateTimeField(source="customer.erased_at", allow_null=True)
    identities = IdentitySerializer(many=True)
    facts = FactSerializer(many=True)
    consents = ConsentSerializer(many=True)
    next_question = QuestionSerializer(allow_null=True)


_DATETIME = serializers.DateTimeField()


class InteractionSerializer(serializers.ModelSerializer):
    campaign = serializers.CharField(source="campaign_code")

    class Meta:
        model = Interaction
        fields = [
            "id",
            "occurred_at",
            "channel",
            "direction",
            "subject",
            "body",
            "topic",
            "campaign",
            "source",
            "external_id",
        ]

    def to_representation(self, instance: Interaction) -> dict[str, Any]:
        # The same output as the declared fields, written out: field-by-field serialising
        # costs more than the query on a page of 25 moments.
        return {
            "id": instance.pk,
            "occurred_at": _DATETIME.to_representation(instance.occurred_at),
            "channel": instance.channel,
            "direction": instance.direction,
            "subject": instance.subject,
            "body": instance.body,
            "topic": instance.topic,
            "campaign": instance.campaign_code,
            "source": instance.source,
            "external_id": instance.external_id,
        }


class TimelineSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text="The next (older) page, if any.")
    results = InteractionSerializer(many=True)


# --- Views -----------------------------------------------------------------------------------


class InteractionIntakeView(ContactsAPIView):
    """Log a contact moment from any channel; idempotent per source + external_id."""

    permission_classes = [perms_required("contacts.add_interaction")]

    @extend_schema(
        operation_id="interactions_create",
        request=InteractionInSerializer,
        responses={201: IntakeResultSerializer, 200: IntakeResultSerializer},
        description=(
            "Resolves the identities to one customer (creating it, or linking identities not "
            "seen before); identities of two customers attach the contact to the most "
            "recently active one and record a possible duplicate. Repeating source + "
            "external_id returns the first result with 200 and writes nothing."
        ),
    )
    def post(self, request: Request) -> Response:
        serializer = InteractionInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = interaction_intake(
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
        body = IntakeResultSerializer(
            {
                "interaction_id": result.interaction.pk,
                "customer_id": result.interaction.customer_id,
                "created": result.created,
                "customer_created": result.customer_created,
            }
        ).data
        return Response(body, status=201 if result.created else 200)


class CustomerListView(ContactsAPIView):
    """Find customers as the search page does."""

    permission_classes = [perms_required("contacts.view_customer")]

    @extend_schema(
        operation_id="customers_search",
        parameters=[
            OpenApiParameter(
                "q",
                OpenApiTypes.STR,
                description="E-mail, phone in any notation, customer number or (part of) a name",
            )
        ],
        responses=CustomerSearchSerializer,
    )
    def get(self, request: Request) -> Response:
        found = selectors.customer_search_page(
            user=request.user, query=request.query_params.get("q", "")
        )
        return Response(
            CustomerSearchSerializer({"results": found.customers, "more": found.more}).data
        )


class CustomerDetailView(ContactsAPIView):
    """One customer with identities, current facts, consents and the next profile question."""

    permission_classes = [perms_required("contacts.view_customer")]

    @extend_schema(operation_id="customers_retrieve", responses=CustomerDetailSerializer)
    def get(self, request: Request, customer_id: int) -> Response:
        customer = selectors.customer_get(user=request.user, pk=customer_id)
        overview = selectors.customer_overview(
            user=request.user, customer=customer, with_orders=False
        )
        return Response(
            CustomerDetailSerializer(
                {
                    "customer": customer,
                    "identities": overview.identities,
                    "facts": overview.facts,
                    "consents": overview.consents,
                    "next_question": overview.next_question,
                }
            ).data
        )


class CustomerInteractionsView(ContactsAPIView):
    """The customer's timeline, newest first, 25 per page; follow ``next`` for older ones."""

    permission_classes = [perms_required("contacts.view_customer", "contacts.view_interaction")]

    @extend_schema(
        operation_id="customers_interactions",
        parameters=[
            OpenApiParameter("cursor", OpenApiTypes.STR, description="From a ``next`` link"),
            OpenApiParameter("channel", OpenApiTypes.STR, enum=Channel.values),
        ],
        responses=TimelineSerializer,
    )
    def get(self, request: Request, customer_id: int) -> Response:
        cursor = request.query_params.get("cursor") or None
        # An empty channel is not "any channel": the schema lists the channels.
        channel = request.query_params.get("channel")
        errors = {}
        if cursor is not None and cursor_decode(cursor) is None:
            errors["cursor"] = [_("This is not a cursor from a next link.")]
        if channel is not None and channel not in Channel.values:
            errors["channel"] = [_("Unknown channel: %(channel)s.") % {"channel": channel}]
        if errors:
            raise ApiValidationError(errors)
        customer = selectors.customer_get(user=request.user, pk=customer_id)
        page = timeline_page(user=request.user, customer=customer, cursor=cursor, channel=channel)
        following = None
        if page.next_cursor:
            query = {"cursor": page.next_cursor, **({"channel": channel} if channel else {})}
            following = request.build_absolute_uri(
                reverse("api-customer-interactions", args=[customer.pk]) + "?" + urlencode(query)
            )
        return Response(TimelineSerializer({"next": following, "results": page.items}).data)


class OrderCreateView(ContactsAPIView):
    """Record an order; idempotent per source + external_id."""

    permission_classes = [perms_required("contacts.add_order")]

    @extend_schema(
        operation_id="orders_create",
        request=OrderInSerializer,
        responses={201: OrderResultSerializer, 200: OrderResultSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = OrderInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = order_record(
            source=data["source"],
            external_id=data["external_id"],
            identities=data["identities"],
            product_sku=data["product_sku"],
            product_name=data["product_name"],
            ordered_at=data["ordered_at"],
            amount=data["amount"],
            name=data["name"],
        )
        body = OrderResultSerializer(
            {
                "order": result.order,
                "created": result.created,
                "customer_created": result.customer_created,
            }
        ).data
        return Response(body, status=201 if result.created else 200)


class OrderDeliveredView(ContactsAPIView):
    """Mark an order delivered; the first time schedules the feedback after delivery."""

    permission_classes = [perms_required("contacts.change_order")]

    @extend_schema(
        operation_id="orders_delivered",
        request=DeliveredInSerializer,
        responses=DeliveredResultSerializer,
    )
    def post(self, request: Request, order_id: int) -> Response:
        serializer = DeliveredInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            order = selectors.order_get(
                user=request.user, pk=order_id, perm="contacts.change_order"
            )
        except Http404 as exc:
            raise NotFound(_("There is no order with this id.")) from exc
        try:
            order, marked = order_mark_delivered(
                order=order, delivered_at=serializer.validated_data["delivered_at"]
            )
        except DjangoValidationError as exc:
            raise _django_errors(exc) from None
        return Response(DeliveredResultSerializer({"order": order, "marked": marked}).data)


urlpatterns = [
    path("interactions/", InteractionIntakeView.as_view(), name="api-interactions"),
    path("customers/", CustomerListView.as_view(), name="api-customers"),
    path("customers/<int:customer_id>/", CustomerDetailView.as_view(), name="api-customer"),
    path(
        "customers/<int:customer_id>/interactions/",
        CustomerInteractionsView.as_view(),
        name="api-customer-interactions",
    ),
    path("orders/", OrderCreateView.as_view(), name="api-orders"),
    path(
        "orders/<int:order_id>/delivered/", OrderDeliveredView.as_view(), name="api-order-delivered"
    ),
]
