"""factory_boy factories for feedback."""

import datetime as dt

import factory
from django.utils import timezone

from contacts.tests.factories import CustomerFactory, OrderFactory
from feedback.models import (
    Invitation,
    InvitationStatus,
    Response,
    Sentiment,
    Survey,
    SurveyAspect,
    SurveyKind,
)


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survey

    name = factory.Sequence(lambda n: f"Survey {n}")
    kind = SurveyKind.NPS
    question_nl = "Hoe waarschijnlijk is het dat u ons aanbeveelt?"
    question_en = "How likely are you to recommend us?"
    free_text_nl = "Wat kunnen we beter doen?"
    free_text_en = "What could we do better?"
    is_active = False


class SurveyAspectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyAspect

    survey = factory.SubFactory(SurveyFactory)
    key = factory.Sequence(lambda n: f"aspect{n}")
    label_nl = factory.Sequence(lambda n: f"Aspect {n} (nl)")
    label_en = factory.Sequence(lambda n: f"Aspect {n}")
    target = 8


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    survey = factory.SubFactory(SurveyFactory)
    order = factory.SubFactory(OrderFactory)
    customer = factory.LazyAttribute(lambda o: o.order.customer)
    product_sku = factory.LazyAttribute(lambda o: o.order.product_sku)
    status = InvitationStatus.SENT
    channel = "email"
    sent_at = factory.LazyFunction(timezone.now)
    last_sent_at = factory.LazyAttribute(lambda o: o.sent_at)
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=30))


class ResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Response

    invitation = factory.SubFactory(InvitationFactory, status=InvitationStatus.ANSWERED)
    survey = factory.LazyAttribute(lambda o: o.invitation.survey)
    customer = factory.LazyAttribute(lambda o: o.invitation.customer)
    kind = factory.LazyAttribute(lambda o: o.survey.kind)
    product_sku = factory.LazyAttribute(lambda o: o.invitation.product_sku)
    product_name = "Hardloopschoen"
    channel = "email"
    score = 9
    comment = ""
    sentiment = Sentiment.POSITIVE
    answered_at = factory.LazyFunction(timezone.now)


__all__ = ["CustomerFactory", "OrderFactory"]
