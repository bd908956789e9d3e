"""Demo data for the outcomes page (part of ``manage.py demo``): questions asked again,
follow-up cases of unhappy answers, past weeks of the exception queue, the answers'
departments, and the outcome rollups. Each part runs once."""

import datetime as dt
import random
from itertools import pairwise
from typing import TextIO

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from accounts.models import Department, User
from contacts.models import Customer, FactAskedAgain, ProfileFact
from feedback.models import Response
from feedback.services.outcomes import outcome_rollup_rebuild
from feedback.services.rollups import rollup_rebuild
from journeys.models import Case, CaseStatus, Priority, SlaPolicy, Transfer
from journeys.services.sla import EXCEPTION_POLICY, sla_policy_for

DEMO_WEEKS = 16
EXCEPTION_SUBJECT = "Vraag zonder onderwerp"


def _stamp(cases: list[Case], created: list[dt.datetime]) -> None:
    """bulk_create stamps created_at with now; put the demo's own moments back."""
    for case, at in zip(cases, created, strict=True):
        case.created_at = at
    Case.objects.bulk_update(cases, ["created_at"])


def _answer_departments() -> int:
    """As answering does: the department of the customer's latest case before the answer."""
    latest = (
        Case.objects.filter(
            customer_id=OuterRef("customer_id"), created_at__lte=OuterRef("answered_at")
        )
        .order_by("-created_at")
        .values("department_id")[:1]
    )
    return Response.objects.filter(department__isnull=True).update(department_id=Subquery(latest))


def _asked_again(rng: random.Random, agent: User | None, now: dt.datetime) -> int:
    if FactAskedAgain.objects.exists() or agent is None:
        return 0
    facts = list(ProfileFact.objects.filter(is_current=True).order_by("id")[:90])
    rows = [
        FactAskedAgain(
            customer_id=fact.customer_id,
            question_id=fact.question_id,
            asked_by=agent,
            asked_at=now - dt.timedelta(days=rng.uniform(0, 7 * DEMO_WEEKS)),
        )
        for fact in facts
        if rng.random() < 0.6
    ]
    FactAskedAgain.objects.bulk_create(rows)
    return len(rows)


def _followups(rng: random.Random, kcc: Department, now: dt.datetime) -> int:
    """A follow-up case for each unhappy answer; most answered within 48 hours."""
    answers = list(
        Response.objects.filter(is_unhappy=True, followup_case__isnull=True)
        .select_related("customer")
        .order_by("answered_at")
    )
    policy = sla_policy_for(priority=Priority.HIGH)
    cases, created = [], []
    for answer in answers:
        opened = answer.answered_at + dt.timedelta(minutes=10)
        replied = opened + dt.timedelta(hours=rng.choice([2, 5, 9, 20, 30, 40, 60, 90]))
        done = replied + dt.timedelta(hours=4)
        cases.append(
            Case(
                customer=answer.customer,
                subject=f"Ontevreden klantfeedback: {answer.score}",
                topic="feedback",
                priority=Priority.HIGH,
                status=CaseStatus.RESOLVED if done < now else CaseStatus.OPEN,
                department=kcc,
                sla_policy=policy,
                first_response_due=opened + dt.timedelta(minutes=policy.first_response_minutes),
                resolution_due=opened + dt.timedelta(hours=48),
                first_responded_at=replied if replied < now else None,
                resolved_at=done if done < now else None,
                resolution_note="Klant gebeld en opgelost." if done < now else "",
            )
        )
        created.append(opened)
    Case.objects.bulk_create(cases)
    _stamp(cases, created)
    for answer, case in zip(answers, cases, strict=True):
        answer.followup_case = case
    Response.objects.bulk_update(answers, ["followup_case"])
    return len(cases)


def _past_exceptions(rng: random.Random, kcc: Department, now: dt.datetime) -> tuple[int, int]:
    """Earlier weeks of the exception queue: contacts a lead answered after a wait, or
    handed to the department they were for (some of which sent them on once more)."""
    if Case.objects.filter(subject=EXCEPTION_SUBJECT).exists():
        return 0, 0
    customers = list(Customer.objects.order_by("id").values_list("id", flat=True)[:80])
    others = list(
        Department.objects.filter(
            code__in=[Department.SALES, Department.OPERATIONS, Department.ICT]
        ).order_by("code")
    )
    if not customers:
        return 0, 0
    policy = SlaPolicy.objects.filter(name=EXCEPTION_POLICY).first() or sla_policy_for(
        priority=Priority.NORMAL
    )
    cases, created, paths = [], [], []
    for week in range(1, DEMO_WEEKS):
        for _n in range(rng.randint(2, 7)):
            opened = now - dt.timedelta(weeks=week, hours=rng.uniform(0, 160))
            waited = dt.timedelta(minutes=rng.choice([12, 25, 40, 75, 130, 240, 600, 1500]))
            path = [kcc]
            if others and rng.random() < 0.5:
                path += rng.sample(others, k=2 if rng.random() < 0.3 else 1)
            cases.append(
                Case(
                    customer_id=rng.choice(customers),
                    subject=EXCEPTION_SUBJECT,
                    status=CaseStatus.RESOLVED,
                    department=path[-1],
                    is_exception=len(path) == 1,
                    sla_policy=policy,
                    first_response_due=opened + dt.timedelta(minutes=policy.first_response_minutes),
                    resolution_due=opened + dt.timedelta(minutes=policy.resolution_minutes),
                    first_responded_at=opened + waited + dt.timedelta(minutes=5 * len(path)),
                    transfer_count=len(path) - 1,
                    resolved_at=opened + waited + dt.timedelta(hours=3 + 20 * (len(path) - 1)),
                    resolution_note="Opgelost.",
                )
            )
            created.append(opened)
            paths.append((path, opened + waited))
    Case.objects.bulk_create(cases)
    _stamp(cases, created)
    transfers, moments = [], []
    for case, (path, first_at) in zip(cases, paths, strict=True):
        for step, (source, target) in enumerate(pairwise(path)):
            transfers.append(
                Transfer(
                    case=case,
                    from_department=source,
                    to_department=target,
                    reason="Hoort bij deze afdeling." if step == 0 else "Toch niet voor ons.",
                )
            )
            moments.append(first_at + dt.timedelta(hours=20 * step))
    Transfer.objects.bulk_create(transfers)
    for transfer, at in zip(transfers, moments, strict=True):
        transfer.at = at
    Transfer.objects.bulk_update(transfers, ["at"])
    return len(cases), len(transfers)


def load(*, out: TextIO) -> None:
    kcc = Department.objects.filter(code=Department.CONTACT_CENTER).first()
    if kcc is None:
        out.write("Demo outcomes skipped: no contact center department.\n")
        return
    rng = random.Random(12)
    now = timezone.now()
    today = timezone.localdate()
    agent = User.objects.filter(username="agent").first()
    asked = _asked_again(rng, agent, now)
    exceptions, transfers = _past_exceptions(rng, kcc, now)
    followups = _followups(rng, kcc, now)
    attributed = _answer_departments()
    if attributed:
        # The dashboard's department breakdown reads the answers' departments.
        rollup_rebuild(date_from=today - dt.timedelta(days=120), date_to=today)
    rows = outcome_rollup_rebuild(
        date_from=today - dt.timedelta(weeks=DEMO_WEEKS + 1), date_to=today, now=now
    )
    out.write(
        f"Demo outcomes: {asked} questions asked again, {exceptions} past exception-queue "
        f"cases with {transfers} transfers, {followups} follow-up cases, {attributed} answers given a department, "
        f"{rows} outcome rollup rows.\n"
    )
