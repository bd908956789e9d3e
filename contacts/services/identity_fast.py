"""``identity_normalise`` for many values (batch intake, CSV import): the same answer, with a
shortcut for the shapes nearly every value has — a plain e-mail address, a Dutch number in
digits — and each distinct value worked out once. Anything else goes to
``identity_normalise`` itself, which also gives the error for a bad value."""

import functools
import re
from collections.abc import Callable

from phonenumbers import PhoneMetadata

from contacts.models import IdentityKind
from contacts.services.identity import (
    DEFAULT_REGION,
    KIND_VALUES,
    PHONE_KINDS,
    IdentityValue,
    identity_normalise,
)

# A subset of what Django's validate_email accepts (dot-atom local part of common
# characters; host labels of letters, digits and inner hyphens; a top-level domain of
# letters), matched after lower-casing as identity_normalise does.
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_EMAIL = re.compile(rf"[a-z0-9_+\-]+(?:\.[a-z0-9_+\-]+)*@(?:{_LABEL}\.)+[a-z]{{2,63}}", re.ASCII)
# A Dutch number in digits: +31…, 0031… or 0… and the nine digits of the national
# significant number, with a single space or hyphen before any of them at most.
_PHONE = re.compile(r"(?:\+31|0031|0)[ -]?([1-9](?:[ -]?[0-9]){8})", re.ASCII)
_SEPARATORS = str.maketrans("", "", " -")


def _desc_matcher(pattern: str, lengths: tuple[int, ...]) -> Callable[[str], bool]:
    compiled = re.compile(pattern)
    allowed = frozenset(lengths)
    return lambda nsn: len(nsn) in allowed and compiled.fullmatch(nsn) is not None


def _region_matchers() -> tuple[Callable[[str], bool], list[Callable[[str], bool]]]:
    """The region's general pattern and those of fixed and mobile numbers, from the
    metadata phonenumbers validates with: a number that matches the general one and a type
    is valid there (phonenumbers' ``is_valid_number``)."""
    meta = PhoneMetadata.metadata_for_region(DEFAULT_REGION)
    if meta is None or meta.country_code != 31 or meta.national_prefix_for_parsing != "0":
        raise RuntimeError(f"unexpected phone metadata for {DEFAULT_REGION}")
    general = meta.general_desc
    if general is None or general.national_number_pattern is None:
        raise RuntimeError(f"no general phone pattern for {DEFAULT_REGION}")
    types = []
    for desc in (meta.mobile, meta.fixed_line):
        if desc is not None and desc.national_number_pattern is not None:
            lengths = desc.possible_length or general.possible_length
            types.append(_desc_matcher(desc.national_number_pattern, tuple(lengths)))
    return _desc_matcher(general.national_number_pattern, tuple(general.possible_length)), types


_GENERAL, _TYPES = _region_matchers()


def _phone_fast(text: str) -> str | None:
    """E.164 of a plain Dutch number that is certainly valid, else None (ask phonenumbers)."""
    match = _PHONE.fullmatch(text)
    if match is None:
        return None
    nsn = match[1].translate(_SEPARATORS)
    if _GENERAL(nsn) and any(matches(nsn) for matches in _TYPES):
        return "+31" + nsn
    return None


@functools.lru_cache(maxsize=16_384)
def identity_normalise_fast(*, kind: str, value: str) -> IdentityValue:
    """What ``identity_normalise(kind=kind, value=value)`` gives, or raises the same
    ValidationError."""
    if kind in KIND_VALUES and value:
        text = value.strip()
        if text and len(text) <= 254:
            if kind == IdentityKind.EMAIL:
                lowered = text.lower()
                if _EMAIL.fullmatch(lowered):
                    return IdentityValue(kind=kind, value=lowered)
            elif kind in PHONE_KINDS:
                phone = _phone_fast(text)
                if phone is not None:
                    return IdentityValue(kind=kind, value=phone)
    return identity_normalise(kind=kind, value=value)
