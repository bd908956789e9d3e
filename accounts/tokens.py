"""API token keys: how they are made, hashed and checked. Only the hash is ever stored."""

import hashlib
import secrets

from .models import ApiToken


def token_key_new() -> str:
    """A new random key: 256 bits, URL-safe, never stored."""
    return secrets.token_urlsafe(32)


def token_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_prefix(key: str) -> str:
    return key[: ApiToken.PREFIX_LENGTH]
