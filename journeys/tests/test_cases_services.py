"""Case services: take, assign, transfer, status and SLA pause, resolve, sub-tasks, notes."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Department, Notification, User
from accounts.roles import Role
from accounts.tests.factories import DepartmentFactory, UserFactory
from contacts.models import Direction
from contacts.tests.factories import InteractionFactory
from journeys.models import (
    Case,
    CaseMessage,
    CaseStatus,
    Escalation,
    EscalationKind,
    SubTaskStatus,
    Transfer,
)
from journeys.services import cases as services
from journeys.tests.factories import CaseFactory, SubTaskFactory

pytestmark = pytest.mark.django_db


def _due(hours: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=hours)


# --- Take next / assign -----------------------------------------------------------------


def _status(case: Case) -> str:
    """The stored status (read again, so that an earlier check does not narrow it)."""
    case.refresh_from_db()
    return case.status


def test_take_next_hands_out_the_most_urgent_unowned_case(
    agent: User, contact_center: Department
) -> None:
    later = CaseFactory(department=contact_center, resolution_due=_due(10))
    first = CaseFactory(department=contact_center, resolution_due=_due(2))
    CaseFactory(department=contact_center, resolution_due=_due(1), owner=agent)
    CaseFactory(department=contact_center, resolution_due=_due(1), status=CaseStatus.RESOLVED)
    CaseFactory(resolution_due=_due(0.5))  # another department

    taken = services.case_take_next(user=agent, department=contact_center)

    assert taken is not None and taken.pk == first.pk
    assert taken.owner_id == agent.pk
    assert taken.status == CaseStatus.OPEN
    second = services.case_take_next(user=agent, department=contact_center)
    assert second is not None and second.pk == later.pk
    assert services.case_take_next(user=agent, department=contact_center) is None


def test_take_next_keeps_a_waiting_status(agent: User, contact_center: Department) -> None:
    case = CaseFactory(department=contact_center, status=CaseStatus.WAITING_DEPARTMENT)
    taken = services.case_take_next(user=agent, department=contact_center)
    assert taken is not None
    assert taken.pk == case.pk and taken.status == CaseStatus.WAITING_DEPARTMENT


def test_assign_only_to_a_member_of_the_owning_department(
    agent: User, member: User, manager: User, contact_center: Department
) -> None:
    case = CaseFactory(department=contact_center)
    with pytest.raises(ValidationError) as error:
        services.case_assign(case=case, user=member, by=manager)
    assert "owner" in error.value.message_dict
    case.refresh_from_db()
    assert case.owner_id is None

    assigned = services.case_assign(case=case, user=agent, by=manager)
    assert assigned.owner_id == agent.pk and assigned.status == CaseStatus.OPEN
    assert Notification.objects.filter(recipient=agent, kind="case-assigned").count() == 1


def test_round_robin_gives_the_case_to_the_agent_with_fewest_open_cases(
    contact_center: Department,
) -> None:
    busy = UserFactory(username="busy", department=contact_center, roles=[Role.AGENT])
    free = UserFactory(username="free", department=contact_center, roles=[Role.AGENT])
    UserFactory(username="off", department=contact_center, roles=[Role.AGENT], is_active=False)
    CaseFactory(department=contact_center, owner=busy, status=CaseStatus.OPEN)
    CaseFactory(department=contact_center, owner=free, status=CaseStatus.RESOLVED)
    case = CaseFactory(department=contact_center)

    assigned = services.case_assign_round_robin(case=case)

    assert assigned.owner_id == free.pk


def test_round_robin_leaves_the_case_in_the_queue_when_the_department_is_closed(
    contact_center: Department,
) -> None:
    from accounts.tests.factories import OpeningHoursFactory

    UserFactory(username="a1", department=contact_center, roles=[Role.AGENT])
    OpeningHoursFactory(department=contact_center, weekday=0, opens=dt.time(9), closes=dt.time(10))
    monday_night = dt.datetime(2026, 11, 23, 22, 0, tzinfo=contact_center.tz)
    case = CaseFactory(department=contact_center)
    assert services.case_assign_round_robin(case=case, now=monday_night).owner_id is None


# --- Transfers --------------------------------------------------------------------------


def test_transfer_records_reason_clears_owner_and_counts(
    agent: User, contact_center: Department, sales: Department
) -> None:
    case = CaseFactory(department=contact_center, owner=agent, is_exception=True)
    transfer = services.case_transfer(
        case=case, to_department=sales, reason="Factuurvraag", by=agent
    )
    case.refresh_from_db()
    assert transfer.reason == "Factuurvraag"
    assert (transfer.from_department_id, transfer.to_department_id) == (contact_center.pk, sales.pk)
    assert case.department_id == sales.pk
    assert case.owner_id is None
    assert case.is_exception is False
    assert case.transfer_count == 1


@pytest.mark.parametrize(
    ("to", "reason", "field"),
    [("same", "Hoort hier", "department"), ("sales", "   ", "reason")],
)
def test_transfer_refuses_same_department_or_empty_reason(
    to: str, reason: str, field: str, agent: User, contact_center: Department, sales: Department
) -> None:
    case = CaseFactory(department=contact_center, owner=agent)
    target = contact_center if to == "same" else sales
    with pytest.raises(ValidationError) as error:
        services.case_transfer(case=case, to_department=target, reason=reason, by=agent)
    assert field in error.value.message_dict
    case.refresh_from_db()
    assert case.transfer_count == 0 and case.owner_id == agent.pk
    assert not Transfer.objects.exists()


def test_a_third_transfer_escalates_to_the_manager_once(
    agent: User, contact_center: Department, sales: Department
) -> None:
    ict = DepartmentFactory(code=Department.ICT, name="ICT")
    ict_lead = UserFactory(username="ictlead", department=ict, roles=[Role.MANAGER])
    sales_lead = UserFactory(username="saleslead", department=sales, roles=[Role.MANAGER])
    case = CaseFactory(department=contact_center)
    path: list[Department] = [sales, ict, sales, ict]
    for step, department in enumerate(path, start=1):
        services.case_transfer(case=case, to_department=department, reason=f"stap {step}", by=agent)
        escalations = Escalation.objects.filter(case=case, kind=EscalationKind.TRANSFERS)
        assert escalations.count() == (1 if step > 2 else 0)
    case.refresh_from_db()
    assert case.transfer_count == 4
    assert case.escalated_at is not None
    # The third transfer landed in sales: its manager hears about it, once.
    assert Notification.objects.filter(recipient=sales_lead, kind="case-escalated").count() == 1
    assert not Notification.objects.filter(recipient=ict_lead, kind="case-escalated").exists()


# --- Status and the SLA clock --------------------------------------------------------------


def test_waiting_on_customer_pauses_and_resuming_moves_due_times(
    agent: User, contact_center: Department
) -> None:
    case = CaseFactory(department=contact_center, owner=agent, status=CaseStatus.OPEN)
    before = case.resolution_due
    paused = services.case_set_status(case=case, status=CaseStatus.WAITING_CUSTOMER, by=agent)
    assert paused.sla_paused_at is not None
    # Pretend the customer kept us waiting for three hours (always-open department).
    type(case).objects.filter(pk=case.pk).update(
        sla_paused_at=timezone.now() - dt.timedelta(hours=3)
    )
    resumed = services.case_set_status(case=case, status=CaseStatus.OPEN, by=agent)
    assert resumed.sla_paused_at is None
    moved = resumed.resolution_due - before
    assert dt.timedelta(hours=3) <= moved < dt.timedelta(hours=3, minutes=1)


def test_status_rejects_unknown_and_final_values(agent: User, contact_center: Department) -> None:
    case = CaseFactory(department=contact_center, owner=agent)
    for status in ("resolved", "bogus", ""):
        with pytest.raises(ValidationError):
            services.case_set_status(case=case, status=status, by=agent)
    with pytest.raises(ValidationError):
        # Waiting on a department needs a sub-task.
        services.case_set_status(case=case, status=CaseStatus.WAITING_DEPARTMENT, by=agent)
    case.refresh_from_db()
    assert case.status == CaseStatus.NEW


def test_resolve_needs_a_note_then_close_and_reopen(
    agent: User, contact_center: Department
) -> None:
    case = CaseFactory(department=contact_center, owner=agent, status=CaseStatus.OPEN)
    with pytest.raises(ValidationError) as error:
        services.case_resolve(case=case, by=agent, note="  ")
    assert "note" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.case_close(case=case, by=agent)

    resolved = services.case_resolve(case=case, by=agent, note="Nieuwe link gestuurd")
    assert resolved.status == CaseStatus.RESOLVED and resolved.resolved_at is not None
    assert resolved.resolution_note == "Nieuwe link gestuurd"
    with pytest.raises(ValidationError):
        services.case_resolve(case=case, by=agent, note="nogmaals")

    closed = services.case_close(case=case, by=agent)
    assert closed.status == CaseStatus.CLOSED and closed.closed_at is not None

    reopened = services.case_reopen(case=case, by=agent)
    assert reopened.status == CaseStatus.OPEN
    assert reopened.resolved_at is None and reopened.closed_at is None
    assert reopened.resolution_due is not None
    assert reopened.resolution_due > timezone.now()
    with pytest.raises(ValidationError):
        services.case_reopen(case=case, by=agent)


def test_comment_needs_text(agent: User, contact_center: Department) -> None:
    case = CaseFactory(department=contact_center)
    with pytest.raises(ValidationError):
        services.case_comment_add(case=case, author=agent, body=" ")
    comment = services.case_comment_add(case=case, author=agent, body="Klant belt terug")
    assert comment.case_id == case.pk and comment.author_id == agent.pk


# --- Responses -------------------------------------------------------------------------


def test_a_response_sets_first_response_once_and_waits_on_the_customer(
    agent: User, contact_center: Department
) -> None:
    case = CaseFactory(department=contact_center, next_response_due=_due(1))
    out = InteractionFactory(customer=case.customer, direction=Direction.OUTBOUND, agent=agent)
    answered = services.case_record_response(case=case, interaction=out)
    assert answered.first_responded_at == out.occurred_at
    assert answered.next_response_due is None
    assert answered.status == CaseStatus.WAITING_CUSTOMER
    assert answered.sla_paused_at is not None
    assert answered.owner_id == agent.pk
    assert CaseMessage.objects.filter(case=case, interaction=out).exists()

    again = InteractionFactory(customer=case.customer, direction=Direction.OUTBOUND, agent=agent)
    assert (
        services.case_record_response(case=case, interaction=again).first_responded_at
        == out.occurred_at
    )


def test_a_customer_reply_resumes_and_sets_the_next_response_due(
    agent: User, contact_center: Department
) -> None:
    case = CaseFactory(department=contact_center, owner=agent, status=CaseStatus.OPEN)
    out = InteractionFactory(customer=case.customer, direction=Direction.OUTBOUND, agent=agent)
    services.case_record_response(case=case, interaction=out)
    reply = InteractionFactory(customer=case.customer, direction=Direction.INBOUND)

    replied = services.case_customer_replied(case=case, interaction=reply)

    assert replied.status == CaseStatus.OPEN
    assert replied.sla_paused_at is None
    # Normal policy: next response within 8 hours (the department is always open).
    assert replied.next_response_due == pytest.approx(_due(8), abs=dt.timedelta(minutes=1))
    assert CaseMessage.objects.filter(case=case, interaction=reply).exists()
    assert Notification.objects.filter(recipient=agent, kind="case-reply").exists()


# --- Sub-tasks ---------------------------------------------------------------------------


def test_subtask_keeps_the_owner_notifies_the_other_department_and_returns_the_case(
    agent: User, member: User, contact_center: Department, sales: Department
) -> None:
    case = CaseFactory(department=contact_center, owner=agent, status=CaseStatus.OPEN)
    first = services.subtask_request(
        case=case, department=sales, description="Creditnota maken", due_at=_due(8), by=agent
    )
    second = services.subtask_request(
        case=case, department=sales, description="Klant bellen", due_at=_due(8), by=agent
    )
    case.refresh_from_db()
    assert case.owner_id == agent.pk
    assert case.status == CaseStatus.WAITING_DEPARTMENT
    assert Notification.objects.filter(recipient=member, kind="subtask-requested").count() == 2

    with pytest.raises(ValidationError):
        services.subtask_complete(subtask=first, by=agent, result="Gedaan")  # not sales
    services.subtask_complete(subtask=first, by=member, result="Creditnota verstuurd")
    case.refresh_from_db()
    assert case.status == CaseStatus.WAITING_DEPARTMENT
    assert not Notification.objects.filter(recipient=agent, kind="subtask-done").exists()

    done = services.subtask_complete(subtask=second, by=member, result="Gebeld")
    assert done.status == SubTaskStatus.DONE and done.done_by_id == member.pk
    assert _status(case) == CaseStatus.OPEN
    assert Notification.objects.filter(recipient=agent, kind="subtask-done").count() == 1
    with pytest.raises(ValidationError):
        services.subtask_complete(subtask=second, by=member, result="Nog eens")


def test_subtask_request_validates_every_field(agent: User, contact_center: Department) -> None:
    case = CaseFactory(department=contact_center, owner=agent)
    with pytest.raises(ValidationError) as error:
        services.subtask_request(
            case=case,
            department=contact_center,
            description=" ",
            due_at=timezone.now() - dt.timedelta(minutes=1),
            by=agent,
        )
    assert set(error.value.message_dict) == {"department", "description", "due_at"}
    assert not case.subtasks.exists()


def test_subtask_factory_builds_an_open_task() -> None:
    assert SubTaskFactory().status == SubTaskStatus.OPEN
