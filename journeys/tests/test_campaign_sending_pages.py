"""The send counts on the campaign page and the unwarned figure on the campaign list."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contacts.models import Channel, Direction, IdentityKind
from contacts.services.interactions import interaction_record
from contacts.tests.factories import CustomerFactory, IdentityFactory
from journeys.models import Campaign, CampaignStatus
from journeys.services import campaign_sending as sending
from journeys.tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


def _sent_campaign(recipients: int) -> Campaign:
    now = timezone.now()
    campaign = CampaignFactory(
        status=CampaignStatus.LIVE,
        launch_at=now - dt.timedelta(hours=1),
        end_at=now + dt.timedelta(days=7),
        message_body="Hallo {name}",
        reminder_1_days=3,
        reminder_1_body="Nog even",
        acknowledged_at=now,
    )
    for _i in range(recipients):
        IdentityFactory(customer=CustomerFactory(), kind=IdentityKind.EMAIL)
    sending.campaign_recipients_plan(campaign=campaign)
    sending.campaign_batch_send(campaign_id=campaign.pk)
    return campaign


def test_the_campaign_page_loads_the_send_counts(marketer_client: Client) -> None:
    campaign = _sent_campaign(2)
    page = marketer_client.get(reverse("journeys:campaign_detail", args=[campaign.pk]))
    url = reverse("journeys:campaign_sending", args=[campaign.pk])
    assert f'hx-get="{url}"' in page.content.decode()
    response = marketer_client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<tr data-step="0">' in html and '<tr data-step="1">' in html
    assert '<td class="sent">2</td>' in html
    assert "<html" not in html  # the partial only
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize("recipients", [1, 50])
def test_send_counts_in_a_constant_number_of_queries(
    marketer_client: Client, django_assert_num_queries: object, recipients: int
) -> None:
    campaign = _sent_campaign(recipients)
    url = reverse("journeys:campaign_sending", args=[campaign.pk])
    # Constant: user and permissions, the campaign, one grouped count.
    with django_assert_num_queries(6):  # type: ignore[operator]
        response = marketer_client.get(url, headers={"HX-Request": "true"})
    assert f'<td class="sent">{recipients}</td>' in response.content.decode()


def test_send_counts_refuse_outsiders_unknown_ids_and_posts(
    outsider_client: Client, marketer_client: Client
) -> None:
    campaign = _sent_campaign(1)
    url = reverse("journeys:campaign_sending", args=[campaign.pk])
    assert outsider_client.get(url).status_code == 403
    assert (
        marketer_client.get(reverse("journeys:campaign_sending", args=[999999])).status_code == 404
    )
    assert marketer_client.post(url).status_code == 405


def test_managers_see_the_unwarned_figure_on_the_campaign_list(manager_client: Client) -> None:
    for code in ("nobody-told-us", "nobody-told-us", "other"):
        interaction_record(
            customer=CustomerFactory(),
            channel=Channel.PHONE,
            direction=Direction.INBOUND,
            occurred_at=timezone.now() - dt.timedelta(days=10),
            campaign_code=code,
        )
    listing = manager_client.get(reverse("journeys:campaigns"))
    assert reverse("journeys:campaign_unwarned") in listing.content.decode()
    response = manager_client.get(
        reverse("journeys:campaign_unwarned"), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "0 in the last 7 days, 3 in the last 30 days" in response.content.decode()


def test_the_unwarned_figure_is_for_managers_only(marketer_client: Client) -> None:
    assert marketer_client.get(reverse("journeys:campaign_unwarned")).status_code == 403
    listing = marketer_client.get(reverse("journeys:campaigns"))
    assert reverse("journeys:campaign_unwarned") not in listing.content.decode()


def _campaign_form(segment_pk: int, **changes: str) -> dict[str, str]:
    from journeys.tests.test_campaign_pages import _form

    return {
        **_form(segment_pk),
        "message_subject": "Winterjas voor {first_name}",
        "message_body": "Beste {name}, 20% korting.",
        "reminder_1_days": "3",
        "reminder_1_body": "Nog niet gezien?",
        "reminder_2_days": "",
        "reminder_2_body": "",
        **changes,
    }


def test_the_campaign_form_has_the_message_and_reminders(marketer_client: Client) -> None:
    from journeys.tests.factories import SegmentFactory

    segment = SegmentFactory()
    add = reverse("journeys:campaign_add")
    assert 'name="reminder_2_body"' in marketer_client.get(add).text
    response = marketer_client.post(add, _campaign_form(segment.pk))
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert (campaign.message_body, campaign.reminder_1_days, campaign.reminder_2_days) == (
        "Beste {name}, 20% korting.",
        3,
        None,
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"reminder_1_body": ""},  # a delay without a text
        {"reminder_1_days": "0"},
        {"reminder_1_days": "drie"},
        {
            "reminder_2_days": "5",
            "reminder_2_body": "x",
            "reminder_1_days": "",
            "reminder_1_body": "",
        },
        {"message_body": "x" * 10_001},
    ],
)
def test_bad_message_fields_save_nothing(marketer_client: Client, changes: dict[str, str]) -> None:
    from journeys.tests.factories import SegmentFactory

    segment = SegmentFactory()
    response = marketer_client.post(
        reverse("journeys:campaign_add"), _campaign_form(segment.pk, **changes)
    )
    assert response.status_code == 400
    assert not Campaign.objects.exists()
