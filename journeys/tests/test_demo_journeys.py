"""Demo journeys: rules, canned replies and cases in every state, loaded only once."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from accounts.business_hours import business_calendar
from accounts.models import Department, User
from accounts.tests.factories import DepartmentFactory, OpeningHoursFactory
from journeys import demo
from journeys.models import (
    OPEN_STATUSES,
    CannedReply,
    Case,
    CaseStatus,
    Escalation,
    EscalationKind,
    RoutingRule,
    SubTask,
    SubTaskStatus,
    Transfer,
)

pytestmark = pytest.mark.django_db

MODELS = (RoutingRule, CannedReply, Case, Transfer, Escalation, SubTask)


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def loaded(agent: User, contact_center: Department) -> None:
    """The departments and the agent the accounts demo would make, without its slow
    password hashing; the contact center open on weekdays so due times skip the nights."""
    for code in (Department.SALES, Department.ICT, Department.OPERATIONS, Department.MARKETING):
        DepartmentFactory(code=code, name=code.title())
    for day in range(5):
        OpeningHoursFactory(
            department=contact_center, weekday=day, opens=dt.time(8), closes=dt.time(20)
        )
    demo.load(out=StringIO())


def test_the_demo_has_cases_in_every_state(loaded: None) -> None:
    statuses = set(Case.objects.values_list("status", flat=True))
    assert statuses == set(CaseStatus.values)
    assert 35 <= Case.objects.count() <= 60
    assert Case.objects.filter(owner__username="agent").exists()
    assert Case.objects.filter(
        status=CaseStatus.NEW, owner=None, department__code="contact-center"
    ).exists()


def test_the_demo_fills_the_exception_queue_and_breaches_some_cases(loaded: None) -> None:
    now = timezone.now()
    assert Case.objects.filter(is_exception=True, status__in=OPEN_STATUSES).count() == 5
    breached = Case.objects.filter(status__in=OPEN_STATUSES, resolution_due__lt=now)
    assert breached.count() >= 3
    assert Escalation.objects.filter(kind=EscalationKind.RESOLUTION).count() >= 3


def test_waiting_on_a_department_means_an_open_sub_task_for_ict(loaded: None) -> None:
    waiting = Case.objects.filter(status=CaseStatus.WAITING_DEPARTMENT)
    assert waiting.exists()
    for case in waiting:
        assert case.subtasks.filter(
            status=SubTaskStatus.OPEN, department__code=Department.ICT
        ).exists()


def test_transfer_counts_match_the_recorded_transfers(loaded: None) -> None:
    counted = Case.objects.annotate(n=Count("transfers")).filter(transfer_count__gt=0)
    assert {case.transfer_count for case in counted} == {1, 3}
    assert all(case.n == case.transfer_count for case in counted)
    assert Escalation.objects.filter(kind=EscalationKind.TRANSFERS).count() == 2


def test_due_times_follow_the_sla_in_business_hours(loaded: None) -> None:
    for case in Case.objects.select_related("department", "sla_policy")[:10]:
        calendar = business_calendar(department=case.department)
        minutes = dt.timedelta(minutes=case.sla_policy.resolution_minutes)
        assert case.resolution_due == calendar.add(case.created_at, minutes)
        assert case.created_at <= timezone.now()


def test_the_demo_is_loaded_once(loaded: None) -> None:
    before = _counts()
    out = StringIO()
    demo.load(out=out)
    assert _counts() == before
    assert "already" in out.getvalue()


def test_the_demo_command_loads_journeys_after_the_customers() -> None:
    call_command("demo", stdout=StringIO())
    assert RoutingRule.objects.count() == len(demo.RULES)
    assert CannedReply.objects.filter(department__code=Department.CONTACT_CENTER).count() == 6
    assert set(CannedReply.objects.values_list("language", flat=True)) == {"nl", "en"}
    assert Case.objects.filter(customer__identities__value__endswith="@demo.cxcenter.nl").exists()
