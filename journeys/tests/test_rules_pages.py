"""The routing rules page: who may use it, adding, editing, reordering, switching off, deleting."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from accounts.models import Department
from accounts.tests.factories import DepartmentFactory, UserFactory
from journeys.models import Priority, RoutingRule
from journeys.services import rules as services
from journeys.services.rules import routing_rule_move
from journeys.tests.factories import RoutingRuleFactory

pytestmark = pytest.mark.django_db

URL = reverse("journeys:rules")


def _valid(department: Department, **changes: str) -> dict[str, str]:
    data = {
        "name": "Facturen",
        "is_active": "on",
        "match_channel": "",
        "match_words": "factuur, betaling",
        "department": str(department.pk),
        "priority": Priority.NORMAL,
        "sla_policy": "",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("persona", ["agent", "member", "marketer", "outsider"])
def test_only_managers_reach_the_routing_rules(
    persona: str, request: pytest.FixtureRequest
) -> None:
    client: Client = request.getfixturevalue(f"{persona}_client")
    rule = RoutingRuleFactory()
    assert client.get(URL).status_code == 403
    assert client.get(reverse("journeys:rule_add")).status_code == 403
    assert client.get(reverse("journeys:rule_edit", args=[rule.pk])).status_code == 403
    response = client.post(reverse("journeys:rule_move", args=[rule.pk]), {"direction": "up"})
    assert response.status_code == 403
    response = client.post(reverse("journeys:rule_delete", args=[rule.pk]))
    assert response.status_code == 403
    assert RoutingRule.objects.filter(pk=rule.pk).exists()


def test_the_manager_sees_the_rules_in_the_order_they_are_tried(manager_client: Client) -> None:
    second = RoutingRuleFactory(name="Tweede", order=20)
    first = RoutingRuleFactory(name="Eerste", order=10)
    response = manager_client.get(URL)
    assert response.status_code == 200
    assert [r.pk for r in response.context["rules"]] == [first.pk, second.pk]
    assert "Eerste" in response.text


@pytest.mark.parametrize("rows", [1, 50])
def test_the_rules_page_costs_the_same_queries_for_one_rule_or_many(
    rows: int, manager_client: Client, sales: Department, django_assert_num_queries
) -> None:
    RoutingRuleFactory.create_batch(rows, department=sales)
    with django_assert_num_queries(5):
        response = manager_client.get(URL)
    assert len(response.context["rules"]) == rows


def test_a_new_rule_goes_after_the_existing_ones_with_its_words_trimmed(
    manager_client: Client, sales: Department
) -> None:
    RoutingRuleFactory(order=70)
    data = _valid(sales, match_words="  factuur ,betaling,, Factuur ,  te   veel betaald ")
    response = manager_client.post(reverse("journeys:rule_add"), data)
    assert response.status_code == 302
    rule = RoutingRule.objects.get(name="Facturen")
    assert rule.order == 80
    assert rule.match_words == "factuur, betaling, te veel betaald"
    assert rule.department == sales


def test_more_than_twenty_words_is_refused_and_nothing_is_saved(
    manager_client: Client, sales: Department
) -> None:
    words = ", ".join(f"woord{n}" for n in range(21))
    response = manager_client.post(reverse("journeys:rule_add"), _valid(sales, match_words=words))
    assert response.status_code == 400
    assert "At most 20 words" in response.text
    assert not RoutingRule.objects.exists()


def test_an_inactive_department_cannot_be_a_target(manager_client: Client) -> None:
    closed = DepartmentFactory(is_active=False)
    response = manager_client.post(reverse("journeys:rule_add"), _valid(closed))
    assert response.status_code == 400
    assert response.context["form"].errors["department"]
    assert not RoutingRule.objects.exists()


def test_a_rule_without_any_condition_is_refused(manager_client: Client, sales: Department) -> None:
    response = manager_client.post(reverse("journeys:rule_add"), _valid(sales, match_words=" , "))
    assert response.status_code == 400
    assert "at least one condition" in response.text
    assert not RoutingRule.objects.exists()


def test_a_fact_value_needs_the_fact_it_belongs_to(
    manager_client: Client, sales: Department
) -> None:
    data = _valid(sales, match_fact_value="ja")
    response = manager_client.post(reverse("journeys:rule_add"), data)
    assert response.status_code == 400
    assert response.context["form"].errors["match_fact_key"]


def test_the_manager_changes_a_rule(manager_client: Client, sales: Department) -> None:
    rule = RoutingRuleFactory(name="Oud", match_topic="invoice")
    data = _valid(sales, name="Nieuw", match_channel="whatsapp", priority=Priority.HIGH)
    response = manager_client.post(reverse("journeys:rule_edit", args=[rule.pk]), data)
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.name, rule.match_channel, rule.priority) == ("Nieuw", "whatsapp", Priority.HIGH)


def test_a_bad_edit_changes_nothing(manager_client: Client, sales: Department) -> None:
    rule = RoutingRuleFactory(name="Oud", match_topic="invoice")
    data = _valid(sales, name="", match_channel="pigeon")
    response = manager_client.post(reverse("journeys:rule_edit", args=[rule.pk]), data)
    assert response.status_code == 400
    assert set(response.context["form"].errors) >= {"name", "match_channel"}
    rule.refresh_from_db()
    assert rule.name == "Oud"


def test_an_unknown_rule_is_not_found(manager_client: Client) -> None:
    assert manager_client.get(reverse("journeys:rule_edit", args=[999])).status_code == 404
    response = manager_client.post(reverse("journeys:rule_move", args=[999]), {"direction": "up"})
    assert response.status_code == 404


def test_moving_a_rule_up_swaps_it_with_the_one_above_and_renumbers(
    manager_client: Client,
) -> None:
    a, b, c = (
        RoutingRuleFactory(order=5),
        RoutingRuleFactory(order=5),
        RoutingRuleFactory(order=9),
    )
    response = manager_client.post(reverse("journeys:rule_move", args=[c.pk]), {"direction": "up"})
    assert response.status_code == 302
    assert list(RoutingRule.objects.order_by("order").values_list("pk", "order")) == [
        (a.pk, 10),
        (c.pk, 20),
        (b.pk, 30),
    ]


def test_moving_the_last_rule_down_keeps_it_last() -> None:
    a, b = RoutingRuleFactory(order=10), RoutingRuleFactory(order=20)
    routing_rule_move(rule=b, direction="down")
    assert list(RoutingRule.objects.values_list("pk", flat=True)) == [a.pk, b.pk]


def test_moving_by_htmx_returns_only_the_list(manager_client: Client) -> None:
    a, b = RoutingRuleFactory(order=10), RoutingRuleFactory(order=20)
    response = manager_client.post(
        reverse("journeys:rule_move", args=[a.pk]),
        {"direction": "down"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "<h1>" not in response.text
    assert 'id="rules"' in response.text
    assert "HX-Request" in response["Vary"]
    assert [r.pk for r in response.context["rules"]] == [b.pk, a.pk]


def test_a_move_needs_a_direction_and_a_post(manager_client: Client) -> None:
    rule = RoutingRuleFactory(order=10)
    url = reverse("journeys:rule_move", args=[rule.pk])
    assert manager_client.get(url).status_code == 405
    assert manager_client.post(url, {"direction": "sideways"}).status_code == 400
    rule.refresh_from_db()
    assert rule.order == 10


def test_the_manager_switches_a_rule_off_and_on(manager_client: Client) -> None:
    rule = RoutingRuleFactory()
    url = reverse("journeys:rule_active", args=[rule.pk])
    assert manager_client.post(url, {"active": "0"}).status_code == 302
    rule.refresh_from_db()
    assert rule.is_active is False
    manager_client.post(url, {"active": "1"})
    rule.refresh_from_db()
    assert rule.is_active is True


def test_switching_needs_a_clear_value_and_a_post(manager_client: Client) -> None:
    rule = RoutingRuleFactory()
    url = reverse("journeys:rule_active", args=[rule.pk])
    assert manager_client.get(url).status_code == 405
    assert manager_client.post(url, {"active": "maybe"}).status_code == 400
    rule.refresh_from_db()
    assert rule.is_active is True


def test_deleting_asks_first_and_deletes_on_post(manager_client: Client) -> None:
    rule = RoutingRuleFactory(name="Weg ermee")
    url = reverse("journeys:rule_delete", args=[rule.pk])
    confirm = manager_client.get(url)
    assert confirm.status_code == 200
    assert "Weg ermee" in confirm.text
    assert RoutingRule.objects.filter(pk=rule.pk).exists()
    assert manager_client.post(url).status_code == 302
    assert not RoutingRule.objects.filter(pk=rule.pk).exists()


# --- The invariants live in the model, the services and the database ---------------------


def test_the_service_refuses_a_rule_without_a_condition(sales: Department) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.routing_rule_create(values={"name": "Alles", "department": sales})
    assert excinfo.value.messages == ["Give the rule at least one condition."]
    assert not RoutingRule.objects.exists()


def test_the_service_refuses_more_than_twenty_words(sales: Department) -> None:
    words = ", ".join(f"woord{n}" for n in range(21))
    with pytest.raises(ValidationError) as excinfo:
        services.routing_rule_create(
            values={"name": "Veel", "department": sales, "match_words": words}
        )
    assert excinfo.value.message_dict == {"match_words": ["At most 20 words, not 21."]}
    assert not RoutingRule.objects.exists()


def test_the_service_stores_twenty_words_normalised(sales: Department) -> None:
    words = ", ".join(f"woord{n}" for n in range(20)) + ", WOORD0"
    rule = services.routing_rule_create(
        values={"name": "Twintig", "department": sales, "match_words": words}
    )
    assert rule.match_words == ", ".join(f"woord{n}" for n in range(20))


def test_the_database_refuses_a_rule_without_a_condition(sales: Department) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        RoutingRule.objects.create(name="Alles", department=sales)


def test_the_database_refuses_more_than_twenty_words(sales: Department) -> None:
    words = ", ".join(f"woord{n}" for n in range(21))
    with pytest.raises(IntegrityError), transaction.atomic():
        RoutingRule.objects.create(name="Veel", department=sales, match_words=words)


def test_the_admin_cannot_save_a_rule_without_a_condition(
    client: Client, sales: Department
) -> None:
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
        reverse("admin:journeys_routingrule_add"),
        {"name": "Alles", "order": 10, "department": sales.pk, "priority": "normal"},
    )
    assert response.status_code == 200
    assert "Give the rule at least one condition." in response.text
    assert not RoutingRule.objects.exists()
