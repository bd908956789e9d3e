"""Routing: rules in order (first match wins), the exception queue, and intake → case through
the interaction_recorded signal."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Department, User
from accounts.tests.factories import DepartmentFactory, OpeningHoursFactory
from contacts.models import Channel, Direction
from contacts.services.interactions import interaction_record
from contacts.tests.factories import (
    CustomerFactory,
    InteractionFactory,
    ProfileFactFactory,
    ProfileQuestionFactory,
)
from journeys.models import Case, CaseMessage, CaseStatus, Priority, SlaPolicy
from journeys.services.routing import case_open_for, case_route, interaction_route
from journeys.tests.factories import RoutingRuleFactory

pytestmark = pytest.mark.django_db


def _inbound(customer, **kwargs):
    values: dict[str, Any] = {
        "channel": Channel.EMAIL,
        "direction": Direction.INBOUND,
        "occurred_at": timezone.now(),
        "subject": "Vraag",
        "body": "Hallo",
        "source": "mailgateway",
    }
    values.update(kwargs)
    return interaction_record(customer=customer, **values)


def test_the_first_matching_rule_wins(contact_center: Department, sales: Department) -> None:
    ict = DepartmentFactory(code=Department.ICT, name="ICT")
    RoutingRuleFactory(order=30, match_words="factuur", department=contact_center)
    RoutingRuleFactory(order=10, match_words="storing, inloggen", department=ict,
                       priority=Priority.HIGH)  # fmt: skip
    RoutingRuleFactory(order=20, match_words="factuur", department=sales)
    customer = CustomerFactory()

    to_sales = case_route(customer=customer, subject="Vraag over mijn FACTUUR")
    to_ict = case_route(customer=customer, subject="Help", body="Ik kan niet inloggen")

    assert to_sales.department == sales and not to_sales.is_exception
    assert to_ict.department == ict and to_ict.priority == Priority.HIGH
    assert to_ict.sla_policy == SlaPolicy.objects.get(priority=Priority.HIGH, is_default=True)
    assert to_ict.routing_rule is not None


def test_rules_match_channel_topic_campaign_and_customer_facts(
    contact_center: Department, sales: Department, marketing: Department
) -> None:
    question = ProfileQuestionFactory(key="klanttype")
    business = CustomerFactory()
    ProfileFactFactory(customer=business, question=question, value="zakelijk")
    RoutingRuleFactory(order=1, match_fact_key="klanttype", match_fact_value="Zakelijk",
                       department=sales)  # fmt: skip
    RoutingRuleFactory(order=2, match_campaign=True, department=marketing)
    RoutingRuleFactory(order=3, match_channel=Channel.WHATSAPP, match_topic="return",
                       department=contact_center)  # fmt: skip
    consumer = CustomerFactory()

    assert case_route(customer=business, subject="x").department == sales
    assert case_route(customer=consumer, subject="x", campaign_code="ZOMER").department == marketing
    whatsapp_return = case_route(
        customer=consumer, subject="x", channel=Channel.WHATSAPP, topic="return"
    )
    assert whatsapp_return.department == contact_center and not whatsapp_return.is_exception
    # Channel alone is not enough for that rule.
    assert case_route(customer=consumer, subject="x", channel=Channel.WHATSAPP).is_exception


def test_no_match_goes_to_the_exception_queue_with_its_short_sla(
    contact_center: Department, sales: Department
) -> None:
    RoutingRuleFactory(match_words="factuur", department=sales)
    RoutingRuleFactory(match_words="hallo", department=sales, is_active=False)
    case = case_route(customer=CustomerFactory(), subject="Hallo?")
    assert case.is_exception
    assert case.department == contact_center
    assert case.sla_policy.name == "Exception queue"
    assert case.status == CaseStatus.NEW and case.owner is None
    assert case.resolution_due is not None
    assert case.resolution_due - case.created_at < dt.timedelta(hours=8, minutes=1)


def test_overrides_for_feedback_follow_up(sales: Department) -> None:
    RoutingRuleFactory(match_words="slecht", department=sales, priority=Priority.LOW)
    case = case_route(
        customer=CustomerFactory(), subject="Cijfer 3: slecht", priority=Priority.HIGH,
        resolution_due=timezone.now() + dt.timedelta(hours=48),
    )  # fmt: skip
    assert case.priority == Priority.HIGH and case.department == sales
    assert case.resolution_due is not None
    assert case.resolution_due - case.created_at == pytest.approx(
        dt.timedelta(hours=48), abs=dt.timedelta(seconds=5)
    )
    direct = case_route(customer=CustomerFactory(), subject="x", department=sales)
    assert direct.department == sales and direct.routing_rule is None and not direct.is_exception


def test_due_times_follow_the_department_business_hours(contact_center: Department) -> None:
    office = DepartmentFactory(code="office", name="Office")
    for day in range(5):
        OpeningHoursFactory(department=office, weekday=day, opens=dt.time(9), closes=dt.time(17))
    case = case_route(customer=CustomerFactory(), subject="x", department=office)
    assert case.first_response_due is not None
    local = case.first_response_due.astimezone(office.tz)
    # Normal: 8 business hours, so the answer is due within opening hours on a weekday.
    assert local.weekday() < 5 and dt.time(9) < local.time() <= dt.time(17)
    assert case.first_response_due - case.created_at >= dt.timedelta(hours=8)


# --- Intake through the signal ------------------------------------------------------------


def test_an_inbound_contact_moment_becomes_a_case(contact_center: Department) -> None:
    customer = CustomerFactory()
    interaction = _inbound(customer, subject="Waar is mijn pakket?", topic="delivery")
    case = Case.objects.get(customer=customer)
    assert case.origin_id == interaction.pk
    assert case.subject == "Waar is mijn pakket?" and case.topic == "delivery"
    assert CaseMessage.objects.filter(case=case, interaction=interaction).exists()
    # Routing the same moment again does nothing.
    assert interaction_route(interaction_id=interaction.pk) is None
    assert Case.objects.filter(customer=customer).count() == 1


def test_a_second_message_is_a_reply_on_the_open_case(contact_center: Department) -> None:
    customer = CustomerFactory()
    _inbound(customer, topic="delivery")
    other_topic = _inbound(customer, topic="invoice", subject="Factuur")
    case = Case.objects.get(customer=customer)
    reply = _inbound(customer, topic="delivery", subject="Re: pakket")
    assert Case.objects.filter(customer=customer).count() == 1
    assert set(case.messages.values_list("interaction_id", flat=True)) >= {
        other_topic.pk,
        reply.pk,
    }


def test_a_reply_picks_the_open_case_of_the_same_campaign(contact_center: Department) -> None:
    customer = CustomerFactory()
    first = case_route(customer=customer, subject="a", campaign_code="ZOMER")
    case_route(customer=customer, subject="b")
    reply = _inbound(customer, campaign_code="ZOMER")
    assert CaseMessage.objects.get(interaction=reply).case_id == first.pk


def test_the_open_case_found_prefers_the_campaign_then_the_topic_then_the_latest(
    contact_center: Department, django_assert_num_queries: Any
) -> None:
    customer = CustomerFactory()
    campaign = case_route(customer=customer, subject="a", campaign_code="ZOMER")
    topic = case_route(customer=customer, subject="b", topic="delivery")
    latest = case_route(customer=customer, subject="c")
    closed = case_route(customer=customer, subject="d", topic="invoice", campaign_code="WINTER")
    Case.objects.filter(pk=closed.pk).update(status=CaseStatus.CLOSED)

    def found(**kwargs: str) -> Case | None:
        message = InteractionFactory(customer=customer, **kwargs)
        return case_open_for(interaction=message, lock=True)

    assert found(campaign_code="ZOMER", topic="delivery") == campaign
    assert found(campaign_code="WINTER", topic="delivery") == topic
    assert found(topic="delivery") == topic
    assert found(campaign_code="WINTER", topic="invoice") == latest
    assert found() == latest
    message = InteractionFactory(customer=customer, topic="delivery")
    with django_assert_num_queries(1):
        case = case_open_for(interaction=message, lock=True)
        # Read with what a locked case is read with: nothing more to fetch.
        assert case is not None
        assert (case.department, case.sla_policy, case.customer) == (
            topic.department,
            topic.sla_policy,
            customer,
        )
        assert case.subject == "b" and case.status == topic.status
    Case.objects.filter(customer=customer).update(status=CaseStatus.RESOLVED)
    assert found() is None


@pytest.mark.parametrize(
    "changes",
    [
        {"direction": Direction.OUTBOUND},
        {"source": "survey"},
        {"agent": "agent"},
    ],
)
def test_outbound_survey_and_agent_logged_moments_make_no_case(
    changes: dict, agent: User, contact_center: Department
) -> None:
    if changes.get("agent"):
        changes = {**changes, "agent": agent}
    customer = CustomerFactory()
    _inbound(customer, **changes)
    assert not Case.objects.filter(customer=customer).exists()


def test_a_closed_case_does_not_swallow_a_new_message(contact_center: Department) -> None:
    customer = CustomerFactory()
    _inbound(customer)
    Case.objects.filter(customer=customer).update(status=CaseStatus.CLOSED)
    _inbound(customer, subject="Nieuwe vraag")
    assert Case.objects.filter(customer=customer).count() == 2
