"""REST API of feedback: the summary of scores by period and breakdown, from the rollups."""

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cxcenter.apifields import QuerySerializer

from . import selectors


class CanViewFeedback(BasePermission):
    message = _("You may not read feedback.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return selectors.feedback_allowed(user=request.user)


class SummaryQuerySerializer(QuerySerializer):
    from_ = serializers.DateField(
        required=False, help_text="First day (default: 12 weeks before `to`)."
    )
    to = serializers.DateField(required=False, help_text="Last day (default: today).")
    group_by = serializers.ChoiceField(choices=selectors.GROUPINGS, default="week")
    breakdown = serializers.ChoiceField(
        choices=[str(d) for d in selectors.BREAKDOWNS], required=False
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        date_to = attrs.get("to") or timezone.localdate()
        date_from = attrs.get("from") or date_to - dt.timedelta(weeks=12)
        if date_from > date_to:
            raise serializers.ValidationError({"from": _("Must not be after 'to'.")})
        if (date_to - date_from).days > selectors.MAX_SPAN_DAYS:
            raise serializers.ValidationError(
                {
                    "from": _("The range may span at most %(days)s days.")
                    % {"days": selectors.MAX_SPAN_DAYS}
                }
            )
        attrs["from"], attrs["to"] = date_from, date_to
        return attrs


class FiguresSerializer(serializers.Serializer):
    responses = serializers.IntegerField()
    invitations_sent = serializers.IntegerField()
    response_rate = serializers.FloatField(allow_null=True, help_text="Percent.")
    nps = serializers.FloatField(allow_null=True, help_text="−100 to 100.")
    csat = serializers.FloatField(allow_null=True, help_text="Percent of answers 4 or 5.")
    csat_average = serializers.FloatField(allow_null=True)
    grade_average = serializers.FloatField(allow_null=True)
    unhappy = serializers.IntegerField()
    followup_within_48h = serializers.FloatField(
        allow_null=True, help_text="Percent of unhappy answers resolved within 48 hours."
    )


class PeriodSerializer(FiguresSerializer):
    start = serializers.DateField()


class BreakdownRowSerializer(FiguresSerializer):
    key = serializers.CharField()
    # A field named like Field.label, which the stubs take for that attribute.
    label = serializers.CharField()  # type: ignore[assignment]


class BreakdownSerializer(serializers.Serializer):
    dimension = serializers.CharField()
    rows = BreakdownRowSerializer(many=True)


class SummarySerializer(serializers.Serializer):
    from_ = serializers.DateField()
    to = serializers.DateField()
    group_by = serializers.CharField()
    totals = FiguresSerializer()
    periods = PeriodSerializer(many=True)
    breakdown = BreakdownSerializer(allow_null=True)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields


class SummaryView(APIView):
    permission_classes = [IsAuthenticated, CanViewFeedback]

    @extend_schema(
        operation_id="feedback_summary",
        parameters=[SummaryQuerySerializer],
        responses={200: SummarySerializer},
        summary="NPS, CSAT and response rate by period, with an optional breakdown",
        tags=["feedback"],
    )
    def get(self, request: Request) -> Response:
        query = SummaryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        summary = selectors.summary_get(
            user=request.user,
            date_from=data["from"],
            date_to=data["to"],
            group_by=data["group_by"],
            breakdown=data.get("breakdown"),
        )
        return Response(SummarySerializer(summary).data)
