"""``manage.py bench``: figures per hot path, missing paths reported, JSON written."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from pytest_django.fixtures import Settings

from accounts.models import User
from bench.hotpaths import BENCH_INTEGRATION, BENCH_MANAGER, dutch_mobile_notation
from contacts.models import Customer, Identity, Interaction
from contacts.services.identity import identity_guess
from contacts.services.interactions import interaction_record

pytestmark = pytest.mark.django_db

RESULT_KEYS = {
    "key",
    "path",
    "url",
    "status",
    "median_ms",
    "p95_ms",
    "queries",
    "floor_ms",
    "ratio",
    "per_second",
    "note",
    "fixed_ratio",
}
PATHS = [
    "lookup_email",
    "lookup_phone",
    "search_name",
    "customer_360",
    "timeline_first",
    "timeline_deep",
    "customer_360_template",
    "intake",
    "intake_batch",
    "csv_import",
    "fixed_token",
    "fixed_session",
    "take_next",
    "inbox",
    "audience_count",
    "campaign_forecast",
    "feedback_dashboard",
    "feedback_summary",
    "feedback_wallboard",
]
CONTACTS_PATHS = PATHS[: PATHS.index("fixed_session") + 1]
# Selectors measured directly (no request): there whatever the URLs.
DIRECT_PATHS = {"audience_count", "csv_import"}
# Rows without a query count and floor of their own, and what they give on the stand-ins
# (which have neither a batch endpoint nor the resume page).
NEW_ROWS = {
    "customer_360_template": "ok",
    "intake_batch": "missing",
    "csv_import": "ok",
    "fixed_token": "ok",
    "fixed_session": "missing",
}


# Stand-ins with the contract's URLs, so the benchmark itself is tested apart from the views.
def _search(request: HttpRequest) -> JsonResponse:
    q = request.GET["q"]
    values = [guess.value for guess in identity_guess(q)]
    found = Customer.objects.filter(identities__value__in=values) | Customer.objects.filter(
        name__icontains=q
    )
    return JsonResponse({"results": list(found.values("id", "name")[:25])})


def _page(request: HttpRequest, pk: int) -> HttpResponse:
    return HttpResponse(Customer.objects.get(pk=pk).name)


def _timeline(request: HttpRequest, pk: int) -> JsonResponse:
    rows = Interaction.objects.filter(customer_id=pk).order_by("-occurred_at", "-id")
    offset = int(request.GET.get("offset", 0))
    page = list(rows.values("id", "subject")[offset : offset + 26])
    following = f"http://127.0.0.1{request.path}?offset={offset + 25}" if len(page) > 25 else None
    return JsonResponse({"next": following, "results": page[:25]})


@csrf_exempt
def _intake(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    data = json.loads(request.body)
    identity = Identity.objects.select_related("customer").get(
        kind="email", value=data["identities"][0]["value"]
    )
    interaction = interaction_record(
        customer=identity.customer,
        identity=identity,
        channel=data["channel"],
        direction=data["direction"],
        occurred_at=Interaction._meta.get_field("occurred_at").to_python(data["occurred_at"]),
        source=data["source"],
        external_id=data["external_id"],
    )
    return JsonResponse({"id": interaction.pk}, status=201)


urlpatterns = [
    path("api/v1/customers/", _search),
    path("api/v1/customers/<int:pk>/interactions/", _timeline),
    path("customers/<int:pk>/", _page),
    path("api/v1/interactions/", _intake),
]


class NoRoutes:
    urlpatterns: list = []


@pytest.fixture
def seeded() -> None:
    call_command("seed", customers=30, seed=9, stdout=StringIO())


def bench(tmp_path: Path, **options: object) -> tuple[dict, str]:
    out = StringIO()
    target = tmp_path / "bench.json"
    options.setdefault("threads", 1)
    options.setdefault("takes", 2)
    call_command(
        "bench", iterations=3, intake=4, min_customers=10, json=target, stdout=out, **options
    )
    return json.loads(target.read_text()), out.getvalue()


def test_bench_refuses_a_database_that_was_not_seeded(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="seed"):
        call_command("bench", json=tmp_path / "bench.json", stdout=StringIO())

    assert not (tmp_path / "bench.json").exists()


def test_bench_measures_every_hot_path_and_writes_json(
    seeded: None, settings: Settings, tmp_path: Path
) -> None:
    settings.ROOT_URLCONF = __name__

    report, output = bench(tmp_path)

    assert report["customers"] == 30
    assert report["database"] in {"sqlite", "postgresql"}
    assert {"machine", "interactions", "iterations", "targets", "results"} <= set(report)
    assert [row["key"] for row in report["results"]] == PATHS
    for row in report["results"]:
        assert set(row) == RESULT_KEYS
        if row["key"] in NEW_ROWS:
            assert row["status"] == NEW_ROWS[row["key"]], row
            continue
        if row["key"] not in CONTACTS_PATHS and row["key"] not in DIRECT_PATHS:
            # The stand-in URL configuration has no journeys or feedback pages.
            assert row["status"] == "missing", row
            continue
        assert row["status"] == "ok", row
        assert row["queries"] >= 1, row
        assert row["median_ms"] > 0
        assert row["floor_ms"] > 0
        assert row["ratio"] is not None
    assert report["results"][PATHS.index("intake")]["per_second"] > 0
    assert "median ms" in output
    assert "(d) customer 360 page" in output


def test_bench_follows_the_timeline_cursor_to_a_deep_page(
    seeded: None, settings: Settings, tmp_path: Path
) -> None:
    settings.ROOT_URLCONF = __name__

    report, _ = bench(tmp_path)

    deep = report["results"][PATHS.index("timeline_deep")]
    assert deep["path"] == "(f) timeline, page 21"
    assert deep["url"].endswith("?offset=500")


def test_bench_leaves_no_contact_moments_behind(
    seeded: None, settings: Settings, tmp_path: Path
) -> None:
    settings.ROOT_URLCONF = __name__
    before = Interaction.objects.count()

    bench(tmp_path)

    assert Interaction.objects.count() == before


def test_bench_reports_paths_that_do_not_exist_yet_as_missing(
    seeded: None, settings: Settings, tmp_path: Path
) -> None:
    settings.ROOT_URLCONF = NoRoutes

    report, output = bench(tmp_path)

    rows = [row for row in report["results"] if row["key"] not in DIRECT_PATHS]
    assert {row["status"] for row in rows} == {"missing"}
    assert all(row["median_ms"] is None for row in rows)
    assert all(
        row["floor_ms"] > 0 for row in rows[: PATHS.index("intake")] if row["key"] not in NEW_ROWS
    )
    assert "missing" in output


def test_bench_looks_up_the_phone_in_the_notation_people_type(
    seeded: None, settings: Settings, tmp_path: Path
) -> None:
    settings.ROOT_URLCONF = __name__

    report, _ = bench(tmp_path)

    mobile = report["targets"]["mobile"]
    assert dutch_mobile_notation(mobile) in report["results"][1]["url"].replace("%2D", "-")
    assert dutch_mobile_notation("+31612345678") == "06-12345678"


def test_bench_signs_in_as_a_manager_and_an_integration(
    seeded: None, settings: Settings, tmp_path: Path
) -> None:
    settings.ROOT_URLCONF = NoRoutes

    bench(tmp_path)
    bench(tmp_path)

    manager = User.objects.get(username=BENCH_MANAGER)
    integration = User.objects.get(username=BENCH_INTEGRATION)
    assert manager.has_perm("contacts.view_customer")
    assert manager.has_perm("contacts.merge_customer")
    assert integration.has_perm("contacts.add_interaction")
    assert not integration.has_perm("contacts.merge_customer")


def test_bench_runs_against_the_project_urls(seeded: None, tmp_path: Path) -> None:
    report, _ = bench(tmp_path)

    for row in report["results"]:
        assert row["status"] in {"missing", "no data"} or row["status"].startswith(("ok", "error"))


@pytest.fixture
def queue() -> list[int]:
    """Unowned open cases in the contact center's queue, as take next finds them."""
    from accounts.models import Department
    from journeys.tests.factories import CaseFactory

    department, _ = Department.objects.get_or_create(
        code=Department.CONTACT_CENTER, defaults={"name": "Klantcontactcentrum"}
    )
    customer = Customer.objects.order_by("id").first()
    return [CaseFactory(department=department, customer=customer).pk for _ in range(12)]


def test_bench_measures_the_work_paths_against_the_project_urls(
    seeded: None, queue: list[int], tmp_path: Path
) -> None:
    report, output = bench(tmp_path, takes=3)

    rows = {row["key"]: row for row in report["results"]}
    for key in PATHS[PATHS.index("take_next") :]:
        row = rows[key]
        assert row["status"] == "ok", row
        assert row["queries"] >= 1, row
        assert row["median_ms"] > 0 and row["floor_ms"] > 0, row
    assert rows["take_next"]["per_second"] > 0
    assert "3 cases handed out, 0 of them twice" in rows["take_next"]["note"]
    assert "after suppression" in rows["audience_count"]["note"]
    assert "(h) take next, one agent" in output
    assert "(m) feedback summary API" in output


def test_bench_hands_the_taken_cases_back(seeded: None, queue: list[int], tmp_path: Path) -> None:
    from journeys.models import Case

    before = dict(Case.objects.values_list("id", "owner_id"))
    statuses = dict(Case.objects.values_list("id", "status"))

    bench(tmp_path, takes=3)

    assert dict(Case.objects.values_list("id", "owner_id")) == before
    assert dict(Case.objects.values_list("id", "status")) == statuses


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("pool_closed_after")
def test_take_next_with_agents_at_once_hands_no_case_out_twice(tmp_path: Path) -> None:
    from accounts.models import Department
    from journeys.models import Case
    from journeys.tests.factories import CaseFactory

    call_command("seed", customers=12, seed=9, responses_per_customer=0, stdout=StringIO())
    department = Department.objects.get(code=Department.CONTACT_CENTER)
    customer = Customer.objects.order_by("id").first()
    for _ in range(20):
        CaseFactory(department=department, customer=customer)
    queued = set(
        Case.objects.filter(department=department, owner=None, status="new").values_list(
            "id", flat=True
        )
    )

    report, _ = bench(tmp_path, threads=3, takes=4)

    row = next(r for r in report["results"] if r["key"] == "take_next")
    assert row["status"] == "ok", row
    assert "12 cases handed out, 0 of them twice" in row["note"]
    assert report["threads"] == 3
    assert (
        set(
            Case.objects.filter(department=department, owner=None, status="new").values_list(
                "id", flat=True
            )
        )
        == queued
    )


def test_bench_refuses_zero_threads(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="threads"):
        call_command("bench", threads=0, json=tmp_path / "bench.json", stdout=StringIO())


def test_bench_only_measures_the_rows_asked_for(seeded: None, tmp_path: Path) -> None:
    report, output = bench(tmp_path, only="csv_import, intake_batch")

    assert [row["key"] for row in report["results"]] == ["intake_batch", "csv_import"]
    assert all(row["status"] == "ok" for row in report["results"])
    assert "(g3) CSV import" in output


def test_bench_refuses_an_unknown_row_for_only(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Unknown rows for --only: inbox"):
        call_command("bench", only="intake,inbox", json=tmp_path / "bench.json", stdout=StringIO())
    assert not (tmp_path / "bench.json").exists()
