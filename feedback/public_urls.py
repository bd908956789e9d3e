"""The public survey page (no login) at its token URL."""

from django.urls import URLPattern

app_name = "survey"

urlpatterns: list[URLPattern] = []
