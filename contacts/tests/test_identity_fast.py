"""The shortcut of contacts.services.identity_fast gives what identity_normalise gives, for
many values of the common shapes and of the others."""

import random
import string

import pytest
from django.core.exceptions import ValidationError

from contacts.models import IdentityKind
from contacts.services import identity_fast
from contacts.services.identity import identity_normalise
from contacts.services.identity_fast import identity_normalise_fast


def _answer(kind: str, value: str, normalise) -> tuple[str, str]:
    try:
        found = normalise(kind=kind, value=value)
    except ValidationError as exc:
        return ("error", " ".join(exc.messages))
    return (found.kind, found.value)


def _phones(rng: random.Random, count: int) -> list[str]:
    prefixes = ["+31", "0031", "0", "+31 ", "0031-", "0 ", "+310", "00 31", "+32", "", "+"]
    values = []
    for _ in range(count):
        digits = "".join(rng.choice(string.digits) for _ in range(rng.choice([8, 9, 9, 9, 10])))
        if rng.random() < 0.5:
            digits = rng.choice("6666123457") + digits[1:]
        separated = "".join(
            c + (rng.choice([" ", "-", "  ", "--", "."]) if rng.random() < 0.15 else "")
            for c in digits
        )
        values.append(rng.choice(["", " "]) + rng.choice(prefixes) + separated)
    # The common shapes: mobile and fixed numbers in digits, most of them valid.
    for _ in range(count):
        nsn = rng.choice("6666612345789") + "".join(rng.choice(string.digits) for _ in range(8))
        values.append(rng.choice(["+31", "0", "0031", "+31 ", "0-"]) + nsn)
    return values


def _emails(rng: random.Random, count: int) -> list[str]:
    local = string.ascii_letters + string.digits + "._+-!#'"
    host = string.ascii_letters + string.digits + "-."
    values = []
    for _ in range(count):
        user = "".join(rng.choice(local) for _ in range(rng.randint(0, 12)))
        domain = "".join(rng.choice(host) for _ in range(rng.randint(0, 14)))
        tld = rng.choice(["nl", "com", "NL", "c", "c0m", "x-y", "xn--p1ai", "", "museum"])
        at = rng.choice(["@", "@", "@", "@@", ""])
        values.append(f"{rng.choice(['', ' '])}{user}{at}{domain}.{tld}{rng.choice(['', ' '])}")
    return [
        *values,
        "anna@example.nl", "Anna.de-Vries+shop@Mail.Example.COM", "a@b.nl", "a@localhost",
        "a@[127.0.0.1]", ".a@b.nl", "a.@b.nl", "a..b@c.nl", "a@-b.nl", "a@b-.nl", "a@b.n1",
        "a@" + "b" * 63 + ".nl", "a@" + "b" * 64 + ".nl", "a@b.c" + "d" * 63, "\u212a@b.nl",
        "ü@b.nl", "a@bü.nl",
    ]  # fmt: skip


@pytest.mark.parametrize("kind", [IdentityKind.PHONE, IdentityKind.WHATSAPP, "sms"])
def test_phone_numbers_get_what_phonenumbers_gives(kind: str) -> None:
    rng = random.Random(31)
    samples = [
        *_phones(rng, 4000),
        "0612345678", "06-12345678", "06 1234 5678", "+31612345678", "+31 6 12345678",
        "0031612345678", "0031 6-1234-5678", "0201234567", "020-1234567", "+31201234567",
        "0661234567", "0691234567", "0612 345 678", "06-1234-567", "0612345678 ", " 06123456789",
    ]  # fmt: skip
    fast = 0
    for value in samples:
        assert _answer(kind, value, identity_normalise_fast) == _answer(
            kind, value, identity_normalise
        ), value
        fast += identity_fast._phone_fast(value.strip()) is not None
    # The shortcut was taken for a good part of them, not only the library's answer.
    assert fast > 2000


def test_email_addresses_get_what_djangos_validator_gives() -> None:
    rng = random.Random(5)
    samples = _emails(rng, 5000)
    fast = 0
    for value in samples:
        assert _answer(IdentityKind.EMAIL, value, identity_normalise_fast) == _answer(
            IdentityKind.EMAIL, value, identity_normalise
        ), value
        fast += identity_fast._EMAIL.fullmatch(value.strip().lower()) is not None
    assert fast > 500


def test_other_kinds_and_bad_input_go_to_identity_normalise() -> None:
    for kind, value in [
        ("customer_number", " K 123 "), ("instagram", "@Anna"), ("fax", "1"), ("email", ""),
        ("email", "a" * 250 + "@b.nl"), ("phone", "   "), ("phone", "06" + "1" * 300),
    ]:  # fmt: skip
        assert _answer(kind, value, identity_normalise_fast) == _answer(
            kind, value, identity_normalise
        )
