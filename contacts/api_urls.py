"""API routes of contacts under /api/v1/ (views in contacts.api and contacts.api_batch)."""

from .api import urlpatterns as single
from .api_batch import urlpatterns as batch

urlpatterns = [*batch, *single]

__all__ = ["urlpatterns"]
