"""How ``manage.py bench`` measures a hot path: the timed requests through the test client,
their query counts, the floor of the same answer in plain SQL, and the data and users the
paths run against."""

import math
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve

from accounts.models import Department, User
from accounts.roles import Role
from accounts.services import api_token_create, api_token_revoke, role_assign, roles_ensure
from contacts.models import Identity, IdentityKind, Interaction

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse

PAGE_SIZE = 25
DEEP_PAGES = 20
BENCH_MANAGER = "bench-manager"
BENCH_INTEGRATION = "bench-integration"

Statement = tuple[str, Sequence[Any]]


class NotEnoughData(Exception):
    """The database holds too few customers for figures that mean anything."""


@dataclass
class PathResult:
    key: str
    path: str
    url: str
    status: str
    median_ms: float | None = None
    p95_ms: float | None = None
    queries: int | None = None
    floor_ms: float | None = None
    ratio: float | None = None
    per_second: float | None = None
    note: str | None = None
    # Median over Django's fixed cost of a request of the same kind (token or session).
    fixed_ratio: float | None = None

    @classmethod
    def measured(
        cls,
        *,
        key: str,
        path: str,
        url: str,
        timings: list[float],
        floor_timings: list[float],
        queries: int,
        **extra: Any,
    ) -> "PathResult":
        """A measured path: its median and p95, and its median over the floor's."""
        median = statistics.median(timings)
        floor = statistics.median(floor_timings)
        return cls(
            key=key,
            path=path,
            url=url,
            status="ok",
            median_ms=_ms(median),
            p95_ms=_ms(_p95(timings)),
            queries=queries,
            floor_ms=_ms(floor),
            ratio=round(median / floor, 1) if floor else None,
            **extra,
        )


@dataclass
class Targets:
    """The customers the paths are measured on: an average one and the busiest one."""

    customer_id: int
    email: str
    mobile: str
    name_part: str
    busy_customer_id: int
    busy_interactions: int


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _timed(call: Callable[[], Any], iterations: int) -> list[float]:
    timings = []
    for _ in range(iterations):
        start = time.perf_counter()
        call()
        timings.append(time.perf_counter() - start)
    return timings


def _raw_sql(sql: str) -> str:
    return sql if connection.vendor == "postgresql" else sql.replace("%s", "?")


def _raw_value(value: Any) -> Any:
    # sqlite3 stores datetimes as Django writes them; psycopg adapts them itself.
    if hasattr(value, "tzinfo"):
        return connection.ops.adapt_datetimefield_value(value)
    return value


def floor_run(statements: Sequence[Statement]) -> None:
    """Run the statements through the DB-API cursor under Django, fetching every row."""
    connection.ensure_connection()
    raw = connection.connection.cursor()
    try:
        for sql, params in statements:
            raw.execute(_raw_sql(sql), [_raw_value(p) for p in params])
            if raw.description is not None:
                raw.fetchall()
    finally:
        raw.close()


def bench_users_ensure() -> tuple[User, str]:
    """A manager to open pages as and an integration token for the API, created once."""
    roles_ensure()
    department, _ = Department.objects.get_or_create(
        code=Department.CONTACT_CENTER, defaults={"name": "Klantcontactcentrum"}
    )
    manager, created = User.objects.get_or_create(
        username=BENCH_MANAGER, defaults={"department": department}
    )
    if created:
        manager.set_unusable_password()
        manager.save(update_fields=["password"])
    role_assign(user=manager, role=Role.MANAGER)
    integration, created = User.objects.get_or_create(username=BENCH_INTEGRATION)
    if created:
        integration.set_unusable_password()
        integration.save(update_fields=["password"])
    role_assign(user=integration, role=Role.INTEGRATION)
    # Keys are stored hashed: each bench run makes its own and revokes the earlier ones.
    api_token_revoke(token_ids=integration.api_tokens.values_list("pk", flat=True))
    _token, key = api_token_create(user=integration, name="bench")
    return manager, key


def bench_targets() -> Targets:
    """Pick an ordinary customer with an e-mail address and a mobile, and the busiest one."""
    mobiles = Identity.objects.filter(
        kind=IdentityKind.PHONE,
        value__startswith="+316",
        customer__merged_into__isnull=True,
        customer__erased_at__isnull=True,
    )
    first = mobiles.order_by("id").values_list("id", flat=True).first()
    last = mobiles.order_by("-id").values_list("id", flat=True).first()
    if first is None or last is None:
        raise NotEnoughData("no customer with a mobile number")
    middle = (
        mobiles.filter(id__gte=(first + last) // 2, customer__identities__kind=IdentityKind.EMAIL)
        .order_by("id")
        .select_related("customer")
        .first()
    ) or mobiles.select_related("customer").order_by("id").first()
    assert middle is not None
    customer = middle.customer
    email = (
        customer.identities.filter(kind=IdentityKind.EMAIL).values_list("value", flat=True).first()
    )
    busy = (
        Interaction.objects.values("customer_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("customer_id", "n")
        .first()
    )
    if busy is None or email is None:
        raise NotEnoughData("no contact moments or no e-mail addresses")
    name_words = [w for w in customer.name.split() if w[:1].isupper()]
    return Targets(
        customer_id=customer.pk,
        email=email,
        mobile=middle.value,
        name_part=name_words[-1] if name_words else customer.name,
        busy_customer_id=busy[0],
        busy_interactions=busy[1],
    )


def dutch_mobile_notation(e164: str) -> str:
    """``+31612345678`` as people type it: ``06-12345678``."""
    return "06-" + e164.removeprefix("+316")


def _exists(url: str) -> bool:
    try:
        resolve(urlsplit(url).path)
    except Resolver404:
        return False
    return True


def _host() -> str:
    for host in settings.ALLOWED_HOSTS:
        if host not in {"*", ""} and not host.startswith("."):
            return host
    return "127.0.0.1"


def _relative(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


class Runner:
    def __init__(self, *, iterations: int, manager: User, token: str) -> None:
        self.iterations = iterations
        host = _host()
        # A broken view is a figure in the table, not the end of the run.
        self.page_client = Client(HTTP_HOST=host, raise_request_exception=False)
        self.page_client.force_login(manager)
        self.api_client = Client(
            HTTP_HOST=host,
            HTTP_AUTHORIZATION=f"Token {token}",
            raise_request_exception=False,
        )

    def get(self, client: Client, url: str) -> "_MonkeyPatchedWSGIResponse":
        return client.get(url, secure=True)

    def measure(
        self,
        *,
        key: str,
        path: str,
        url: str,
        client: Client,
        floor: Sequence[Statement],
    ) -> PathResult:
        if not _exists(url):
            return self._floor_only(key, path, url, "missing", floor)
        response = self.get(client, url)
        if response.status_code >= 400:
            return self._floor_only(key, path, url, f"error {response.status_code}", floor)
        with CaptureQueriesContext(connection) as captured:
            self.get(client, url)
        # Read now: the next request's request_started signal empties the query log.
        queries = len(captured.captured_queries)
        timings = _timed(lambda: self.get(client, url), self.iterations)
        return self._result(key, path, url, timings, queries, floor)

    def measure_call(
        self,
        *,
        key: str,
        path: str,
        url: str,
        call: Callable[[], Any],
        floor: Sequence[Statement],
    ) -> PathResult:
        """A selector called directly (no request): its queries and wall time."""
        call()
        with CaptureQueriesContext(connection) as captured:
            call()
        queries = len(captured.captured_queries)
        timings = _timed(call, self.iterations)
        return self._result(key, path, url, timings, queries, floor)

    def _floor_only(
        self, key: str, path: str, url: str, status: str, floor: Sequence[Statement]
    ) -> PathResult:
        # The floor does not depend on the view, so it is worth having while that is absent.
        floor_run(floor)
        floor_median = statistics.median(_timed(lambda: floor_run(floor), self.iterations))
        return PathResult(key=key, path=path, url=url, status=status, floor_ms=_ms(floor_median))

    def _result(
        self,
        key: str,
        path: str,
        url: str,
        timings: list[float],
        queries: int,
        floor: Sequence[Statement],
    ) -> PathResult:
        floor_run(floor)
        floor_timings = _timed(lambda: floor_run(floor), self.iterations)
        return PathResult.measured(
            key=key, path=path, url=url, timings=timings, floor_timings=floor_timings,
            queries=queries,
        )  # fmt: skip

    def deep_page(self, first_url: str) -> tuple[str, int]:
        """Follow ``next`` from the first timeline page; returns the URL and pages walked."""
        url = first_url
        walked = 0
        for _ in range(DEEP_PAGES):
            response = self.get(self.api_client, url)
            if response.status_code != 200:
                break
            body = response.json()
            following = body.get("next") if isinstance(body, dict) else None
            if not following:
                break
            url = _relative(following)
            walked += 1
        return url, walked
