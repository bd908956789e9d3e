"""Signed reply addresses (``support+c123.k9f…@example.com``): the case a reply belongs to,
carried in the address itself so that a customer's answer finds its case even when their
mail program drops the threading headers. HMAC-signed with the secret key: not guessable."""

import hashlib
import hmac
import re

from django.conf import settings

SALT = b"cxcenter.replyaddress"
SIGNATURE_LENGTH = 16
_TAG = re.compile(r"^c(?P<case>[1-9][0-9]{0,17})\.(?P<sig>[0-9a-f]{16})$")


def _signature(case_id: int) -> str:
    key = hashlib.sha256(SALT + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, str(case_id).encode(), hashlib.sha256).hexdigest()[:SIGNATURE_LENGTH]


def reply_address_for(*, case_id: int, mailbox_address: str) -> str:
    """``local+c<case>.<signature>@domain`` for the mailbox ``local@domain``."""
    local, _, domain = mailbox_address.rpartition("@")
    local = local.split("+", 1)[0]
    return f"{local}+c{case_id}.{_signature(case_id)}@{domain}"


def reply_address_case(address: str) -> int | None:
    """The case id a signed reply address names, or None (unsigned, forged or malformed)."""
    local = address.strip().rpartition("@")[0]
    if "+" not in local:
        return None
    match = _TAG.match(local.split("+", 1)[1].lower())
    if match is None:
        return None
    case_id = int(match["case"])
    if not hmac.compare_digest(match["sig"], _signature(case_id)):
        return None
    return case_id
