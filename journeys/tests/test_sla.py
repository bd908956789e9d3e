"""SLA due times in business hours, pause and resume, and the state shown in the inbox."""

import datetime as dt

import pytest

from accounts.tests.factories import DepartmentFactory, HolidayFactory, OpeningHoursFactory
from journeys.models import CaseStatus, SlaPolicy
from journeys.services.sla import (
    SlaState,
    case_next_due,
    sla_due_times,
    sla_resume,
    sla_state,
)
from journeys.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def office():
    department = DepartmentFactory(code="office", timezone="Europe/Amsterdam")
    for day in range(5):
        OpeningHoursFactory(department=department, weekday=day, opens=dt.time(9),
                            closes=dt.time(17))  # fmt: skip
    return department


def _at(office, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=office.tz)


def test_a_friday_evening_message_is_due_on_monday(office) -> None:
    policy = SlaPolicy.objects.get(name="Normal")  # 8 h first response, 48 h resolution
    due = sla_due_times(policy=policy, department=office, start=_at(office, 2026, 11, 20, 18, 0))
    assert due.first_response == _at(office, 2026, 11, 23, 17, 0)
    # 48 business hours = six working days of eight hours.
    assert due.resolution == _at(office, 2026, 11, 30, 17, 0)


def test_holidays_are_not_counted(office) -> None:
    HolidayFactory(department=office, date=dt.date(2026, 11, 23), name="Sluitingsdag")
    policy = SlaPolicy.objects.get(name="Urgent")  # 1 h first response
    due = sla_due_times(policy=policy, department=office, start=_at(office, 2026, 11, 20, 16, 30))
    assert due.first_response == _at(office, 2026, 11, 24, 9, 30)


def test_resume_moves_due_times_by_the_business_time_spent_waiting(office) -> None:
    case = CaseFactory(
        department=office,
        status=CaseStatus.WAITING_CUSTOMER,
        sla_paused_at=_at(office, 2026, 11, 20, 16, 0),  # Friday 16:00
        resolution_due=_at(office, 2026, 11, 25, 12, 0),
        first_response_due=_at(office, 2026, 11, 20, 17, 0),
        next_response_due=None,
    )
    # Waited until Monday 10:00: one hour on Friday plus one on Monday.
    changed = sla_resume(case=case, now=_at(office, 2026, 11, 23, 10, 0))
    assert case.sla_paused_at is None
    assert case.resolution_due == _at(office, 2026, 11, 25, 14, 0)
    # Friday 17:00 plus two business hours.
    assert case.first_response_due == _at(office, 2026, 11, 23, 11, 0)
    assert set(changed) == {"sla_paused_at", "resolution_due", "first_response_due"}


def test_resume_without_a_pause_changes_nothing(office) -> None:
    case = CaseFactory(department=office)
    assert sla_resume(case=case, now=_at(office, 2026, 11, 23, 10, 0)) == []


def test_states_ok_soon_and_breached() -> None:
    now = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
    assert sla_state(due=now + dt.timedelta(hours=5), now=now) == SlaState.OK
    assert sla_state(due=now + dt.timedelta(minutes=30), now=now) == SlaState.SOON
    assert sla_state(due=now - dt.timedelta(minutes=1), now=now) == SlaState.BREACHED
    assert sla_state(due=None, now=now) is None


def test_the_next_deadline_ignores_answered_first_responses_and_paused_cases() -> None:
    now = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
    case = CaseFactory(
        first_response_due=now + dt.timedelta(hours=1),
        resolution_due=now + dt.timedelta(hours=9),
    )
    assert case_next_due(case=case) == now + dt.timedelta(hours=1)
    case.first_responded_at = now
    assert case_next_due(case=case) == now + dt.timedelta(hours=9)
    case.sla_paused_at = now
    assert case_next_due(case=case) is None


@pytest.mark.django_db(transaction=True)
def test_the_default_policies_come_back_after_a_flush() -> None:
    from django.core.management import call_command

    from journeys.models import SlaPolicy
    from journeys.services.sla import DEFAULT_POLICIES

    call_command("flush", interactive=False, verbosity=0)
    assert sorted(SlaPolicy.objects.values_list("name", flat=True)) == sorted(
        name for name, *_ in DEFAULT_POLICIES
    )
