"""Inbound e-mail into cases: In-Reply-To/References first, then the signed reply address,
then the case number in the subject (only from that case's customer); reopening within
CXCENTER_REOPEN_DAYS, a follow-up case later; automatic messages never open, reopen or get
acknowledged."""

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from accounts.models import Department
from contacts.mail.ingest import mail_ingest
from contacts.models import Direction
from contacts.replyaddress import reply_address_for
from contacts.tests.factories import IdentityFactory, InteractionFactory, MailboxFactory
from contacts.tests.mail.conftest import eml_bytes
from journeys.models import Case, CaseMessage, CaseStatus
from journeys.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def message(*, sender="anna@example.nl", subject="Vraag", extra="", body="Hallo") -> bytes:
    return (
        f"From: Anna <{sender}>\r\nTo: support@cxcenter.test\r\nSubject: {subject}\r\n"
        f"Message-ID: <{abs(hash((sender, subject, extra, body)))}@example.nl>\r\n{extra}\r\n{body}"
    ).encode()


def case_with_message(*, customer, message_id: str, status=CaseStatus.WAITING_CUSTOMER, **kw):
    case = CaseFactory(customer=customer, status=status, **kw)
    sent = InteractionFactory(
        customer=customer, direction=Direction.OUTBOUND, message_id=message_id
    )
    CaseMessage.objects.create(case=case, interaction=sent)
    return case


def case_of(interaction) -> Case | None:
    link = CaseMessage.objects.filter(interaction=interaction).select_related("case").first()
    return link.case if link else None


@pytest.fixture
def anna():
    return IdentityFactory(value="anna@example.nl").customer


def test_a_new_message_opens_a_case(contact_center: Department) -> None:
    interaction = mail_ingest(raw=message()).interaction
    case = case_of(interaction)
    assert interaction is not None and case is not None
    assert case.origin_id == interaction.pk


def test_a_reply_joins_its_case_by_in_reply_to(contact_center: Department, anna) -> None:
    case = case_with_message(customer=anna, message_id="<r1@cxcenter.test>")
    CaseFactory(customer=anna, status=CaseStatus.OPEN)  # a newer open case it must not join
    raw = message(subject="Iets anders", extra="In-Reply-To: <r1@cxcenter.test>\r\n")
    assert case_of(mail_ingest(raw=raw).interaction) == case


def test_a_reply_joins_its_case_by_references(contact_center: Department, anna) -> None:
    case = case_with_message(customer=anna, message_id="<r2@cxcenter.test>")
    CaseFactory(customer=anna, status=CaseStatus.OPEN)
    raw = message(extra="References: <unknown@x> <r2@cxcenter.test>\r\n")
    assert case_of(mail_ingest(raw=raw).interaction) == case


def test_message_ids_stored_without_brackets_also_thread(contact_center: Department, anna) -> None:
    case = case_with_message(customer=anna, message_id="r3@cxcenter.test")
    raw = message(extra="In-Reply-To: <r3@cxcenter.test>\r\n")
    assert case_of(mail_ingest(raw=raw).interaction) == case


def test_a_reply_joins_its_case_by_the_signed_reply_address(contact_center: Department, anna):
    case = CaseFactory(customer=anna, status=CaseStatus.WAITING_CUSTOMER)
    CaseFactory(customer=anna, status=CaseStatus.OPEN)
    to = reply_address_for(case_id=case.pk, mailbox_address="support@cxcenter.test")
    raw = message(extra=f"Cc: {to}\r\n")
    assert case_of(mail_ingest(raw=raw).interaction) == case


def test_a_forged_reply_address_does_not_thread(contact_center: Department, anna) -> None:
    case = CaseFactory(customer=anna, status=CaseStatus.RESOLVED, resolved_at=timezone.now())
    raw = message(extra=f"Cc: support+c{case.pk}.0123456789abcdef@cxcenter.test\r\n")
    assert case_of(mail_ingest(raw=raw).interaction) != case


def test_the_case_number_in_the_subject_threads_for_its_customer(contact_center, anna) -> None:
    case = CaseFactory(customer=anna, status=CaseStatus.WAITING_CUSTOMER)
    CaseFactory(customer=anna, status=CaseStatus.OPEN)
    raw = message(subject=f"Re: Uw vraag (zaak {case.pk})")
    assert case_of(mail_ingest(raw=raw).interaction) == case


def test_a_bracketed_case_number_threads_too(contact_center, anna) -> None:
    case = CaseFactory(customer=anna, status=CaseStatus.WAITING_CUSTOMER)
    CaseFactory(customer=anna, status=CaseStatus.OPEN)
    raw = message(subject=f"Re: [#{case.pk}] Uw vraag")
    assert case_of(mail_ingest(raw=raw).interaction) == case


def test_the_case_number_of_another_customer_does_not_thread(contact_center) -> None:
    other = CaseFactory(status=CaseStatus.OPEN)
    raw = message(subject=f"Re: (case {other.pk})")
    assert case_of(mail_ingest(raw=raw).interaction) != other


def test_a_reply_to_a_recently_resolved_case_reopens_it(contact_center, anna) -> None:
    case = case_with_message(
        customer=anna,
        message_id="<r4@cxcenter.test>",
        status=CaseStatus.RESOLVED,
        resolved_at=timezone.now() - dt.timedelta(days=13),
    )
    mail_ingest(raw=message(extra="In-Reply-To: <r4@cxcenter.test>\r\n"))
    case.refresh_from_db()
    assert (case.status, case.resolved_at) == (CaseStatus.OPEN, None)


def test_a_late_reply_opens_a_new_case_that_follows_the_old_one(contact_center, anna) -> None:
    old = case_with_message(
        customer=anna,
        message_id="<r5@cxcenter.test>",
        status=CaseStatus.CLOSED,
        resolved_at=timezone.now() - dt.timedelta(days=15),
    )
    interaction = mail_ingest(raw=message(extra="In-Reply-To: <r5@cxcenter.test>\r\n")).interaction
    new = case_of(interaction)
    assert new is not None
    old.refresh_from_db()
    assert (new.follows_id, new.pk != old.pk, old.status) == (old.pk, True, CaseStatus.CLOSED)


def test_the_reopen_window_is_a_setting(settings, contact_center, anna) -> None:
    settings.CXCENTER_REOPEN_DAYS = 30
    case = case_with_message(
        customer=anna,
        message_id="<r6@cxcenter.test>",
        status=CaseStatus.RESOLVED,
        resolved_at=timezone.now() - dt.timedelta(days=20),
    )
    interaction = mail_ingest(raw=message(extra="In-Reply-To: <r6@cxcenter.test>\r\n")).interaction
    assert case_of(interaction) == case


def test_an_out_of_office_opens_no_case(contact_center: Department) -> None:
    interaction = mail_ingest(raw=eml_bytes("out_of_office.eml")).interaction
    assert (case_of(interaction), Case.objects.count()) == (None, 0)


def test_an_auto_reply_does_not_reopen_a_resolved_case(contact_center, anna) -> None:
    case = case_with_message(
        customer=anna,
        message_id="<r7@cxcenter.test>",
        status=CaseStatus.RESOLVED,
        resolved_at=timezone.now(),
    )
    mail_ingest(
        raw=message(extra="In-Reply-To: <r7@cxcenter.test>\r\nAuto-Submitted: auto-replied\r\n")
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED


def test_a_bounce_opens_no_case(contact_center: Department) -> None:
    identity = IdentityFactory(value="gone@example.nl")
    InteractionFactory(
        customer=identity.customer,
        direction=Direction.OUTBOUND,
        message_id="<outbound-9.1@cxcenter.test>",
    )
    mail_ingest(raw=eml_bytes("dsn_bounce.eml"))
    assert Case.objects.count() == 0


def test_a_mailbox_with_a_department_opens_its_cases_there(contact_center, sales) -> None:
    MailboxFactory(address="support@cxcenter.test", department=sales)
    interaction = mail_ingest(raw=message()).interaction
    case = case_of(interaction)
    assert case is not None
    assert (case.department, case.is_exception) == (sales, False)


def test_a_new_case_from_an_acknowledging_mailbox_queues_the_acknowledgement(
    contact_center, django_capture_on_commit_callbacks
) -> None:
    MailboxFactory(address="support@cxcenter.test", acknowledge=True)
    with (
        mock.patch("journeys.services.mailthread.mail_acknowledge.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        interaction = mail_ingest(raw=message()).interaction
    case = case_of(interaction)
    assert interaction is not None and case is not None
    delay.assert_called_once_with(interaction_id=interaction.pk, case_number=case.pk)


def test_a_reply_on_an_existing_case_is_not_acknowledged_again(
    contact_center, anna, django_capture_on_commit_callbacks
) -> None:
    MailboxFactory(address="support@cxcenter.test", acknowledge=True)
    case_with_message(customer=anna, message_id="<r8@cxcenter.test>")
    with (
        mock.patch("journeys.services.mailthread.mail_acknowledge.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        mail_ingest(raw=message(extra="In-Reply-To: <r8@cxcenter.test>\r\n"))
    assert delay.call_count == 0


def test_the_same_message_twice_joins_its_case_once(contact_center, anna) -> None:
    case = case_with_message(customer=anna, message_id="<r9@cxcenter.test>")
    raw = message(extra="In-Reply-To: <r9@cxcenter.test>\r\n")
    mail_ingest(raw=raw)
    mail_ingest(raw=raw)
    assert CaseMessage.objects.filter(case=case).count() == 2  # our message and the reply
