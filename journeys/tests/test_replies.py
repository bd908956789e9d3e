"""Replies from a case: preferred channel, consent, recorded as outbound and linked, sent
after commit through the outbound path, threaded; calls; canned replies filled in."""

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from accounts.models import Department, User
from contacts.backends import LocmemMessageBackend
from contacts.models import (
    Channel,
    ConsentStatus,
    DeliveryStatus,
    Direction,
    IdentityKind,
    Interaction,
)
from contacts.replyaddress import reply_address_for
from contacts.tests.factories import CustomerFactory, IdentityFactory
from journeys.models import CaseMessage, CaseStatus
from journeys.services.replies import (
    canned_reply_render,
    case_call_log,
    case_reply_send,
    reply_address_warning,
)
from journeys.tests.factories import CannedReplyFactory, CaseFactory

pytestmark = pytest.mark.django_db

LOCMEM = "contacts.backends.LocmemMessageBackend"


@pytest.fixture
def case(contact_center: Department, agent: User):
    customer = CustomerFactory(name="Anna de Jong")
    IdentityFactory(customer=customer, kind=IdentityKind.EMAIL, value="anna@example.nl")
    IdentityFactory(customer=customer, kind=IdentityKind.PHONE, value="+31612345678")
    return CaseFactory(customer=customer, department=contact_center, owner=agent,
                       status=CaseStatus.OPEN)  # fmt: skip


def _consent(customer, channel: str, status: str) -> None:
    from contacts.models import Consent

    Consent.objects.create(customer=customer, channel=channel, status=status,
                           changed_at=timezone.now())  # fmt: skip


@pytest.fixture
def sent_after_commit(django_capture_on_commit_callbacks, outbound_worker: None):
    """Replies in the test's block are handed to the provider when it ends (commit)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_an_email_reply_is_sent_recorded_and_linked(case, agent: User, sent_after_commit) -> None:
    with sent_after_commit():
        interaction = case_reply_send(case=case, by=agent, body="We sturen een nieuw pakket.")
        assert mail.outbox == []  # nothing leaves before the commit
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["anna@example.nl"]
    assert "We sturen een nieuw pakket." in mail.outbox[0].body
    assert interaction.direction == Direction.OUTBOUND
    assert interaction.channel == Channel.EMAIL
    assert interaction.agent_id == agent.pk and interaction.department_id == case.department_id
    assert CaseMessage.objects.filter(case=case, interaction=interaction).exists()
    case.refresh_from_db()
    assert case.first_responded_at == interaction.occurred_at
    assert case.status == CaseStatus.WAITING_CUSTOMER
    interaction.refresh_from_db()
    assert interaction.delivery_status == DeliveryStatus.SENT
    assert mail.outbox[0].extra_headers["Message-ID"] == interaction.message_id


@override_settings(CXCENTER_SMS_BACKEND=LOCMEM, CXCENTER_WHATSAPP_BACKEND=LOCMEM)
def test_the_preferred_channel_goes_through_the_pluggable_backend(
    case, agent: User, sent_after_commit
) -> None:
    LocmemMessageBackend.outbox.clear()
    case.customer.preferred_channel = Channel.WHATSAPP
    case.customer.save()
    with sent_after_commit():
        whatsapp = case_reply_send(case=case, by=agent, body="Uw pakket komt morgen.")
    assert LocmemMessageBackend.outbox == [
        {"channel": "whatsapp", "to": "+31612345678", "body": "Uw pakket komt morgen.",
         "id": LocmemMessageBackend.outbox[0]["id"]}
    ]  # fmt: skip
    assert not mail.outbox
    whatsapp.refresh_from_db()
    assert whatsapp.message_id == LocmemMessageBackend.outbox[0]["id"]
    # A chosen channel beats the preference.
    with sent_after_commit():
        case_reply_send(case=case, by=agent, body="Per mail", channel=Channel.EMAIL)
    assert len(mail.outbox) == 1


@override_settings(CXCENTER_SMS_BACKEND=LOCMEM)
def test_an_opted_out_channel_is_refused_and_nothing_is_sent(case, agent: User) -> None:
    LocmemMessageBackend.outbox.clear()
    _consent(case.customer, Channel.SMS, ConsentStatus.OPT_OUT)
    with pytest.raises(ValidationError) as error:
        case_reply_send(case=case, by=agent, body="Hallo", channel=Channel.SMS)
    assert "opted out" in error.value.message_dict["channel"][0]
    assert LocmemMessageBackend.outbox == []
    assert not Interaction.objects.filter(direction=Direction.OUTBOUND).exists()
    case.refresh_from_db()
    assert case.first_responded_at is None


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"body": "  "}, "body"),
        ({"body": "Hallo", "channel": Channel.PHONE}, "channel"),
        ({"body": "Hallo", "channel": Channel.INSTAGRAM}, "channel"),
    ],
)
def test_bad_replies_are_refused(case, agent: User, kwargs: dict, field: str) -> None:
    with pytest.raises(ValidationError) as error:
        case_reply_send(case=case, by=agent, **kwargs)
    assert field in error.value.message_dict
    assert not mail.outbox


def test_a_failing_provider_keeps_the_reply_on_the_case_marked_failed(
    case, agent: User, sent_after_commit, settings
) -> None:
    settings.MAILERS = {"default": {"BACKEND": "feedback.tests.broken_mail.BrokenBackend"}}
    with sent_after_commit():
        interaction = case_reply_send(case=case, by=agent, body="Komt eraan.")
    interaction.refresh_from_db()
    assert interaction.delivery_status == DeliveryStatus.FAILED
    assert "mail server down" in interaction.delivery_error
    assert interaction.outbound.attempts == settings.CXCENTER_SEND_ATTEMPTS
    assert CaseMessage.objects.filter(case=case, interaction=interaction).exists()


def test_an_email_reply_is_threaded_to_the_customers_last_message(
    case, agent: User, sent_after_commit
) -> None:
    from contacts.services.interactions import interaction_record
    from journeys.services.cases import case_customer_replied

    first = interaction_record(
        customer=case.customer, channel=Channel.EMAIL, direction=Direction.INBOUND,
        occurred_at=timezone.now(), body="Waar blijft mijn pakket?", message_id="<a1@mail.example>",
    )  # fmt: skip
    case_customer_replied(case=case, interaction=first)
    with sent_after_commit():
        case_reply_send(case=case, by=agent, body="Onderweg.", subject="Uw pakket")
    headers = mail.outbox[0].extra_headers
    assert headers["In-Reply-To"] == "<a1@mail.example>"
    assert headers["References"] == "<a1@mail.example>"
    assert mail.outbox[0].subject == f"Uw pakket [#{case.pk}]"
    assert mail.outbox[0].reply_to == [
        reply_address_for(case_id=case.pk, mailbox_address=settings.CXCENTER_MAIL_ADDRESS)
    ]


def test_a_bounced_address_warns_before_the_reply(case) -> None:
    from contacts.models import Identity

    assert reply_address_warning(case=case, channel=Channel.EMAIL) == ""
    Identity.objects.filter(value="anna@example.nl").update(bouncing_since=timezone.now())
    assert "anna@example.nl has bounced" in reply_address_warning(case=case, channel=Channel.EMAIL)
    assert reply_address_warning(case=case, channel=Channel.SMS) == ""


def test_no_address_for_the_channel_is_a_clear_error(agent: User, contact_center) -> None:
    case = CaseFactory(department=contact_center, owner=agent)
    with pytest.raises(ValidationError) as error:
        case_reply_send(case=case, by=agent, body="Hallo")
    assert "No E-mail address" in error.value.message_dict["channel"][0]


def test_a_logged_call_counts_as_a_response(case, agent: User) -> None:
    interaction = case_call_log(case=case, by=agent, body="Teruggebeld, opgelost")
    assert interaction.channel == Channel.PHONE and interaction.direction == Direction.OUTBOUND
    case.refresh_from_db()
    assert case.first_responded_at is not None
    assert not mail.outbox
    with pytest.raises(ValidationError):
        case_call_log(case=case, by=agent, body="x", channel=Channel.EMAIL)


def test_canned_replies_fill_in_their_placeholders(case) -> None:
    from contacts.tests.factories import OrderFactory

    OrderFactory(customer=case.customer, external_id="WS-1001")
    reply = CannedReplyFactory(
        department=case.department,
        body="Beste {customer_name}, zaak {case_number}, bestelling {order}.",
    )
    assert canned_reply_render(reply=reply, case=case) == (
        f"Beste Anna de Jong, zaak {case.pk}, bestelling WS-1001."
    )


def test_a_reply_page_post_without_an_address_for_the_channel_is_a_clear_400(
    agent_client, agent: User, contact_center
) -> None:
    customer = CustomerFactory(name="Bram Visser", preferred_channel="whatsapp")
    IdentityFactory(customer=customer, kind=IdentityKind.EMAIL, value="bram@example.nl")
    case = CaseFactory(customer=customer, department=contact_center, owner=agent,
                       status=CaseStatus.OPEN)  # fmt: skip

    response = agent_client.post(
        f"/cases/{case.pk}/reply/",
        {"reply-channel": "", "reply-subject": "", "reply-body": "Wij zoeken het uit."},
        secure=True,
    )

    assert response.status_code == 400
    assert "No WhatsApp address is known for this customer." in response.content.decode()
    assert not case.customer.interactions.filter(direction="out").exists()
