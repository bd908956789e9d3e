"""factory_boy factories for contacts."""

import datetime as dt

import factory
from django.utils import timezone

from contacts.models import (
    Channel,
    Consent,
    ConsentStatus,
    Customer,
    Direction,
    Identity,
    IdentityKind,
    Interaction,
    Mailbox,
    Order,
    ProfileFact,
    ProfileQuestion,
)


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Faker("name", locale="nl_NL")
    postcode = factory.Faker("postcode", locale="nl_NL")
    city = factory.Faker("city", locale="nl_NL")
    street = factory.Faker("street_address", locale="nl_NL")


class IdentityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Identity

    customer = factory.SubFactory(CustomerFactory)
    kind = IdentityKind.EMAIL
    value = factory.Sequence(lambda n: f"customer{n}@example.nl")
    first_seen = factory.LazyFunction(timezone.now)
    last_seen = factory.LazyFunction(timezone.now)


class InteractionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interaction

    customer = factory.SubFactory(CustomerFactory)
    channel = Channel.EMAIL
    direction = Direction.INBOUND
    occurred_at = factory.Sequence(
        lambda n: timezone.now() - dt.timedelta(hours=1000) + dt.timedelta(minutes=n)
    )
    subject = factory.Faker("sentence", nb_words=5)
    body = factory.Faker("paragraph")
    source = "test"
    external_id = factory.Sequence(lambda n: f"msg-{n}")


class ProfileQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProfileQuestion
        django_get_or_create = ("key",)

    key = factory.Sequence(lambda n: f"question-{n}")
    label_nl = factory.Sequence(lambda n: f"Vraag {n}?")
    label_en = factory.Sequence(lambda n: f"Question {n}?")
    order = factory.Sequence(lambda n: n)


class ProfileFactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProfileFact

    customer = factory.SubFactory(CustomerFactory)
    question = factory.SubFactory(ProfileQuestionFactory)
    value = "2"
    source_channel = Channel.PHONE
    recorded_at = factory.LazyFunction(timezone.now)


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    customer = factory.SubFactory(CustomerFactory)
    channel = Channel.EMAIL
    status = ConsentStatus.OPT_IN
    changed_at = factory.LazyFunction(timezone.now)
    source = "test"


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    customer = factory.SubFactory(CustomerFactory)
    source = "webshop"
    external_id = factory.Sequence(lambda n: f"order-{n}")
    product_sku = "SHOE-42"
    product_name = "Hardloopschoen"
    ordered_at = factory.LazyFunction(timezone.now)


class MailboxFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mailbox
        django_get_or_create = ("address",)

    name = factory.Sequence(lambda n: f"support{n}" if n else "support")
    address = "support@cxcenter.test"
