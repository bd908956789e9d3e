"""API clients for tests, authenticated as an integration would be."""

from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken, User
from accounts.services import api_token_create


def api_client_for(user: User) -> APIClient:
    """A client sending a fresh token of ``user``, in the steady state of a busy integration:
    its token was used within the last minute, so a request does not write its last use."""
    token, key = api_token_create(user=user, name="test")
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client
