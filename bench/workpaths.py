"""Hot paths of the work built on customers: take next under concurrency, the inbox, the
campaign audience count and forecast, the feedback dashboard and summary.

Imported only when journeys (and feedback) are installed; each path reports "no data" when
the seed did not add its part, so the contacts figures stand on their own.
"""

import datetime as dt
import threading
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from django.apps import apps
from django.db import connection, connections, transaction
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.models import Department, User
from accounts.roles import Role
from accounts.services import role_assign

from .hotpaths import (
    PathResult,
    Runner,
    Statement,
    _exists,
    _host,
    _timed,
    floor_run,
)

BENCH_AGENT = "bench-agent-{n}"
OPEN = ("new", "open", "waiting_customer", "waiting_department")
OPEN_SQL = "('new', 'open', 'waiting_customer', 'waiting_department')"


def compiled(qs: Any) -> Statement:
    """The SQL Django sends for ``qs`` (with its parameters), for a floor of the same query."""
    sql, params = qs.query.get_compiler(using=qs.db).as_sql()
    return sql, list(params)


def _agents(department: Department, count: int) -> list[User]:
    agents = []
    for n in range(1, count + 1):
        user, created = User.objects.get_or_create(
            username=BENCH_AGENT.format(n=n), defaults={"department": department}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        if user.department_id != department.pk:
            user.department = department
            user.save(update_fields=["department"])
        role_assign(user=user, role=Role.AGENT)
        agents.append(user)
    return agents


def _taken_case(response: Any) -> int | None:
    """The case a take-next answer opens (its redirect), or None for an empty queue."""
    location = response.get("Location", "") if response.status_code == 302 else ""
    parts = [p for p in location.split("/") if p]
    if len(parts) >= 2 and parts[-2] == "cases" and parts[-1].isdigit():
        return int(parts[-1])
    return None


def take_next(*, department: Department, threads: int, takes: int) -> PathResult:
    """``threads`` agents, each with its own client and database connection, click "take
    next" ``takes`` times at once on one department queue. Every case taken is handed back
    afterwards (owner, status and updated time as they were)."""
    from journeys.models import OPEN_Q, Case

    url = reverse("journeys:inbox_take_next") if _exists("/inbox/take-next/") else ""
    path = f"(h) take next, {threads} agents at once" if threads > 1 else "(h) take next, one agent"
    if not url:
        return PathResult(key="take_next", path=path, url="/inbox/take-next/", status="missing")
    # SQLite has one writer at a time; the clicks then run one after the other.
    inline = threads == 1 or connection.vendor != "postgresql"
    queue = Case.objects.filter(OPEN_Q, department=department, owner__isnull=True).order_by(
        F("resolution_due").asc(nulls_last=True), "id"
    )
    wanted = threads * takes + 1
    before = {
        pk: (status, updated)
        for pk, status, updated in queue.values_list("id", "status", "updated_at")[
            : wanted + 10 * threads
        ]
    }
    # A short queue (a small seed): fewer clicks each, and one left for counting queries.
    takes = min(takes, (len(before) - 1) // threads)
    if takes < 1:
        return PathResult(key="take_next", path=path, url=url, status="no data")
    agents = _agents(department, threads)
    host = _host()
    clients = []
    for agent in agents:
        client = Client(HTTP_HOST=host, raise_request_exception=False)
        client.force_login(agent)
        clients.append(client)
    taken: list[int] = []
    timings: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def click(client: Client) -> None:
        tick = time.perf_counter()
        response = client.post(url, secure=True)
        elapsed = time.perf_counter() - tick
        case_id = _taken_case(response)
        with lock:
            timings.append(elapsed)
            if case_id is not None:
                taken.append(case_id)
            elif response.status_code >= 400:
                errors.append(str(response.status_code))

    with CaptureQueriesContext(connection) as captured:
        click(clients[0])
    queries = len(captured.captured_queries)
    counted = list(taken)
    taken.clear()
    timings.clear()
    barrier = threading.Barrier(threads + (0 if inline else 1))

    def agent_work(client: Client) -> None:
        try:
            if not inline:
                barrier.wait()
            for _ in range(takes):
                click(client)
        finally:
            if not inline:
                connections.close_all()

    started = time.perf_counter()
    if inline:
        for client in clients:
            agent_work(client)
    else:
        workers = [threading.Thread(target=agent_work, args=(c,)) for c in clients]
        for worker in workers:
            worker.start()
        barrier.wait()
        started = time.perf_counter()
        for worker in workers:
            worker.join()
    elapsed = time.perf_counter() - started
    handed_twice = len(taken) - len(set(taken))

    # The floor: the same claim as one statement, rolled back.
    agent = agents[0]
    lock_clause = " FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""
    floor: list[Statement] = [
        (
            "UPDATE journeys_case SET owner_id = %s, updated_at = %s, status = CASE WHEN "
            "status = 'new' THEN 'open' ELSE status END WHERE id = (SELECT id FROM "
            f"journeys_case WHERE department_id = %s AND owner_id IS NULL AND status IN "
            f"{OPEN_SQL} ORDER BY resolution_due ASC NULLS LAST, id LIMIT 1{lock_clause})",
            [agent.pk, timezone.now(), department.pk],
        )
    ]
    with transaction.atomic():
        floor_timings = _timed(lambda: floor_run(floor), max(10, min(len(timings), 200)))
        transaction.set_rollback(True)

    for pk in {*taken, *counted}:
        status, updated = before.get(pk, ("new", timezone.now()))
        Case.objects.filter(pk=pk).update(owner=None, status=status, updated_at=updated)

    if not timings or not taken:
        return PathResult(
            key="take_next",
            path=path,
            url=url,
            status=f"error {errors[0]}" if errors else "no data",
        )
    how = (
        "one after the other (SQLite)"
        if inline and threads > 1
        else f"by {threads} agents at once"
        if threads > 1
        else "by one agent"
    )
    return PathResult.measured(
        key="take_next",
        path=path,
        url=url,
        timings=timings,
        floor_timings=floor_timings,
        queries=queries,
        per_second=round(len(taken) / elapsed, 1) if elapsed else None,
        note=(
            f"takes per second {how}; {len(taken)} cases handed out, "
            f"{handed_twice} of them twice{', errors: ' + ', '.join(errors) if errors else ''}"
        ),
    )


def inbox(runner: Runner, *, department: Department) -> PathResult:
    """The department queue tab of the inbox, as a lead of that department sees it."""
    floor = [
        (
            "SELECT c.*, cu.*, d.*, u.*, o.* FROM journeys_case c "
            "JOIN contacts_customer cu ON cu.id = c.customer_id "
            "JOIN accounts_department d ON d.id = c.department_id "
            "LEFT JOIN accounts_user u ON u.id = c.owner_id "
            "LEFT JOIN contacts_interaction o ON o.id = c.origin_id "
            f"WHERE c.department_id = %s AND c.owner_id IS NULL AND c.status IN {OPEN_SQL} "
            "ORDER BY c.resolution_due ASC NULLS LAST, c.id LIMIT 25",
            [department.pk],
        )
    ]
    return runner.measure(
        key="inbox",
        path="(i) inbox, department queue",
        url="/inbox/?" + urlencode({"tab": "queue"}),
        client=runner.page_client,
        floor=floor,
    )


def _campaign() -> Any:
    """The planned campaign with the largest audience (the heaviest count)."""
    from journeys.models import PLANNED_STATUSES, Campaign

    return (
        Campaign.objects.filter(status__in=PLANNED_STATUSES, segment__isnull=False)
        .select_related("segment")
        .order_by(F("audience_total").desc(nulls_last=True), "id")
        .first()
    )


def audience_count(runner: Runner) -> PathResult:
    """Both capped counts the campaign's audience panel shows: before and after
    suppression. The floor is the same SQL sent through the raw cursor."""
    from journeys.selectors.campaigns import campaign_audience, campaign_audience_counts
    from journeys.selectors.segments import segment_count_cap

    path = "(j) campaign audience, suppressed"
    campaign = _campaign()
    if campaign is None:
        return PathResult(key="audience_count", path=path, url="", status="no data")
    cap = segment_count_cap()
    floor = []
    for suppress in (False, True):
        inner = campaign_audience(campaign=campaign, suppress=suppress).order_by().values("pk")
        sql, params = compiled(inner[: cap + 1])
        floor.append((f"SELECT COUNT(*) FROM ({sql}) AS audience", params))
    try:
        url = reverse("journeys:campaign_audience", kwargs={"pk": campaign.pk})
    except NoReverseMatch:
        url = ""
    result = runner.measure_call(
        key="audience_count",
        path=path,
        url=url,
        call=lambda: campaign_audience_counts(campaign=campaign),
        floor=floor,
    )
    counts = campaign_audience_counts(campaign=campaign)
    result.note = (
        f"campaign {campaign.code}: {counts.total.value:,}"
        f"{'+' if counts.total.capped else ''} in the segment, "
        f"{counts.after_suppression.value:,}{'+' if counts.after_suppression.capped else ''} "
        f"after suppression (counts stop at {cap:,})"
    )
    return result


def _weekday_sql(tz: str) -> str:
    if connection.vendor == "postgresql":
        return f"EXTRACT(ISODOW FROM occurred_at AT TIME ZONE '{tz}')"
    # The raw sqlite3 cursor takes the text as it is: no %-escaping.
    return "strftime('%w', occurred_at)"


def forecast(runner: Runner) -> PathResult:
    from journeys.models import PLANNED_STATUSES

    path = "(k) campaign forecast API"
    campaign = _campaign()
    if campaign is None:
        return PathResult(key="campaign_forecast", path=path, url="", status="no data")
    department = Department.objects.filter(code=Department.CONTACT_CENTER).first()
    tz = department.timezone if department else "Europe/Amsterdam"
    today = timezone.localdate()
    start = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(weeks=4), dt.time()))
    end = timezone.make_aware(dt.datetime.combine(today, dt.time()))
    statuses = ", ".join(f"'{s}'" for s in PLANNED_STATUSES)
    floor: list[Statement] = [
        (
            f"SELECT {_weekday_sql(tz)} AS weekday, COUNT(*) FROM contacts_interaction "
            "WHERE direction = 'in' AND occurred_at >= %s AND occurred_at < %s GROUP BY 1",
            [start, end],
        ),
        (
            f"SELECT * FROM journeys_campaign WHERE status IN ({statuses}) "
            "AND launch_at < %s AND end_at > %s ORDER BY launch_at, id",
            [campaign.end_at, campaign.launch_at],
        ),
        (
            "SELECT weekday, hour, agents FROM accounts_staffingslot WHERE department_id = %s",
            [department.pk if department else 0],
        ),
    ]
    return runner.measure(
        key="campaign_forecast",
        path=path,
        url=f"/api/v1/campaigns/{campaign.pk}/forecast/",
        client=runner.page_client,
        floor=floor,
    )


def _rollup_floor(date_from: dt.date, date_to: dt.date, dimensions: Sequence[str]) -> list:
    counters = (
        "invitations_sent, responses, nps_count, nps_promoters, nps_detractors, csat_count, "
        "csat_satisfied, csat_sum, grade_count, grade_sum, aspect_count, aspect_sum, positive, "
        "neutral, negative, unhappy, unhappy_resolved_48h"
    )
    sums = ", ".join(f"SUM({name.strip()})" for name in counters.split(","))
    statements: list[Statement] = [
        (
            f"SELECT date, {counters} FROM feedback_dailyrollup WHERE dimension = 'all' "
            "AND date >= %s AND date <= %s ORDER BY date",
            [date_from, date_to],
        )
    ]
    for dimension in dimensions:
        limit = 50 if dimension == "aspect" else 20
        statements.append(
            (
                f"SELECT key, MAX(label), {sums} FROM feedback_dailyrollup WHERE dimension = %s "
                f"AND date >= %s AND date <= %s GROUP BY key ORDER BY 3 DESC, key LIMIT {limit}",
                [dimension, date_from, date_to],
            )
        )
    return statements


def feedback_dashboard(runner: Runner) -> PathResult:
    today = timezone.localdate()
    date_from = today - dt.timedelta(days=today.weekday()) - dt.timedelta(weeks=11)
    floor = _rollup_floor(date_from, today, ("product", "channel", "department", "aspect"))
    floor.append(
        (
            "SELECT r.*, c.* FROM feedback_response r JOIN contacts_customer c "
            "ON c.id = r.customer_id WHERE r.comment <> '' "
            "ORDER BY r.answered_at DESC, r.id DESC LIMIT 21",
            [],
        )
    )
    return runner.measure(
        key="feedback_dashboard",
        path="(l) feedback dashboard",
        url="/feedback/",
        client=runner.page_client,
        floor=floor,
    )


def feedback_summary(runner: Runner) -> PathResult:
    today = timezone.localdate()
    floor = _rollup_floor(today - dt.timedelta(weeks=12), today, ("product",))
    return runner.measure(
        key="feedback_summary",
        path="(m) feedback summary API",
        url="/api/v1/feedback/summary/?" + urlencode({"breakdown": "product"}),
        client=runner.page_client,
        floor=floor,
    )


def wallboard(runner: Runner) -> PathResult:
    """The wallboard: today's figures, SLA attainment of cases resolved today, capped queue
    sizes per department and the exception queue."""
    now = timezone.now()
    start = timezone.make_aware(dt.datetime.combine(timezone.localdate(now), dt.time()))
    floor: list[Statement] = [
        (
            "SELECT COUNT(*), COUNT(*) FILTER (WHERE resolution_due IS NOT NULL AND "
            "resolved_at <= resolution_due) FROM journeys_case "
            "WHERE resolved_at >= %s AND resolved_at <= %s"
            if connection.vendor == "postgresql"
            else "SELECT COUNT(*), SUM(resolution_due IS NOT NULL AND resolved_at <= "
            "resolution_due) FROM journeys_case WHERE resolved_at >= %s AND resolved_at <= %s",
            [start, now],
        ),
        (
            "SELECT COUNT(*), SUM(CASE WHEN sentiment = 'negative' THEN 1 ELSE 0 END) "
            "FROM feedback_response WHERE answered_at >= %s",
            [start],
        ),
        (
            "SELECT r.*, c.* FROM feedback_response r JOIN contacts_customer c ON "
            "c.id = r.customer_id WHERE r.comment <> '' AND r.answered_at >= %s "
            "ORDER BY r.answered_at DESC, r.id DESC LIMIT 6",
            [start],
        ),
    ]
    for department_id in Department.objects.filter(is_active=True).values_list("id", flat=True):
        floor.append(
            (
                "SELECT id FROM journeys_case WHERE department_id = %s AND owner_id IS NULL "
                f"AND status IN {OPEN_SQL} LIMIT 1000",
                [department_id],
            )
        )
    floor.append(
        (
            f"SELECT id FROM journeys_case WHERE is_exception AND status IN {OPEN_SQL} LIMIT 1000",
            [],
        )
    )
    return runner.measure(
        key="feedback_wallboard",
        path="(n) wallboard",
        url="/feedback/wallboard/",
        client=runner.page_client,
        floor=floor,
    )


def work_paths(runner: Runner, *, manager: User, threads: int, takes: int) -> list[PathResult]:
    """Every path of the higher apps that are installed."""
    results: list[PathResult] = []
    if apps.is_installed("journeys"):
        department = manager.department
        assert department is not None
        results.append(take_next(department=department, threads=threads, takes=takes))
        results.append(inbox(runner, department=department))
        results.append(audience_count(runner))
        results.append(forecast(runner))
    if apps.is_installed("feedback"):
        results.append(feedback_dashboard(runner))
        results.append(feedback_summary(runner))
        results.append(wallboard(runner))
    return results


__all__ = ["compiled", "work_paths"]
