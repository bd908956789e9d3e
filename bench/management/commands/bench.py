"""``manage.py bench``: median/p95, query count and raw-SQL floor of every hot path."""

import json
from pathlib import Path
from typing import Any, TextIO, cast

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from bench.hotpaths import NotEnoughData, hotpaths_bench, report_write
from bench.intakepaths import ONLY_ROWS


class Command(BaseCommand):
    help = (
        "Measure the customer lookups, the 360 page, the timeline, intake, take next under "
        "concurrency, the inbox, the campaign audience count and forecast, and the feedback "
        "dashboard and summary against the configured database (seed it first) and print a "
        "table; also written as JSON."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--iterations", type=int, default=50)
        parser.add_argument(
            "--intake", type=int, default=200, help="contact moments to post for intake"
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=8,
            help="agents clicking take next at once, each with its own connection",
        )
        parser.add_argument("--takes", type=int, default=25, help="take-next clicks per agent")
        parser.add_argument(
            "--import-rows", type=int, default=2000, help="rows of the CSV import measured"
        )
        parser.add_argument(
            "--only",
            default="",
            help="comma-separated rows to measure alone: intake, intake_batch, csv_import "
            "(default: every row)",
        )
        parser.add_argument(
            "--json", type=Path, default=settings.VAR_DIR / "bench.json", help="where to write"
        )
        parser.add_argument(
            "--min-customers",
            type=int,
            default=1000,
            help="refuse to run on fewer customers than this",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = ("iterations", "intake", "threads", "takes")
        if any(options[name] < 1 for name in counts):
            raise CommandError("--iterations, --intake, --threads and --takes must be at least 1.")
        only = frozenset(key.strip() for key in options["only"].split(",") if key.strip())
        unknown = sorted(only - set(ONLY_ROWS))
        if unknown:
            raise CommandError(
                f"Unknown rows for --only: {', '.join(unknown)}; choose from {', '.join(ONLY_ROWS)}."
            )
        try:
            report = hotpaths_bench(
                iterations=options["iterations"],
                intake_count=options["intake"],
                min_customers=options["min_customers"],
                threads=options["threads"],
                takes=options["takes"],
                import_rows=options["import_rows"],
                only=only,
            )
        except NotEnoughData as exc:
            raise CommandError(
                f"Not enough data to benchmark ({exc}); run `manage.py seed --customers "
                "100000` first."
            ) from None
        report_write(report, out=cast(TextIO, self.stdout))
        path: Path = options["json"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report, indent=2, default=str) + "\n")
        self.stdout.write(f"\nWritten to {path}")
