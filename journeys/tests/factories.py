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
    # Through the service, which recreates the policy when a transactional test (browser,
    # concurrency) has flushed the rows that migration 0002 put there.
    from journeys.services.sla import sla_policy_for

    return sla_policy_for(priority=priority)


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
    match_channel = ""
    match_words = ""
    match_campaign = False
    match_campaign_code = ""
    match_fact_key = ""
    # A rule needs a condition (a database constraint): a topic, unless another is given.
    match_topic = factory.LazyAttribute(
        lambda o: (
            ""
            if o.match_channel
            or o.match_words
            or o.match_campaign
            or o.match_campaign_code
            or o.match_fact_key
            else "Vraag over factuur"
        )
    )


class CannedReplyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CannedReply

    department = factory.SubFactory(DepartmentFactory)
    title = "Bedankt"
    language = "nl"
    body = "Beste {customer_name}, bedankt voor uw bericht over zaak {case_number}."


# --- Journey maps, segments and campaigns ------------------------------------------------


from accounts.models import User  # noqa: E402


class JourneyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "journeys.Journey"

    name = factory.Sequence(lambda n: f"Klantreis {n}")
    goal = "Meer klanten ronden de reis af"
    goal_target = 50
    goal_deadline = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=90))


class JourneyStageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "journeys.JourneyStage"

    journey = factory.SubFactory(JourneyFactory)
    name = factory.Sequence(lambda n: f"Fase {n}")
    order = factory.Sequence(lambda n: n)
    planned_channels = factory.LazyFunction(lambda: ["email"])


class SegmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "journeys.Segment"

    name = factory.Sequence(lambda n: f"Segment {n}")
    definition = factory.LazyFunction(dict)


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "journeys.Campaign"

    name = factory.Sequence(lambda n: f"Campagne {n}")
    code = factory.Sequence(lambda n: f"campagne-{n}")
    # One shared owner: a user per campaign would hash a password each time.
    owner = factory.LazyFunction(lambda: User.objects.get_or_create(username="campaign-owner")[0])
    offer = "20% korting op de winterjas"
    channels = factory.LazyFunction(lambda: ["email"])
    response_rates = factory.LazyFunction(lambda: {"email": 2.0})
    segment = factory.SubFactory(SegmentFactory)
    launch_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=21))
    end_at = factory.LazyAttribute(lambda c: c.launch_at + dt.timedelta(days=14))
    briefing = "Klanten bellen over de korting; de code staat in de mail."
    faq = "Geldt de korting ook in de winkel? Ja."
