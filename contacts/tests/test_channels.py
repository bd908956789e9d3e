"""The channel registry: what each channel is addressed by, sends and receives; the one
address chooser and the preferred-channel choice with consent and fallbacks."""

import datetime as dt

import pytest
from django.utils import timezone

from contacts.backends import LocmemMessageBackend, LoggingMessageBackend
from contacts.channels import (
    CHANNELS,
    SENDABLE,
    channel_address,
    channel_backend,
    channel_for_customer,
    channel_sendable,
)
from contacts.models import Channel, ConsentStatus, IdentityKind
from contacts.tests.factories import ConsentFactory, CustomerFactory, IdentityFactory

pytestmark = pytest.mark.django_db


def test_every_channel_has_an_entry() -> None:
    assert set(CHANNELS) == set(Channel.values)


def test_cxcenter_sends_on_email_sms_and_whatsapp_only() -> None:
    assert SENDABLE == (Channel.EMAIL, Channel.SMS, Channel.WHATSAPP)
    assert not channel_sendable(Channel.PHONE)
    assert not channel_sendable("pigeon")


def test_the_backend_comes_from_its_setting(settings) -> None:
    settings.CXCENTER_SMS_BACKEND = "contacts.backends.LocmemMessageBackend"
    settings.CXCENTER_WHATSAPP_BACKEND = "contacts.backends.LoggingMessageBackend"
    assert isinstance(channel_backend(Channel.SMS), LocmemMessageBackend)
    assert isinstance(channel_backend(Channel.WHATSAPP), LoggingMessageBackend)
    with pytest.raises(ValueError, match="does not send"):
        channel_backend(Channel.STORE)


def test_the_address_is_the_best_kind_then_the_most_recent() -> None:
    customer = CustomerFactory()
    now = timezone.now()
    IdentityFactory(customer=customer, kind=IdentityKind.PHONE, value="+31611111111",
                    last_seen=now)  # fmt: skip
    IdentityFactory(customer=customer, kind=IdentityKind.SMS, value="+31622222222",
                    last_seen=now - dt.timedelta(days=300))  # fmt: skip
    IdentityFactory(customer=customer, kind=IdentityKind.EMAIL, value="old@example.nl",
                    last_seen=now - dt.timedelta(days=10))  # fmt: skip
    IdentityFactory(customer=customer, kind=IdentityKind.EMAIL, value="new@example.nl",
                    last_seen=now)  # fmt: skip
    sms = channel_address(customer_id=customer.pk, channel=Channel.SMS)
    email = channel_address(customer_id=customer.pk, channel=Channel.EMAIL)
    assert sms is not None and email is not None
    assert sms.value == "+31622222222"
    assert email.value == ("new@example.nl")
    assert channel_address(customer_id=customer.pk, channel=Channel.STORE) is None


def test_preferred_channel_first_then_the_others_with_consent() -> None:
    customer = CustomerFactory(preferred_channel=Channel.WHATSAPP)
    IdentityFactory(customer=customer, kind=IdentityKind.WHATSAPP, value="+31633333333")
    IdentityFactory(customer=customer, kind=IdentityKind.EMAIL, value="a@example.nl")
    assert channel_for_customer(customer=customer).channel == Channel.WHATSAPP
    ConsentFactory(customer=customer, channel=Channel.WHATSAPP, status=ConsentStatus.OPT_OUT)
    choice = channel_for_customer(customer=customer)
    assert choice.identity is not None
    assert (choice.channel, choice.identity.value) == (Channel.EMAIL, "a@example.nl")
    # Only the allowed channels are considered.
    assert channel_for_customer(customer=customer, among=[Channel.WHATSAPP]).opted_out is True


def test_no_channel_says_why() -> None:
    customer = CustomerFactory()
    assert channel_for_customer(customer=customer).found is False
    assert channel_for_customer(customer=customer).opted_out is False
    IdentityFactory(customer=customer, kind=IdentityKind.EMAIL, value="b@example.nl")
    ConsentFactory(customer=customer, channel=Channel.EMAIL, status=ConsentStatus.OPT_OUT)
    assert channel_for_customer(customer=customer).opted_out is True


def test_choosing_a_channel_takes_two_queries(django_assert_num_queries) -> None:
    customer = CustomerFactory()
    IdentityFactory(customer=customer, kind=IdentityKind.EMAIL, value="c@example.nl")
    with django_assert_num_queries(2):
        channel_for_customer(customer=customer)
