"""Campaign messages per second to a real SMTP server on 127.0.0.1 (aiosmtpd).

Creates N customers with an e-mail address and a live campaign for them, then times the
three parts of sending: planning the recipients, recording each message through the
outbound path (batches of the send task), and handing each one to SMTP (what the outbound
worker does). Everything runs in one transaction that is rolled back at the end, so the
database is left as it was.
"""

import logging
import secrets
import socket
import time
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.test import override_settings
from django.utils import timezone


@dataclass(frozen=True)
class SendBench:
    recipients: int
    delivered: int
    plan_seconds: float
    record_seconds: float
    smtp_seconds: float

    @property
    def total_seconds(self) -> float:
        return self.plan_seconds + self.record_seconds + self.smtp_seconds

    def rate(self, seconds: float) -> float:
        return self.recipients / seconds if seconds else 0.0


class _Rollback(Exception):
    pass


def campaign_send_bench(*, recipients: int, batch: int = 500) -> SendBench:
    import datetime as dt

    from aiosmtpd.controller import Controller

    from accounts.models import User
    from contacts.models import Customer, Identity, IdentityKind, Interaction
    from contacts.services.outbound import outbound_deliver
    from journeys.models import Campaign, CampaignStatus, Segment
    from journeys.services.campaign_sending import campaign_batch_send, campaign_recipients_plan

    received = 0

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            nonlocal received
            received += 1
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every session
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    result: SendBench | None = None
    try:
        with override_settings(
            MAILERS={
                "default": {
                    "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                    "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
                }
            },
            CXCENTER_EMAIL_BACKEND="contacts.backends.email.EmailBackend",
        ):
            try:
                with transaction.atomic():
                    city = f"bench-{secrets.token_hex(4)}"
                    now = timezone.now()
                    customers = Customer.objects.bulk_create(
                        [Customer(name=f"Klant {i}", city=city) for i in range(recipients)],
                        batch_size=2000,
                    )
                    Identity.objects.bulk_create(
                        [
                            Identity(
                                customer=c,
                                kind=IdentityKind.EMAIL,
                                value=f"{city}-{c.pk}@example.nl",
                                first_seen=now,
                                last_seen=now,
                            )
                            for c in customers
                        ],
                        batch_size=2000,
                    )
                    owner, _created = User.objects.get_or_create(username="bench-marketer")
                    campaign = Campaign.objects.create(
                        name="Bench",
                        code=city,
                        owner=owner,
                        channels=["email"],
                        response_rates={"email": 1.0},
                        segment=Segment.objects.create(name=city, definition={"city": city}),
                        launch_at=now - dt.timedelta(minutes=1),
                        end_at=now + dt.timedelta(days=1),
                        status=CampaignStatus.LIVE,
                        acknowledged_at=now,
                        message_subject="Aanbieding voor {first_name}",
                        message_body="Beste {name}, deze week 20% korting.",
                    )
                    with override_settings(CAMPAIGN_PLAN_BATCH=recipients + 1):
                        t0 = time.perf_counter()
                        campaign_recipients_plan(campaign=campaign, now=now)
                        t1 = time.perf_counter()
                    while campaign_batch_send(campaign_id=campaign.pk, now=now, limit=batch)[
                        "claimed"
                    ]:
                        pass
                    t2 = time.perf_counter()
                    ids = list(
                        Interaction.objects.filter(campaign_code=campaign.code).values_list(
                            "pk", flat=True
                        )
                    )
                    for pk in ids:
                        outbound_deliver(interaction_id=pk, final_attempt=True)
                    t3 = time.perf_counter()
                    result = SendBench(
                        recipients=len(ids),
                        delivered=received,
                        plan_seconds=t1 - t0,
                        record_seconds=t2 - t1,
                        smtp_seconds=t3 - t2,
                    )
                    raise _Rollback
            except _Rollback:
                pass
    finally:
        controller.stop()
    assert result is not None
    return result
