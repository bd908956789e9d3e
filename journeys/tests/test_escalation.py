"""The SLA escalation job: once per case, kind and missed due time, however often it runs."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.models import Department, Notification, User
from journeys.models import Case, CaseStatus, Escalation, EscalationKind, Priority
from journeys.services.cases import sla_escalate
from journeys.tasks.cases import sla_escalate as sla_escalate_task
from journeys.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def _ago(hours: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(hours=hours)


def test_escalating_twice_creates_one_escalation(
    manager: User, agent: User, contact_center: Department, django_capture_on_commit_callbacks
) -> None:
    case = CaseFactory(
        department=contact_center,
        owner=agent,
        status=CaseStatus.OPEN,
        priority=Priority.NORMAL,
        first_responded_at=_ago(30),
        resolution_due=_ago(1),
    )
    with django_capture_on_commit_callbacks() as callbacks:
        assert sla_escalate() == 1
    assert sla_escalate() == 0

    escalation = Escalation.objects.get(case=case)
    assert escalation.kind == EscalationKind.RESOLUTION
    assert escalation.due_at == case.resolution_due
    case.refresh_from_db()
    assert case.priority == Priority.HIGH
    assert case.escalated_at is not None
    notes = Notification.objects.filter(kind="case-escalated")
    assert list(notes.values_list("recipient", flat=True)) == [manager.pk]
    # The e-mail to the manager is sent by a task enqueued after commit, once.
    tasks = [c for c in callbacks if "send_notification_emails" in repr(c)]
    assert len(tasks) == 1


def test_each_kind_of_breach_escalates_separately(contact_center: Department) -> None:
    case = CaseFactory(
        department=contact_center, first_response_due=_ago(2), next_response_due=_ago(1),
        resolution_due=_ago(0.5),
    )  # fmt: skip
    assert sla_escalate() == 3
    assert set(Escalation.objects.filter(case=case).values_list("kind", flat=True)) == {
        EscalationKind.FIRST_RESPONSE,
        EscalationKind.NEXT_RESPONSE,
        EscalationKind.RESOLUTION,
    }
    case.refresh_from_db()
    assert case.priority == Priority.URGENT


def test_a_new_deadline_of_the_same_kind_escalates_again(contact_center: Department) -> None:
    case: Case = CaseFactory(department=contact_center, first_responded_at=_ago(9),
                             next_response_due=_ago(3), resolution_due=_ago(-40))  # fmt: skip
    assert sla_escalate() == 1
    case.next_response_due = _ago(1)
    case.save()
    assert sla_escalate() == 1
    assert Escalation.objects.filter(case=case, kind=EscalationKind.NEXT_RESPONSE).count() == 2


@pytest.mark.parametrize(
    "changes",
    [
        {"status": CaseStatus.RESOLVED},
        {"status": CaseStatus.WAITING_CUSTOMER, "sla_paused_at": "now"},
        {"resolution_due": "future"},
    ],
)
def test_finished_paused_or_on_time_cases_are_not_escalated(
    changes: dict, contact_center: Department
) -> None:
    values = {"first_responded_at": _ago(10), "resolution_due": _ago(1)}
    for key, value in changes.items():
        values[key] = {"now": timezone.now(), "future": _ago(-5)}.get(value, value)
    CaseFactory(department=contact_center, **values)
    assert sla_escalate() == 0
    assert not Escalation.objects.exists()


def test_the_beat_task_runs_the_service_and_is_scheduled(contact_center: Department) -> None:
    CaseFactory(department=contact_center, first_response_due=_ago(1))
    assert sla_escalate_task.name == "journeys.sla_escalate"
    assert sla_escalate_task.apply().get() == 1
    assert sla_escalate_task.apply().get() == 0
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "journeys.sla_escalate" in scheduled
