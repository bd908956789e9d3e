"""Settings → Channels: who may see it, what it shows per provider (configured, sent today,
failed sends with reasons and customers), the test message through the outbound path, and
a query count that does not grow with the failures."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Department, User
from accounts.roles import Role
from accounts.tests.factories import UserFactory
from contacts.models import (
    Channel,
    DeliveryStatus,
    Direction,
    Identity,
    IdentityKind,
    Interaction,
    OutboundKind,
)
from contacts.tests.factories import CustomerFactory, InteractionFactory

pytestmark = pytest.mark.django_db
PAGE = "/channels/"
TEST = "/channels/test/"


@pytest.fixture
def admin_client(db: None) -> Client:
    client = Client()
    client.force_login(UserFactory(username="admin", department=None, roles=[Role.ADMIN]))
    return client


def _failed(
    customer=None, *, channel: str = Channel.SMS, department=None, error: str = "21211 bad number"
):
    return InteractionFactory(
        customer=customer or CustomerFactory(name="Kees Smit"),
        channel=channel,
        direction=Direction.OUTBOUND,
        delivery_status=DeliveryStatus.FAILED,
        delivery_error=error,
        delivery_updated_at=timezone.now(),
        department=department,
        occurred_at=timezone.now(),
    )


def test_the_urls_and_the_link_from_settings(manager_client: Client) -> None:
    assert reverse("channels:settings") == PAGE
    assert reverse("channels:test") == TEST
    assert f'href="{PAGE}"' in manager_client.get(reverse("accounts:settings")).text


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("manager_client", 200),
        ("admin_client", 200),
        ("agent_client", 403),
        ("member_client", 403),
        ("marketer_client", 403),
        ("outsider_client", 403),
    ],
)
def test_only_managers_and_admins_see_the_page(request, persona: str, status: int) -> None:
    assert request.getfixturevalue(persona).get(PAGE).status_code == status


@pytest.mark.parametrize(
    "persona", ["agent_client", "member_client", "marketer_client", "outsider_client"]
)
def test_only_managers_and_admins_send_test_messages(request, persona: str) -> None:
    client = request.getfixturevalue(persona)
    answer = client.post(TEST, {"channel": "email", "address": "me@example.nl"})
    assert answer.status_code == 403
    assert not Interaction.objects.exists()


def test_anonymous_visitors_are_sent_to_the_login(client: Client) -> None:
    assert client.get(PAGE).status_code == 302
    assert client.post(TEST, {"channel": "email", "address": "me@example.nl"}).status_code == 302


def test_the_page_shows_each_provider_with_its_state(manager_client: Client, settings) -> None:
    settings.TWILIO_ACCOUNT_SID = "AC123"
    settings.TWILIO_AUTH_TOKEN = "secret-token-value"
    settings.WHATSAPP_TOKEN = ""
    failed = _failed()
    text = manager_client.get(PAGE).text
    for label in ("E-mail", "SMS", "WhatsApp"):
        assert f"{label} <span" in text
    assert "not configured" in text  # WhatsApp
    assert "21211 bad number" in text
    assert reverse("contacts:customer", args=[failed.customer_id]) in text
    assert "secret-token-value" not in text


def test_sent_today_counts_delivered_messages_per_channel(admin_client: Client) -> None:
    from contacts.selectors.channels import channel_overview

    for status in (DeliveryStatus.SENT, DeliveryStatus.READ, DeliveryStatus.QUEUED):
        InteractionFactory(channel=Channel.WHATSAPP, direction=Direction.OUTBOUND,
                           delivery_status=status, occurred_at=timezone.now())  # fmt: skip
    admin = User.objects.get(username="admin")
    states = {s.channel: s for s in channel_overview(user=admin)}
    assert states[Channel.WHATSAPP].sent_today == 2
    assert states[Channel.EMAIL].sent_today == 0


def test_a_manager_sees_their_departments_failures_not_anothers(
    manager_client: Client, admin_client: Client, sales: Department
) -> None:
    _failed(department=sales, error="sales-only failure")
    assert "sales-only failure" not in manager_client.get(PAGE).text
    assert "sales-only failure" in admin_client.get(PAGE).text


def test_a_test_message_goes_through_the_outbound_path(
    manager_client: Client, django_capture_on_commit_callbacks, outbound_worker: None
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        answer = manager_client.post(TEST, {"channel": "email", "address": "Me@Example.nl"})
    assert answer.status_code == 302
    [message] = mail.outbox
    assert message.to == ["me@example.nl"]
    interaction = Interaction.objects.get()
    assert interaction.outbound.kind == OutboundKind.TEST
    assert interaction.delivery_status == DeliveryStatus.SENT
    assert Identity.objects.get().value == "me@example.nl"
    page = manager_client.get(PAGE).text
    assert "me@example.nl" in page and "Recent test messages" in page


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"channel": "email", "address": "not an address"}, "is not an e-mail address"),
        ({"channel": "sms", "address": "12"}, "is not"),
        ({"channel": "pigeon", "address": "me@example.nl"}, "Select a valid choice"),
        ({"channel": "email"}, "This field is required"),
        ({"channel": "email", "address": "x" * 300}, "at most 254"),
    ],
)
def test_bad_test_messages_are_refused_and_change_nothing(
    manager_client: Client, data: dict, error: str
) -> None:
    answer = manager_client.post(TEST, data)
    assert answer.status_code == 400
    assert error in answer.text
    assert not Interaction.objects.exists()
    assert not Identity.objects.exists()


def test_a_test_message_to_an_opted_out_address_is_refused(manager_client: Client) -> None:
    from contacts.tests.factories import ConsentFactory, IdentityFactory

    customer = CustomerFactory()
    IdentityFactory(customer=customer, kind=IdentityKind.EMAIL, value="no@example.nl")
    ConsentFactory(customer=customer, channel=Channel.EMAIL, status="out")
    answer = manager_client.post(TEST, {"channel": "email", "address": "no@example.nl"})
    assert answer.status_code == 400
    assert "opted out" in answer.text
    assert not Interaction.objects.exists()


def test_the_test_form_is_post_only(manager_client: Client) -> None:
    assert manager_client.get(TEST).status_code == 405


@pytest.mark.parametrize("rows", [1, 50])
def test_the_page_queries_do_not_grow_with_failures(
    rows: int, manager_client: Client, manager: User, django_assert_num_queries
) -> None:
    customer = CustomerFactory()
    for n in range(rows):
        _failed(customer, channel=[Channel.EMAIL, Channel.SMS, Channel.WHATSAPP][n % 3])
    # user, roles; sent today, failed counts, three failure lists; test messages.
    with django_assert_num_queries(8):
        assert manager_client.get(PAGE).status_code == 200
