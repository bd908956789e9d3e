"""``manage.py seed``: append generated customers with timelines and orders, for load tests."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from contacts.seeding import customers_seed


class Command(BaseCommand):
    help = (
        "Append generated customers with identities, contact moments, orders, consents and "
        "profile facts (COPY on PostgreSQL). The same --seed gives the same people."
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
        parser.add_argument("--seed", type=int, default=None, help="makes the data repeatable")
        parser.add_argument("--batch", type=int, default=10_000, help="customers per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["customers"] < 1:
            raise CommandError("--customers must be at least 1.")
        if options["batch"] < 1:
            raise CommandError("--batch must be at least 1.")
        if options["interactions_per_customer"] < 0 or options["orders_per_customer"] < 0:
            raise CommandError("Averages cannot be negative.")
        report = customers_seed(
            customers=options["customers"],
            interactions_per_customer=options["interactions_per_customer"],
            orders_per_customer=options["orders_per_customer"],
            seed=options["seed"],
            batch_size=options["batch"],
            out=self.stdout,
        )
        self.stdout.write(f"\n{'table':<14}{'rows':>12}{'seconds':>10}{'rows/s':>12}")
        for name, totals in report.tables.items():
            self.stdout.write(
                f"{name:<14}{totals.rows:>12,}{totals.seconds:>10.1f}{totals.rate:>12,.0f}"
            )
        self.stdout.write(f"{'generating':<14}{'':>12}{report.generate_seconds:>10.1f}")
        self.stdout.write(f"{'total':<14}{'':>12}{report.total_seconds:>10.1f}")
        if report.skipped_identities:
            self.stdout.write(
                f"{report.skipped_identities} generated identities were already taken and skipped."
            )
