"""Demo journeys: rules, canned replies and cases in every state, loaded only once.

The demo is loaded once for the module (``demo_data``); each test sees it fresh."""

import datetime as dt
from io import StringIO

import pytest
from django.db.models import Count
from django.utils import timezone

from accounts.business_hours import business_calendar
from accounts.models import Department
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


def test_the_demo_has_cases_in_every_state(demo_data: str) -> None:
    statuses = set(Case.objects.values_list("status", flat=True))
    assert statuses == set(CaseStatus.values)
    # The journeys demo's 35–60 cases plus the past weeks feedback's outcome demo adds.
    assert 35 <= Case.objects.count() <= 250
    assert Case.objects.filter(owner__username="agent").exists()
    assert Case.objects.filter(
        status=CaseStatus.NEW, owner=None, department__code="contact-center"
    ).exists()


def test_the_demo_fills_the_exception_queue_and_breaches_some_cases(demo_data: str) -> None:
    now = timezone.now()
    assert Case.objects.filter(is_exception=True, status__in=OPEN_STATUSES).count() == 5
    breached = Case.objects.filter(status__in=OPEN_STATUSES, resolution_due__lt=now)
    assert breached.count() >= 3
    assert Escalation.objects.filter(kind=EscalationKind.RESOLUTION).count() >= 3


def test_waiting_on_a_department_means_an_open_sub_task_for_ict(demo_data: str) -> None:
    waiting = Case.objects.filter(status=CaseStatus.WAITING_DEPARTMENT)
    assert waiting.exists()
    for case in waiting:
        assert case.subtasks.filter(
            status=SubTaskStatus.OPEN, department__code=Department.ICT
        ).exists()


def test_transfer_counts_match_the_recorded_transfers(demo_data: str) -> None:
    counted = Case.objects.annotate(n=Count("transfers")).filter(transfer_count__gt=0)
    # Once and three times in the journeys demo; once or twice in the outcome demo's past weeks.
    assert {case.transfer_count for case in counted} == {1, 2, 3}
    assert all(case.n == case.transfer_count for case in counted)
    assert Escalation.objects.filter(kind=EscalationKind.TRANSFERS).count() == 2


def test_due_times_follow_the_sla_in_business_hours(demo_data: str) -> None:
    for case in Case.objects.select_related("department", "sla_policy").order_by("pk")[:10]:
        calendar = business_calendar(department=case.department)
        minutes = dt.timedelta(minutes=case.sla_policy.resolution_minutes)
        assert case.resolution_due == calendar.add(case.created_at, minutes)
        assert case.created_at <= timezone.now()


def test_the_demo_is_loaded_once(demo_data: str) -> None:
    before = _counts()
    out = StringIO()
    demo.load(out=out)
    assert _counts() == before
    assert "already" in out.getvalue()


def test_the_demo_command_loads_journeys_after_the_customers(demo_data: str) -> None:
    assert RoutingRule.objects.count() == len(demo.RULES)
    assert CannedReply.objects.filter(department__code=Department.CONTACT_CENTER).count() == 6
    assert set(CannedReply.objects.values_list("language", flat=True)) == {"nl", "en"}
    assert Case.objects.filter(customer__identities__value__endswith="@demo.cxcenter.nl").exists()
