"""Secrets kept in the database (IMAP passwords) only encrypted: Fernet with a key derived
from CXCENTER_FIELD_KEY, or from SECRET_KEY when that is not set."""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

SALT = b"cxcenter.field-key"


def _fernet() -> Fernet:
    secret = settings.CXCENTER_FIELD_KEY or settings.SECRET_KEY
    key = hashlib.sha256(SALT + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def secret_encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def secret_decrypt(token: str) -> str | None:
    """The plain value, or None when the key changed or the token was tampered with."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        return None
