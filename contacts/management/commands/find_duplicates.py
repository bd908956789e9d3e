"""``manage.py find_duplicates``: record customers with the same name and postcode as pairs to
review on the duplicates page."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from contacts.services.duplicates import duplicates_find


class Command(BaseCommand):
    help = "Find customers with the same name and postcode (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Only look at customers changed in the last DAYS days (default: all).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        since = timezone.now() - dt.timedelta(days=days) if days is not None else None
        created = duplicates_find(since=since)
        self.stdout.write(f"{created} new duplicate pair(s) found.\n")
