"""Segments: each condition evaluated in SQL, the form's validation, the pages and live count."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contacts.models import Channel, Consent, ConsentStatus, Order
from contacts.tests.factories import CustomerFactory, ProfileFactFactory, ProfileQuestionFactory
from journeys.forms_campaigns import SegmentForm
from journeys.models import Segment
from journeys.selectors.segments import segment_customers
from journeys.services.journeymaps import journey_enroll
from journeys.tests.factories import JourneyStageFactory, SegmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Known answers are cached per question; ids are reused between tests."""
    from django.core.cache import cache

    cache.clear()


def _ids(definition: dict) -> set[int]:
    return set(segment_customers(definition=definition).values_list("pk", flat=True))


def _order(customer, sku: str, days_ago: int = 30) -> None:
    Order.objects.create(
        customer=customer,
        source="shop",
        external_id=f"{customer.pk}-{sku}-{days_ago}",
        product_sku=sku,
        ordered_at=timezone.now() - dt.timedelta(days=days_ago),
    )


def test_fact_condition_matches_the_current_answer_only() -> None:
    question = ProfileQuestionFactory(key="children")
    two, three, old_two = CustomerFactory.create_batch(3)
    ProfileFactFactory(customer=two, question=question, value="2")
    ProfileFactFactory(customer=three, question=question, value="3")
    ProfileFactFactory(customer=old_two, question=question, value="2", is_current=False)
    assert _ids({"facts": [{"key": "children", "value": "2"}]}) == {two.pk}


def test_city_and_postcode_prefix() -> None:
    a = CustomerFactory(city="Utrecht", postcode="3511 AB")
    CustomerFactory(city="Utrecht", postcode="1011 AB")
    CustomerFactory(city="Amsterdam", postcode="3512 AB")
    assert _ids({"city": "utrecht", "postcode_prefix": "35"}) == {a.pk}


def test_bought_and_not_bought_products() -> None:
    boots, shoes, both = CustomerFactory.create_batch(3)
    _order(boots, "BOOT")
    _order(shoes, "SHOE")
    _order(both, "BOOT")
    _order(both, "SHOE")
    assert _ids({"bought_skus": ["BOOT"], "not_bought_skus": ["SHOE"]}) == {boots.pk}


def test_last_purchase_window() -> None:
    now = timezone.now()
    recent = CustomerFactory(last_purchase_at=now - dt.timedelta(days=5))
    old = CustomerFactory(last_purchase_at=now - dt.timedelta(days=400))
    CustomerFactory(last_purchase_at=None)
    cutoff = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    assert _ids({"last_purchase_before": cutoff}) == {old.pk}
    assert _ids({"last_purchase_after": cutoff}) == {recent.pk}


def test_journey_stage_and_consent() -> None:
    stage = JourneyStageFactory()
    inside, consented, neither = CustomerFactory.create_batch(3)
    journey_enroll(journey=stage.journey, customer=inside, stage=stage, by=None)
    Consent.objects.create(
        customer=consented,
        channel=Channel.EMAIL,
        status=ConsentStatus.OPT_IN,
        changed_at=timezone.now(),
    )
    Consent.objects.create(
        customer=neither,
        channel=Channel.EMAIL,
        status=ConsentStatus.OPT_OUT,
        changed_at=timezone.now(),
    )
    assert _ids({"journey_stage": stage.pk}) == {inside.pk}
    assert _ids({"consent_channel": "email"}) == {consented.pk}


def test_counting_a_segment_is_one_query(django_assert_num_queries) -> None:
    ProfileQuestionFactory(key="children")
    definition = {
        "facts": [{"key": "children", "value": "2"}],
        "city": "Utrecht",
        "bought_skus": ["A"],
        "not_bought_skus": ["B"],
        "journey_stage": 1,
        "consent_channel": "email",
    }
    with django_assert_num_queries(1):
        segment_customers(definition=definition).count()


def test_the_form_refuses_unknown_keys_bad_skus_and_reversed_dates() -> None:
    form = SegmentForm(
        {
            "name": "X",
            "fact_question_0": "nosuchkey",
            "fact_value_0": "1",
            "bought_skus": "ok, bad sku!",
            "last_purchase_after": "2026-05-01",
            "last_purchase_before": "2026-01-01",
        }
    )
    assert not form.is_valid()
    assert set(form.errors) == {"fact_question_0", "bought_skus", "last_purchase_before"}


def test_the_form_writes_only_filled_in_conditions() -> None:
    ProfileQuestionFactory(key="children")
    form = SegmentForm(
        {
            "name": "Gezinnen",
            "fact_question_0": "children",
            "fact_value_0": "2",
            "postcode_prefix": "35ab",
            "bought_skus": "A, A, B",
        }
    )
    assert form.is_valid(), form.errors
    assert form.definition == {
        "facts": [{"key": "children", "value": "2"}],
        "bought_skus": ["A", "B"],
        "postcode_prefix": "35AB",
    }


@pytest.mark.parametrize("persona", ["agent", "member", "outsider"])
def test_only_marketers_and_managers_reach_segments(persona: str, request) -> None:
    client: Client = request.getfixturevalue(f"{persona}_client")
    segment = SegmentFactory()
    assert client.get(reverse("journeys:segments")).status_code == 403
    assert client.get(reverse("journeys:segment_add")).status_code == 403
    assert (
        client.post(reverse("journeys:segment_edit", args=[segment.pk]), {"name": "Y"}).status_code
        == 403
    )
    assert client.get(reverse("journeys:segment_count")).status_code == 403


def test_a_marketer_creates_and_edits_a_segment(marketer_client: Client) -> None:
    ProfileQuestionFactory(key="children", label_en="How many children do you have?")
    response = marketer_client.post(
        reverse("journeys:segment_add"),
        {
            "name": "Gezinnen in Utrecht",
            "fact_question_0": "children",
            "fact_value_0": "2",
            "city": "Utrecht",
        },
    )
    assert response.status_code == 302
    segment = Segment.objects.get()
    assert segment.definition == {"facts": [{"key": "children", "value": "2"}], "city": "Utrecht"}
    response = marketer_client.get(reverse("journeys:segment_edit", args=[segment.pk]))
    assert '<option value="children" selected>How many children do you have?</option>' in (
        response.text
    )
    assert 'name="fact_value_0" value="2"' in response.text
    response = marketer_client.post(
        reverse("journeys:segment_edit", args=[segment.pk]), {"name": "Utrecht", "city": "Utrecht"}
    )
    assert response.status_code == 302
    segment.refresh_from_db()
    assert segment.definition == {"city": "Utrecht"}


def test_a_bad_segment_shows_errors_and_saves_nothing(marketer_client: Client) -> None:
    response = marketer_client.post(
        reverse("journeys:segment_add"), {"name": "", "fact_value_0": "x"}
    )
    assert response.status_code == 400
    assert not Segment.objects.exists()


def test_the_live_count_follows_the_form(marketer_client: Client) -> None:
    CustomerFactory.create_batch(2, city="Utrecht")
    CustomerFactory(city="Delft")
    url = reverse("journeys:segment_count")
    response = marketer_client.get(url, {"city": "Utrecht"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "2 customers" in response.text
    assert "<form" not in response.text
    assert response["Vary"].count("HX-Request") == 1
    bad = marketer_client.get(url, {"postcode_prefix": "!!"}, headers={"HX-Request": "true"})
    assert bad.status_code == 422


def test_unknown_segment_is_404(marketer_client: Client) -> None:
    assert marketer_client.get(reverse("journeys:segment_edit", args=[999999])).status_code == 404


@pytest.mark.parametrize("rows", [1, 50])
def test_segment_list_queries_do_not_grow(
    rows: int, marketer_client: Client, django_assert_num_queries
) -> None:
    question = ProfileQuestionFactory(key="pets", label_en="Do you have a pet?")
    stage = JourneyStageFactory()
    SegmentFactory.create_batch(
        rows,
        definition={"facts": [{"key": question.key, "value": "yes"}], "journey_stage": stage.pk},
    )
    marketer_client.get(reverse("journeys:segments"))  # warm the session and permission caches
    # The three of the page, then the labels of the questions and stages the conditions use.
    with django_assert_num_queries(4):
        assert marketer_client.get(reverse("journeys:segments")).status_code == 200


# --- The rule builder ------------------------------------------------------------------


def test_questions_are_offered_by_their_label_and_choice_answers_as_a_list(
    marketer_client: Client,
) -> None:
    ProfileQuestionFactory(
        key="hobbies",
        label_en="What are your hobbies?",
        answer_type="choice",
        choices="hardlopen\nwandelen",
    )
    response = marketer_client.get(
        reverse("journeys:segment_answers"), {"fact_question_0": "hobbies", "row": "0"}
    )
    assert response.status_code == 200
    assert '<select name="fact_value_0"' in response.text
    assert '<option value="hardlopen">hardlopen</option>' in response.text
    page = marketer_client.get(reverse("journeys:segment_add"))
    assert '<option value="hobbies">What are your hobbies?</option>' in page.text
    assert "question key" not in page.text


def test_a_text_question_offers_the_most_frequent_answers(marketer_client: Client) -> None:
    question = ProfileQuestionFactory(key="children_ages", answer_type="text")
    for value in ["4 en 6", "4 en 6", "2"]:
        ProfileFactFactory(question=question, value=value)
    response = marketer_client.get(
        reverse("journeys:segment_answers"), {"fact_question_1": "children_ages", "row": "1"}
    )
    assert 'list="answers-1"' in response.text
    options = response.text.split('<datalist id="answers-1">')[1].split("</datalist>")[0]
    assert options == '<option value="4 en 6"><option value="2">'


def test_an_unknown_rule_row_is_refused(marketer_client: Client) -> None:
    response = marketer_client.get(reverse("journeys:segment_answers"), {"row": "99"})
    assert response.status_code == 400


def test_an_invalid_rule_shows_its_error_beside_it_and_clears_the_count(
    marketer_client: Client,
) -> None:
    ProfileQuestionFactory(key="children", answer_type="number")
    CustomerFactory()
    response = marketer_client.get(
        reverse("journeys:segment_count"),
        {"fact_question_0": "children", "fact_value_0": "many"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert "Correct the conditions to see the count." in response.text
    errors = response.text.split('id="errors-rule-0" hx-swap-oob="true">')[1].split("</div>")[0]
    assert "Give a number." in errors
    assert "customer" not in response.text.split('id="segment-count"')[1].split("</p>")[0]


def test_a_rule_without_an_answer_is_left_out_of_the_live_count_but_not_saved(
    marketer_client: Client,
) -> None:
    ProfileQuestionFactory(key="children", answer_type="number")
    CustomerFactory.create_batch(2)
    count = marketer_client.get(
        reverse("journeys:segment_count"),
        {"fact_question_0": "children"},
        headers={"HX-Request": "true"},
    )
    assert count.status_code == 200
    assert "2 customers" in count.text
    saved = marketer_client.post(
        reverse("journeys:segment_add"), {"name": "Half", "fact_question_0": "children"}
    )
    assert saved.status_code == 400
    assert "Choose or type an answer." in saved.text
    assert not Segment.objects.exists()


def test_the_same_question_twice_is_refused() -> None:
    ProfileQuestionFactory(key="pets", answer_type="yes_no")
    form = SegmentForm(
        {
            "name": "X",
            "fact_question_0": "pets",
            "fact_value_0": "ja",
            "fact_question_1": "pets",
            "fact_value_1": "nee",
        }
    )
    assert not form.is_valid()
    assert list(form.errors) == ["fact_question_1"]


def test_the_live_count_request_carries_no_csrf_token(marketer_client: Client) -> None:
    page = marketer_client.get(reverse("journeys:segment_add")).text
    conditions = page.split('class="conditions"')[1].split(">")[0]
    assert f'hx-get="{reverse("journeys:segment_count")}"' in conditions
    assert 'hx-params="not csrfmiddlewaretoken"' in conditions


def test_the_list_names_the_question_not_its_key(marketer_client: Client) -> None:
    ProfileQuestionFactory(key="pets", label_en="Do you have a pet?")
    SegmentFactory(definition={"facts": [{"key": "pets", "value": "yes"}]})
    response = marketer_client.get(reverse("journeys:segments"))
    assert "Do you have a pet?: yes" in response.text
