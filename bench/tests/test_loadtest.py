"""The load test's preparation (accounts and targets) and its summary."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Department, User
from bench.loadtest import loadtest_prepare
from bench.loadtest_report import report_write
from contacts.models import Channel, Consent, ConsentStatus
from journeys.models import CaseStatus
from journeys.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def _contact_center() -> Department:
    department, _ = Department.objects.get_or_create(
        code=Department.CONTACT_CENTER, defaults={"name": "Klantcontactcentrum"}
    )
    return department


def test_replies_go_to_open_cases_of_the_contact_center_only(tmp_path: Path) -> None:
    center = _contact_center()
    open_case = CaseFactory(department=center, status=CaseStatus.OPEN)
    waiting = CaseFactory(department=center, status=CaseStatus.WAITING_CUSTOMER)
    CaseFactory(department=center, status=CaseStatus.CLOSED)
    CaseFactory(department=center, status=CaseStatus.RESOLVED)
    CaseFactory(status=CaseStatus.OPEN)  # another department
    opted_out = CaseFactory(department=center, status=CaseStatus.OPEN)
    Consent.objects.create(
        customer=opted_out.customer,
        channel=Channel.EMAIL,
        status=ConsentStatus.OPT_OUT,
        changed_at=timezone.now(),
        source="test",
    )
    # Opted in on e-mail, out of SMS: still replied to by e-mail.
    opted_in = CaseFactory(department=center, status=CaseStatus.OPEN)
    for channel, status in (
        (Channel.EMAIL, ConsentStatus.OPT_IN),
        (Channel.SMS, ConsentStatus.OPT_OUT),
    ):
        Consent.objects.create(
            customer=opted_in.customer,
            channel=channel,
            status=status,
            changed_at=timezone.now(),
            source="test",
        )

    data = json.loads(loadtest_prepare(agents=2, out=tmp_path / "load.json").read_text())

    assert sorted(data["open_cases"]) == sorted([open_case.pk, waiting.pk, opted_in.pk])


def test_the_agents_are_made_once_and_sign_in_with_the_password(tmp_path: Path) -> None:
    _contact_center()
    loadtest_prepare(agents=3, out=tmp_path / "load.json")
    data = json.loads(loadtest_prepare(agents=3, out=tmp_path / "load.json").read_text())

    assert data["agents"] == [f"loadtest-agent-{n}" for n in range(3)]
    response = Client().post(
        "/accounts/login/", {"username": data["agents"][2], "password": data["password"]}
    )
    assert response.status_code == 302
    assert User.objects.filter(username="loadtest-agent-0").count() == 1


def _stats(prefix: Path, rows: list[tuple[str, int, int]]) -> None:
    lines = ["Type,Name,Request Count,Failure Count,Requests/s,50%,95%,99%"]
    lines += [
        f"GET,{name},{count},{failed},{count / 10},120,240,300" for name, count, failed in rows
    ]
    Path(f"{prefix}_stats.csv").write_text("\n".join(lines) + "\n")


def test_the_summary_counts_the_errors_of_every_request_type(tmp_path: Path) -> None:
    prefix = tmp_path / "run"
    _stats(prefix, [("inbox", 100, 0), ("reply", 20, 3), ("Aggregated", 120, 3)])
    Path(f"{prefix}_failures.csv").write_text(
        "Method,Name,Error,Occurrences\nPOST,reply,HTTPError('400'),3\n"
    )
    out = StringIO()

    errors = report_write(str(prefix), out=out)

    assert errors == 3
    text = out.getvalue()
    assert "reply" in text and "all" in text
    assert "error: POST reply: HTTPError('400') (3x)" in text


def test_a_run_without_results_says_so(tmp_path: Path) -> None:
    out = StringIO()
    assert report_write(str(tmp_path / "none"), out=out) == 1
    assert "No results" in out.getvalue()
