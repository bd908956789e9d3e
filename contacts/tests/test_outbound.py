"""The one outbound path: validated, recorded first as queued, sent after commit by a task
that claims the row (never twice), retried with backoff, failed with the reason; receipts
move the status forward only; the sweep finds what no worker will finish."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from contacts.backends import LocmemMessageBackend, Message, TransientDeliveryError
from contacts.models import (
    Channel,
    ConsentStatus,
    DeliveryStatus,
    Direction,
    IdentityKind,
    Interaction,
    OutboundKind,
    OutboundMessage,
)
from contacts.services.outbound import (
    Thread,
    outbound_deliver,
    outbound_receipt,
    outbound_send,
    outbound_sweep,
)
from contacts.tasks import outbound_deliver_task
from contacts.tests.factories import ConsentFactory, CustomerFactory, IdentityFactory

pytestmark = pytest.mark.django_db
LOCMEM = "contacts.backends.LocmemMessageBackend"


@pytest.fixture
def customer():
    customer = CustomerFactory(name="Piet")
    IdentityFactory(customer=customer, kind=IdentityKind.EMAIL, value="piet@example.nl")
    IdentityFactory(customer=customer, kind=IdentityKind.PHONE, value="+31644444444")
    return customer


@pytest.fixture
def locmem(settings):
    settings.CXCENTER_SMS_BACKEND = LOCMEM
    settings.CXCENTER_WHATSAPP_BACKEND = LOCMEM
    LocmemMessageBackend.outbox.clear()
    return LocmemMessageBackend.outbox


class Flaky:
    """Fails the first ``failures`` sends with a transient error, then sends."""

    failures = 0
    calls = 0

    def send(self, message: Message) -> str:
        type(self).calls += 1
        if type(self).calls <= type(self).failures:
            raise TransientDeliveryError("503 from provider")
        return "flaky-1"


def test_the_moment_is_recorded_queued_before_anything_is_sent(
    customer, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        interaction = outbound_send(customer=customer, channel=Channel.EMAIL, body="Hallo",
                                    subject="Test")  # fmt: skip
    assert interaction.direction == Direction.OUTBOUND
    assert interaction.delivery_status == DeliveryStatus.QUEUED
    assert interaction.message_id.startswith("<") and interaction.message_id.endswith(">")
    assert OutboundMessage.objects.get(pk=interaction.pk).to_address == "piet@example.nl"
    assert len(callbacks) == 1
    assert mail.outbox == []


def test_after_commit_it_is_sent_once_even_when_the_task_runs_twice(
    customer, django_capture_on_commit_callbacks, outbound_worker: None
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        interaction = outbound_send(customer=customer, channel=Channel.EMAIL, body="Hallo")
    assert outbound_deliver_task.apply(args=(interaction.pk,)).get() == "skipped"
    assert len(mail.outbox) == 1
    interaction.refresh_from_db()
    assert interaction.delivery_status == DeliveryStatus.SENT
    assert interaction.outbound.attempts == 1


def test_sms_stores_the_providers_message_id(customer, locmem, django_capture_on_commit_callbacks,
                                             outbound_worker: None) -> None:  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        interaction = outbound_send(customer=customer, channel=Channel.SMS, body="Hoi")
    interaction.refresh_from_db()
    assert locmem[0]["to"] == "+31644444444"
    assert interaction.message_id == locmem[0]["id"]
    assert interaction.delivery_status == DeliveryStatus.SENT


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"channel": Channel.EMAIL, "body": "  "}, "body"),
        ({"channel": Channel.EMAIL, "body": "x" * 10_001}, "body"),
        ({"channel": Channel.PHONE, "body": "Hallo"}, "channel"),
        ({"channel": "pigeon", "body": "Hallo"}, "channel"),
        ({"channel": Channel.WHATSAPP, "body": "Hallo"}, "channel"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(customer, kwargs: dict, field: str) -> None:
    ConsentFactory(customer=customer, channel=Channel.WHATSAPP, status=ConsentStatus.OPT_OUT)
    with pytest.raises(ValidationError) as error:
        outbound_send(customer=customer, **kwargs)
    assert field in error.value.message_dict
    assert not Interaction.objects.exists()


def test_no_address_and_erased_customers_are_refused(db: None) -> None:
    nobody = CustomerFactory()
    with pytest.raises(ValidationError) as error:
        outbound_send(customer=nobody, channel=Channel.EMAIL, body="Hallo")
    assert "No E-mail address" in error.value.message_dict["channel"][0]
    erased = CustomerFactory(erased_at=timezone.now())
    IdentityFactory(customer=erased, kind=IdentityKind.EMAIL, value="gone@example.nl")
    with pytest.raises(ValidationError, match="merged or erased"):
        outbound_send(customer=erased, channel=Channel.EMAIL, body="Hallo")
    assert not Interaction.objects.exists()


def test_a_transient_failure_is_retried_and_then_sent(
    customer, settings, django_capture_on_commit_callbacks, outbound_worker: None
) -> None:
    settings.CXCENTER_SMS_BACKEND = f"{__name__}.Flaky"
    Flaky.failures, Flaky.calls = 2, 0
    with django_capture_on_commit_callbacks(execute=True):
        interaction = outbound_send(customer=customer, channel=Channel.SMS, body="Hoi")
    interaction.refresh_from_db()
    assert (interaction.delivery_status, interaction.message_id) == (DeliveryStatus.SENT, "flaky-1")
    assert interaction.outbound.attempts == 3


def test_after_the_last_attempt_it_is_failed_with_the_reason(
    customer, settings, django_capture_on_commit_callbacks, outbound_worker: None
) -> None:
    settings.CXCENTER_SMS_BACKEND = f"{__name__}.Flaky"
    Flaky.failures, Flaky.calls = 99, 0
    with django_capture_on_commit_callbacks(execute=True):
        interaction = outbound_send(customer=customer, channel=Channel.SMS, body="Hoi")
    interaction.refresh_from_db()
    assert interaction.delivery_status == DeliveryStatus.FAILED
    assert interaction.delivery_error == "503 from provider"
    assert Flaky.calls == settings.CXCENTER_SEND_ATTEMPTS


def test_a_transient_failure_puts_it_back_in_the_queue(customer, settings) -> None:
    settings.CXCENTER_SMS_BACKEND = f"{__name__}.Flaky"
    Flaky.failures, Flaky.calls = 1, 0
    interaction = outbound_send(customer=customer, channel=Channel.SMS, body="Hoi")
    assert outbound_deliver(interaction_id=interaction.pk, final_attempt=False) == "retry"
    interaction.refresh_from_db()
    assert interaction.delivery_status == DeliveryStatus.QUEUED
    assert interaction.delivery_error == "503 from provider"
    assert outbound_deliver(interaction_id=interaction.pk, final_attempt=False) == "sent"


def test_an_unknown_id_is_skipped(db: None) -> None:
    assert outbound_deliver(interaction_id=987_654, final_attempt=True) == "skipped"


def test_email_threading_and_automatic_headers(
    customer, django_capture_on_commit_callbacks, outbound_worker: None
) -> None:
    thread = Thread(in_reply_to="<x@a>", references=("<w@a>", "<x@a>"),
                    reply_to="support+c1.abc@example.com", subject_tag="[#1]")  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        outbound_send(customer=customer, channel=Channel.EMAIL, body="Ontvangen",
                      subject="Uw vraag", thread=thread, kind=OutboundKind.ACKNOWLEDGEMENT)  # fmt: skip
    [sent] = mail.outbox
    assert sent.subject == "Uw vraag [#1]"
    assert sent.reply_to == ["support+c1.abc@example.com"]
    assert sent.extra_headers["In-Reply-To"] == "<x@a>"
    assert sent.extra_headers["References"] == "<w@a> <x@a>"
    assert sent.extra_headers["Auto-Submitted"] == "auto-replied"


def _sent(customer, message_id: str) -> Interaction:
    interaction = outbound_send(customer=customer, channel=Channel.SMS, body="Hoi")
    Interaction.objects.filter(pk=interaction.pk).update(
        delivery_status=DeliveryStatus.SENT, message_id=message_id
    )
    return interaction


def test_receipts_move_forward_only(customer) -> None:
    interaction = _sent(customer, "SM1")
    assert outbound_receipt(message_id="SM1", status=DeliveryStatus.READ) == 1
    assert outbound_receipt(message_id="SM1", status=DeliveryStatus.DELIVERED) == 0
    assert outbound_receipt(message_id="SM1", status=DeliveryStatus.READ) == 0
    assert outbound_receipt(message_id="SM1", status=DeliveryStatus.FAILED, error="x") == 0
    interaction.refresh_from_db()
    assert interaction.delivery_status == DeliveryStatus.READ


def test_a_failure_receipt_after_sent_keeps_the_reason(customer) -> None:
    interaction = _sent(customer, "SM2")
    assert outbound_receipt(message_id="SM2", status="failed", error="131026 undeliverable") == 1
    interaction.refresh_from_db()
    assert (interaction.delivery_status, interaction.delivery_error) == (
        DeliveryStatus.FAILED,
        "131026 undeliverable",
    )


def test_receipts_for_unknown_ids_or_statuses_change_nothing(customer) -> None:
    _sent(customer, "SM3")
    assert outbound_receipt(message_id="nope", status=DeliveryStatus.DELIVERED) == 0
    assert outbound_receipt(message_id="SM3", status="queued") == 0
    assert outbound_receipt(message_id="", status=DeliveryStatus.DELIVERED) == 0


def test_the_sweep_fails_dead_claims_and_requeues_lost_messages(
    customer, django_capture_on_commit_callbacks
) -> None:
    dead = outbound_send(customer=customer, channel=Channel.SMS, body="a")
    lost = outbound_send(customer=customer, channel=Channel.SMS, body="b")
    fresh = outbound_send(customer=customer, channel=Channel.SMS, body="c")
    hour_ago = timezone.now() - dt.timedelta(hours=1)
    Interaction.objects.filter(pk=dead.pk).update(
        delivery_status=DeliveryStatus.SENDING, delivery_updated_at=hour_ago
    )
    Interaction.objects.filter(pk=lost.pk).update(delivery_updated_at=hour_ago)
    with django_capture_on_commit_callbacks() as callbacks:
        assert outbound_sweep() == {"failed": 1, "requeued": 1}
    assert len(callbacks) == 1
    dead.refresh_from_db()
    fresh.refresh_from_db()
    assert dead.delivery_status == DeliveryStatus.FAILED
    assert fresh.delivery_status == DeliveryStatus.QUEUED
    # Touched: the next run does not queue it again.
    assert outbound_sweep() == {"failed": 0, "requeued": 0}


class InTransaction:
    """Records whether the provider was called inside a database transaction."""

    seen: list[bool] = []

    def send(self, message: Message) -> str:
        from django.db import connection

        self.seen.append(connection.in_atomic_block)
        return "tx-1"


@pytest.mark.django_db(transaction=True)
def test_the_provider_is_never_called_inside_a_transaction(settings, outbound_worker) -> None:
    settings.CXCENTER_SMS_BACKEND = f"{__name__}.InTransaction"
    InTransaction.seen.clear()
    customer = CustomerFactory()
    IdentityFactory(customer=customer, kind=IdentityKind.SMS, value="+31655555555")
    outbound_send(customer=customer, channel=Channel.SMS, body="Hoi")  # commits, then sends
    assert InTransaction.seen == [False]


class Slow:
    """A provider that takes a moment, so that two workers overlap."""

    calls: list[str] = []

    def send(self, message: Message) -> str:
        import time

        self.calls.append(message.to)
        time.sleep(0.2)
        return "slow-1"


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_the_message_once(settings, monkeypatch) -> None:
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL")
    settings.CXCENTER_SMS_BACKEND = f"{__name__}.Slow"
    monkeypatch.setattr(outbound_deliver_task, "delay", lambda *args: None)  # workers below
    Slow.calls.clear()
    customer = CustomerFactory()
    IdentityFactory(customer=customer, kind=IdentityKind.SMS, value="+31656565656")
    interaction = outbound_send(customer=customer, channel=Channel.SMS, body="Eén keer")
    results: list[str] = []
    start = threading.Barrier(4)

    def worker() -> None:
        start.wait()
        try:
            results.append(outbound_deliver(interaction_id=interaction.pk, final_attempt=False))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["sent", "skipped", "skipped", "skipped"]
    assert Slow.calls == ["+31656565656"]
