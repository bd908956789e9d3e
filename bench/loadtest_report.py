"""The summary of a load test from locust's CSV files: per request type the requests,
errors, requests per second and p50/p95/p99, then the errors themselves.

``python -m bench.loadtest_report var/loadtest`` (the ``--csv`` prefix of the run).
"""

import csv
import sys
from pathlib import Path
from typing import TextIO

COLUMNS = ("Name", "Request Count", "Failure Count", "Requests/s", "50%", "95%", "99%")


def report_write(prefix: str, *, out: TextIO) -> int:
    """Write the summary of the run saved under ``prefix``; returns the number of errors."""
    stats = Path(f"{prefix}_stats.csv")
    if not stats.exists():
        out.write(f"No results in {stats}: did locust start?\n")
        return 1
    with stats.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    out.write(
        f"{'request':<16}{'count':>9}{'errors':>8}{'req/s':>9}"
        f"{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}\n"
    )
    errors = 0
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "all"
        errors += int(row["Failure Count"]) if name != "all" else 0
        out.write(
            f"{name:<16}{int(row['Request Count']):>9}{int(row['Failure Count']):>8}"
            f"{float(row['Requests/s']):>9.1f}{row['50%']:>9}{row['95%']:>9}{row['99%']:>9}\n"
        )
    failures = Path(f"{prefix}_failures.csv")
    if failures.exists():
        with failures.open(newline="") as handle:
            for row in csv.DictReader(handle):
                out.write(
                    f"error: {row['Method']} {row['Name']}: {row['Error']} "
                    f"({row['Occurrences']}x)\n"
                )
    return errors


if __name__ == "__main__":
    report_write(sys.argv[1] if len(sys.argv) > 1 else "var/loadtest", out=sys.stdout)
