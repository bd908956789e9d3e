"""Acknowledgement of receipt: when one is due, what it says, and never twice."""

from unittest import mock

import pytest
from django.utils import timezone

from contacts.mail.acknowledge import acknowledgement_compose, mail_acknowledge
from contacts.mail.ingest import mail_ingest
from contacts.mail.models import EmailDetail
from contacts.models import Identity
from contacts.tests.factories import MailboxFactory

from .conftest import eml_bytes

pytestmark = pytest.mark.django_db


def stored(name: str = "apple_mail.eml", **mailbox) -> EmailDetail:
    MailboxFactory(address="support@cxcenter.test", **{"acknowledge": True, **mailbox})
    interaction = mail_ingest(raw=eml_bytes(name)).interaction
    assert interaction is not None
    return EmailDetail.objects.select_related("mailbox", "interaction").get(pk=interaction.pk)


def test_the_acknowledgement_carries_the_case_number_in_subject_and_text() -> None:
    ack = acknowledgement_compose(detail=stored(), case_number=42)
    assert ack is not None
    assert (ack.to, ack.from_address, ack.subject, " 42." in ack.body) == (
        "henk.bakker@icloud.com",
        "support@cxcenter.test",
        "Re: Re: Afspraak monteur (zaak 42)",
        True,
    )


def test_the_mailbox_text_is_filled_in() -> None:
    detail = stored(acknowledgement_text="Bedankt! Zaak {case_number}: {subject}")
    ack = acknowledgement_compose(detail=detail, case_number=7)
    assert ack is not None
    assert ack.body == "Bedankt! Zaak 7: Re: Afspraak monteur"


def test_it_answers_the_customers_message() -> None:
    ack = acknowledgement_compose(detail=stored(), case_number=1)
    assert ack is not None
    assert ack.in_reply_to == "<7E2B9A41-3C5D-4F8E-9B1A-2D6C8E0F4A13@icloud.com>"


def test_none_when_the_mailbox_does_not_acknowledge() -> None:
    assert acknowledgement_compose(detail=stored(acknowledge=False), case_number=1) is None


def test_none_for_an_automatic_message() -> None:
    assert acknowledgement_compose(detail=stored("out_of_office.eml"), case_number=1) is None


def test_none_when_the_address_bounces() -> None:
    detail = stored()
    assert detail.interaction.identity_id is not None
    Identity.objects.filter(pk=detail.interaction.identity_id).update(bouncing_since=timezone.now())
    detail = EmailDetail.objects.select_related("interaction__identity").get(pk=detail.pk)
    assert acknowledgement_compose(detail=detail, case_number=1) is None


def test_the_task_run_twice_delivers_once() -> None:
    detail = stored()
    with mock.patch("contacts.mail.acknowledge.acknowledgement_deliver", return_value=True) as send:
        first = mail_acknowledge(interaction_id=detail.pk, case_number=3)
        second = mail_acknowledge(interaction_id=detail.pk, case_number=3)
    assert (first, second, send.call_count) == (True, False, 1)


def test_the_acknowledgement_goes_out_over_smtp_once_threaded_to_the_message(
    smtp_server, outbound_worker, django_capture_on_commit_callbacks
) -> None:
    from contacts.models import DeliveryStatus, Direction, Interaction
    from contacts.replyaddress import reply_address_case

    detail = stored()
    with django_capture_on_commit_callbacks(execute=True):
        assert mail_acknowledge(interaction_id=detail.pk, case_number=3) is True
    with django_capture_on_commit_callbacks(execute=True):
        assert mail_acknowledge(interaction_id=detail.pk, case_number=3) is False
    assert len(smtp_server.messages) == 1
    sent = smtp_server.messages[0]
    assert sent["To"] == "henk.bakker@icloud.com"
    assert sent["In-Reply-To"] == detail.interaction.message_id
    assert sent["Auto-Submitted"] == "auto-replied"
    assert reply_address_case(sent["Reply-To"]) == 3
    outbound = Interaction.objects.get(direction=Direction.OUTBOUND)
    assert outbound.delivery_status == DeliveryStatus.SENT
    assert EmailDetail.objects.get(pk=detail.pk).acknowledged_at is not None


def test_an_opted_out_customer_gets_no_acknowledgement_and_it_is_not_marked_sent() -> None:
    from contacts.models import Consent, ConsentStatus

    detail = stored()
    Consent.objects.create(
        customer_id=detail.interaction.customer_id,
        channel="email",
        status=ConsentStatus.OPT_OUT,
        changed_at=timezone.now(),
    )
    assert mail_acknowledge(interaction_id=detail.pk, case_number=3) is False
    assert EmailDetail.objects.get(pk=detail.pk).acknowledged_at is None


def test_an_unknown_message_is_no_acknowledgement() -> None:
    assert mail_acknowledge(interaction_id=999_999, case_number=3) is False
