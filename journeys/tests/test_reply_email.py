"""An agent's reply from the case page leaves over real SMTP, threaded to the customer's
last e-mail, with the signed reply address and the case number in the subject."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Department, User
from contacts.models import Channel, DeliveryStatus, Direction, IdentityKind, Interaction
from contacts.replyaddress import reply_address_case
from contacts.services.interactions import interaction_record
from contacts.tests.factories import CustomerFactory, IdentityFactory
from journeys.models import CaseStatus
from journeys.services.cases import case_customer_replied
from journeys.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def test_a_reply_from_the_case_page_arrives_over_smtp_with_threading_headers(
    agent_client: Client,
    agent: User,
    contact_center: Department,
    smtp_server,
    outbound_worker: None,
    django_capture_on_commit_callbacks,
) -> None:
    customer = CustomerFactory(name="Anna de Jong")
    IdentityFactory(customer=customer, kind=IdentityKind.EMAIL, value="anna@example.nl")
    case = CaseFactory(customer=customer, department=contact_center, owner=agent,
                       status=CaseStatus.OPEN, subject="Pakket kwijt")  # fmt: skip
    for n, text in enumerate(["Waar is mijn pakket?", "Nog steeds niets."]):
        message = interaction_record(
            customer=customer,
            channel=Channel.EMAIL,
            direction=Direction.INBOUND,
            occurred_at=timezone.now(),
            body=text,
            message_id=f"<m{n}@mail.example.nl>",
        )
        case_customer_replied(case=case, interaction=message)

    with django_capture_on_commit_callbacks(execute=True):
        response = agent_client.post(
            reverse("journeys:case_reply", args=[case.pk]),
            {"reply-body": "Uw pakket komt morgen.", "reply-channel": "email"},
        )
    assert response.status_code == 302

    [received] = smtp_server.messages
    reply = Interaction.objects.get(direction=Direction.OUTBOUND)
    assert received["Message-ID"] == reply.message_id
    assert received["In-Reply-To"] == "<m1@mail.example.nl>"
    assert received["References"] == "<m0@mail.example.nl> <m1@mail.example.nl>"
    assert received["Subject"] == f"Re: Pakket kwijt [#{case.pk}]"
    assert received["To"] == "anna@example.nl"
    assert reply_address_case(received["Reply-To"]) == case.pk
    assert received["Reply-To"].endswith("@" + settings.CXCENTER_MAIL_ADDRESS.rpartition("@")[2])
    assert "Uw pakket komt morgen." in received.get_content()
    assert reply.delivery_status == DeliveryStatus.SENT


def test_the_reply_form_warns_when_the_address_bounced(
    agent_client: Client, agent: User, contact_center: Department
) -> None:
    customer = CustomerFactory()
    IdentityFactory(customer=customer, kind=IdentityKind.EMAIL, value="weg@example.nl",
                    bouncing_since=timezone.now())  # fmt: skip
    case = CaseFactory(customer=customer, department=contact_center, owner=agent,
                       status=CaseStatus.OPEN)  # fmt: skip
    page = agent_client.get(reverse("journeys:case", args=[case.pk]))
    assert "Mail to weg@example.nl has bounced since" in page.text


def test_a_failed_reply_shows_failed_with_its_reason_on_the_case(
    agent_client: Client, agent: User, contact_center: Department
) -> None:
    from contacts.tests.factories import InteractionFactory
    from journeys.models import CaseMessage

    case = CaseFactory(department=contact_center, owner=agent, status=CaseStatus.OPEN)
    failed = InteractionFactory(customer=case.customer, direction=Direction.OUTBOUND,
                                delivery_status=DeliveryStatus.FAILED,
                                delivery_error="550 no such user")  # fmt: skip
    CaseMessage.objects.create(case=case, interaction=failed)
    page = agent_client.get(reverse("journeys:case", args=[case.pk]))
    assert "Not delivered: 550 no such user" in page.text
    timeline = agent_client.get(reverse("contacts:customer", args=[case.customer_id]))
    assert "Not delivered: 550 no such user" in timeline.text
