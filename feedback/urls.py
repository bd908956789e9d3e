"""Pages of feedback: the manager dashboard, the wallboard and survey settings."""

from django.urls import URLPattern

app_name = "feedback"

urlpatterns: list[URLPattern] = []
