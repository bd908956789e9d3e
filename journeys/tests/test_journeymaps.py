"""Journey maps: enrolling and moving customers, the stage × channel matrix, medians, the goal
and the pages."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contacts.models import Channel, Direction
from contacts.tests.factories import CustomerFactory, InteractionFactory
from journeys.models import Enrollment, GoalMetric, Journey, JourneyStage, StageChange
from journeys.selectors.journeymaps import journey_goal_progress, journey_map
from journeys.services.journeymaps import journey_enroll, journey_move
from journeys.tests.factories import JourneyFactory, JourneyStageFactory

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _day(n: float) -> dt.datetime:
    return T0 + dt.timedelta(days=n)


@pytest.fixture
def journey() -> Journey:
    journey = JourneyFactory(name="Nieuwe klant")
    for order, name, channels in [
        (1, "Oriëntatie", ["web", "email"]),
        (2, "Aankoop", ["web"]),
        (3, "Levering", ["email", "phone"]),
    ]:
        JourneyStageFactory(journey=journey, order=order, name=name, planned_channels=channels)
    return journey


def _stages(journey: Journey) -> list[JourneyStage]:
    return list(journey.stages.order_by("order"))


def test_moves_in_any_order_keep_the_history(journey: Journey) -> None:
    orient, _buy, deliver = _stages(journey)
    customer = CustomerFactory()
    enrollment = journey_enroll(
        journey=journey, customer=customer, stage=orient, by=None, at=_day(0)
    )
    journey_move(enrollment=enrollment, stage=deliver, by=None, at=_day(2))
    journey_move(enrollment=enrollment, stage=orient, by=None, at=_day(3))
    enrollment.refresh_from_db()
    assert enrollment.stage == orient
    history = list(
        StageChange.objects.filter(customer=customer).values_list(
            "stage__name", "entered_at", "left_at"
        )
    )
    assert history == [
        ("Oriëntatie", _day(0), _day(2)),
        ("Levering", _day(2), _day(3)),
        ("Oriëntatie", _day(3), None),
    ]


def test_invalid_enrollments_and_moves_are_refused(journey: Journey) -> None:
    orient, buy, _ = _stages(journey)
    other_stage = JourneyStageFactory()
    customer = CustomerFactory()
    with pytest.raises(ValidationError):
        journey_enroll(journey=journey, customer=customer, stage=other_stage, by=None)
    enrollment = journey_enroll(
        journey=journey, customer=customer, stage=orient, by=None, at=_day(0)
    )
    with pytest.raises(ValidationError):
        journey_enroll(journey=journey, customer=customer, stage=buy, by=None)
    with pytest.raises(ValidationError):
        journey_move(enrollment=enrollment, stage=orient, by=None)
    with pytest.raises(ValidationError):
        journey_move(enrollment=enrollment, stage=other_stage, by=None)
    with pytest.raises(ValidationError):
        journey_move(enrollment=enrollment, stage=buy, by=None, at=_day(-1))
    merged = CustomerFactory(merged_into=customer)
    with pytest.raises(ValidationError):
        journey_enroll(journey=journey, customer=merged, stage=orient, by=None)
    assert StageChange.objects.count() == 1


def test_the_matrix_shows_channels_used_while_in_each_stage(journey: Journey) -> None:
    orient, buy, _deliver = _stages(journey)
    a, b = CustomerFactory.create_batch(2)
    ea = journey_enroll(journey=journey, customer=a, stage=orient, by=None, at=_day(0))
    journey_move(enrollment=ea, stage=buy, by=None, at=_day(2))
    journey_enroll(journey=journey, customer=b, stage=orient, by=None, at=_day(1))
    for customer, channel, day in [
        (a, Channel.WEB, 0.5),  # orientation
        (a, Channel.WHATSAPP, 1),  # orientation, not planned
        (a, Channel.WEB, 3),  # purchase
        (b, Channel.EMAIL, 1.5),  # orientation
        (b, Channel.EMAIL, 0.5),  # before b enrolled: not counted
    ]:
        InteractionFactory(customer=customer, channel=channel, occurred_at=_day(day))
    result = journey_map(journey=journey)
    rows = {r.stage.name: r for r in result.rows}
    assert rows["Oriëntatie"].used == {"email": 1, "phone": 0, "whatsapp": 1, "web": 1}
    assert rows["Aankoop"].used["web"] == 1
    assert rows["Oriëntatie"].customers_now == 1
    assert rows["Aankoop"].customers_now == 1
    assert rows["Oriëntatie"].median_days == 2.0
    assert rows["Aankoop"].median_days is None
    assert [ch for ch, _ in result.channels] == ["email", "phone", "whatsapp", "web"]


def test_the_map_costs_four_queries(journey: Journey, django_assert_num_queries) -> None:
    with django_assert_num_queries(4):
        journey_map(journey=journey)


@pytest.mark.parametrize(
    "metric, expected",
    [
        (GoalMetric.COMPLETION, (3, 1)),
        (GoalMetric.REPEAT_PURCHASE, (3, 1)),
        (GoalMetric.RESPONSE, (3, 2)),
    ],
)
def test_the_goal_is_measured_from_data(journey: Journey, metric: str, expected: tuple) -> None:
    from contacts.models import Order

    journey.goal_metric = metric
    journey.goal_target = 30
    journey.save()
    orient, _buy, deliver = _stages(journey)
    a, b, c = CustomerFactory.create_batch(3)
    for customer, stage in [(a, deliver), (b, orient), (c, orient)]:
        journey_enroll(journey=journey, customer=customer, stage=stage, by=None, at=_day(0))
    for n in range(2):
        Order.objects.create(
            customer=a, source="shop", external_id=f"a{n}", product_sku="X", ordered_at=_day(n)
        )
    Order.objects.create(
        customer=b, source="shop", external_id="b", product_sku="X", ordered_at=_day(1)
    )
    InteractionFactory(customer=a, direction=Direction.INBOUND, occurred_at=_day(1))
    InteractionFactory(customer=b, direction=Direction.INBOUND, occurred_at=_day(2))
    InteractionFactory(customer=c, direction=Direction.INBOUND, occurred_at=_day(-1))
    InteractionFactory(customer=c, direction=Direction.OUTBOUND, occurred_at=_day(1))
    progress = journey_goal_progress(journey=journey)
    assert (progress.enrolled, progress.reached) == expected
    assert progress.value is not None
    assert progress.met == (progress.value >= 30)


@pytest.mark.parametrize("persona", ["agent", "member", "outsider"])
def test_journey_pages_are_for_marketers_and_managers(
    persona: str, request, journey: Journey
) -> None:
    client: Client = request.getfixturevalue(f"{persona}_client")
    assert client.get(reverse("journeys:journey_list")).status_code == 403
    assert client.get(reverse("journeys:journey_detail", args=[journey.pk])).status_code == 403
    response = client.post(reverse("journeys:journey_enroll", args=[journey.pk]), {"customer": 1})
    assert response.status_code == 403


def test_a_marketer_builds_a_journey_and_enrolls_a_customer(marketer_client: Client) -> None:
    response = marketer_client.post(
        reverse("journeys:journey_add"),
        {
            "name": "Na levering",
            "goal": "Meer herhaalaankopen",
            "goal_metric": GoalMetric.REPEAT_PURCHASE,
            "goal_target": "25",
            "goal_deadline": "2026-12-31",
        },
    )
    assert response.status_code == 302
    journey = Journey.objects.get()
    url = reverse("journeys:journey_stage_add", args=[journey.pk])
    for order, name in [(1, "Levering"), (2, "Gebruik")]:
        response = marketer_client.post(
            url,
            {
                "name": name,
                "order": order,
                "is_moment_of_truth": "on",
                "planned_channels": ["email", "phone"],
            },
        )
        assert response.status_code == 302
    assert marketer_client.post(url, {"name": "levering", "order": 3}).status_code == 400
    stage = journey.stages.get(name="Levering")
    assert stage.planned_channels == ["email", "phone"]
    customer = CustomerFactory()
    enroll = reverse("journeys:journey_enroll", args=[journey.pk])
    assert (
        marketer_client.post(enroll, {"customer": customer.pk, "stage": stage.pk}).status_code
        == 302
    )
    second = journey.stages.get(name="Gebruik")
    assert (
        marketer_client.post(enroll, {"customer": customer.pk, "stage": second.pk}).status_code
        == 302
    )
    assert Enrollment.objects.get().stage == second
    page = marketer_client.get(reverse("journeys:journey_detail", args=[journey.pk]))
    assert page.status_code == 200
    assert "moment of truth" in page.text


def test_bad_enrollment_input_changes_nothing(marketer_client: Client, journey: Journey) -> None:
    other_stage = JourneyStageFactory()
    stage = _stages(journey)[0]
    enroll = reverse("journeys:journey_enroll", args=[journey.pk])
    for data in [
        {"customer": "abc", "stage": stage.pk},
        {"customer": 999999, "stage": stage.pk},
        {"customer": CustomerFactory().pk, "stage": other_stage.pk},
        {},
    ]:
        assert marketer_client.post(enroll, data).status_code == 400
    assert not Enrollment.objects.exists()
    assert marketer_client.get(enroll).status_code == 405
    assert marketer_client.get(reverse("journeys:journey_detail", args=[999999])).status_code == 404
    assert (
        marketer_client.get(
            reverse("journeys:journey_stage_edit", args=[journey.pk, other_stage.pk])
        ).status_code
        == 404
    )


@pytest.mark.parametrize("rows", [1, 50])
def test_journey_list_queries_do_not_grow(
    rows: int, marketer_client: Client, django_assert_num_queries
) -> None:
    JourneyFactory.create_batch(rows)
    marketer_client.get(reverse("journeys:journey_list"))
    with django_assert_num_queries(2):
        assert marketer_client.get(reverse("journeys:journey_list")).status_code == 200


@pytest.mark.parametrize("rows", [1, 50])
def test_journey_detail_queries_do_not_grow_with_customers(
    rows: int, marketer_client: Client, journey: Journey, django_assert_num_queries
) -> None:
    stage = _stages(journey)[0]
    url = reverse("journeys:journey_detail", args=[journey.pk])
    marketer_client.get(url)
    for customer in CustomerFactory.create_batch(rows):
        journey_enroll(journey=journey, customer=customer, stage=stage, by=None)
        InteractionFactory(customer=customer, occurred_at=timezone.now())
    with django_assert_num_queries(11):
        assert marketer_client.get(url).status_code == 200


def test_the_service_refuses_a_stage_name_that_differs_only_in_case(journey: Journey) -> None:
    from journeys.services.journeymaps import journey_stage_save

    existing = journey.stages.get(name="Levering")
    with pytest.raises(ValidationError) as excinfo:
        journey_stage_save(
            journey=journey, values={"name": f"  {existing.name.upper()} ", "order": 9}
        )
    assert excinfo.value.messages == ["This journey already has a stage with that name."]
    assert journey.stages.filter(name__iexact=existing.name).count() == 1


def test_the_database_refuses_a_stage_name_that_differs_only_in_case(journey: Journey) -> None:
    from django.db import IntegrityError, transaction

    existing = journey.stages.get(name="Levering")
    with pytest.raises(IntegrityError), transaction.atomic():
        JourneyStage.objects.create(journey=journey, name=existing.name.upper(), order=9)


def test_another_journey_may_reuse_a_stage_name(journey: Journey) -> None:
    from journeys.services.journeymaps import journey_stage_save

    other = JourneyFactory()
    stage = journey_stage_save(journey=other, values={"name": "levering", "order": 1})
    assert stage.journey == other
