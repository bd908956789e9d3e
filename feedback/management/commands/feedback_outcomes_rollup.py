"""``manage.py feedback_outcomes_rollup --from YYYY-MM-DD --to YYYY-MM-DD``: rebuild the
outcome rollups behind the outcomes page."""

from typing import Any

from feedback.management.commands.feedback_rollup import DateRangeCommand
from feedback.services.outcomes import REFRESH_DAYS, outcome_rollup_rebuild


class Command(DateRangeCommand):
    help = (
        "Rebuild the outcome rollups (outcomes page) of a date range "
        f"(default: today and the {REFRESH_DAYS} days before)."
    )
    default_days = REFRESH_DAYS

    def handle(self, *args: Any, **options: Any) -> None:
        date_from, date_to = self.date_range(options)
        rows = outcome_rollup_rebuild(date_from=date_from, date_to=date_to)
        self.stdout.write(f"outcome rollups {date_from}..{date_to}: {rows} rows")
