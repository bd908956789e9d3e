"""REST API of journeys: campaigns."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
