"""REST API of journeys: campaigns, and each campaign's day-by-day forecast vs capacity."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.signed_in import request_user
from journeys.models import Campaign, Segment
from journeys.selectors import campaigns as selectors
from journeys.services.forecast import forecast_context_load, forecast_summary


def _check(request: Request) -> None:
    if not selectors.campaign_can_view(user=request_user(request)):
        raise PermissionDenied


class CampaignSerializer(serializers.ModelSerializer):
    segment: serializers.PrimaryKeyRelatedField[Segment] = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True
    )
    channels = serializers.ListField(child=serializers.CharField())
    product_skus = serializers.ListField(child=serializers.CharField())
    response_rates = serializers.DictField(
        child=serializers.FloatField(), help_text="Expected response rate (%) per channel."
    )

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "code",
            "status",
            "launch_at",
            "end_at",
            "channels",
            "response_rates",
            "product_skus",
            "segment",
            "audience_total",
            "audience_count",
            "short_notice",
            "landing_url",
            "landing_ok",
            "acknowledged_at",
        ]
        read_only_fields = fields


class CampaignCursor(CursorPagination):
    ordering = "-id"
    page_size = 50


class CampaignList(generics.ListAPIView):
    """Campaigns the caller may see, newest first, cursor-paginated."""

    serializer_class = CampaignSerializer
    pagination_class = CampaignCursor

    def get_queryset(self):  # type: ignore[no-untyped-def]
        _check(self.request)
        return selectors.campaign_api_list(user=request_user(self.request))


class ForecastDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    by_channel = serializers.DictField(child=serializers.FloatField())
    campaign = serializers.FloatField(help_text="Expected contacts caused by this campaign.")
    others = serializers.FloatField(help_text="Expected contacts of other planned campaigns.")
    baseline = serializers.FloatField(help_text="Average inbound contacts on this weekday.")
    carried = serializers.FloatField(help_text="Contacts waiting from closed days before.")
    capacity = serializers.IntegerField(help_text="Contacts the contact center can handle.")
    utilisation = serializers.FloatField(allow_null=True)
    over_capacity = serializers.BooleanField()


class ForecastSerializer(serializers.Serializer):
    campaign = serializers.IntegerField()
    audience_count = serializers.IntegerField(allow_null=True)
    expected = serializers.IntegerField()
    peak_day = serializers.DateField(allow_null=True)
    over_capacity_days = serializers.ListField(child=serializers.DateField())
    days = ForecastDaySerializer(many=True)


class CampaignForecast(APIView):
    """Day by day: expected contacts per channel against the contact center's capacity."""

    @extend_schema(responses=ForecastSerializer, operation_id="campaign_forecast")
    def get(self, request: Request, pk: int) -> Response:
        _check(request)
        campaign = selectors.campaign_get(user=request_user(request), campaign_id=pk)
        days = selectors.campaign_forecast(campaign=campaign, ctx=forecast_context_load())
        summary = forecast_summary(days=days)
        data = {
            "campaign": campaign.pk,
            "audience_count": campaign.audience_count,
            "expected": summary["expected"],
            "peak_day": summary["peak_day"],
            "over_capacity_days": summary["over_days"],
            "days": [
                {
                    "date": d.day,
                    "by_channel": {k: round(v, 2) for k, v in d.by_channel.items()},
                    "campaign": round(d.campaign, 2),
                    "others": round(d.others, 2),
                    "baseline": round(d.baseline, 2),
                    "carried": round(d.carried, 2),
                    "capacity": d.capacity,
                    "utilisation": None if d.utilisation is None else round(d.utilisation, 3),
                    "over_capacity": d.over,
                }
                for d in days
            ],
        }
        return Response(ForecastSerializer(data).data)


urlpatterns = [
    path("campaigns/", CampaignList.as_view(), name="api-campaigns"),
    path("campaigns/<int:pk>/forecast/", CampaignForecast.as_view(), name="api-campaign-forecast"),
]
