"""REST API of journeys: cases."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
