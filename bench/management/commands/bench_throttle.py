"""``manage.py bench_throttle``: sign-ins, the inbox under a password flood and wrong API
tokens, measured against gunicorn on 127.0.0.1 with production settings."""

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from bench.throttle import (
    gunicorn_start,
    median_ms,
    percentile,
    settings_summary,
    throttle_bench,
)


class Command(BaseCommand):
    help = (
        "Start gunicorn on 127.0.0.1 with DEBUG off (SECRET_KEY from the environment) on "
        "the configured PostgreSQL and Redis, and print: N simultaneous sign-ins (p50/p95), "
        "an agent's inbox p50 without and during a flood of wrong passwords from one "
        "client, and how many wrong API tokens from one address get 401 before 429, with "
        "Retry-After. Creates agents named bench-throttle-N."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--logins", type=int, default=50)
        parser.add_argument("--inbox-requests", type=int, default=30)
        parser.add_argument("--tokens", type=int, default=300)
        parser.add_argument(
            "--flood-connections",
            type=int,
            default=4,
            help="connections the flooding client keeps busy at once",
        )
        parser.add_argument("--port", type=int, default=8812)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("Set DATABASE_URL to PostgreSQL: the bench measures production.")
        if not os.environ.get("REDIS_URL"):
            raise CommandError("Set REDIS_URL: throttles count in the shared cache.")
        if not 1 <= options["logins"] <= 500:
            raise CommandError("--logins must be 1 to 500.")
        process, log = gunicorn_start(
            port=options["port"], workers=options["workers"], threads=options["threads"]
        )
        try:
            r = throttle_bench(
                base=f"http://127.0.0.1:{options['port']}",
                logins=options["logins"],
                inbox_requests=options["inbox_requests"],
                tokens=options["tokens"],
                flood_seconds=2.0,
                flood_connections=options["flood_connections"],
            )
        finally:
            process.terminate()
            process.wait(timeout=30)
        load = "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
        out = self.stdout.write
        out(f"gunicorn: {options['workers']} workers x {options['threads']} threads; log {log}")
        out(settings_summary())
        out(
            f"(a) {options['logins']} simultaneous sign-ins: p50 "
            f"{percentile(r.logins, 0.5) * 1000:.0f} ms, p95 {percentile(r.logins, 0.95) * 1000:.0f}"
            f" ms; statuses {dict(r.login_statuses)}"
        )
        out(
            f"(b) inbox p50 {median_ms(r.inbox_quiet):.0f} ms quiet, "
            f"{median_ms(r.inbox_flooded):.0f} ms during the flood "
            f"({options['inbox_requests']} requests each; flood from one client on "
            f"{options['flood_connections']} connections); flood answers {dict(r.flood_statuses)}"
        )
        out(
            f"(c) {options['tokens']} wrong tokens: {r.token_401_before_429} x 401 before the "
            f"first 429, Retry-After {r.retry_after}; statuses {dict(r.token_statuses)}"
        )
        out(f"load average {load}")
