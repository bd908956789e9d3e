"""Bench rows for writes and fixed costs: Django's fixed cost of a token and of a session
request, single and batch intake, the CSV import, and the template time of the customer
page. Writes are rolled back, so the bench leaves nothing behind."""

import json
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.template import base as template_base
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bench.hotpaths import PathResult, Runner, Targets, _exists, _ms, _p95, _timed, floor_run
from contacts.models import CustomerImport

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

BATCH_SIZE = 1000


def intake_single(runner: Runner, *, count: int, target: Targets) -> PathResult:
    """Single intake: posts rolled back, without after-commit work."""
    url = "/api/v1/interactions/"
    path = "(g) intake POST /api/v1/interactions/"
    if not _exists(url):
        return PathResult(key="intake", path=path, url=url, status="missing")
    stamp = time.time_ns()

    def payload(n: int) -> str:
        return json.dumps(
            {
                "source": "bench",
                "external_id": f"bench-{stamp}-{n}",
                "channel": "email",
                "direction": "in",
                "occurred_at": timezone.now().isoformat(),
                "identities": [{"kind": "email", "value": target.email}],
                "subject": "Waar blijft mijn pakket?",
                "body": "Graag hoor ik zo snel mogelijk van u.",
            }
        )

    def post(n: int) -> "TestResponse":
        return runner.api_client.post(url, payload(n), content_type="application/json", secure=True)

    # Rolled back: the benchmark leaves no contact moments behind, and after-commit
    # work (Celery tasks) is left out of the figure.
    with transaction.atomic():
        first = post(-1)
        if first.status_code >= 400:
            transaction.set_rollback(True)
            return PathResult(key="intake", path=path, url=url, status=f"error {first.status_code}")
        with CaptureQueriesContext(connection) as captured:
            post(-2)
        queries = len(captured.captured_queries)
        timings = []
        started = time.perf_counter()
        for n in range(count):
            tick = time.perf_counter()
            post(n)
            timings.append(time.perf_counter() - tick)
        elapsed = time.perf_counter() - started
        now = timezone.now()
        floor: list[tuple[str, list[Any]]] = [
            (
                "SELECT id, customer_id FROM contacts_identity WHERE kind = %s AND value = %s",
                ["email", target.email],
            ),
            (
                "INSERT INTO contacts_interaction (customer_id, channel, direction, "
                "occurred_at, subject, body, topic, campaign_code, source, external_id, "
                "created_at, message_id, delivery_status, delivery_error) VALUES (%s, 'email', "
                "'in', %s, %s, %s, '', '', 'bench-floor', %s, %s, '', '', '')",
                [target.customer_id, now, "Waar blijft mijn pakket?", "", "", now],
            ),
            (
                "UPDATE contacts_customer SET last_interaction_at = %s WHERE id = %s AND "
                "(last_interaction_at IS NULL OR last_interaction_at < %s)",
                [now, target.customer_id, now],
            ),
        ]
        floor_timings = []
        for n in range(count):
            floor[1][1][4] = f"floor-{stamp}-{n}"
            tick = time.perf_counter()
            floor_run(floor)
            floor_timings.append(time.perf_counter() - tick)
        transaction.set_rollback(True)
    return PathResult.measured(
        key="intake", path=path, url=url, timings=timings, floor_timings=floor_timings,
        queries=queries, per_second=round(count / elapsed, 1),
    )  # fmt: skip


def _fixed(runner: Runner, *, key: str, path: str, url: str, client: Any) -> PathResult:
    """A request that passes authentication and the permission check and then does nothing
    (405 from a view that accepts only POST): what every request costs at least."""
    if not _exists(url):
        return PathResult(key=key, path=path, url=url, status="missing")
    runner.get(client, url)
    with CaptureQueriesContext(connection) as captured:
        response = runner.get(client, url)
    queries = len(captured.captured_queries)
    if response.status_code != 405:
        return PathResult(key=key, path=path, url=url, status=f"error {response.status_code}")
    timings = _timed(lambda: runner.get(client, url), runner.iterations)
    floor_run([("SELECT 1", [])])
    floor_timings = _timed(lambda: floor_run([("SELECT 1", [])]), runner.iterations)
    return PathResult.measured(
        key=key, path=path, url=url, timings=timings, floor_timings=floor_timings,
        queries=queries, fixed_ratio=1.0,
    )  # fmt: skip


def intake_batch(runner: Runner, *, batches: int, target: Targets) -> PathResult:
    """Batches of 1,000 new contact moments for known and new customers, rolled back."""
    url = "/api/v1/interactions/batch/"
    path = "(g2) batch intake, 1,000 per request"
    if not _exists(url):
        return PathResult(key="intake_batch", path=path, url=url, status="missing")
    stamp = time.time_ns()
    now = timezone.now().isoformat()

    def body(b: int) -> str:
        items = [
            {
                "source": "bench",
                "external_id": f"batch-{stamp}-{b}-{n}",
                "channel": "email",
                "direction": "in",
                "occurred_at": now,
                # Every other item is a customer seen before, the others are new ones.
                "identities": [
                    {
                        "kind": "email",
                        "value": target.email if n % 2 else f"batch-{stamp}-{b}-{n}@example.org",
                    }
                ],
                "subject": "Waar blijft mijn pakket?",
                "body": "Graag hoor ik zo snel mogelijk van u.",
            }
            for n in range(BATCH_SIZE)
        ]
        return json.dumps({"items": items})

    bodies = [body(b) for b in range(batches + 1)]

    def post(text: str) -> "TestResponse":
        return runner.api_client.post(url, text, content_type="application/json", secure=True)

    with transaction.atomic():
        with CaptureQueriesContext(connection) as captured:
            first = post(bodies[0])
        queries = len(captured.captured_queries)
        if first.status_code != 200:
            transaction.set_rollback(True)
            return PathResult(
                key="intake_batch", path=path, url=url, status=f"error {first.status_code}"
            )
        timings = []
        cpu = time.process_time()
        for text in bodies[1:]:
            tick = time.perf_counter()
            post(text)
            timings.append(time.perf_counter() - tick)
        cpu = time.process_time() - cpu
        transaction.set_rollback(True)
    median = statistics.median(timings)
    # On a shared machine the wall clock also counts waiting for a core; the CPU time of
    # this process (the database's is not in it) says what the Python side costs.
    per_cpu = BATCH_SIZE * len(timings) / cpu if cpu else 0.0
    return PathResult(
        key="intake_batch",
        path=path,
        url=url,
        status="ok",
        median_ms=_ms(median),
        p95_ms=_ms(_p95(timings)),
        queries=queries,
        per_second=round(BATCH_SIZE * len(timings) / sum(timings), 1),
        note="contact moments per second in one process (half new customers; rolled back); "
        f"{per_cpu:,.0f} per CPU second of this process",
    )


def csv_import(*, rows: int) -> PathResult:
    """An import of ``rows`` new customers with e-mail, phone and address, rolled back."""
    path = f"(g3) CSV import, {rows:,} rows"
    stamp = time.time_ns()
    lines = ["name;email;phone;street;postcode;city"]
    lines += [
        f"Klant {n};import-{stamp}-{n}@example.org;+3161{n % 10_000_000:07d};"
        f"Dorpsstraat {n % 200 + 1};1234 AB;Utrecht"
        for n in range(rows)
    ]
    content = "\n".join(lines) + "\n"
    from contacts.services.imports import customer_import_run

    with transaction.atomic():
        job = CustomerImport.objects.create(filename="bench.csv", content=content, total_rows=rows)
        tick = time.perf_counter()
        cpu = time.process_time()
        done = customer_import_run(import_id=job.pk)
        cpu = time.process_time() - cpu
        elapsed = time.perf_counter() - tick
        transaction.set_rollback(True)
    if done is None or done.processed_rows != rows:
        return PathResult(key="csv_import", path=path, url="", status="error")
    return PathResult(
        key="csv_import",
        path=path,
        url="/customers/data/import/",
        status="ok",
        median_ms=_ms(elapsed),
        per_second=round(rows / elapsed, 1),
        note=f"rows per second ({done.created_rows:,} created, {done.updated_rows:,} updated, "
        f"{done.rejected_rows:,} rejected; rolled back); "
        f"{rows / cpu if cpu else 0:,.0f} per CPU second of this process",
    )


@contextmanager
def _template_clock() -> Iterator[list[float]]:
    """Time spent in Template.render, outermost calls only (includes count once)."""
    spent: list[float] = []
    real = template_base.Template.render
    depth = [0]

    def render(self: Any, context: Any) -> Any:
        depth[0] += 1
        tick = time.perf_counter()
        try:
            return real(self, context)
        finally:
            depth[0] -= 1
            if depth[0] == 0:
                spent.append(time.perf_counter() - tick)

    template_base.Template.render = render  # type: ignore[method-assign]
    try:
        yield spent
    finally:
        template_base.Template.render = real  # type: ignore[method-assign]


def customer_page_template(runner: Runner, *, target: Targets) -> PathResult:
    """The share of the customer 360 page spent rendering templates."""
    url = f"/customers/{target.busy_customer_id}/"
    path = "(d2) customer 360 page, templates"
    if not _exists(url):
        return PathResult(key="customer_360_template", path=path, url=url, status="missing")
    runner.get(runner.page_client, url)
    per_request = []
    for _ in range(runner.iterations):
        with _template_clock() as spent:
            runner.get(runner.page_client, url)
        per_request.append(sum(spent))
    median = statistics.median(per_request)
    return PathResult(
        key="customer_360_template",
        path=path,
        url=url,
        status="ok",
        median_ms=_ms(median),
        p95_ms=_ms(_p95(per_request)),
        note="template rendering alone, inside the page request",
    )


def intake_paths(
    runner: Runner, *, target: Targets, count: int, import_rows: int
) -> list[PathResult]:
    token = _fixed(
        runner,
        key="fixed_token",
        path="(z1) fixed cost, token request",
        url="/api/v1/interactions/",
        client=runner.api_client,
    )
    session = _fixed(
        runner,
        key="fixed_session",
        path="(z2) fixed cost, session page",
        url=_resume_url(),
        client=runner.page_client,
    )
    return [
        customer_page_template(runner, target=target),
        intake_single(runner, count=count, target=target),
        intake_batch(runner, batches=max(1, count // 100), target=target),
        csv_import(rows=import_rows),
        token,
        session,
    ]


ONLY_ROWS = ("intake", "intake_batch", "csv_import")


def intake_paths_only(
    runner: Runner, *, target: Targets, keys: frozenset[str], count: int, import_rows: int
) -> list[PathResult]:
    """The intake rows named in ``keys`` (of ``ONLY_ROWS``), as the full run measures them."""
    unknown = sorted(keys - set(ONLY_ROWS))
    if unknown:
        raise ValueError(f"unknown rows {', '.join(unknown)}; choose from {', '.join(ONLY_ROWS)}")
    rows = []
    if "intake" in keys:
        rows.append(intake_single(runner, count=count, target=target))
    if "intake_batch" in keys:
        rows.append(intake_batch(runner, batches=max(1, count // 100), target=target))
    if "csv_import" in keys:
        rows.append(csv_import(rows=import_rows))
    return rows


def _resume_url() -> str:
    try:
        return reverse("contacts:data_import_resume", args=[0])
    except Exception:
        return "/customers/data/import/0/resume/"
