"""factory_boy factories for accounts."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

import factory
from django.contrib.auth.models import Group

from accounts.models import Department, Holiday, Notification, OpeningHours, StaffingSlot, User
from accounts.roles import Role

PASSWORD = "correct horse battery staple"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Department {n}")
    code = factory.Sequence(lambda n: f"dept-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    department = factory.SubFactory(DepartmentFactory)
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(self, create: bool, extracted: Iterable[Role] | None, **kwargs: Any) -> None:
        if not create or not extracted:
            return
        for role in extracted:
            group, _ = Group.objects.get_or_create(name=role.value)
            self.groups.add(group)


class OpeningHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpeningHours

    department = factory.SubFactory(DepartmentFactory)
    weekday = 0
    opens = dt.time(9)
    closes = dt.time(17)


class HolidayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Holiday

    department = factory.SubFactory(DepartmentFactory)
    date = dt.date(2026, 12, 25)
    name = "Eerste Kerstdag"


class StaffingSlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffingSlot

    department = factory.SubFactory(DepartmentFactory)
    weekday = 0
    hour = 9
    agents = 3


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Notification {n}")
