"""factory_boy factories for journeys."""

import datetime as dt

import factory
from django.utils import timezone

from accounts.tests.factories import DepartmentFactory
from contacts.tests.factories import CustomerFactory
from journeys.models import (
    CannedReply,
    Case,
    CaseStatus,
    Priority,
    RoutingRule,
    SlaPolicy,
    SubTask,
)


def default_policy(priority: str = Priority.NORMAL) -> SlaPolicy:
    return SlaPolicy.objects.get(priority=priority, is_default=True)


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    customer = factory.SubFactory(CustomerFactory)
    subject = factory.Sequence(lambda n: f"Vraag over bestelling {n}")
    priority = Priority.NORMAL
    status = CaseStatus.NEW
    department = factory.SubFactory(DepartmentFactory)
    sla_policy = factory.LazyFunction(default_policy)
    first_response_due = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(hours=8))
    next_response_due = None
    resolution_due = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(hours=48))


class SubTaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubTask

    case = factory.SubFactory(CaseFactory)
    department = factory.SubFactory(DepartmentFactory)
    description = "Controleer de levering"
    due_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=1))


class RoutingRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoutingRule

    name = factory.Sequence(lambda n: f"Rule {n}")
    order = factory.Sequence(lambda n: n)
    department = factory.SubFactory(DepartmentFactory)


class CannedReplyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CannedReply

    department = factory.SubFactory(DepartmentFactory)
    title = "Bedankt"
    language = "nl"
    body = "Beste {customer_name}, bedankt voor uw bericht over zaak {case_number}."
