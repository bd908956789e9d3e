"""The public survey page: no login, the customer's language, one answer, friendly errors."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contacts.models import Interaction
from feedback.models import AspectScore, Invitation, InvitationStatus, Response, SurveyKind
from feedback.tests.factories import SurveyAspectFactory, SurveyFactory
from feedback.tests.helpers import sent_invitation

pytestmark = pytest.mark.django_db


def _url(token: str) -> str:
    return reverse("survey:answer", kwargs={"token": token})


@pytest.fixture
def survey():
    survey = SurveyFactory(kind=SurveyKind.NPS)
    SurveyAspectFactory(survey=survey, key="delivery", label_nl="Bezorging", label_en="Delivery")
    return survey


def test_page_opens_without_login_in_the_customers_language(survey, customer) -> None:
    invitation, token = sent_invitation(survey=survey, customer=customer)
    response = Client().get(_url(token))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="nl">' in html
    assert "Hoe waarschijnlijk is het dat u ons aanbeveelt?" in html
    assert "<fieldset" in html and "<legend>" in html
    assert html.count('type="radio" name="score"') == 11
    assert "Bezorging" in html
    assert "<style" not in html and " style=" not in html
    assert "csrfmiddlewaretoken" in html
    invitation.refresh_from_db()
    assert invitation.opened_at is not None


def test_answer_is_stored_on_the_timeline_and_thanked(survey, customer) -> None:
    invitation, token = sent_invitation(survey=survey, customer=customer)
    aspect = survey.aspects.get()
    response = Client().post(
        _url(token),
        {"score": "9", f"aspect_{aspect.pk}": "8", "comment": "Snelle levering, prima!"},
    )
    assert response.status_code == 200
    # The customer's language (Dutch) is the page's language.
    assert "Uw antwoord is ontvangen." in response.content.decode()
    answer = Response.objects.get()
    assert (answer.score, answer.sentiment, answer.is_unhappy) == (9, "positive", False)
    assert answer.customer == customer
    assert AspectScore.objects.get().score == 8
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ANSWERED
    moment = Interaction.objects.get(source="survey")
    assert (moment.channel, moment.direction, moment.topic) == ("web", "in", "feedback")
    assert moment.external_id == str(invitation.pk)
    assert moment.body == "Snelle levering, prima!"
    assert answer.interaction == moment


def test_second_submit_says_already_answered_and_changes_nothing(survey, customer) -> None:
    _invitation, token = sent_invitation(survey=survey, customer=customer)
    client = Client()
    client.post(_url(token), {"score": "9"})
    again = client.post(_url(token), {"score": "1", "comment": "slecht"})
    assert again.status_code == 409
    assert Response.objects.get().score == 9
    assert Interaction.objects.count() == 1
    assert client.get(_url(token)).status_code == 200


def test_expired_link_is_a_friendly_410(survey, customer) -> None:
    invitation, token = sent_invitation(survey=survey, customer=customer)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert Client().get(_url(token)).status_code == 410
    assert Client().post(_url(token), {"score": "9"}).status_code == 410
    assert not Response.objects.exists()


def test_unknown_token_is_a_friendly_404(db: None) -> None:
    response = Client().get(_url("not-a-real-token"))
    assert response.status_code == 404
    assert "not (or no longer) valid" in response.content.decode()


def test_bad_score_is_a_form_error(survey, customer) -> None:
    _invitation, token = sent_invitation(survey=survey, customer=customer)
    for data in ({"score": "11"}, {"score": "abc"}, {}, {"score": "5", "comment": "x" * 3000}):
        response = Client().post(_url(token), data)
        assert response.status_code == 400
    assert not Response.objects.exists()
    assert Invitation.objects.get().status == InvitationStatus.SENT


def test_csat_scale_is_one_to_five(customer) -> None:
    survey = SurveyFactory(kind=SurveyKind.CSAT)
    _invitation, token = sent_invitation(survey=survey, customer=customer)
    assert Client().post(_url(token), {"score": "0"}).status_code == 400
    assert Client().post(_url(token), {"score": "5"}).status_code == 200


def test_post_needs_the_csrf_token(survey, customer) -> None:
    _invitation, token = sent_invitation(survey=survey, customer=customer)
    response = Client(enforce_csrf_checks=True).post(_url(token), {"score": "9"})
    assert response.status_code == 403
    assert not Response.objects.exists()


def test_rate_limit_answers_429(survey, customer, settings) -> None:
    settings.FEEDBACK_SURVEY_RATE_LIMIT = 5
    client = Client()
    codes = [client.get(_url("unknown")).status_code for _ in range(7)]
    assert codes == [404] * 5 + [429] * 2
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.get(_url("unknown")).status_code == 404


def test_other_http_methods_are_refused(survey, customer) -> None:
    _invitation, token = sent_invitation(survey=survey, customer=customer)
    assert Client().put(_url(token)).status_code == 405


def test_the_survey_page_carries_the_organisations_name_and_logo(client, settings, db) -> None:
    from contacts.tests.factories import CustomerFactory
    from feedback.tests.factories import SurveyFactory
    from feedback.tests.helpers import sent_invitation

    settings.CXCENTER_ORGANISATION_NAME = "Schoenen.nl"
    settings.CXCENTER_ORGANISATION_LOGO_URL = "https://cdn.example.com/logo.svg"
    _invitation, token = sent_invitation(
        survey=SurveyFactory(), customer=CustomerFactory(language="en")
    )
    response = client.get(f"/s/{token}/")
    assert response.status_code == 200
    head = response.text.split('<header class="fb-public-head">')[1].split("</header>")[0]
    assert '<img class="fb-logo" src="https://cdn.example.com/logo.svg"' in head
    assert '<span class="fb-org">Schoenen.nl</span>' in head
    assert "cxcenter" not in head
