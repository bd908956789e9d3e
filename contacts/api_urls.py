"""API routes of contacts under /api/v1/ (views in contacts.api)."""

from .api import urlpatterns

__all__ = ["urlpatterns"]
