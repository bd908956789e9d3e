"""Placeholder, filled in by the journeymaps pages."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
