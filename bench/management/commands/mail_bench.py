"""``manage.py mail_bench``: messages per second through the e-mail ingest service, the
``mail_ingest`` command and pipe, and the IMAP fetch (against IMAP_TEST_HOST)."""

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bench.mailpaths import Figure, bench_command, bench_imap, bench_pipe, bench_service


class Command(BaseCommand):
    help = (
        "Ingest generated e-mails through the service, the mail_ingest command, the pipe (a "
        "process per message) and an IMAP fetch, and print messages per second. Writes "
        "contact moments: run it on a scratch database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--messages", type=int, default=1000)
        parser.add_argument(
            "--pipe", type=int, default=100, help="messages through a process each (slow)"
        )
        parser.add_argument("--no-imap", action="store_true", help="skip the IMAP fetch")

    def handle(self, *args: Any, **options: Any) -> None:
        count = options["messages"]
        if count < 1 or options["pipe"] < 0:
            raise CommandError("--messages must be at least 1 and --pipe at least 0.")
        self.stdout.write(f"{'path':<45} {'messages':>9} {'seconds':>9} {'msg/s':>9}")
        # Each figure is printed as soon as it is measured: the slow paths come last.
        self._print(bench_service(count))
        self._print(bench_command(count))
        if options["pipe"]:
            self._print(bench_pipe(options["pipe"]))
        if not options["no_imap"]:
            self._print(
                bench_imap(
                    count,
                    host=os.environ.get("IMAP_TEST_HOST", "127.0.0.1"),
                    port=int(os.environ.get("IMAP_TEST_PORT", "10143")),
                    user=os.environ.get("IMAP_TEST_USER", "cxcenter"),
                    password=os.environ.get("IMAP_TEST_PASSWORD", "cxcenter-imap-test"),
                )
            )

    def _print(self, figure: Figure) -> None:
        self.stdout.write(
            f"{figure.path:<45} {figure.messages:>9} {figure.seconds:>9.2f} "
            f"{figure.per_second:>9.1f}"
        )
        self.stdout.flush()
