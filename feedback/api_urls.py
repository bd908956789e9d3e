"""REST API of feedback under /api/v1/."""

from django.urls import path

from .api import SummaryView

urlpatterns = [path("feedback/summary/", SummaryView.as_view(), name="feedback-summary")]
