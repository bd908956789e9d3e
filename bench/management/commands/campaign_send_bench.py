"""``manage.py campaign_send_bench``: campaign messages per second to a local SMTP server."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bench.campaign_send import campaign_send_bench


class Command(BaseCommand):
    help = (
        "Send a campaign to N new customers (default 10,000) over SMTP to an aiosmtpd server "
        "on 127.0.0.1 and print messages per second for planning, recording and SMTP. Runs "
        "in a transaction that is rolled back: nothing is left in the database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--recipients", type=int, default=10_000)
        parser.add_argument("--batch", type=int, default=500, help="recipients per send batch")

    def handle(self, *args: Any, **options: Any) -> None:
        if not 1 <= options["recipients"] <= 1_000_000 or options["batch"] < 1:
            raise CommandError("--recipients must be 1 to 1,000,000 and --batch at least 1.")
        r = campaign_send_bench(recipients=options["recipients"], batch=options["batch"])
        self.stdout.write(
            f"{r.recipients} messages, {r.delivered} received by the SMTP server\n"
            f"plan recipients: {r.plan_seconds:.2f} s\n"
            f"record (outbound path): {r.record_seconds:.2f} s = "
            f"{r.rate(r.record_seconds):.0f}/s\n"
            f"SMTP delivery: {r.smtp_seconds:.2f} s = {r.rate(r.smtp_seconds):.0f}/s\n"
            f"end to end: {r.total_seconds:.2f} s = {r.rate(r.total_seconds):.0f} messages/s\n"
        )
