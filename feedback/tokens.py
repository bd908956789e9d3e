"""Survey link tokens: random, shown once in a message, stored only as a SHA-256 hash."""

import hashlib
import secrets

MAX_TOKEN_LENGTH = 100


def token_new() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
