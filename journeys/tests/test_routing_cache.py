"""The routing configuration cached between cases (journeys.caches): a change to a rule,
an SLA policy, a department or its opening hours, through the services, the forms or the
admin (save, delete) or a bulk write of a service, is seen by the very next case and the
very next intake; what a rolled-back transaction read is not reused."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Department, OpeningHours
from accounts.tests.factories import DepartmentFactory, HolidayFactory, OpeningHoursFactory
from contacts.tests.factories import CustomerFactory
from journeys import caches
from journeys.models import Case, Priority, RoutingRule, SlaPolicy
from journeys.services.routing import case_route
from journeys.services.rules import routing_rule_delete, routing_rule_move, routing_rule_set_active
from journeys.services.sla import sla_calendar, sla_policies_ensure, sla_policy_for
from journeys.tests.factories import RoutingRuleFactory

pytestmark = pytest.mark.django_db


def _route(subject: str = "Mijn factuur klopt niet"):
    return case_route(customer=CustomerFactory(), subject=subject)


def test_a_rule_added_between_cases_is_used(contact_center: Department, sales: Department):
    assert _route().is_exception
    RoutingRuleFactory(order=10, match_words="factuur", department=sales)
    assert _route().department == sales


def test_a_rule_switched_off_is_no_longer_used(contact_center: Department, sales: Department):
    rule = RoutingRuleFactory(order=10, match_words="factuur", department=sales)
    assert _route().department == sales
    # A queryset update (no post_save): the service says the configuration changed.
    routing_rule_set_active(rule=rule, is_active=False)
    assert _route().is_exception
    routing_rule_set_active(rule=rule, is_active=True)
    assert _route().department == sales


def test_reordered_rules_are_tried_in_the_new_order(contact_center: Department, sales: Department):
    first = RoutingRuleFactory(order=10, match_words="factuur", department=contact_center)
    second = RoutingRuleFactory(order=20, match_words="factuur", department=sales)
    assert _route().department == contact_center
    # bulk_update (no post_save) in the service.
    routing_rule_move(rule=second, direction="up")
    assert _route().department == sales
    first.name = "Eerst"
    first.order = 1
    first.save()
    assert _route().department == contact_center


def test_a_deleted_rule_and_an_inactive_department_are_no_longer_used(
    contact_center: Department, sales: Department
):
    rule = RoutingRuleFactory(order=10, match_words="factuur", department=sales)
    assert _route().department == sales
    sales.is_active = False
    sales.save()
    assert _route().is_exception
    sales.is_active = True
    sales.save()
    assert _route().department == sales
    routing_rule_delete(rule=rule)
    assert _route().is_exception


def test_a_changed_default_policy_sets_the_next_due_times(contact_center: Department):
    RoutingRuleFactory(order=10, match_words="factuur", department=contact_center)
    before = _route()
    assert before.sla_policy == sla_policy_for(priority=Priority.NORMAL)
    policy = SlaPolicy.objects.get(pk=before.sla_policy_id)
    policy.first_response_minutes = 7
    policy.save()
    after = _route()
    assert after.first_response_due - after.created_at < dt.timedelta(minutes=8)
    assert sla_policy_for(priority=Priority.NORMAL).first_response_minutes == 7


def test_changed_opening_hours_and_holidays_are_counted(contact_center: Department):
    monday_noon = dt.datetime(2026, 3, 2, 12, 0, tzinfo=contact_center.tz)
    tuesday_noon = monday_noon + dt.timedelta(days=1)
    assert sla_calendar(department=contact_center).is_open(monday_noon)
    hours = [
        OpeningHoursFactory(
            department=contact_center, weekday=day, opens=dt.time(9), closes=dt.time(11)
        )
        for day in range(7)
    ]
    assert not sla_calendar(department=contact_center).is_open(monday_noon)
    hours[1].closes = dt.time(17)
    hours[1].save()
    assert sla_calendar(department=contact_center).is_open(tuesday_noon)
    HolidayFactory(department=contact_center, date=tuesday_noon.date())
    assert not sla_calendar(department=contact_center).is_open(tuesday_noon)
    # A queryset delete sends post_delete per row.
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


def test_restored_default_policies_are_read_again(contact_center: Department):
    SlaPolicy.objects.all().delete()
    # Nothing left: the fallback creates a "Normal" policy of its own.
    assert sla_policy_for(priority=Priority.URGENT).name == "Normal"
    SlaPolicy.objects.all().delete()
    sla_policies_ensure()  # bulk_create
    assert sla_policy_for(priority=Priority.URGENT).name == "Urgent"


def test_a_change_made_by_another_process_is_seen(
    contact_center: Department, sales: Department, django_assert_num_queries
):
    RoutingRuleFactory(order=10, match_words="factuur", department=sales)
    assert _route().department == sales
    # Another process changed the rule: here only the shared version token moves.
    RoutingRule.objects.update(department=contact_center)
    cache.set(caches.VERSION_KEY, "another-process", None)
    assert _route().department == contact_center


def test_a_configuration_write_inside_a_pinned_block_is_seen_there(
    contact_center: Department, sales: Department
):
    with caches.routing_config_pinned():
        assert _route().is_exception
        RoutingRuleFactory(order=10, match_words="factuur", department=sales)
        assert _route().department == sales


def _intake(client: APIClient, n: int, **extra: str) -> Case:
    response = client.post(
        "/api/v1/interactions/",
        {
            "source": "webshop",
            "external_id": f"cfg-{n}",
            "channel": "email",
            "direction": "in",
            "occurred_at": timezone.now().isoformat(),
            "identities": [{"kind": "email", "value": f"klant{n}@example.nl"}],
            "subject": "Mijn factuur klopt niet",
            **extra,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    return Case.objects.get(origin_id=response.json()["interaction_id"])


def _first_response_in(case: Case) -> dt.timedelta:
    assert case.first_response_due is not None
    return case.first_response_due - case.created_at


def test_every_kind_of_change_takes_effect_on_the_next_intake(
    api_client: APIClient, contact_center: Department, sales: Department
):
    assert _intake(api_client, 1).is_exception
    rule = RoutingRuleFactory(order=10, match_words="factuur", department=sales)
    case = _intake(api_client, 2)
    assert case.department == sales
    assert case.sla_policy == sla_policy_for(priority=Priority.NORMAL)
    # The SLA policy.
    policy = SlaPolicy.objects.get(pk=case.sla_policy_id)
    policy.first_response_minutes = 7
    policy.save()
    case = _intake(api_client, 3)
    assert _first_response_in(case) < dt.timedelta(minutes=8)
    # The rule.
    routing_rule_set_active(rule=rule, is_active=False)
    assert _intake(api_client, 4).is_exception
    routing_rule_set_active(rule=rule, is_active=True)
    assert _intake(api_client, 5).department == sales
    # The department's business hours: closed all week, so the due time moves past today.
    for day in range(7):
        OpeningHoursFactory(department=sales, weekday=day, opens=dt.time(0), closes=dt.time(0, 1))
    case = _intake(api_client, 6)
    assert _first_response_in(case) > dt.timedelta(hours=12)
    # The department itself.
    sales.is_active = False
    sales.save()
    assert _intake(api_client, 7).is_exception
