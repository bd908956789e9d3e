"""REST API of feedback under /api/v1/."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
