"""Invitations: scheduled once per delivered order, sent at their due time with a hashed
token, at most two reminders while unanswered, expiry, skipped customers with a reason."""

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from contacts.backends import LocmemMessageBackend
from contacts.models import Channel, ConsentStatus, DeliveryStatus, Direction, IdentityKind
from contacts.signals import order_delivered
from contacts.tests.factories import ConsentFactory, CustomerFactory, IdentityFactory, OrderFactory
from feedback.models import Invitation, InvitationStatus, InvitationToken, SkipReason
from feedback.services.invitations import (
    invitation_schedule,
    invitation_send,
    invitations_send_due,
)
from feedback.tasks import invitations_send_due_task
from feedback.tests.factories import SurveyFactory
from feedback.tokens import token_hash

pytestmark = pytest.mark.django_db
LINK = re.compile(r"/s/([A-Za-z0-9_\-]+)/")


@dataclass
class Sending:
    """The services, each call committed, with what it queued sent by an in-process worker."""

    capture: Callable

    def due(self, **kwargs: Any) -> dict[str, int]:
        with self.capture(execute=True):
            return invitations_send_due(**kwargs)

    def one(self, **kwargs: Any) -> str:
        with self.capture(execute=True):
            return invitation_send(**kwargs)


@pytest.fixture
def sending(django_capture_on_commit_callbacks, outbound_worker: None) -> Sending:
    return Sending(capture=django_capture_on_commit_callbacks)


def _links(message: mail.EmailMessage) -> list[str]:
    return LINK.findall(str(message.body))


def test_delivered_twice_gives_one_invitation(delivered_order) -> None:
    SurveyFactory(is_active=True, delay_hours=24)
    order_delivered.send(sender=type(delivered_order), order=delivered_order)
    order_delivered.send(sender=type(delivered_order), order=delivered_order)
    assert Invitation.objects.count() == 1
    invitation = Invitation.objects.get()
    assert invitation.status == InvitationStatus.SCHEDULED
    assert invitation.due_at == delivered_order.delivered_at + dt.timedelta(hours=24)
    assert invitation.expires_at == invitation.due_at + dt.timedelta(days=30)
    assert invitation.product_sku == delivered_order.product_sku


def test_without_an_active_survey_nothing_is_scheduled(delivered_order) -> None:
    SurveyFactory(is_active=False)
    assert invitation_schedule(order_id=delivered_order.pk) is None
    assert not Invitation.objects.exists()


def test_unknown_order_schedules_nothing(db: None) -> None:
    SurveyFactory(is_active=True)
    assert invitation_schedule(order_id=999_999) is None


def test_nothing_is_sent_before_the_due_time(delivered_order, sending) -> None:
    SurveyFactory(is_active=True, delay_hours=24)
    invitation = invitation_schedule(order_id=delivered_order.pk)
    assert invitation is not None
    assert sending.due() == {"expired": 0}
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SCHEDULED
    assert mail.outbox == []


def test_due_invitation_is_sent_once_with_a_hashed_token(delivered_order, sending) -> None:
    SurveyFactory(is_active=True, delay_hours=24)
    invitation = invitation_schedule(order_id=delivered_order.pk)
    assert invitation is not None
    later = delivered_order.delivered_at + dt.timedelta(hours=25)
    assert sending.due(now=later)["sent"] == 1
    assert sending.due(now=later) == {"expired": 0}  # a second run sends nothing
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["sanne@example.nl"]
    assert message.subject == "Hoe hebben we het gedaan?" or message.subject == "How did we do?"
    (token,) = _links(message)
    assert len(token) >= 43
    stored = InvitationToken.objects.get(invitation=invitation)
    assert stored.token_hash == token_hash(token)
    assert token not in stored.token_hash
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SENT
    assert invitation.channel == Channel.EMAIL
    assert invitation.sent_at == later
    assert invitation.due_at == later + dt.timedelta(days=3)
    # the raw token is stored nowhere in the invitation's row either
    assert all(token not in str(v) for v in Invitation.objects.values().get().values())


def test_reminders_at_most_two_then_nothing(delivered_order, sending) -> None:
    SurveyFactory(is_active=True, delay_hours=0, first_reminder_days=3, second_reminder_days=7)
    invitation = invitation_schedule(order_id=delivered_order.pk, now=delivered_order.delivered_at)
    assert invitation is not None
    start = delivered_order.delivered_at
    results = []
    for day in range(0, 29):
        counts = sending.due(now=start + dt.timedelta(days=day, minutes=1))
        results.append(counts.get("sent", 0) + counts.get("reminded", 0))
    assert sum(results) == 3
    assert results[0] == 1 and results[3] == 1 and results[7] == 1
    invitation.refresh_from_db()
    assert invitation.reminders_sent == 2
    assert invitation.due_at is None
    assert InvitationToken.objects.filter(invitation=invitation).count() == 3
    assert len(mail.outbox) == 3
    # The customer speaks Dutch (the fixture): the reminder is in Dutch.
    assert mail.outbox[1].subject == "Herinnering: hoe hebben we het gedaan?"


def test_no_reminder_once_answered(delivered_order, sending) -> None:
    SurveyFactory(is_active=True, delay_hours=0)
    invitation = invitation_schedule(order_id=delivered_order.pk, now=delivered_order.delivered_at)
    assert invitation is not None
    sending.due(now=delivered_order.delivered_at + dt.timedelta(minutes=1))
    Invitation.objects.filter(pk=invitation.pk).update(
        status=InvitationStatus.ANSWERED, due_at=None
    )
    counts = sending.due(now=delivered_order.delivered_at + dt.timedelta(days=10))
    assert counts == {"expired": 0}
    assert len(mail.outbox) == 1


def test_unanswered_invitation_expires(delivered_order, sending) -> None:
    SurveyFactory(is_active=True, delay_hours=0, expiry_days=30)
    invitation = invitation_schedule(order_id=delivered_order.pk, now=delivered_order.delivered_at)
    assert invitation is not None
    sending.due(now=delivered_order.delivered_at + dt.timedelta(minutes=1))
    counts = sending.due(now=delivered_order.delivered_at + dt.timedelta(days=31))
    assert counts["expired"] == 1
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.EXPIRED
    assert invitation.due_at is None


def test_erased_customer_is_skipped_with_reason(delivered_order, sending) -> None:
    SurveyFactory(is_active=True, delay_hours=0)
    invitation = invitation_schedule(order_id=delivered_order.pk, now=delivered_order.delivered_at)
    assert invitation is not None
    type(delivered_order.customer).objects.filter(pk=delivered_order.customer_id).update(
        erased_at=timezone.now()
    )
    assert sending.one(invitation_id=invitation.pk, now=timezone.now()) == "skipped"
    invitation.refresh_from_db()
    assert (invitation.status, invitation.skip_reason) == (
        InvitationStatus.SKIPPED,
        SkipReason.ERASED,
    )
    assert mail.outbox == []
    assert not InvitationToken.objects.exists()


def test_opted_out_customer_is_skipped_with_reason(delivered_order, sending) -> None:
    SurveyFactory(is_active=True, delay_hours=0)
    ConsentFactory(
        customer=delivered_order.customer, channel=Channel.EMAIL, status=ConsentStatus.OPT_OUT
    )
    invitation = invitation_schedule(order_id=delivered_order.pk, now=delivered_order.delivered_at)
    assert invitation is not None
    assert sending.one(invitation_id=invitation.pk, now=timezone.now()) == "skipped"
    invitation.refresh_from_db()
    assert invitation.skip_reason == SkipReason.OPTED_OUT
    assert mail.outbox == []


def test_customer_without_address_is_skipped_with_reason(db: None, sending) -> None:
    SurveyFactory(is_active=True, delay_hours=0)
    order = OrderFactory(customer=CustomerFactory(), delivered_at=timezone.now())
    invitation = invitation_schedule(order_id=order.pk, now=order.delivered_at)
    assert invitation is not None
    sending.one(invitation_id=invitation.pk, now=timezone.now())
    invitation.refresh_from_db()
    assert invitation.skip_reason == SkipReason.NO_ADDRESS


@override_settings(CXCENTER_SMS_BACKEND="contacts.backends.LocmemMessageBackend")
def test_preferred_channel_sms_goes_through_the_sms_backend(db: None, sending) -> None:
    LocmemMessageBackend.outbox.clear()
    SurveyFactory(is_active=True, delay_hours=0)
    customer = CustomerFactory(preferred_channel=Channel.SMS, language="en")
    IdentityFactory(customer=customer, kind=IdentityKind.PHONE, value="+31612345678")
    IdentityFactory(customer=customer, kind=IdentityKind.EMAIL, value="x@example.com")
    order = OrderFactory(customer=customer, delivered_at=timezone.now())
    invitation = invitation_schedule(order_id=order.pk, now=order.delivered_at)
    assert invitation is not None
    assert sending.one(invitation_id=invitation.pk, now=timezone.now()) == "sent"
    invitation.refresh_from_db()
    assert invitation.channel == Channel.SMS
    assert mail.outbox == []
    [sent] = LocmemMessageBackend.outbox
    assert sent["channel"] == Channel.SMS
    assert sent["to"] == "+31612345678"
    assert "How did we do?" in sent["body"]


def test_opted_out_of_preferred_channel_falls_back_to_email(db: None, sending) -> None:
    SurveyFactory(is_active=True, delay_hours=0)
    customer = CustomerFactory(preferred_channel=Channel.WHATSAPP)
    IdentityFactory(customer=customer, kind=IdentityKind.WHATSAPP, value="+31687654321")
    IdentityFactory(customer=customer, kind=IdentityKind.EMAIL, value="y@example.com")
    ConsentFactory(customer=customer, channel=Channel.WHATSAPP, status=ConsentStatus.OPT_OUT)
    order = OrderFactory(customer=customer, delivered_at=timezone.now())
    invitation = invitation_schedule(order_id=order.pk, now=order.delivered_at)
    assert invitation is not None
    sending.one(invitation_id=invitation.pk, now=timezone.now())
    invitation.refresh_from_db()
    assert invitation.channel == Channel.EMAIL
    assert mail.outbox[0].to == ["y@example.com"]


def test_failing_send_is_retried_then_shown_failed_and_never_sent_twice(
    delivered_order, settings, sending
) -> None:
    SurveyFactory(is_active=True, delay_hours=0)
    invitation = invitation_schedule(order_id=delivered_order.pk, now=delivered_order.delivered_at)
    assert invitation is not None
    settings.MAILERS = {"default": {"BACKEND": "feedback.tests.broken_mail.BrokenBackend"}}
    now = timezone.now()
    assert sending.due(now=now)["sent"] == 1
    assert sending.due(now=now) == {"expired": 0}
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SENT
    assert InvitationToken.objects.filter(invitation=invitation).count() == 1
    [message] = delivered_order.customer.interactions.filter(direction=Direction.OUTBOUND)
    assert message.delivery_status == DeliveryStatus.FAILED
    assert message.outbound.attempts == settings.CXCENTER_SEND_ATTEMPTS
    assert "mail server down" in message.delivery_error


def test_an_invitation_is_an_outbound_contact_moment(delivered_order, sending) -> None:
    SurveyFactory(is_active=True, delay_hours=0)
    invitation_schedule(order_id=delivered_order.pk, now=delivered_order.delivered_at)
    sending.due(now=timezone.now())
    [message] = delivered_order.customer.interactions.filter(direction=Direction.OUTBOUND)
    assert message.delivery_status == DeliveryStatus.SENT
    assert message.outbound.kind == "invitation"
    assert mail.outbox[0].extra_headers["Auto-Submitted"] == "auto-generated"


def test_zero_delay_sends_right_after_commit(
    delivered_order, django_capture_on_commit_callbacks, eager_celery: None
) -> None:
    SurveyFactory(is_active=True, delay_hours=0)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        order_delivered.send(sender=type(delivered_order), order=delivered_order)
        assert mail.outbox == []
    assert len(callbacks) == 2  # the invitation's task, then its message's
    assert len(mail.outbox) == 1
    assert Invitation.objects.get().status == InvitationStatus.SENT


def test_beat_task_runs_the_service(delivered_order) -> None:
    SurveyFactory(is_active=True, delay_hours=0)
    invitation_schedule(order_id=delivered_order.pk, now=delivered_order.delivered_at)
    counts = invitations_send_due_task.apply().get()
    assert counts["sent"] == 1
    assert counts["followups_opened"] == 0
