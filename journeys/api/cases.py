"""REST API of journeys: cases, called tasks in the integration contract.

``GET /api/v1/tasks/`` (visible cases, newest first, cursor-paginated, filters),
``GET /api/v1/tasks/{id}/`` and ``POST /api/v1/tasks/{id}/transfer/``.
"""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.generics import ListAPIView
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Department, User
from accounts.signed_in import request_user
from cxcenter.apifields import (
    QueryBooleanField,
    QueryIntegerField,
    QuerySerializer,
    StrictCharField,
    StrictCursorPagination,
)
from journeys.models import OPEN_Q, Case, CaseStatus, Priority, Transfer
from journeys.selectors.cases import case_get_for_user, case_may_work, case_visible_queryset
from journeys.services.cases import case_transfer


class CanViewCases(BasePermission):
    message = gettext_lazy("You do not have permission to see tasks.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm("journeys.view_case"))


class TaskSerializer(serializers.ModelSerializer):
    customer = serializers.IntegerField(source="customer_id", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    department: serializers.SlugRelatedField[Department] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    owner: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    channel = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "subject",
            "status",
            "priority",
            "topic",
            "campaign_code",
            "channel",
            "customer",
            "customer_name",
            "department",
            "owner",
            "is_exception",
            "first_response_due",
            "next_response_due",
            "resolution_due",
            "first_responded_at",
            "sla_paused_at",
            "transfer_count",
            "escalated_at",
            "created_at",
            "resolved_at",
            "closed_at",
        ]
        read_only_fields = fields

    def get_channel(self, case: Case) -> str:
        return case.origin.channel if case.origin_id and case.origin else ""


class TaskFilterSerializer(QuerySerializer):
    status = serializers.ChoiceField(choices=CaseStatus.choices, required=False)
    open = QueryBooleanField(required=False, allow_null=True, default=None)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    department = serializers.SlugField(required=False, max_length=50)
    owner = StrictCharField(required=False, max_length=150)
    is_exception = QueryBooleanField(required=False, allow_null=True, default=None)
    customer = QueryIntegerField(required=False, min_value=1)
    topic = StrictCharField(required=False, max_length=100)

    def validate(self, attrs: dict) -> dict:
        # Absent means "either"; a given value must be a boolean, not "null".
        errors = {
            name: [_("Give true or false.")]
            for name in ("open", "is_exception")
            if name in self.initial_data and attrs.get(name) is None
        }
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def validate_department(self, value: str) -> str:
        if not Department.objects.filter(code=value).exists():
            raise serializers.ValidationError(_("Unknown department."))
        return value


class TransferRequestSerializer(serializers.Serializer):
    department = StrictCharField(
        max_length=50, help_text=gettext_lazy("Code (e.g. sales) or id of the department.")
    )
    reason = StrictCharField(max_length=2000, trim_whitespace=True)

    def validate_department(self, value: str) -> Department:
        value = value.strip()
        lookup = {"pk": int(value)} if value.isdigit() else {"code": value}
        department = Department.objects.filter(**lookup).first()
        if department is None:
            raise serializers.ValidationError(_("Unknown department."))
        return department


class TransferSerializer(serializers.ModelSerializer):
    from_department: serializers.SlugRelatedField[Department] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    to_department: serializers.SlugRelatedField[Department] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = Transfer
        fields = ["id", "from_department", "to_department", "by", "reason", "at"]
        read_only_fields = fields


class TransferResultSerializer(serializers.Serializer):
    transfer = TransferSerializer()
    task = TaskSerializer()


class TaskPagination(StrictCursorPagination):
    ordering = "-id"
    page_size = 50
    max_page_size = 200


FILTER_PARAMETERS = [
    OpenApiParameter("status", OpenApiTypes.STR, enum=CaseStatus.values),
    OpenApiParameter("open", OpenApiTypes.BOOL, description="Only open (true) or finished."),
    OpenApiParameter("priority", OpenApiTypes.STR, enum=Priority.values),
    OpenApiParameter(
        "department",
        {"type": "string", "minLength": 1, "maxLength": 50, "pattern": r"^[-a-zA-Z0-9_]+$"},
        description="Department code.",
    ),
    OpenApiParameter(
        "owner",
        {"type": "string", "minLength": 1, "maxLength": 150, "pattern": r"\S"},
        description="User name, or 'me'.",
    ),
    OpenApiParameter("is_exception", OpenApiTypes.BOOL),
    OpenApiParameter("customer", {"type": "integer", "minimum": 1}),
    OpenApiParameter(
        "topic", {"type": "string", "minLength": 1, "maxLength": 100, "pattern": r"\S"}
    ),
]


class TaskListView(ListAPIView):
    """Tasks (cases) the caller may see, newest first."""

    serializer_class = TaskSerializer
    pagination_class = TaskPagination
    permission_classes = [CanViewCases]

    def get_queryset(self) -> QuerySet[Case]:
        params = TaskFilterSerializer(data=self.request.query_params)
        if not params.is_valid():
            raise ApiValidationError(params.errors)
        f: dict[str, Any] = params.validated_data
        qs = case_visible_queryset(user=request_user(self.request))
        if f.get("status"):
            qs = qs.filter(status=f["status"])
        if f.get("open") is not None:
            qs = qs.filter(OPEN_Q) if f["open"] else qs.exclude(OPEN_Q)
        if f.get("priority"):
            qs = qs.filter(priority=f["priority"])
        if f.get("department"):
            qs = qs.filter(department__code=f["department"])
        if f.get("owner"):
            owner = f["owner"]
            qs = (
                qs.filter(owner=request_user(self.request))
                if owner == "me"
                else qs.filter(owner__username=owner)
            )
        if f.get("is_exception") is not None:
            qs = qs.filter(is_exception=f["is_exception"])
        if f.get("customer"):
            qs = qs.filter(customer_id=f["customer"])
        if f.get("topic"):
            qs = qs.filter(topic__iexact=f["topic"])
        return qs.select_related("customer", "department", "owner", "origin")

    @extend_schema(parameters=FILTER_PARAMETERS, operation_id="tasks_list")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


def _case(request: Request, case_id: int) -> Case:
    try:
        return case_get_for_user(user=request_user(request), case_id=case_id)
    except Http404:
        raise NotFound(_("No such task.")) from None


class TaskDetailView(APIView):
    permission_classes = [CanViewCases]

    @extend_schema(responses=TaskSerializer, operation_id="tasks_retrieve")
    def get(self, request: Request, case_id: int) -> Response:
        return Response(TaskSerializer(_case(request, case_id)).data)


class TaskTransferView(APIView):
    """Hand the task to another department with a reason; recorded and counted."""

    permission_classes = [CanViewCases]

    @extend_schema(
        request=TransferRequestSerializer,
        responses={200: TransferResultSerializer},
        operation_id="tasks_transfer",
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = _case(request, case_id)
        user = request_user(request)
        # The same rule as the case page: seeing a task (a sub-task for your department,
        # or having worked on it before) is not working on it.
        if not (case_may_work(user=user, case=case) and user.has_perm("journeys.add_transfer")):
            raise PermissionDenied(_("You may not transfer this task."))
        data = TransferRequestSerializer(data=request.data)
        if not data.is_valid():
            raise ApiValidationError(data.errors)
        try:
            transfer = case_transfer(
                case=case,
                to_department=data.validated_data["department"],
                reason=data.validated_data["reason"],
                by=user,
            )
        except DjangoValidationError as exc:
            if hasattr(exc, "error_dict"):
                raise ApiValidationError(exc.message_dict) from exc
            raise ApiValidationError({"non_field_errors": exc.messages}) from exc
        case = Case.objects.select_related("customer", "department", "owner", "origin").get(
            pk=case.pk
        )
        transfer = Transfer.objects.select_related("from_department", "to_department", "by").get(
            pk=transfer.pk
        )
        return Response(
            TransferResultSerializer({"transfer": transfer, "task": case}).data,
        )


urlpatterns = [
    path("tasks/", TaskListView.as_view(), name="api-tasks"),
    path("tasks/<int:case_id>/", TaskDetailView.as_view(), name="api-task"),
    path("tasks/<int:case_id>/transfer/", TaskTransferView.as_view(), name="api-task-transfer"),
]
