"""Progressive profiling: recording the answer to a profile question, keeping the history, and
counting a question asked again when the customer had already given that answer."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from contacts.models import AnswerType, Customer, FactAskedAgain, ProfileFact, ProfileQuestion

YES = "yes"
NO = "no"
_YES_WORDS = {"yes", "ja", "y", "j", "true", "1"}
_NO_WORDS = {"no", "nee", "n", "false", "0"}


class FactOutcome(StrEnum):
    NEW = "new"
    CHANGED = "changed"
    ASKED_AGAIN = "asked_again"


@dataclass(frozen=True)
class FactResult:
    fact: ProfileFact
    outcome: FactOutcome


def profile_answer_clean(*, question: ProfileQuestion, value: str) -> str:
    """The answer in its stored form for the question's answer type; ValidationError else."""
    text = " ".join(str(value or "").split())
    if not text:
        raise ValidationError(_("Give an answer."))
    if len(text) > 500:
        raise ValidationError(_("An answer can be at most 500 characters."))
    match question.answer_type:
        case AnswerType.NUMBER:
            try:
                number = Decimal(text.replace(",", "."))
            except InvalidOperation:
                raise ValidationError(_("Give a number.")) from None
            if not number.is_finite() or number < 0 or number > 1_000_000:
                raise ValidationError(_("Give a number of 0 or more."))
            return str(number.normalize()) if number != number.to_integral() else str(int(number))
        case AnswerType.DATE:
            try:
                return dt.date.fromisoformat(text).isoformat()
            except ValueError:
                raise ValidationError(_("Give a date as YYYY-MM-DD.")) from None
        case AnswerType.YES_NO:
            word = text.lower()
            if word in _YES_WORDS:
                return YES
            if word in _NO_WORDS:
                return NO
            raise ValidationError(_("Answer yes or no."))
        case AnswerType.CHOICE:
            choices = question.choice_list()
            for choice in choices:
                if choice.lower() == text.lower():
                    return choice
            raise ValidationError(
                _("Choose one of: %(choices)s.") % {"choices": ", ".join(choices)}
            )
    return text


@transaction.atomic
def profile_fact_record(
    *,
    customer: Customer,
    question: ProfileQuestion,
    value: str,
    user: User | None,
    channel: str = "",
    at: dt.datetime | None = None,
) -> FactResult:
    """Record ``customer``'s answer to ``question``.

    The same value as the current answer is not stored again: it counts as "asked again"
    (the thing progressive profiling is meant to prevent). A different value becomes the
    current answer and the previous one stays as history.
    """
    value = profile_answer_clean(question=question, value=value)
    at = at or timezone.now()
    current = (
        ProfileFact.objects.select_for_update()
        .filter(customer=customer, question=question, is_current=True)
        .first()
    )
    if current is not None and current.value == value:
        FactAskedAgain.objects.create(
            customer=customer, question=question, asked_by=user, asked_at=at
        )
        return FactResult(fact=current, outcome=FactOutcome.ASKED_AGAIN)
    if current is not None:
        ProfileFact.objects.filter(pk=current.pk).update(is_current=False)
    try:
        with transaction.atomic():
            fact = ProfileFact.objects.create(
                customer=customer,
                question=question,
                value=value,
                source_channel=channel,
                recorded_by=user,
                recorded_at=at,
                is_current=True,
            )
    except IntegrityError:
        # Another answer became current between our read and our insert (SQLite has no
        # row locks); the person should see it before overwriting it.
        raise ValidationError(
            _("Someone else just recorded an answer to this question; reload the page.")
        ) from None
    return FactResult(
        fact=fact, outcome=FactOutcome.NEW if current is None else FactOutcome.CHANGED
    )
