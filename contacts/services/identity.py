"""Normalising identity values so that every notation of one handle becomes one row."""

import contextlib
import re
from dataclasses import dataclass

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from contacts.models import IdentityKind

PHONE_KINDS = {IdentityKind.PHONE, IdentityKind.WHATSAPP, IdentityKind.SMS}
HANDLE_KINDS = {IdentityKind.FACEBOOK, IdentityKind.INSTAGRAM, IdentityKind.X}
DEFAULT_REGION = "NL"
# IdentityKind.values builds a new list on every access.
KIND_VALUES = frozenset(IdentityKind.values)


@dataclass(frozen=True)
class IdentityValue:
    kind: str
    value: str


def phone_normalise(raw: str, *, region: str = DEFAULT_REGION) -> str:
    """E.164 for any common notation: ``06-12345678``, ``+31 6 1234 5678``, ``0031612345678``."""
    text = raw.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(_("%(value)s is not a phone number.") % {"value": raw}) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("%(value)s is not a valid phone number.") % {"value": raw})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def identity_normalise(*, kind: str, value: str) -> IdentityValue:
    """Validate and normalise one identity; raises ValidationError with a readable message."""
    if kind not in KIND_VALUES:
        raise ValidationError(_("Unknown identity kind: %(kind)s.") % {"kind": kind})
    text = (value or "").strip()
    if not text:
        raise ValidationError(_("An identity needs a value."))
    if len(text) > 254:
        raise ValidationError(_("An identity value can be at most 254 characters."))
    if kind == IdentityKind.EMAIL:
        text = text.lower()
        try:
            validate_email(text)
        except ValidationError:
            raise ValidationError(
                _("%(value)s is not an e-mail address.") % {"value": value}
            ) from None
    elif kind in PHONE_KINDS:
        text = phone_normalise(text)
    elif kind in HANDLE_KINDS:
        text = text.lstrip("@").lower()
        if not re.fullmatch(r"[\w.\-]{1,100}", text):
            raise ValidationError(_("%(value)s is not a valid handle.") % {"value": value})
    else:
        text = re.sub(r"\s+", "", text)
    return IdentityValue(kind=kind, value=text)


def identity_guess(text: str) -> list[IdentityValue]:
    """What a search box entry could be as an identity: e-mail, phone or customer number."""
    text = text.strip()
    guesses: list[IdentityValue] = []
    if "@" in text:
        with contextlib.suppress(ValidationError):
            guesses.append(identity_normalise(kind=IdentityKind.EMAIL, value=text))
        return guesses
    digits = re.sub(r"[\s\-().]", "", text)
    if re.fullmatch(r"\+?\d{6,15}", digits):
        try:
            phone = phone_normalise(text)
            guesses += [IdentityValue(kind=k, value=phone) for k in sorted(PHONE_KINDS)]
        except ValidationError:
            pass
    if re.fullmatch(r"[\w\-]{3,50}", text):
        guesses.append(IdentityValue(kind=IdentityKind.CUSTOMER_NUMBER, value=text))
        guesses.append(IdentityValue(kind=IdentityKind.WEBSHOP, value=text))
    return guesses
