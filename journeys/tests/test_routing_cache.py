"""The routing configuration cached between cases (journeys.caches): a change to a rule,
an SLA policy, a department or its opening hours is seen by the very next case, however it
was written; what a rolled-back transaction read is not reused."""

import datetime as dt

import pytest
from django.db import transaction

from accounts.models import Department, OpeningHours
from accounts.tests.factories import DepartmentFactory, HolidayFactory, OpeningHoursFactory
from contacts.tests.factories import CustomerFactory
from journeys.models import Priority, RoutingRule, SlaPolicy
from journeys.services.routing import case_route
from journeys.services.sla import sla_calendar, sla_policy_for
from journeys.tests.factories import RoutingRuleFactory

pytestmark = pytest.mark.django_db


def _route(subject: str = "Mijn factuur klopt niet"):
    return case_route(customer=CustomerFactory(), subject=subject)


def test_a_rule_added_between_cases_is_used(contact_center: Department, sales: Department):
    assert _route().is_exception
    RoutingRuleFactory(order=10, match_words="factuur", department=sales)
    assert _route().department == sales


def test_a_rule_switched_off_with_an_update_is_no_longer_used(
    contact_center: Department, sales: Department
):
    rule = RoutingRuleFactory(order=10, match_words="factuur", department=sales)
    assert _route().department == sales
    # A queryset update sends no post_save; the write itself is noticed.
    RoutingRule.objects.filter(pk=rule.pk).update(is_active=False)
    assert _route().is_exception
    RoutingRule.objects.filter(pk=rule.pk).update(is_active=True)
    assert _route().department == sales


def test_reordered_rules_are_tried_in_the_new_order(contact_center: Department, sales: Department):
    first = RoutingRuleFactory(order=10, match_words="factuur", department=contact_center)
    second = RoutingRuleFactory(order=20, match_words="factuur", department=sales)
    assert _route().department == contact_center
    first.order, second.order = 30, 5
    RoutingRule.objects.bulk_update([first, second], ["order"])
    assert _route().department == sales


def test_a_deleted_rule_and_an_inactive_department_are_no_longer_used(
    contact_center: Department, sales: Department
):
    rule = RoutingRuleFactory(order=10, match_words="factuur", department=sales)
    assert _route().department == sales
    Department.objects.filter(pk=sales.pk).update(is_active=False)
    assert _route().is_exception
    Department.objects.filter(pk=sales.pk).update(is_active=True)
    assert _route().department == sales
    rule.delete()
    assert _route().is_exception


def test_a_changed_default_policy_sets_the_next_due_times(contact_center: Department):
    RoutingRuleFactory(order=10, match_words="factuur", department=contact_center)
    before = _route()
    assert before.sla_policy == sla_policy_for(priority=Priority.NORMAL)
    SlaPolicy.objects.filter(pk=before.sla_policy_id).update(first_response_minutes=7)
    after = _route()
    assert after.first_response_due - after.created_at < dt.timedelta(minutes=8)
    assert sla_policy_for(priority=Priority.NORMAL).first_response_minutes == 7


def test_changed_opening_hours_and_holidays_are_counted(contact_center: Department):
    monday_noon = dt.datetime(2026, 3, 2, 12, 0, tzinfo=contact_center.tz)
    tuesday_noon = monday_noon + dt.timedelta(days=1)
    assert sla_calendar(department=contact_center).is_open(monday_noon)
    OpeningHours.objects.bulk_create(
        OpeningHours(department=contact_center, weekday=day, opens=dt.time(9), closes=dt.time(11))
        for day in range(7)
    )
    assert not sla_calendar(department=contact_center).is_open(monday_noon)
    OpeningHours.objects.filter(department=contact_center).update(closes=dt.time(17))
    assert sla_calendar(department=contact_center).is_open(tuesday_noon)
    HolidayFactory(department=contact_center, date=tuesday_noon.date())
    assert not sla_calendar(department=contact_center).is_open(tuesday_noon)
    OpeningHours.objects.filter(department=contact_center).delete()
    contact_center.holidays.all().delete()
    assert sla_calendar(department=contact_center).is_open(tuesday_noon)


def test_what_a_rolled_back_transaction_read_is_read_again(
    contact_center: Department, sales: Department
):
    with transaction.atomic():
        rule = RoutingRuleFactory(order=10, match_words="factuur", department=sales)
        assert _route().department == sales
        transaction.set_rollback(True)
    assert not RoutingRule.objects.filter(pk=rule.pk).exists()
    assert _route().is_exception


def test_a_new_department_with_opening_hours_gets_its_own_calendar(contact_center: Department):
    office = DepartmentFactory(code="office", name="Kantoor")
    OpeningHoursFactory(department=office, weekday=0, opens=dt.time(9), closes=dt.time(17))
    monday_night = dt.datetime(2026, 3, 2, 22, 0, tzinfo=office.tz)
    assert not sla_calendar(department=office).is_open(monday_night)
    assert sla_calendar(department=contact_center).is_open(monday_night)


def test_a_routed_case_reads_no_configuration_once_cached(
    contact_center: Department, sales: Department, django_assert_num_queries
):
    RoutingRuleFactory(order=10, match_words="factuur", department=sales)
    _route()
    customer = CustomerFactory()
    # facts are not needed (no rule asks for one); the case insert only.
    with django_assert_num_queries(1):
        case = case_route(customer=customer, subject="Mijn factuur klopt niet")
    assert case.department == sales
