"""``manage.py seed``: append generated data for load tests, every app adding its part.

Each installed app with a ``seeding`` module that has a ``seed(*, run)`` function adds its
part, in the order of INSTALLED_APPS, so lower apps never import higher ones: contacts
writes the customers, journeys their cases and the campaigns, feedback the survey answers.
"""

import time
from importlib import import_module
from importlib.util import find_spec
from typing import Any, TextIO, cast

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser

from bench.seedrun import SeedRun, session_tune


def seeding_apps() -> list[tuple[str, Any]]:
    """(app label, seeding module) of every installed app that has one, in order."""
    found = []
    for config in apps.get_app_configs():
        module_name = f"{config.name}.seeding"
        if find_spec(module_name) is None:
            continue
        module = import_module(module_name)
        if callable(getattr(module, "seed", None)):
            found.append((config.label, module))
    return found


class Command(BaseCommand):
    help = (
        "Append generated customers with identities, contact moments, orders, consents and "
        "profile facts, then every higher app's part (cases, campaigns, survey answers); "
        "COPY on PostgreSQL. The same --seed gives the same data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--customers", type=int, required=True)
        parser.add_argument(
            "--interactions-per-customer",
            type=float,
            default=10,
            help="average number of contact moments per customer (default 10)",
        )
        parser.add_argument(
            "--orders-per-customer",
            type=float,
            default=1.5,
            help="average number of orders per customer (default 1.5)",
        )
        parser.add_argument(
            "--cases-per-customer",
            type=float,
            default=0.3,
            help="average number of cases per customer (default 0.3)",
        )
        parser.add_argument(
            "--responses-per-customer",
            type=float,
            default=0.2,
            help="average number of survey answers per customer (default 0.2)",
        )
        parser.add_argument("--seed", type=int, default=None, help="makes the data repeatable")
        parser.add_argument("--batch", type=int, default=10_000, help="customers per transaction")
        parser.add_argument(
            "--apps",
            nargs="+",
            metavar="APP",
            default=None,
            help=(
                "only these apps' parts (labels, e.g. journeys feedback); without contacts "
                "they work on the newest --customers existing customers"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["customers"] < 1:
            raise CommandError("--customers must be at least 1.")
        if options["batch"] < 1:
            raise CommandError("--batch must be at least 1.")
        averages = (
            "interactions_per_customer",
            "orders_per_customer",
            "cases_per_customer",
            "responses_per_customer",
        )
        if any(options[name] < 0 for name in averages):
            raise CommandError("Averages cannot be negative.")
        parts = seeding_apps()
        wanted = set(options["apps"]) if options["apps"] else None
        if wanted is not None:
            unknown = wanted - {label for label, _ in parts}
            if unknown:
                raise CommandError(
                    f"No seeding for {', '.join(sorted(unknown))}; choose from "
                    f"{', '.join(label for label, _ in parts)}."
                )
        run = SeedRun(
            customers=options["customers"],
            seed=options["seed"],
            batch_size=options["batch"],
            options={name: options[name] for name in averages},
            apps=wanted,
            out=cast(TextIO, self.stdout),
        )
        session_tune()
        for _label, module in parts:
            module.seed(run=run)
        report = run.report
        report.total_seconds = time.perf_counter() - run.started
        self.stdout.write(f"\n{'table':<14}{'rows':>12}{'seconds':>10}{'rows/s':>12}")
        for name, totals in report.tables.items():
            self.stdout.write(
                f"{name:<14}{totals.rows:>12,}{totals.seconds:>10.1f}{totals.rate:>12,.0f}"
            )
        self.stdout.write(f"{'generating':<14}{'':>12}{report.generate_seconds:>10.1f}")
        self.stdout.write(f"{'indexes':<14}{'':>12}{report.index_seconds:>10.1f}")
        self.stdout.write(f"{'total':<14}{'':>12}{report.total_seconds:>10.1f}")
        if report.skipped_identities:
            self.stdout.write(
                f"{report.skipped_identities} generated identities were already taken and skipped."
            )
