"""Progressive profiling: the one next question, answers with history, and questions asked
again."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from contacts.models import AnswerType, Channel, FactAskedAgain, ProfileFact
from contacts.selectors.customers import profile_next_for
from contacts.services.profiling import FactOutcome, profile_fact_record
from contacts.tests.factories import (
    CustomerFactory,
    InteractionFactory,
    ProfileFactFactory,
    ProfileQuestionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    children = ProfileQuestionFactory(
        key="children", label_en="How many children?", answer_type=AnswerType.NUMBER, order=10
    )
    ages = ProfileQuestionFactory(
        key="children_ages", label_en="How old are they?", ask_after=children, order=20
    )
    hobbies = ProfileQuestionFactory(
        key="hobbies",
        label_en="Hobbies?",
        answer_type=AnswerType.CHOICE,
        choices="hardlopen\nlezen",
        order=30,
    )
    return children, ages, hobbies


def test_next_question_follows_the_order(catalogue) -> None:
    children, _ages, _hobbies = catalogue
    assert profile_next_for(customer=CustomerFactory()) == children


def test_follow_up_comes_after_its_question_is_answered(catalogue) -> None:
    children, ages, _hobbies = catalogue
    customer = CustomerFactory()
    ProfileFactFactory(customer=customer, question=children, value="2")
    assert profile_next_for(customer=customer) == ages


def test_follow_up_is_skipped_after_a_none_answer(catalogue) -> None:
    children, _ages, hobbies = catalogue
    customer = CustomerFactory()
    ProfileFactFactory(customer=customer, question=children, value="0")
    assert profile_next_for(customer=customer) == hobbies


def test_follow_up_waits_while_its_question_is_unanswered(catalogue) -> None:
    children, _ages, hobbies = catalogue
    children.is_active = False
    children.save()
    # "children" is no longer asked, so neither are the ages; hobbies is next.
    assert profile_next_for(customer=CustomerFactory()) == hobbies


def test_no_question_when_everything_is_known(catalogue) -> None:
    customer = CustomerFactory()
    for question, value in zip(catalogue, ["1", "4", "lezen"], strict=True):
        ProfileFactFactory(customer=customer, question=question, value=value)
    assert profile_next_for(customer=customer) is None


def test_first_answer_is_new(agent, catalogue) -> None:
    customer = CustomerFactory()
    result = profile_fact_record(
        customer=customer, question=catalogue[0], value=" 2 ", user=agent, channel="phone"
    )
    assert result.outcome == FactOutcome.NEW
    assert (result.fact.value, result.fact.recorded_by, result.fact.is_current) == (
        "2",
        agent,
        True,
    )


def test_same_answer_counts_as_asked_again_and_stores_nothing_new(agent, catalogue) -> None:
    customer = CustomerFactory()
    ProfileFactFactory(customer=customer, question=catalogue[0], value="2")
    result = profile_fact_record(customer=customer, question=catalogue[0], value="2", user=agent)
    assert result.outcome == FactOutcome.ASKED_AGAIN
    assert ProfileFact.objects.filter(customer=customer).count() == 1
    asked = FactAskedAgain.objects.get()
    assert (asked.customer, asked.question, asked.asked_by) == (customer, catalogue[0], agent)


def test_changed_answer_keeps_the_old_one_as_history(agent, catalogue) -> None:
    customer = CustomerFactory()
    old = ProfileFactFactory(customer=customer, question=catalogue[0], value="2")
    result = profile_fact_record(customer=customer, question=catalogue[0], value="3", user=agent)
    assert result.outcome == FactOutcome.CHANGED
    old.refresh_from_db()
    assert not old.is_current
    current = ProfileFact.objects.get(customer=customer, is_current=True)
    assert current.value == "3"
    assert not FactAskedAgain.objects.exists()


@pytest.mark.parametrize(
    ("answer_type", "choices", "raw", "stored"),
    [
        (AnswerType.NUMBER, "", "2,0", "2"),
        (AnswerType.YES_NO, "", "Ja", "yes"),
        (AnswerType.DATE, "", "2020-02-29", "2020-02-29"),
        (AnswerType.CHOICE, "hardlopen\nlezen", "LEZEN", "lezen"),
        (AnswerType.TEXT, "", "  twee   katten ", "twee katten"),
    ],
)
def test_answers_are_stored_in_one_form(agent, answer_type, choices, raw, stored) -> None:
    question = ProfileQuestionFactory(answer_type=answer_type, choices=choices)
    result = profile_fact_record(
        customer=CustomerFactory(), question=question, value=raw, user=agent
    )
    assert result.fact.value == stored


@pytest.mark.parametrize(
    ("answer_type", "choices", "raw"),
    [
        (AnswerType.NUMBER, "", "two"),
        (AnswerType.NUMBER, "", "-1"),
        (AnswerType.YES_NO, "", "maybe"),
        (AnswerType.DATE, "", "31-02-2020"),
        (AnswerType.CHOICE, "hardlopen\nlezen", "golf"),
        (AnswerType.TEXT, "", "   "),
        (AnswerType.TEXT, "", "x" * 501),
    ],
)
def test_bad_answers_are_refused_and_store_nothing(agent, answer_type, choices, raw) -> None:
    question = ProfileQuestionFactory(answer_type=answer_type, choices=choices)
    with pytest.raises(ValidationError):
        profile_fact_record(customer=CustomerFactory(), question=question, value=raw, user=agent)
    assert not ProfileFact.objects.exists()


def answer_url(customer) -> str:
    return reverse("contacts:customer_answer", args=[customer.pk])


def test_inline_answer_shows_the_next_question(agent_client, catalogue) -> None:
    customer = CustomerFactory()
    response = agent_client.post(
        answer_url(customer),
        {"question": catalogue[0].pk, "value": "2", "channel": "phone"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert "How old are they?" in body
    assert "Answer saved." in body
    assert ProfileFact.objects.get().source_channel == "phone"


def test_inline_same_answer_says_it_was_known(agent_client, catalogue) -> None:
    customer = CustomerFactory()
    ProfileFactFactory(customer=customer, question=catalogue[2], value="lezen")
    response = agent_client.post(
        answer_url(customer),
        {"question": catalogue[2].pk, "value": "lezen"},
        headers={"HX-Request": "true"},
    )
    assert "already told us" in response.content.decode()
    assert FactAskedAgain.objects.count() == 1


def test_inline_bad_answer_shows_the_error(agent_client, catalogue) -> None:
    customer = CustomerFactory()
    response = agent_client.post(
        answer_url(customer), {"question": catalogue[0].pk, "value": "veel"}
    )
    assert response.status_code == 400
    assert "Give a number." in response.content.decode()
    assert not ProfileFact.objects.exists()


@pytest.mark.parametrize("question", ["999999", "abc", ""])
def test_unknown_question_is_refused(agent_client, catalogue, question) -> None:
    response = agent_client.post(
        answer_url(CustomerFactory()), {"question": question, "value": "2"}
    )
    assert response.status_code == 400
    assert not ProfileFact.objects.exists()


def test_member_and_marketer_cannot_answer(member_client, marketer_client, catalogue) -> None:
    customer = CustomerFactory()
    for client in (member_client, marketer_client):
        response = client.post(answer_url(customer), {"question": catalogue[0].pk, "value": "1"})
        assert response.status_code == 404
    assert not ProfileFact.objects.exists()


def test_profile_question_is_editable_in_the_admin(admin_client, catalogue) -> None:
    response = admin_client.get(
        reverse("admin:contacts_profilequestion_change", args=[catalogue[1].pk])
    )
    assert response.status_code == 200
    assert "ask_after" in response.content.decode()


def _answer_select(body: str) -> str:
    match = re.search(r'<select name="value" id="id_answer"[^>]*>(.*?)</select>', body, re.S)
    assert match is not None
    return match.group(1)


def _channel_selected(body: str) -> str:
    match = re.search(r'<select name="channel" id="id_answer_channel">(.*?)</select>', body, re.S)
    assert match is not None
    selected = re.findall(r'<option value="([^"]*)" selected>', match.group(1))
    assert len(selected) <= 1
    return selected[0] if selected else ""


@pytest.mark.parametrize(
    ("answer_type", "choices"), [(AnswerType.YES_NO, ""), (AnswerType.CHOICE, "rood\ngroen")]
)
def test_a_yes_no_or_choice_question_has_nothing_preselected(
    agent_client, answer_type, choices
) -> None:
    ProfileQuestionFactory(key="pets", label_en="Pets?", answer_type=answer_type, choices=choices)
    customer = CustomerFactory()
    body = agent_client.get(reverse("contacts:customer", args=[customer.pk])).content.decode()
    options = _answer_select(body)
    assert options.startswith('<option value="" selected>')
    assert options.count(" selected") == 1


def test_saving_a_yes_no_question_without_a_choice_is_an_error_and_records_nothing(
    agent_client,
) -> None:
    question = ProfileQuestionFactory(key="pets", label_en="Pets?", answer_type=AnswerType.YES_NO)
    customer = CustomerFactory()
    response = agent_client.post(
        answer_url(customer),
        {"question": question.pk, "value": "", "channel": "phone"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Choose or give an answer; nothing was saved." in body
    assert "Answer saved." not in body
    assert not ProfileFact.objects.exists()
    assert not FactAskedAgain.objects.exists()


def test_the_agent_picks_the_answer_channel_and_it_is_stored_and_shown(
    agent_client, catalogue
) -> None:
    customer = CustomerFactory()
    response = agent_client.post(
        answer_url(customer),
        {"question": catalogue[0].pk, "value": "2", "channel": Channel.WHATSAPP},
        headers={"HX-Request": "true"},
    )
    assert ProfileFact.objects.get().source_channel == Channel.WHATSAPP
    body = response.content.decode()
    assert "WhatsApp" in body.split('id="next-question"')[0]
    # The next question starts on the channel just used.
    assert _channel_selected(body) == Channel.WHATSAPP


@pytest.mark.parametrize("channel", ["pigeon", Channel.NOTE])
def test_an_unknown_answer_channel_is_refused_and_records_nothing(
    agent_client, catalogue, channel
) -> None:
    response = agent_client.post(
        answer_url(CustomerFactory()),
        {"question": catalogue[0].pk, "value": "2", "channel": channel},
    )
    assert response.status_code == 400
    assert "Choose the channel the customer answered on." in response.content.decode()
    assert not ProfileFact.objects.exists()


def test_the_answer_channel_defaults_to_the_latest_contact_moment(agent_client, catalogue) -> None:
    customer = CustomerFactory()
    InteractionFactory(customer=customer, channel=Channel.EMAIL)
    InteractionFactory(customer=customer, channel=Channel.SMS)
    InteractionFactory(customer=customer, channel=Channel.NOTE)  # no contact with the customer
    page = reverse("contacts:customer", args=[customer.pk])
    assert _channel_selected(agent_client.get(page).content.decode()) == Channel.SMS
    # Also when the timeline on the page is filtered to another channel.
    filtered = agent_client.get(page, {"channel": Channel.EMAIL}).content.decode()
    assert _channel_selected(filtered) == Channel.SMS


def test_the_answer_channel_defaults_to_the_case_s_channel_when_asked(
    agent_client, catalogue
) -> None:
    customer = CustomerFactory()
    InteractionFactory(customer=customer, channel=Channel.SMS)
    page = reverse("contacts:customer", args=[customer.pk])
    body = agent_client.get(page, {"answer_channel": Channel.EMAIL}).content.decode()
    assert _channel_selected(body) == Channel.EMAIL
    bad = agent_client.get(page, {"answer_channel": "pigeon"}).content.decode()
    assert _channel_selected(bad) == Channel.SMS


def test_without_contact_moments_no_answer_channel_is_preselected(agent_client, catalogue) -> None:
    customer = CustomerFactory()
    body = agent_client.get(reverse("contacts:customer", args=[customer.pk])).content.decode()
    assert _channel_selected(body) == ""
