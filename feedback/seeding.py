"""Generated survey invitations and answers for ``manage.py seed`` (load tests).

The active survey (one is created when there is none) is sent after delivered orders of the
run's customers; about ``--responses-per-customer`` answers per customer come back, with
aspect scores, comments in the customer's language, sentiment, and a follow-up case for
each unhappy answer (most resolved, many within 48 hours). Then the daily rollups of the
whole range are rebuilt, as the nightly job would.

Seeded invitations are never due (``due_at`` is empty) and have no link tokens, so a
running beat sends nothing to the generated addresses. PostgreSQL gets COPY, other
databases batched INSERTs (through the run, bench.seedrun).
"""

import datetime as dt
import random
import time
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import Department
from contacts.models import Customer, Order
from contacts.seeding import Row, SeedRun
from feedback.models import (
    SCALES,
    Invitation,
    InvitationStatus,
    Survey,
    SurveyAspect,
    SurveyKind,
)
from feedback.sentiment import sentiment_label
from feedback.services.responses import answer_is_unhappy
from feedback.services.rollups import rollup_rebuild
from journeys.models import CaseStatus, Priority, SlaPolicy
from journeys.seeding import CASE_COLUMNS, Staff, staff_ensure

SEED_SURVEY = "Nazorg na levering"
INVITED_SHARE = 0.85
CHANNELS = ["email"] * 8 + ["whatsapp", "sms"]
ASPECTS = (
    ("delivery", "Bezorging", "Delivery", 8),
    ("product", "Product", "Product", 8),
    ("contact", "Contact met ons", "Contact with us", 7.5),
)
COMMENTS = {
    ("nl", "happy"): (
        "Snel geleverd en netjes verpakt.",
        "Prima service, dank jullie wel!",
        "Fijne schoenen, past perfect.",
    ),
    ("nl", "middle"): (
        "Het was goed, maar de levering duurde lang.",
        "Redelijk, niets bijzonders.",
    ),
    ("nl", "unhappy"): (
        "Pakket kwam te laat en niemand belde terug.",
        "Slechte service aan de telefoon.",
        "Product was beschadigd, heel teleurstellend.",
    ),
    ("en", "happy"): ("Quick delivery, great service.", "Love the product, thanks!"),
    ("en", "middle"): ("Fine, but delivery took a while.", "It was okay."),
    ("en", "unhappy"): ("Parcel arrived late and nobody called back.", "Terrible service."),
}

INVITATION_COLUMNS = (
    "id", "survey_id", "order_id", "customer_id", "product_sku", "status", "skip_reason",
    "channel", "due_at", "expires_at", "sent_at", "last_sent_at", "reminders_sent",
    "opened_at", "answered_at", "created_at",
)  # fmt: skip
RESPONSE_COLUMNS = (
    "id", "invitation_id", "survey_id", "customer_id", "kind", "product_sku", "product_name",
    "channel", "department_id", "score", "comment", "sentiment", "is_unhappy", "language",
    "answered_at", "interaction_id", "followup_case_id",
)  # fmt: skip
ASPECT_SCORE_COLUMNS = ("response_id", "aspect_id", "score")
TABLES = {
    "followup_cases": ("journeys_case", CASE_COLUMNS),
    "invitations": ("feedback_invitation", INVITATION_COLUMNS),
    "responses": ("feedback_response", RESPONSE_COLUMNS),
    "aspect_scores": ("feedback_aspectscore", ASPECT_SCORE_COLUMNS),
}


def survey_ensure() -> Survey:
    """The active survey; a seeded NPS survey with three aspects when none is active."""
    survey = Survey.objects.filter(is_active=True).first()
    if survey is not None:
        return survey
    survey, created = Survey.objects.get_or_create(
        name=SEED_SURVEY,
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
        SurveyAspect.objects.bulk_create(
            SurveyAspect(survey=survey, key=key, label_nl=nl, label_en=en, target=target, order=n)
            for n, (key, nl, en, target) in enumerate(ASPECTS)
        )
    Survey.objects.filter(pk=survey.pk).update(is_active=True)
    survey.is_active = True
    return survey


@cache
def _judged(kind: str, score: int, comment: str) -> tuple[str, bool]:
    """Sentiment and unhappiness as the answer service decides them (few distinct inputs)."""
    return (
        sentiment_label(kind=kind, score=score, comment=comment),
        answer_is_unhappy(kind=kind, score=score, comment=comment),
    )


@dataclass
class _Batch:
    followup_cases: list[Row] = field(default_factory=list)
    invitations: list[Row] = field(default_factory=list)
    responses: list[Row] = field(default_factory=list)
    aspect_scores: list[Row] = field(default_factory=list)


class AnswerGenerator:
    def __init__(
        self,
        *,
        rng: random.Random,
        now: dt.datetime,
        survey: Survey,
        aspects: list[SurveyAspect],
        answer_share: float,
        staff: Staff,
    ) -> None:
        self.rng = rng
        self.now = now
        self.survey = survey
        self.aspects = aspects
        self.answer_share = answer_share
        self.low, self.high = SCALES[survey.kind]
        self.kcc = staff.departments[Department.CONTACT_CENTER]
        self.agents = staff.agents[Department.CONTACT_CENTER]
        self.policy = (
            SlaPolicy.objects.filter(name="Feedback follow-up").first()
            or staff.policies[Priority.HIGH.value]
        )

    def _score(self) -> int:
        rng, low, high = self.rng, self.low, self.high
        if rng.random() < 0.7:
            value = rng.triangular(low + 0.6 * (high - low), high, high)
        else:
            value = rng.uniform(low, high)
        return max(low, min(high, round(value)))

    def _mood(self, score: int) -> str:
        share = (score - self.low) / (self.high - self.low)
        return "happy" if share >= 0.8 else "middle" if share >= 0.6 else "unhappy"

    def plan(self, orders: list[tuple[Any, ...]]) -> tuple[int, int]:
        """Decide per order whether it is invited and answered; returns the counts."""
        rng, now, survey = self.rng, self.now, self.survey
        self.planned = []
        for order in orders:
            if rng.random() >= INVITED_SHARE:
                continue
            sent = order[4] + dt.timedelta(hours=survey.delay_hours)
            answered = None
            if sent < now and rng.random() < self.answer_share:
                answered = sent + dt.timedelta(hours=rng.expovariate(1 / 30))
                expires = sent + dt.timedelta(days=survey.expiry_days)
                if answered >= now or answered >= expires:
                    answered = None
            self.planned.append((order, sent, answered))
        answers = sum(1 for _o, _s, answered in self.planned if answered is not None)
        return len(self.planned), answers

    def rows(
        self,
        *,
        languages: dict[int, str],
        invitation_ids: list[int],
        response_ids: list[int],
        case_ids: list[int],
    ) -> _Batch:
        rng, now, survey = self.rng, self.now, self.survey
        batch = _Batch()
        next_response = iter(response_ids)
        next_case = iter(case_ids)
        reminders = survey.reminder_offsets_days()
        for invitation_id, (order, sent, answered) in zip(
            invitation_ids, self.planned, strict=True
        ):
            order_id, customer_id, sku, product, _delivered = order
            channel = rng.choice(CHANNELS)
            expires = sent + dt.timedelta(days=survey.expiry_days)
            language = languages.get(customer_id, "nl")
            if sent >= now:
                status, sent_at, last_sent, reminded = InvitationStatus.SCHEDULED, None, None, 0
            else:
                sent_at = sent
                reminded = 0
                limit = answered or min(now, expires)
                for days in reminders:
                    if sent + dt.timedelta(days=days) < limit:
                        reminded += 1
                last_sent = sent + dt.timedelta(days=reminders[reminded - 1]) if reminded else sent
                if answered is not None:
                    status = InvitationStatus.ANSWERED
                elif expires < now:
                    status = InvitationStatus.EXPIRED
                else:
                    status = InvitationStatus.SENT
            batch.invitations.append(
                (
                    invitation_id,
                    survey.pk,
                    order_id,
                    customer_id,
                    sku,
                    status.value,
                    "",
                    channel if sent_at else "",
                    None,
                    expires,
                    sent_at,
                    last_sent,
                    reminded,
                    answered - dt.timedelta(minutes=rng.randint(1, 30)) if answered else None,
                    answered,
                    sent - dt.timedelta(hours=survey.delay_hours),
                )
            )
            if answered is None:
                continue
            response_id = next(next_response)
            score = self._score()
            comment = ""
            if rng.random() < 0.35:
                comment = rng.choice(COMMENTS[(language, self._mood(score))])
            sentiment, unhappy = _judged(survey.kind, score, comment)
            followup = None
            if unhappy:
                followup = next(next_case)
                batch.followup_cases.append(self._followup(followup, customer_id, score, answered))
            batch.responses.append(
                (
                    response_id,
                    invitation_id,
                    survey.pk,
                    customer_id,
                    survey.kind,
                    sku,
                    product,
                    channel,
                    self.kcc.pk if rng.random() < 0.4 else None,
                    score,
                    comment,
                    sentiment,
                    unhappy,
                    language,
                    answered,
                    None,
                    followup,
                )
            )
            if self.aspects and rng.random() < 0.7:
                for aspect in self.aspects:
                    value = max(self.low, min(self.high, score + rng.randint(-2, 1)))
                    batch.aspect_scores.append((response_id, aspect.pk, value))
        return batch

    def _followup(self, case_id: int, customer_id: int, score: int, answered: dt.datetime) -> Row:
        """The closed loop's case for an unhappy answer, in the contact center."""
        rng, now, policy = self.rng, self.now, self.policy
        resolved: dt.datetime | None
        resolved = answered + dt.timedelta(hours=rng.uniform(2, 120))
        if resolved < now:
            status = CaseStatus.CLOSED if rng.random() < 0.5 else CaseStatus.RESOLVED
            responded: dt.datetime | None = answered + dt.timedelta(hours=rng.uniform(0.5, 8))
        else:
            resolved = None
            status = CaseStatus.NEW if rng.random() < 0.5 else CaseStatus.OPEN
            responded = (
                None if status == CaseStatus.NEW else min(now, answered + dt.timedelta(hours=1))
            )
        owner = None if status == CaseStatus.NEW else rng.choice(self.agents)
        closed = (
            resolved + dt.timedelta(days=2)
            if status == CaseStatus.CLOSED and resolved is not None
            else None
        )
        if closed is not None and closed > now:
            closed = now
        return (
            case_id,
            customer_id,
            None,
            f"Ontevreden na levering (score {score})",
            "feedback",
            "",
            Priority.HIGH.value,
            status.value,
            self.kcc.pk,
            owner,
            False,
            None,
            policy.pk,
            answered + dt.timedelta(minutes=policy.first_response_minutes),
            None,
            answered + dt.timedelta(minutes=policy.resolution_minutes),
            responded,
            None,
            0,
            None,
            answered,
            closed or resolved or responded or answered,
            resolved,
            closed,
            "Klant gebeld en excuses aangeboden." if resolved else "",
            None,
            "",
            "",
        )


def _delivered_orders(survey: Survey, low: int, high: int) -> list[tuple[Any, ...]]:
    """Delivered orders of customers low..high that have no invitation of ``survey`` yet."""
    return list(
        Order.objects.filter(
            customer_id__gte=low, customer_id__lte=high, delivered_at__isnull=False
        )
        .exclude(Exists(Invitation.objects.filter(order=OuterRef("pk"), survey=survey)))
        .order_by("id")
        .values_list("id", "customer_id", "product_sku", "product_name", "delivered_at")
    )


def seed(*, run: SeedRun) -> None:
    """The feedback part of ``manage.py seed``: invitations, answers, rollups."""
    if not run.wants("feedback"):
        return
    mean = run.option("responses_per_customer", 0.2)
    bounds = run.customer_bounds()
    if bounds is None or mean <= 0:
        return
    survey = survey_ensure()
    staff = staff_ensure()
    low, high = bounds
    customers = Customer.objects.filter(id__gte=low, id__lte=high).count()
    delivered = Order.objects.filter(
        customer_id__gte=low, customer_id__lte=high, delivered_at__isnull=False
    ).count()
    now = timezone.now().replace(microsecond=0)
    generator = AnswerGenerator(
        rng=run.rng("feedback"),
        now=now,
        survey=survey,
        aspects=list(survey.aspects.all()),
        # Answered share of the invitations that went out, for the wanted number of answers.
        answer_share=min(0.95, mean * customers / max(1.0, delivered * INVITED_SHARE)),
        staff=staff,
    )
    report = run.report
    earliest: dt.datetime | None = None
    with run.tables_bare(list(dict.fromkeys(table for table, _ in TABLES.values()))):
        for chunk_low, chunk_high in run.customer_chunks():
            with transaction.atomic():
                tick = time.perf_counter()
                orders = _delivered_orders(survey, chunk_low, chunk_high)
                invited, answered = generator.plan(orders)
                languages = dict(
                    Customer.objects.filter(id__gte=chunk_low, id__lte=chunk_high).values_list(
                        "id", "language"
                    )
                )
                response_ids = run.ids_reserve("feedback_response", answered)
                batch = generator.rows(
                    languages=languages,
                    invitation_ids=run.ids_reserve("feedback_invitation", invited),
                    response_ids=response_ids,
                    # At most one follow-up case per answer; unused ids are simply skipped.
                    case_ids=run.ids_reserve("journeys_case", answered),
                )
                report.generate_seconds += time.perf_counter() - tick
                for name, (table, columns) in TABLES.items():
                    run.table_write(name, table, columns, getattr(batch, name))
                for row in batch.invitations:
                    if row[10] is not None and (earliest is None or row[10] < earliest):
                        earliest = row[10]
            run.progress()
    run.analyze(table for table, _ in TABLES.values())
    if earliest is not None:
        tick = time.perf_counter()
        written = rollup_rebuild(
            date_from=timezone.localdate(earliest), date_to=timezone.localdate(now)
        )
        totals = report.table("rollups")
        totals.rows += written
        totals.seconds += time.perf_counter() - tick
        run.progress()
