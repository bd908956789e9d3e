"""Demo feedback for ``manage.py demo``: an active NPS survey with three aspects, and
invitations and answers for the demo customers' delivered orders (idempotent)."""

import datetime as dt
import random
from typing import TextIO

from django.utils import timezone

from contacts.models import Order
from feedback.demo_outcomes import load as outcomes_load
from feedback.models import (
    AspectScore,
    Invitation,
    InvitationStatus,
    Response,
    Survey,
    SurveyAspect,
    SurveyKind,
)
from feedback.sentiment import sentiment_label
from feedback.services.responses import answer_is_unhappy
from feedback.services.rollups import rollup_rebuild

DEMO_SURVEY = "Na levering (NPS)"
COMMENTS = [
    (9, "Snelle levering en een prima product, dank jullie wel!"),
    (10, "Super tevreden, echt een aanrader."),
    (8, "Keurig op tijd bezorgd."),
    (7, "Het pakket is bezorgd, verder geen opmerkingen."),
    (6, "Levering was te laat en niemand belde terug."),
    (3, "Het pakket kwam beschadigd aan, erg teleurgesteld."),
    (9, "Fast delivery and great quality, thanks!"),
    (2, "Wrong size and the refund is still missing."),
    (8, ""),
    (10, ""),
    (5, "Slechte service aan de telefoon."),
]


def _survey() -> Survey:
    survey, created = Survey.objects.get_or_create(
        name=DEMO_SURVEY,
        defaults={
            "kind": SurveyKind.NPS,
            "question_nl": "Hoe waarschijnlijk is het dat u ons aanbeveelt bij vrienden of familie?",
            "question_en": "How likely are you to recommend us to a friend or family member?",
            "free_text_nl": "Wat kunnen we beter doen?",
            "free_text_en": "What could we do better?",
            "target": 30,
        },
    )
    if created:
        for order, (key, nl, en, target) in enumerate(
            [
                ("delivery", "Bezorging", "Delivery", 8),
                ("product", "Product", "Product", 8),
                ("contact", "Contact met ons", "Contact with us", 7.5),
            ]
        ):
            SurveyAspect.objects.create(
                survey=survey, key=key, label_nl=nl, label_en=en, target=target, order=order
            )
    if not Survey.objects.filter(is_active=True).exists():
        Survey.objects.filter(pk=survey.pk).update(is_active=True)
    return survey


def load(*, out: TextIO) -> None:
    _load_answers(out=out)
    outcomes_load(out=out)


def _load_answers(*, out: TextIO) -> None:
    survey = _survey()
    if Invitation.objects.filter(survey=survey).exists():
        out.write("Demo feedback is already there.\n")
        return
    rng = random.Random(7)
    now = timezone.now()
    aspects = list(survey.aspects.all())
    orders = list(
        Order.objects.filter(source="demo", delivered_at__isnull=False)
        .select_related("customer")
        .order_by("id")[:400]
    )
    answered = 0
    for order in orders:
        if order.delivered_at is None:
            continue
        sent = order.delivered_at + dt.timedelta(hours=survey.delay_hours)
        if sent > now:
            continue
        invitation, created = Invitation.objects.get_or_create(
            order=order,
            survey=survey,
            defaults={
                "customer": order.customer,
                "product_sku": order.product_sku,
                "status": InvitationStatus.SENT,
                "channel": "email",
                "sent_at": sent,
                "last_sent_at": sent,
                "expires_at": sent + dt.timedelta(days=survey.expiry_days),
            },
        )
        if not created or rng.random() > 0.55:
            continue
        score, comment = rng.choice(COMMENTS)
        at = sent + dt.timedelta(hours=rng.randint(1, 72))
        if at > now:
            continue
        Invitation.objects.filter(pk=invitation.pk).update(
            status=InvitationStatus.ANSWERED, answered_at=at, opened_at=at
        )
        response = Response.objects.create(
            invitation=invitation,
            survey=survey,
            customer=order.customer,
            kind=survey.kind,
            product_sku=order.product_sku,
            product_name=order.product_name,
            channel="email",
            score=score,
            comment=comment,
            sentiment=sentiment_label(kind=survey.kind, score=score, comment=comment),
            is_unhappy=answer_is_unhappy(kind=survey.kind, score=score, comment=comment),
            language=order.customer.language,
            answered_at=at,
        )
        AspectScore.objects.bulk_create(
            [
                AspectScore(
                    response=response, aspect=a, score=max(0, min(10, score + rng.randint(-2, 1)))
                )
                for a in aspects
            ]
        )
        answered += 1
    rows = rollup_rebuild(
        date_from=timezone.localdate() - dt.timedelta(days=120), date_to=timezone.localdate()
    )
    out.write(
        f"Demo feedback: {len(orders)} delivered orders, {answered} answers, {rows} rollup rows.\n"
    )
