"""A live campaign sends each customer its message at most once, on their channel, outside
their quiet hours; reminders go to those who did not open or reply; replies are counted;
contacts about campaigns nobody warned the contact center about are counted."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Department, User
from contacts.models import (
    Channel,
    ConsentStatus,
    Customer,
    DeliveryStatus,
    Direction,
    IdentityKind,
    Interaction,
)
from contacts.services.interactions import interaction_record
from contacts.tests.factories import ConsentFactory, CustomerFactory, IdentityFactory
from journeys.models import (
    Campaign,
    CampaignRecipient,
    CampaignStatus,
    Case,
    RecipientStatus,
    UnwarnedCampaignContact,
    UnwarnedReason,
)
from journeys.selectors.campaign_sending import campaign_send_counts, unwarned_campaign_contacts
from journeys.services import campaign_sending as sending
from journeys.tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


def _live(**kwargs: object) -> Campaign:
    now = timezone.now()
    values = {
        "status": CampaignStatus.LIVE,
        "launch_at": now - dt.timedelta(hours=1),
        "end_at": now + dt.timedelta(days=14),
        "channels": ["email", "sms"],
        "response_rates": {"email": 2.0, "sms": 1.0},
        "message_subject": "Winter sale for {first_name}",
        "message_body": "Dear {name}, use code {code}. {unknown} stays.",
        "acknowledged_at": now - dt.timedelta(days=3),
    }
    values.update(kwargs)
    return CampaignFactory(**values)


def _customer(*, email: bool = True, phone: bool = False, **kwargs: object) -> Customer:
    customer = CustomerFactory(**kwargs)
    if email:
        IdentityFactory(customer=customer, kind=IdentityKind.EMAIL)
    if phone:
        IdentityFactory(customer=customer, kind=IdentityKind.SMS, value=f"+316{customer.pk:08d}")
    return customer


def _run(campaign: Campaign, now: dt.datetime | None = None) -> dict[str, int]:
    campaign.refresh_from_db()
    sending.campaign_recipients_plan(campaign=campaign, now=now)
    return sending.campaign_batch_send(campaign_id=campaign.pk, now=now)


def _campaign_messages(customer: Customer) -> list[Interaction]:
    return list(
        Interaction.objects.filter(customer=customer, direction=Direction.OUTBOUND).exclude(
            campaign_code=""
        )
    )


def test_a_live_campaign_sends_each_customer_one_personal_message_on_their_channel() -> None:
    campaign = _live()
    anna = _customer(name="Anna de Vries")
    texter = _customer(name="Bo Jansen", phone=True, preferred_channel=Channel.SMS)
    outcome = _run(campaign)
    assert outcome["sent"] == 2
    [mail] = _campaign_messages(anna)
    assert (mail.channel, mail.campaign_code) == (Channel.EMAIL, campaign.code)
    assert mail.subject == "Winter sale for Anna"
    assert mail.body == f"Dear Anna de Vries, use code {campaign.code}. {{unknown}} stays."
    assert mail.delivery_status == DeliveryStatus.QUEUED
    assert mail.outbound.kind == "campaign"
    [sms] = _campaign_messages(texter)
    assert sms.channel == Channel.SMS


def test_running_twice_sends_once() -> None:
    campaign = _live()
    customer = _customer()
    _run(campaign)
    assert _run(campaign)["sent"] == 0
    assert len(_campaign_messages(customer)) == 1
    assert CampaignRecipient.objects.filter(campaign=campaign).count() == 1


def test_a_worker_that_dies_after_claiming_loses_nothing_and_doubles_nothing() -> None:
    campaign = _live()
    customer = _customer()
    sending.campaign_recipients_plan(campaign=campaign)
    now = timezone.now()
    dead_token, ids = sending._claim(campaign_id=campaign.pk, now=now, limit=10)
    assert len(ids) == 1
    # While the claim is held, another batch finds nothing to send.
    assert sending.campaign_batch_send(campaign_id=campaign.pk)["claimed"] == 0
    later = now + sending.CLAIM_STUCK_AFTER + dt.timedelta(minutes=1)
    assert sending.campaign_claims_release(now=later) == 1
    assert sending.campaign_batch_send(campaign_id=campaign.pk, now=later)["sent"] == 1
    # The worker wakes up and tries to finish its old claim: refused.
    assert sending._send_one(
        campaign=campaign, recipient_id=ids[0], token=dead_token, now=later
    ) == ("lost")
    assert len(_campaign_messages(customer)) == 1


def test_opted_out_of_email_gets_the_campaign_by_sms() -> None:
    campaign = _live()
    customer = _customer(phone=True)
    ConsentFactory(customer=customer, channel=Channel.EMAIL, status=ConsentStatus.OPT_OUT)
    _run(campaign)
    [message] = _campaign_messages(customer)
    assert message.channel == Channel.SMS


def test_no_address_on_the_campaign_channels_is_skipped_with_the_reason() -> None:
    campaign = _live(channels=["sms"], response_rates={"sms": 1.0})
    customer = _customer()
    assert _run(campaign)["skipped"] == 1
    recipient = CampaignRecipient.objects.get(customer=customer)
    assert recipient.skip_reason == "No address on the campaign's channels."
    assert _campaign_messages(customer) == []


def test_quiet_hours_defer_the_message_until_they_end() -> None:
    campaign = _live()
    customer = _customer(quiet_hours_start=dt.time(22, 0), quiet_hours_end=dt.time(8, 0))
    late = timezone.localtime().replace(hour=23, minute=30, second=0, microsecond=0)
    if late <= campaign.launch_at:
        campaign.launch_at = late - dt.timedelta(hours=1)
        campaign.save()
    assert _run(campaign, now=late)["deferred"] == 1
    recipient = CampaignRecipient.objects.get(customer=customer)
    assert recipient.status == RecipientStatus.PENDING
    morning = (late + dt.timedelta(days=1)).replace(hour=8, minute=0)
    assert recipient.not_before == morning
    assert sending.campaign_batch_send(campaign_id=campaign.pk, now=late)["claimed"] == 0
    assert sending.campaign_batch_send(campaign_id=campaign.pk, now=morning)["sent"] == 1


def test_quiet_hours_within_a_day() -> None:
    customer = Customer(quiet_hours_start=dt.time(12, 0), quiet_hours_end=dt.time(14, 0))
    noon = timezone.localtime().replace(hour=13, minute=0, second=0, microsecond=0)
    assert sending.quiet_hours_until(customer=customer, now=noon) == noon.replace(hour=14)
    assert sending.quiet_hours_until(customer=customer, now=noon.replace(hour=15)) is None


def test_the_frequency_cap_keeps_a_customer_reached_by_another_campaign_out() -> None:
    campaign = _live()
    customer = _customer()
    interaction_record(
        customer=customer,
        channel=Channel.EMAIL,
        direction=Direction.OUTBOUND,
        occurred_at=timezone.now() - dt.timedelta(days=1),
        campaign_code="other-campaign",
    )
    assert _run(campaign)["claimed"] == 0
    assert len(_campaign_messages(customer)) == 1  # only the other campaign's


def test_a_campaign_that_is_not_live_or_has_ended_sends_nothing() -> None:
    _customer()
    finished = _live(status=CampaignStatus.FINISHED)
    assert sending.campaign_sending_run() == []
    sending.campaign_recipients_plan(campaign=finished)
    assert sending.campaign_batch_send(campaign_id=finished.pk)["claimed"] == 0
    assert sending.campaign_batch_send(campaign_id=999_999)["claimed"] == 0


def test_the_beat_plans_and_reports_the_campaigns_with_messages_due() -> None:
    campaign = _live()
    _live(message_body="")  # nothing written: nothing sent
    _customer()
    assert sending.campaign_sending_run() == [campaign.pk]


def test_the_audience_is_planned_in_slices(settings: object) -> None:
    settings.CAMPAIGN_PLAN_BATCH = 2  # type: ignore[attr-defined]
    campaign = _live()
    for _i in range(5):
        _customer()
    sending.campaign_recipients_plan(campaign=campaign)
    assert CampaignRecipient.objects.count() == 2
    campaign.refresh_from_db()
    assert campaign.recipients_planned_at is None
    sending.campaign_recipients_plan(campaign=campaign)
    sending.campaign_recipients_plan(campaign=campaign)
    campaign.refresh_from_db()
    assert CampaignRecipient.objects.count() == 5
    assert campaign.recipients_planned_at is not None


# --- Reminders ---------------------------------------------------------------------------


def test_reminders_go_only_to_those_who_did_not_open_or_reply_and_at_most_twice() -> None:
    campaign = _live(
        reminder_1_days=3,
        reminder_1_body="Still interested, {first_name}?",
        reminder_2_days=4,
        reminder_2_body="Last chance.",
    )
    opened, replied, bounced, silent = (_customer() for _i in range(4))
    start = timezone.now()
    _run(campaign, now=start)
    mail = {c.pk: _campaign_messages(c)[0] for c in (opened, replied, bounced, silent)}
    Interaction.objects.filter(pk=mail[opened.pk].pk).update(delivery_status=DeliveryStatus.READ)
    Interaction.objects.filter(pk=mail[bounced.pk].pk).update(delivery_status=DeliveryStatus.FAILED)
    interaction_record(
        customer=replied,
        channel=Channel.EMAIL,
        direction=Direction.INBOUND,
        occurred_at=start + dt.timedelta(hours=2),
        body="Yes please",
    )
    assert _run(campaign, now=start + dt.timedelta(days=2))["claimed"] == 0  # not due yet
    day3 = start + dt.timedelta(days=3, minutes=1)
    assert _run(campaign, now=day3)["sent"] == 1
    [_first, reminder] = sorted(_campaign_messages(silent), key=lambda i: i.pk)
    assert reminder.subject.startswith("Reminder: ")
    assert reminder.body == f"Still interested, {silent.name.split(' ')[0]}?"
    day7 = day3 + dt.timedelta(days=4, minutes=1)
    assert _run(campaign, now=day7)["sent"] == 1
    assert _run(campaign, now=day7 + dt.timedelta(days=30))["claimed"] == 0
    assert len(_campaign_messages(silent)) == 3
    for customer in (opened, replied, bounced):
        assert len(_campaign_messages(customer)) == 1


def test_reminder_fields_are_checked_together() -> None:
    errors = sending.campaign_sending_problems(
        values={"reminder_1_days": 3, "reminder_1_body": "", "reminder_2_days": 90}
    )
    assert set(errors) == {"reminder_1_body", "reminder_2_body"}
    errors = sending.campaign_sending_problems(
        values={"reminder_2_days": 3, "reminder_2_body": "Hi"}
    )
    assert set(errors) == {"reminder_2_days"}
    assert sending.campaign_sending_problems(values={}) == {}


# --- Replies -----------------------------------------------------------------------------


def test_a_reply_gets_the_campaign_code_is_routed_and_counted(manager: User) -> None:
    campaign = _live()
    customer = _customer()
    now = timezone.now()
    _run(campaign, now=now)
    reply = interaction_record(
        customer=customer,
        channel=Channel.EMAIL,
        direction=Direction.INBOUND,
        occurred_at=now + dt.timedelta(hours=1),
        subject="Re: Winter sale",
        body="Does the code work in the shop?",
    )
    reply.refresh_from_db()
    assert reply.campaign_code == campaign.code
    case = Case.objects.get(messages__interaction=reply)
    assert case.campaign_code == campaign.code
    [counts] = campaign_send_counts(campaign=campaign)
    assert (counts.sent, counts.replied) == (1, 1)
    # A second message the same day is no second reply.
    interaction_record(
        customer=customer,
        channel=Channel.EMAIL,
        direction=Direction.INBOUND,
        occurred_at=now + dt.timedelta(hours=2),
        body="And one more thing",
    )
    assert campaign_send_counts(campaign=campaign)[0].replied == 1


def test_a_reply_by_message_id_finds_the_message_it_answers() -> None:
    campaign = _live()
    customer = _customer()
    _run(campaign)
    sent = _campaign_messages(customer)[0]
    reply = Interaction.objects.create(
        customer=customer,
        channel=Channel.EMAIL,
        direction=Direction.INBOUND,
        occurred_at=timezone.now() + dt.timedelta(days=60),  # outside the window
    )
    recipient = sending.campaign_reply_record(interaction=reply, in_reply_to=sent.message_id)
    assert recipient is not None and recipient.campaign_id == campaign.pk
    assert sending.campaign_reply_record(interaction=reply, in_reply_to="<nope@x>") is None


def test_a_reply_by_campaign_code_counts_for_the_message_of_that_campaign() -> None:
    campaign = _live()
    customer = _customer()
    _run(campaign)
    sent = CampaignRecipient.objects.get(campaign=campaign, customer=customer)
    reply = Interaction.objects.create(
        customer=customer,
        channel=Channel.SMS,  # another channel, outside the window: the code decides
        direction=Direction.INBOUND,
        occurred_at=timezone.now() + dt.timedelta(days=60),
        campaign_code=campaign.code,
    )
    recipient = sending.campaign_reply_record(interaction=reply)
    assert recipient is not None and recipient.pk == sent.pk
    assert recipient.campaign.code == campaign.code
    assert recipient.campaign.channels == ["email", "sms"]
    assert recipient.campaign.response_rates == {"email": 2.0, "sms": 1.0}
    sent.refresh_from_db()
    assert sent.replied_at == reply.occurred_at
    reply.campaign_code = "OTHER-CODE"
    assert sending.campaign_reply_record(interaction=reply) is None


def test_a_message_with_no_campaign_message_awaiting_is_one_query(
    django_assert_num_queries: object,
) -> None:
    _run(_live())
    customer = _customer()
    CampaignRecipient.objects.filter(customer=customer).update(status=RecipientStatus.SKIPPED)
    message = Interaction.objects.create(
        customer=customer,
        channel=Channel.EMAIL,
        direction=Direction.INBOUND,
        occurred_at=timezone.now(),
    )
    with django_assert_num_queries(1):  # type: ignore[operator]
        assert sending.campaign_reply_record(interaction=message) is None
    message.refresh_from_db()
    assert message.campaign_code == ""


def test_a_message_on_another_channel_or_much_later_is_no_reply() -> None:
    campaign = _live()
    customer = _customer(phone=True)
    now = timezone.now()
    _run(campaign, now=now)
    for channel, when in ((Channel.SMS, now), (Channel.EMAIL, now + dt.timedelta(days=30))):
        other = interaction_record(
            customer=customer,
            channel=channel,
            direction=Direction.INBOUND,
            occurred_at=when + dt.timedelta(hours=1),
            body="Something else",
        )
        other.refresh_from_db()
        assert other.campaign_code == ""
    assert campaign_send_counts(campaign=campaign)[0].replied == 0


def test_send_counts_per_step_in_one_query(django_assert_num_queries: object) -> None:
    campaign = _live(reminder_1_days=2, reminder_1_body="Reminder")
    customers = [_customer() for _i in range(3)]
    now = timezone.now()
    _run(campaign, now=now)
    first = _campaign_messages(customers[0])[0]
    second = _campaign_messages(customers[1])[0]
    Interaction.objects.filter(pk=first.pk).update(delivery_status=DeliveryStatus.READ)
    Interaction.objects.filter(pk=second.pk).update(delivery_status=DeliveryStatus.FAILED)
    with django_assert_num_queries(1):  # type: ignore[operator]
        counts = campaign_send_counts(campaign=campaign)
    assert [(c.step, c.sent, c.delivered, c.opened, c.failed) for c in counts] == [
        (0, 3, 1, 1, 1),
        (1, 0, 0, 0, 0),
    ]


# --- Unwarned campaign contacts ----------------------------------------------------------


def _inbound(code: str, *, when: dt.datetime | None = None, external_id: str = "") -> Interaction:
    return interaction_record(
        customer=_customer(),
        channel=Channel.PHONE,
        direction=Direction.INBOUND,
        occurred_at=when or timezone.now(),
        body="I got a mail about a discount",
        campaign_code=code,
        source="api",
        external_id=external_id,
    )


def test_an_unknown_campaign_code_counts_as_unwarned(contact_center: Department) -> None:
    contact = _inbound("surprise-sale")
    row = UnwarnedCampaignContact.objects.get(interaction=contact)
    assert (row.reason, row.campaign_code, row.campaign_id) == (
        UnwarnedReason.UNKNOWN,
        "surprise-sale",
        None,
    )


def test_a_campaign_whose_briefing_nobody_acknowledged_counts_as_unwarned() -> None:
    campaign = _live(acknowledged_at=None)
    contact = _inbound(campaign.code)
    row = UnwarnedCampaignContact.objects.get(interaction=contact)
    assert (row.reason, row.campaign_id) == (UnwarnedReason.UNACKNOWLEDGED, campaign.pk)


def test_an_acknowledged_campaign_or_no_code_is_not_counted() -> None:
    campaign = _live()
    _inbound(campaign.code)
    _inbound("")
    assert not UnwarnedCampaignContact.objects.exists()


def test_unwarned_contacts_are_counted_per_period_and_department(
    django_assert_num_queries: object,
) -> None:
    now = timezone.now()
    _inbound("x-1", when=now - dt.timedelta(days=2))
    recent = _inbound("x-2", when=now - dt.timedelta(hours=1))
    department = Department.objects.create(code="retention", name="Retention")
    UnwarnedCampaignContact.objects.filter(interaction=recent).update(department=department)
    with django_assert_num_queries(1):  # type: ignore[operator]
        total = unwarned_campaign_contacts(since=now - dt.timedelta(days=7), until=now)
    assert total == 2
    assert unwarned_campaign_contacts(since=now - dt.timedelta(days=1), until=now) == 1
    other = Department.objects.create(code="other", name="Other")
    week = {"since": now - dt.timedelta(days=7), "until": now}
    assert unwarned_campaign_contacts(**week, department=department) == 1
    assert unwarned_campaign_contacts(**week, department=other) == 0


def test_recording_a_contact_twice_counts_it_once() -> None:
    contact = _inbound("surprise")
    assert sending.campaign_unwarned_record(interaction=contact) is not None
    assert UnwarnedCampaignContact.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_four_workers_sending_one_campaign_at_once_send_each_customer_once(
    settings: object,
) -> None:
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL")
    settings.CAMPAIGN_SEND_BATCH = 5  # type: ignore[attr-defined]
    campaign = _live()
    customers = [_customer() for _i in range(40)]
    sending.campaign_recipients_plan(campaign=campaign)
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def worker() -> None:
        start.wait()
        try:
            while sending.campaign_batch_send(campaign_id=campaign.pk)["claimed"]:
                pass
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    sent = Interaction.objects.filter(campaign_code=campaign.code, direction=Direction.OUTBOUND)
    assert sent.count() == 40
    assert sorted(sent.values_list("customer_id", flat=True)) == sorted(c.pk for c in customers)
