"""Routing of a batch of contact moments (services.routing_bulk): the decisions of the
single path, made for the whole batch at once."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Notification
from contacts.models import IdentityKind
from contacts.services.batch import InteractionItem, interactions_intake_batch
from contacts.services.identity import IdentityValue
from contacts.tests.factories import CustomerFactory, IdentityFactory
from journeys.models import Case, CaseStatus, SubTaskStatus
from journeys.tests.factories import CaseFactory, RoutingRuleFactory, SubTaskFactory

pytestmark = pytest.mark.django_db


def _item(n: int, email: str, **extra: str) -> InteractionItem:
    return InteractionItem(
        source="shop",
        external_id=f"m-{n}",
        channel="email",
        direction="in",
        occurred_at=timezone.now(),
        identities=[IdentityValue(kind=IdentityKind.EMAIL, value=email)],
        subject=extra.get("subject", "Vraag"),
        topic=extra.get("topic", ""),
    )


def _known(email: str):
    customer = CustomerFactory()
    IdentityFactory(customer=customer, kind=IdentityKind.EMAIL, value=email)
    return customer


def test_a_reply_reopens_the_case_sets_the_next_due_and_tells_the_owner_after_commit(
    agent, contact_center, django_capture_on_commit_callbacks
) -> None:
    customer = _known("anna@example.nl")
    case = CaseFactory(
        customer=customer,
        department=contact_center,
        owner=agent,
        status=CaseStatus.WAITING_CUSTOMER,
        first_responded_at=timezone.now() - dt.timedelta(hours=1),
        sla_paused_at=timezone.now() - dt.timedelta(hours=1),
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        interactions_intake_batch(items=[_item(1, "anna@example.nl")])
        assert not Notification.objects.exists()
    for callback in callbacks:
        callback()
    case.refresh_from_db()
    assert (case.status, case.sla_paused_at) == (CaseStatus.OPEN, None)
    assert case.next_response_due is not None
    assert case.messages.count() == 1
    assert Notification.objects.get().recipient == agent


def test_a_reply_on_a_case_waiting_for_a_department_keeps_waiting(contact_center) -> None:
    customer = _known("anna@example.nl")
    case = CaseFactory(customer=customer, department=contact_center, status=CaseStatus.OPEN)
    SubTaskFactory(case=case, status=SubTaskStatus.OPEN)
    interactions_intake_batch(items=[_item(1, "anna@example.nl")])
    case.refresh_from_db()
    assert case.status == CaseStatus.WAITING_DEPARTMENT


def test_the_open_case_of_the_same_topic_is_preferred(contact_center) -> None:
    customer = _known("anna@example.nl")
    delivery = CaseFactory(customer=customer, department=contact_center, topic="delivery")
    CaseFactory(customer=customer, department=contact_center, topic="billing")
    interactions_intake_batch(items=[_item(1, "anna@example.nl", topic="delivery")])
    assert delivery.messages.count() == 1


def test_rules_route_new_cases_and_unmatched_ones_go_to_the_exception_queue(
    contact_center, sales
) -> None:
    RoutingRuleFactory(department=sales, match_topic="order", order=1)
    interactions_intake_batch(
        items=[_item(1, "a@example.nl", topic="order"), _item(2, "b@example.nl", topic="x")]
    )
    routed = {c.origin.external_id: c for c in Case.objects.select_related("origin") if c.origin}
    assert (routed["m-1"].department, routed["m-1"].is_exception) == (sales, False)
    assert (routed["m-2"].department, routed["m-2"].is_exception) == (contact_center, True)


def test_due_times_are_worked_out_once_per_policy_and_department_and_are_each_cases_own(
    contact_center, sales, monkeypatch
) -> None:
    from accounts.business_hours import BusinessCalendar
    from journeys.services.sla import sla_due_times

    RoutingRuleFactory(department=sales, match_topic="order", priority="urgent", order=1)
    RoutingRuleFactory(department=contact_center, match_topic="bill", order=2)
    calls = []
    real = BusinessCalendar.add

    def add(self, start, delta):
        calls.append(delta)
        return real(self, start, delta)

    monkeypatch.setattr(BusinessCalendar, "add", add)
    topics = ["order", "bill", "x", "order", "bill", "x", "order"]
    interactions_intake_batch(
        items=[_item(n, f"k{n}@example.nl", topic=t) for n, t in enumerate(topics)]
    )
    # Three (policy, department) pairs, two due times each.
    assert len(calls) == 6
    monkeypatch.setattr(BusinessCalendar, "add", real)
    cases = list(Case.objects.select_related("sla_policy", "department"))
    assert len(cases) == len(topics)
    assert len({(c.sla_policy_id, c.department_id) for c in cases}) == 3
    for case in cases:
        due = sla_due_times(
            policy=case.sla_policy, department=case.department, start=case.created_at
        )
        assert (case.first_response_due, case.resolution_due) == (
            due.first_response,
            due.resolution,
        )
