"""The e-mail ingest service: one contact moment per mailbox + Message-ID, the customer
resolved from the sender, quotes kept aside, attachments stored, automatic messages and
bounces flagged, and every refusal writing nothing."""

import datetime as dt
import hashlib
from unittest import mock

import pytest
from django.utils import timezone

from accounts.tests.factories import DepartmentFactory
from contacts.mail.ingest import mail_ingest
from contacts.mail.models import Attachment, AttachmentRefusal, EmailDetail
from contacts.mail.parse import MailRefused
from contacts.models import (
    Customer,
    DeliveryStatus,
    Direction,
    Identity,
    IdentityKind,
    Interaction,
)
from contacts.signals import interaction_recorded
from contacts.tests.factories import (
    CustomerFactory,
    IdentityFactory,
    InteractionFactory,
    MailboxFactory,
)

from .conftest import eml_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_a_message_becomes_an_inbound_email_contact_moment() -> None:
    result = mail_ingest(raw=eml_bytes("apple_mail.eml"))
    interaction = result.interaction
    assert interaction is not None
    assert (interaction.channel, interaction.direction, interaction.subject) == (
        "email",
        Direction.INBOUND,
        "Re: Afspraak monteur",
    )


def test_the_body_is_the_new_text_and_the_quote_is_kept_aside() -> None:
    interaction = mail_ingest(raw=eml_bytes("apple_mail.eml")).interaction
    assert interaction is not None
    detail = EmailDetail.objects.get(pk=interaction.pk)
    assert (interaction.body, detail.quoted.splitlines()[0]) == (
        "Prima, dan wacht ik tot donderdag.\n\nGroet,\nHenk",
        "> Op 1 dec. 2026, om 11:45 schreef Klantenservice <support@cxcenter.test>:",
    )


def test_the_sender_becomes_a_customer_with_name_and_email_identity() -> None:
    interaction = mail_ingest(raw=eml_bytes("apple_mail.eml")).interaction
    assert interaction is not None
    identity = Identity.objects.get(kind=IdentityKind.EMAIL, value="henk.bakker@icloud.com")
    assert (identity.customer_id, identity.customer.name, interaction.identity_id) == (
        interaction.customer_id,
        "Henk Bakker",
        identity.pk,
    )


def test_a_known_sender_is_the_existing_customer() -> None:
    identity = IdentityFactory(value="henk.bakker@icloud.com")
    interaction = mail_ingest(raw=eml_bytes("apple_mail.eml")).interaction
    assert interaction is not None
    assert interaction.customer_id == identity.customer_id


def test_the_message_id_is_stored_for_threading() -> None:
    interaction = mail_ingest(raw=eml_bytes("apple_mail.eml")).interaction
    assert interaction is not None
    assert interaction.message_id == "<7E2B9A41-3C5D-4F8E-9B1A-2D6C8E0F4A13@icloud.com>"


def test_the_same_message_twice_is_stored_once() -> None:
    first = mail_ingest(raw=eml_bytes("apple_mail.eml"))
    assert first.interaction is not None
    second = mail_ingest(raw=eml_bytes("apple_mail.eml"))
    assert second.interaction is not None
    assert (second.outcome, second.interaction.pk, Interaction.objects.count()) == (
        "duplicate",
        first.interaction.pk,
        1,
    )


def test_a_message_without_message_id_is_stored_once_by_the_hash_of_its_bytes() -> None:
    raw = b"From: anna@example.nl\r\nSubject: zonder id\r\n\r\nhoi"
    mail_ingest(raw=raw)
    mail_ingest(raw=raw)
    assert list(Interaction.objects.values_list("external_id", flat=True)) == [
        "raw-sha256:" + hashlib.sha256(raw).hexdigest()
    ]


def test_the_same_message_id_in_two_mailboxes_is_two_contact_moments() -> None:
    one = MailboxFactory(name="support", address="support@cxcenter.test")
    two = MailboxFactory(name="sales", address="sales@cxcenter.test")
    mail_ingest(raw=eml_bytes("apple_mail.eml"), mailbox=one)
    mail_ingest(raw=eml_bytes("apple_mail.eml"), mailbox=two)
    assert Interaction.objects.count() == 2


def test_to_address_of_ours_picks_the_mailbox_and_its_department() -> None:
    sales = DepartmentFactory(code="sales", name="Sales")
    mailbox = MailboxFactory(name="support", address="support@cxcenter.test", department=sales)
    result = mail_ingest(raw=eml_bytes("gmail.eml"))  # To: support+c12.…@cxcenter.test
    assert result.interaction is not None
    assert (result.mailbox, result.interaction.department_id, result.interaction.source) == (
        mailbox,
        sales.pk,
        f"email:{mailbox.pk}",
    )


def test_messages_today_are_counted_per_mailbox() -> None:
    mailbox = MailboxFactory()
    mail_ingest(raw=eml_bytes("apple_mail.eml"))
    mail_ingest(raw=eml_bytes("gmail.eml"))
    mail_ingest(raw=eml_bytes("gmail.eml"))
    mailbox.refresh_from_db()
    assert (mailbox.count_day, mailbox.count_today) == (timezone.localdate(), 2)


def test_yesterdays_count_starts_again_at_one() -> None:
    mailbox = MailboxFactory(count_day=timezone.localdate() - dt.timedelta(days=1), count_today=9)
    mail_ingest(raw=eml_bytes("apple_mail.eml"))
    mailbox.refresh_from_db()
    assert mailbox.count_today == 1


def test_html_only_mail_is_stored_sanitised_with_a_text_body() -> None:
    interaction = mail_ingest(raw=eml_bytes("html_only.eml")).interaction
    assert interaction is not None
    detail = EmailDetail.objects.get(pk=interaction.pk)
    assert (interaction.body, "<script" in detail.html, "<img" in detail.html) == (
        "Hoe stuur ik mijn retour terug?\n\nklik of retourpagina",
        False,
        False,
    )


def test_an_allowed_attachment_is_stored_with_its_hash(media) -> None:
    interaction = mail_ingest(raw=eml_bytes("attachment.eml")).interaction
    pdf = Attachment.objects.get(interaction=interaction, content_type="application/pdf")
    data = (media / pdf.file.name).read_bytes()
    assert (pdf.name, pdf.size, pdf.sha256, pdf.refused) == (
        "factuur 10045.pdf",
        len(data),
        hashlib.sha256(data).hexdigest(),
        "",
    )


def test_an_attachment_of_a_type_not_allowed_is_recorded_without_the_file() -> None:
    interaction = mail_ingest(raw=eml_bytes("attachment.eml")).interaction
    exe = Attachment.objects.get(interaction=interaction, name="setup.exe")
    assert (exe.refused, exe.file.name) == (AttachmentRefusal.TYPE, "")


def test_an_attachment_over_the_limit_is_recorded_as_refused_too_large(settings) -> None:
    settings.CXCENTER_MAIL_MAX_ATTACHMENT_BYTES = 100
    interaction = mail_ingest(raw=eml_bytes("attachment.eml")).interaction
    pdf = Attachment.objects.get(interaction=interaction, content_type="application/pdf")
    assert (pdf.refused, pdf.file.name, pdf.get_refused_display()) == (
        AttachmentRefusal.TOO_LARGE,
        "",
        "attachment refused (too large)",
    )


def test_a_failing_storage_writes_nothing() -> None:
    with (
        mock.patch("contacts.mail.ingest.default_storage.save", side_effect=OSError("disk full")),
        pytest.raises(OSError),
    ):
        mail_ingest(raw=eml_bytes("attachment.eml"))
    assert (Interaction.objects.count(), Customer.objects.count(), EmailDetail.objects.count()) == (
        0,
        0,
        0,
    )


def test_a_30_mb_message_is_refused_and_nothing_is_written() -> None:
    big = b"x" * 76 + b"\r\n"
    raw = (
        b"From: groot@example.nl\r\nSubject: groot\r\nMessage-ID: <big@example.nl>\r\n\r\n"
        + big * (30 * 1024 * 1024 // len(big))
    )
    with pytest.raises(MailRefused, match="too large"):
        mail_ingest(raw=raw)
    assert (Interaction.objects.count(), Customer.objects.count()) == (0, 0)


@pytest.mark.parametrize("name", ["no_from.eml", "malformed.eml"])
def test_bad_messages_are_refused_and_nothing_is_written(name: str) -> None:
    with pytest.raises(MailRefused):
        mail_ingest(raw=eml_bytes(name))
    assert (Interaction.objects.count(), Customer.objects.count()) == (0, 0)


def test_an_invalid_sender_address_is_refused() -> None:
    with pytest.raises(MailRefused, match="sender address"):
        mail_ingest(raw=b"From: anna@-example-.nl\r\n\r\nhoi")


def test_an_out_of_office_is_recorded_flagged_automatic() -> None:
    interaction = mail_ingest(raw=eml_bytes("out_of_office.eml")).interaction
    assert interaction is not None
    detail = EmailDetail.objects.get(pk=interaction.pk)
    assert (detail.is_automatic, detail.automatic_reason) == (True, "Auto-Submitted: auto-replied")


def test_the_signal_carries_the_threading_hints() -> None:
    seen = []

    def listener(*, mail, **kwargs):
        seen.append(mail)

    interaction_recorded.connect(listener, dispatch_uid="test-mail-hints")
    try:
        mail_ingest(raw=eml_bytes("outlook_nl.eml"))
    finally:
        interaction_recorded.disconnect(dispatch_uid="test-mail-hints")
    assert (seen[0].in_reply_to, seen[0].references, seen[0].automatic) == (
        "<case-7.reply-1@cxcenter.test>",
        ("<case-7.first@cxcenter.test>", "<case-7.reply-1@cxcenter.test>"),
        False,
    )


def _outbound_to_gone():
    identity = IdentityFactory(value="gone@example.nl")
    return InteractionFactory(
        customer=identity.customer,
        identity=identity,
        direction=Direction.OUTBOUND,
        message_id="<outbound-9.1@cxcenter.test>",
        delivery_status=DeliveryStatus.SENT,
    )


def test_a_bounce_marks_the_original_outbound_message_failed_with_the_diagnostic() -> None:
    outbound = _outbound_to_gone()
    mail_ingest(raw=eml_bytes("dsn_bounce.eml"))
    outbound.refresh_from_db()
    assert (outbound.delivery_status, "User unknown" in outbound.delivery_error) == (
        DeliveryStatus.FAILED,
        True,
    )


def test_a_bounce_marks_the_address_as_bouncing() -> None:
    outbound = _outbound_to_gone()
    mail_ingest(raw=eml_bytes("dsn_bounce.eml"))
    assert Identity.objects.get(pk=outbound.identity_id).bouncing_since is not None


def test_a_bounce_is_recorded_on_the_customer_it_is_about_not_the_mailer_daemon() -> None:
    outbound = _outbound_to_gone()
    result = mail_ingest(raw=eml_bytes("dsn_bounce.eml"))
    assert result.interaction is not None
    detail = EmailDetail.objects.get(pk=result.interaction.pk)
    assert (result.interaction.customer_id, detail.is_automatic, Customer.objects.count()) == (
        outbound.customer_id,
        True,
        1,
    )


def test_a_bounce_found_by_address_alone_marks_it_bouncing() -> None:
    identity = IdentityFactory(value="gone@example.nl")
    mail_ingest(raw=eml_bytes("dsn_bounce.eml"))
    identity.refresh_from_db()
    assert identity.bouncing_since is not None


def test_a_bounce_about_an_unknown_address_is_ignored_and_writes_nothing() -> None:
    result = mail_ingest(raw=eml_bytes("dsn_bounce.eml"))
    assert (result.outcome, Interaction.objects.count(), Customer.objects.count()) == (
        "ignored",
        0,
        0,
    )


def test_mail_from_one_of_our_mailboxes_is_ignored() -> None:
    MailboxFactory(address="support@cxcenter.test")
    raw = b"From: support@cxcenter.test\r\nTo: support@cxcenter.test\r\n\r\nloop"
    assert (mail_ingest(raw=raw).outcome, Interaction.objects.count()) == ("ignored", 0)


def test_a_real_message_from_a_bouncing_address_clears_the_bounce() -> None:
    identity = IdentityFactory(value="henk.bakker@icloud.com", bouncing_since=timezone.now())
    mail_ingest(raw=eml_bytes("apple_mail.eml"))
    identity.refresh_from_db()
    assert identity.bouncing_since is None


def test_an_auto_reply_from_a_bouncing_address_keeps_the_bounce() -> None:
    identity = IdentityFactory(value="pieter.jansen@voorbeeld.nl", bouncing_since=timezone.now())
    mail_ingest(raw=eml_bytes("out_of_office.eml"))
    identity.refresh_from_db()
    assert identity.bouncing_since is not None


def test_an_unknown_customer_name_does_not_overwrite_a_known_one() -> None:
    customer = CustomerFactory(name="H. Bakker")
    IdentityFactory(customer=customer, value="henk.bakker@icloud.com")
    mail_ingest(raw=eml_bytes("apple_mail.eml"))
    customer.refresh_from_db()
    assert customer.name == "H. Bakker"
