"""Placeholder, filled in by the campaigns pages."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
