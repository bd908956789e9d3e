"""Wall time and query count of the contacts hot paths, each next to its plain-SQL floor.

Requests go through Django's test client (the whole middleware stack, no network); the
floor is the minimal SQL of the same answer through the raw DB-API cursor.
"""

import os
import platform
from dataclasses import asdict
from typing import Any, TextIO
from urllib.parse import urlencode

from django.db import connection

from bench.pathrunner import (
    BENCH_INTEGRATION,
    BENCH_MANAGER,
    DEEP_PAGES,
    PAGE_SIZE,
    NotEnoughData,
    PathResult,
    Runner,
    Statement,
    Targets,
    _exists,
    _host,
    _ms,
    _p95,
    _raw_sql,
    _relative,
    _timed,
    bench_targets,
    bench_users_ensure,
    dutch_mobile_notation,
    floor_run,
)
from contacts.models import Customer, Interaction

# The runner's names stay importable from here, where the other path modules find them.
__all__ = [
    "BENCH_INTEGRATION",
    "BENCH_MANAGER",
    "DEEP_PAGES",
    "PAGE_SIZE",
    "NotEnoughData",
    "PathResult",
    "Runner",
    "Statement",
    "Targets",
    "_exists",
    "_host",
    "_ms",
    "_p95",
    "_relative",
    "_timed",
    "bench_targets",
    "bench_users_ensure",
    "dutch_mobile_notation",
    "floor_run",
    "hotpaths_bench",
    "report_write",
]


def hotpaths_bench(
    *,
    iterations: int = 50,
    intake_count: int = 200,
    min_customers: int = 1000,
    threads: int = 8,
    takes: int = 25,
    import_rows: int = 2000,
    only: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """Measure every hot path, or only the intake rows named in ``only``; raises
    NotEnoughData on a database that was not seeded."""
    customers = Customer.objects.count()
    if customers < min_customers:
        raise NotEnoughData(f"{customers} customers")
    manager, token = bench_users_ensure()
    target = bench_targets()
    runner = Runner(iterations=iterations, manager=manager, token=token)
    if only:
        from bench.intakepaths import intake_paths_only

        rows = intake_paths_only(
            runner, target=target, keys=only, count=intake_count, import_rows=import_rows
        )
        return _report(
            rows,
            customers=customers,
            iterations=iterations,
            intake_count=intake_count,
            threads=threads,
            target=target,
        )
    api = runner.api_client
    customer_sql = (
        "SELECT c.* FROM contacts_customer c JOIN contacts_identity i ON i.customer_id = c.id "
        "WHERE i.kind = %s AND i.value = %s"
    )
    phone_sql = (
        "SELECT c.* FROM contacts_customer c JOIN contacts_identity i ON i.customer_id = c.id "
        "WHERE i.kind IN ('phone', 'whatsapp', 'sms') AND i.value = %s"
    )
    name_sql = (
        "SELECT c.* FROM contacts_customer c WHERE UPPER(c.name) LIKE %s "
        "AND c.merged_into_id IS NULL AND c.erased_at IS NULL "
        "ORDER BY c.last_interaction_at DESC, c.id DESC LIMIT 25"
    )
    timeline_sql = (
        "SELECT * FROM contacts_interaction WHERE customer_id = %s "
        "ORDER BY occurred_at DESC, id DESC LIMIT 26"
    )
    keyset_sql = (
        "SELECT * FROM contacts_interaction WHERE customer_id = %s "
        "AND (occurred_at, id) < (%s, %s) ORDER BY occurred_at DESC, id DESC LIMIT 26"
    )
    busy = target.busy_customer_id
    customer_360 = [
        ("SELECT * FROM contacts_customer WHERE id = %s", [busy]),
        ("SELECT * FROM contacts_identity WHERE customer_id = %s", [busy]),
        (timeline_sql, [busy]),
        (
            "SELECT f.*, q.key FROM contacts_profilefact f JOIN contacts_profilequestion q "
            "ON q.id = f.question_id WHERE f.customer_id = %s AND f.is_current",
            [busy],
        ),
        ("SELECT * FROM contacts_consent WHERE customer_id = %s", [busy]),
        (
            "SELECT * FROM contacts_order WHERE customer_id = %s ORDER BY ordered_at DESC LIMIT 10",
            [busy],
        ),
    ]
    search = "/api/v1/customers/?"
    timeline_url = f"/api/v1/customers/{busy}/interactions/"
    results = [
        runner.measure(
            key="lookup_email",
            path="(a) lookup by e-mail",
            url=search + urlencode({"q": target.email}),
            client=api,
            floor=[(customer_sql, ["email", target.email])],
        ),
        runner.measure(
            key="lookup_phone",
            path="(b) lookup by phone 06-…",
            url=search + urlencode({"q": dutch_mobile_notation(target.mobile)}),
            client=api,
            floor=[(phone_sql, [target.mobile])],
        ),
        runner.measure(
            key="search_name",
            path="(c) name search",
            url=search + urlencode({"q": target.name_part}),
            client=api,
            floor=[(name_sql, [f"%{target.name_part.upper()}%"])],
        ),
        runner.measure(
            key="customer_360",
            path="(d) customer 360 page",
            url=f"/customers/{busy}/",
            client=runner.page_client,
            floor=customer_360,
        ),
        runner.measure(
            key="timeline_first",
            path="(e) timeline, first page",
            url=timeline_url,
            client=api,
            floor=[(timeline_sql, [busy])],
        ),
    ]
    deep_url, walked = (
        runner.deep_page(timeline_url) if _exists(timeline_url) else (timeline_url, 0)
    )
    position = _keyset_position(busy, walked * PAGE_SIZE - 1) if walked else None
    deep_floor = (
        [(keyset_sql, [busy, position[0], position[1]])] if position else [(timeline_sql, [busy])]
    )
    results.append(
        runner.measure(
            key="timeline_deep",
            path=f"(f) timeline, page {walked + 1}",
            url=deep_url,
            client=api,
            floor=deep_floor,
        )
    )
    from bench.intakepaths import intake_paths

    results.extend(intake_paths(runner, target=target, count=intake_count, import_rows=import_rows))
    # The higher apps' paths; imported here so that contacts never depends on them.
    from bench.workpaths import work_paths

    results.extend(work_paths(runner, manager=manager, threads=threads, takes=takes))
    _fixed_ratios(results)
    return _report(
        results,
        customers=customers,
        iterations=iterations,
        intake_count=intake_count,
        threads=threads,
        target=target,
    )


def _report(
    results: list[PathResult],
    *,
    customers: int,
    iterations: int,
    intake_count: int,
    threads: int,
    target: Targets,
) -> dict[str, Any]:
    return {
        "machine": {
            "cpus": os.cpu_count(),
            "memory_gib": _memory_gib(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "database": connection.vendor,
        "customers": customers,
        "interactions": Interaction.objects.count(),
        "iterations": iterations,
        "intake_count": intake_count,
        "threads": threads,
        "targets": asdict(target),
        "results": [asdict(result) for result in results],
    }


def _fixed_ratios(results: list[PathResult]) -> None:
    """Each row's median over the fixed cost of its kind: token for the API, else session."""
    fixed = {r.key: r.median_ms for r in results if r.key.startswith("fixed_")}
    for row in results:
        if row.median_ms is None or row.key.startswith("fixed_"):
            continue
        base = fixed.get("fixed_token" if row.url.startswith("/api/") else "fixed_session")
        if base:
            row.fixed_ratio = round(row.median_ms / base, 1)


def _keyset_position(customer_id: int, offset: int) -> tuple[Any, Any] | None:
    """The (occurred_at, id) a deep page starts after, in the database's own format."""
    connection.ensure_connection()
    raw = connection.connection.cursor()
    try:
        raw.execute(
            _raw_sql(
                "SELECT occurred_at, id FROM contacts_interaction WHERE customer_id = %s "
                "ORDER BY occurred_at DESC, id DESC LIMIT 1 OFFSET %s"
            ),
            [customer_id, offset],
        )
        row = raw.fetchone()
    finally:
        raw.close()
    return (row[0], row[1]) if row else None


def _memory_gib() -> float | None:
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None
    return round(pages / 2**30, 1)


def report_write(report: dict[str, Any], *, out: TextIO) -> None:
    """The table people read: one line per path."""
    out.write(
        f"{report['database']}: {report['customers']:,} customers, "
        f"{report['interactions']:,} contact moments, {report['iterations']} iterations, "
        f"{report['machine']['cpus']} CPUs, {report['machine']['memory_gib']} GiB\n\n"
    )
    out.write(
        f"{'path':<40}{'median ms':>10}{'p95 ms':>10}{'queries':>9}{'floor ms':>10}{'ratio':>8}"
        f"{'÷fixed':>8}\n"
    )

    def cell(value: Any, width: int, spec: str) -> str:
        return f"{value:>{width}{spec}}" if value is not None else f"{'-':>{width}}"

    for row in report["results"]:
        if row["status"] != "ok":
            floor = cell(row["floor_ms"], 10, ".2f")
            out.write(f"{row['path']:<40}{row['status']:>10}{'':>10}{'':>9}{floor}\n")
            continue
        out.write(
            f"{row['path']:<40}{cell(row['median_ms'], 10, '.2f')}{cell(row['p95_ms'], 10, '.2f')}"
            f"{cell(row['queries'], 9, 'd')}{cell(row['floor_ms'], 10, '.2f')}"
            f"{cell(row['ratio'], 8, '.1f')}{cell(row.get('fixed_ratio'), 8, '.1f')}\n"
        )
        note = row.get("note")
        if row["per_second"] is not None and not note:
            note = (
                "contact moments per second in one process (rolled back, without after-commit work)"
            )
        if row["per_second"] is not None:
            out.write(f"{'':<4}{row['per_second']:,.0f} {note}\n")
        elif note:
            out.write(f"{'':<4}{note}\n")
