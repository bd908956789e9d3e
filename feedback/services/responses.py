"""Answers from the public survey page, and the closed loop: an unhappy answer opens a
follow-up case for the contact center."""

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Department
from accounts.selectors import department_by_code
from contacts.models import Channel, Customer, Direction
from contacts.services.interactions import interaction_record
from feedback.models import (
    SCALES,
    UNHAPPY_AT_OR_BELOW,
    AspectScore,
    Invitation,
    InvitationStatus,
    Response,
    Sentiment,
)
from feedback.sentiment import sentiment_label, text_label
from journeys.models import Case, Priority
from journeys.services.routing import case_route

logger = logging.getLogger(__name__)

# An unhappy customer waits for nobody's office hours: 48 hours on the clock from the answer.
FOLLOWUP_HOURS = 48
FOLLOWUP_PRIORITY = Priority.HIGH
SURVEY_SOURCE = "survey"


class AnswerRefused(Exception):
    """The invitation can no longer be answered: ``reason`` is answered or expired."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def answer_is_unhappy(*, kind: str, score: int, comment: str) -> bool:
    return score <= UNHAPPY_AT_OR_BELOW[kind] or (
        bool(comment.strip()) and text_label(comment) == Sentiment.NEGATIVE
    )


def _check_scale(kind: str, score: object, field: str) -> int:
    low, high = SCALES[kind]
    if not isinstance(score, int) or isinstance(score, bool) or not low <= score <= high:
        raise ValidationError(
            {field: _("Choose a score from %(low)s to %(high)s.") % {"low": low, "high": high}}
        )
    return score


def response_submit(
    *,
    invitation: Invitation,
    score: int,
    comment: str = "",
    aspect_scores: dict[int, int] | None = None,
    now: dt.datetime | None = None,
) -> Response:
    """Store the one answer to ``invitation``, put it on the customer's timeline and, when
    unhappy, open a follow-up case after commit.

    Raises ``AnswerRefused`` when the invitation was answered already or has expired (and
    changes nothing), ``ValidationError`` for a score off the scale or an unknown aspect.
    """
    now = now or timezone.now()
    survey = invitation.survey
    score = _check_scale(survey.kind, score, "score")
    aspects = {a.pk: a for a in survey.aspects.all()}
    given = aspect_scores or {}
    for aspect_id, value in given.items():
        if aspect_id not in aspects:
            raise ValidationError({"aspects": _("Unknown aspect.")})
        _check_scale(survey.kind, value, f"aspect_{aspect_id}")
    comment = comment.strip()[:2000]
    with transaction.atomic():
        # The claim: only one submit moves the invitation from sent to answered.
        claimed = Invitation.objects.filter(
            pk=invitation.pk, status=InvitationStatus.SENT, expires_at__gt=now
        ).update(status=InvitationStatus.ANSWERED, answered_at=now, due_at=None)
        if not claimed:
            current = Invitation.objects.filter(pk=invitation.pk).values_list("status", flat=True)
            status = current.first()
            raise AnswerRefused("answered" if status == InvitationStatus.ANSWERED else "expired")
        customer = invitation.customer
        while customer.merged_into_id:
            customer = Customer.objects.get(pk=customer.merged_into_id)
        product_name = invitation.order.product_name if invitation.order_id else ""
        department_id = (
            Case.objects.filter(customer=customer, created_at__lte=now)
            .order_by("-created_at")
            .values_list("department_id", flat=True)
            .first()
        )
        with translation.override(customer.language or "nl"):
            subject = _("Survey answer: %(score)s (%(survey)s)") % {
                "score": score,
                "survey": survey.name,
            }
        interaction = interaction_record(
            customer=customer,
            channel=Channel.WEB,
            direction=Direction.INBOUND,
            occurred_at=now,
            subject=subject,
            body=comment,
            topic="feedback",
            source=SURVEY_SOURCE,
            external_id=str(invitation.pk),
        )
        response = Response.objects.create(
            invitation=invitation,
            survey=survey,
            customer=customer,
            kind=survey.kind,
            product_sku=invitation.product_sku,
            product_name=product_name,
            channel=invitation.channel,
            department_id=department_id,
            score=score,
            comment=comment,
            sentiment=sentiment_label(kind=survey.kind, score=score, comment=comment),
            is_unhappy=answer_is_unhappy(kind=survey.kind, score=score, comment=comment),
            language=customer.language,
            answered_at=now,
            interaction=interaction,
        )
        AspectScore.objects.bulk_create(
            [AspectScore(response=response, aspect_id=a, score=v) for a, v in given.items()]
        )
        if response.is_unhappy:
            from feedback.tasks import response_followup_task

            # celery-types types shared tasks as Task; Celery's Django fixup makes them DjangoTask.
            response_followup_task.delay_on_commit(response.pk)  # type: ignore[attr-defined]
    return response


def _followup_department() -> Department | None:
    return department_by_code(code=Department.CONTACT_CENTER)


def response_followup_open(*, response_id: int) -> Case | None:
    """Open the follow-up case of an unhappy answer through the router, once.

    Runs after the answer is committed (a task), so a routing failure never loses an
    answer; the beat job retries answers still without a case.
    """
    with transaction.atomic():
        response = (
            Response.objects.select_for_update(of=("self",))
            .select_related("customer", "survey", "interaction")
            .filter(pk=response_id)
            .first()
        )
        if response is None or not response.is_unhappy:
            return None
        if response.followup_case_id:
            return response.followup_case
        with translation.override(response.customer.language or "nl"):
            subject = _("Unhappy feedback: %(score)s on %(survey)s") % {
                "score": response.score,
                "survey": response.survey.name,
            }
        case = case_route(
            customer=response.customer,
            subject=subject,
            body=response.comment,
            channel=Channel.WEB,
            topic="feedback",
            origin=response.interaction,
            priority=FOLLOWUP_PRIORITY,
            resolution_due=response.answered_at + dt.timedelta(hours=FOLLOWUP_HOURS),
            department=_followup_department(),
        )
        Response.objects.filter(pk=response.pk, followup_case__isnull=True).update(
            followup_case=case
        )
    return case


def response_followups_open_missing(
    *, now: dt.datetime | None = None, grace_minutes: int = 5, limit: int = 200
) -> int:
    """Open follow-up cases for unhappy answers whose task did not get to it."""
    now = now or timezone.now()
    ids = list(
        Response.objects.filter(
            is_unhappy=True,
            followup_case__isnull=True,
            answered_at__lte=now - dt.timedelta(minutes=grace_minutes),
        )
        .order_by("answered_at")
        .values_list("pk", flat=True)[:limit]
    )
    opened = 0
    for response_id in ids:
        try:
            if response_followup_open(response_id=response_id) is not None:
                opened += 1
        except Exception:
            logger.exception("feedback follow-up for response %s failed", response_id)
    return opened
