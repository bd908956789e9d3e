"""``manage.py feedback_rollup --from YYYY-MM-DD --to YYYY-MM-DD``: rebuild daily rollups."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from feedback.services.rollups import rollup_rebuild


def parse_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {value}") from None


class DateRangeCommand(BaseCommand):
    """A command over ``--from``/``--to``; without them, today and ``default_days`` before."""

    default_days = 6

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="date_from", help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", help="last day, YYYY-MM-DD (default today)")

    def date_range(self, options: dict[str, Any]) -> tuple[dt.date, dt.date]:
        date_to = parse_date(options["date_to"]) if options["date_to"] else timezone.localdate()
        date_from = (
            parse_date(options["date_from"])
            if options["date_from"]
            else date_to - dt.timedelta(days=self.default_days)
        )
        if date_from > date_to:
            raise CommandError("--from is after --to")
        return date_from, date_to


class Command(DateRangeCommand):
    help = "Rebuild the feedback daily rollups of a date range (default: the last 7 days)."

    def handle(self, *args: Any, **options: Any) -> None:
        date_from, date_to = self.date_range(options)
        rows = rollup_rebuild(date_from=date_from, date_to=date_to)
        self.stdout.write(f"feedback rollups {date_from}..{date_to}: {rows} rows")
