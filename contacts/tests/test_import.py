"""CSV import: the upload page, the background task with its per-row report, the progress page."""

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import StreamingHttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from contacts.models import (
    AnswerType,
    AuditAction,
    AuditEntry,
    Customer,
    CustomerImport,
    Identity,
    IdentityKind,
    ImportStatus,
    ProfileFact,
)
from contacts.services import import_merge
from contacts.services import imports as imports_module
from contacts.services.imports import customer_import_run, customer_imports_sweep
from contacts.tasks import import_customers
from contacts.tests.factories import CustomerFactory, IdentityFactory, ProfileQuestionFactory

pytestmark = pytest.mark.django_db

URL = reverse("contacts:data_import")

GOOD = (
    "name;email;phone;customer_number;street;postcode;city;language;fact:children\n"
    "Anna de Vries;Anna@Example.nl;06-12345678;KL1;Kerkstraat 1;1011 AB;Amsterdam;nl;2\n"
    "Piet Bos;piet@example.nl;;;;;;en;\n"
)


def _job(content: str, user: User | None = None) -> CustomerImport:
    return CustomerImport.objects.create(
        created_by=user, filename="people.csv", content=content, total_rows=content.count("\n")
    )


@pytest.fixture
def children(db: None):
    return ProfileQuestionFactory(key="children", answer_type=AnswerType.NUMBER)


def test_valid_rows_create_customers_with_identities_and_facts(
    manager: User, children: object
) -> None:
    job = customer_import_run(import_id=_job(GOOD, manager).pk)
    assert job is not None

    assert job.status == ImportStatus.DONE
    assert (job.processed_rows, job.imported_rows, job.rejected) == (2, 2, [])
    anna = Customer.objects.get(name="Anna de Vries")
    assert (anna.street, anna.postcode, anna.city) == ("Kerkstraat 1", "1011 AB", "Amsterdam")
    assert set(anna.identities.values_list("kind", "value")) == {
        (IdentityKind.EMAIL, "anna@example.nl"),
        (IdentityKind.PHONE, "+31612345678"),
        (IdentityKind.CUSTOMER_NUMBER, "KL1"),
    }
    fact = ProfileFact.objects.get(customer=anna)
    assert (fact.value, fact.is_current, fact.recorded_by) == ("2", True, manager)
    assert Customer.objects.get(name="Piet Bos").language == "en"


def test_a_known_identity_fills_the_empty_fields_of_that_customer(children: object) -> None:
    known = CustomerFactory(name="Anna", street="", postcode="9999 ZZ", city="")
    IdentityFactory(customer=known, kind=IdentityKind.PHONE, value="+31612345678")

    customer_import_run(import_id=_job(GOOD).pk)

    known.refresh_from_db()
    assert known.name == "Anna"
    assert known.street == "Kerkstraat 1"
    assert known.postcode == "9999 ZZ"
    assert Identity.objects.get(value="anna@example.nl").customer == known
    assert Customer.objects.count() == 2


def test_each_bad_row_is_reported_with_its_line_and_writes_nothing(children: object) -> None:
    content = (
        "name,email,phone,fact:children,fact:unknown\n"
        "Good Person,good@example.nl,,,\n"
        "Bad Mail,not-an-address,,,\n"
        ",,,,\n"
        "Bad Fact,fact@example.nl,,many,\n"
        "Unknown Question,q@example.nl,,,yes\n"
        "Bad Phone,,12,,\n"
    )
    job = customer_import_run(import_id=_job(content).pk)
    assert job is not None

    assert (job.processed_rows, job.imported_rows) == (6, 1)
    reasons = {item["row"]: item["reason"] for item in job.rejected}
    assert set(reasons) == {3, 4, 5, 6, 7}
    assert "e-mail" in reasons[3]
    assert "name" in reasons[4]
    assert "children" in reasons[5]
    assert "unknown" in reasons[6]
    assert "phone" in reasons[7]
    assert list(Customer.objects.values_list("name", flat=True)) == ["Good Person"]
    assert not Identity.objects.filter(value="fact@example.nl").exists()


def test_identities_of_two_customers_in_one_row_are_rejected() -> None:
    IdentityFactory(kind=IdentityKind.EMAIL, value="one@example.nl")
    IdentityFactory(kind=IdentityKind.EMAIL, value="two@example.nl")
    IdentityFactory(kind=IdentityKind.CUSTOMER_NUMBER, value="KL2")
    IdentityFactory.reset_sequence()
    Identity.objects.filter(kind=IdentityKind.CUSTOMER_NUMBER).update(
        customer=Identity.objects.get(value="two@example.nl").customer
    )
    job = customer_import_run(
        import_id=_job("name,email,customer_number\nX,one@example.nl,KL2\n").pk
    )
    assert job is not None
    assert job.imported_rows == 0
    assert "different customers" in job.rejected[0]["reason"]


def test_running_an_import_twice_changes_nothing_the_second_time(children: object) -> None:
    job = _job(GOOD)
    customer_import_run(import_id=job.pk)
    assert customer_import_run(import_id=job.pk) is None
    job.refresh_from_db()
    assert (job.processed_rows, job.imported_rows) == (2, 2)
    assert Customer.objects.count() == 2
    assert AuditEntry.objects.filter(action=AuditAction.IMPORT).count() == 1


def test_an_import_claimed_by_another_worker_is_left_alone(children: object) -> None:
    job = _job(GOOD)
    CustomerImport.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING)
    assert customer_import_run(import_id=job.pk) is None
    assert Customer.objects.count() == 0


def test_the_import_is_audited(manager: User, children: object) -> None:
    job = customer_import_run(import_id=_job(GOOD, manager).pk)
    assert job is not None
    entry = AuditEntry.objects.get(action=AuditAction.IMPORT)
    assert entry.actor == manager
    assert entry.detail == {
        "import_id": job.pk,
        "filename": "people.csv",
        "rows": 2,
        "imported": 2,
        "rejected": 0,
    }


def test_progress_is_checkpointed_with_every_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[int, int]] = []
    real = imports_module.chunk_merge

    def spy(**kwargs: Any) -> Any:
        job = CustomerImport.objects.get()
        seen.append((job.position, job.processed_rows))
        return real(**kwargs)

    monkeypatch.setattr(imports_module, "CHUNK_ROWS", 2)
    monkeypatch.setattr(imports_module, "chunk_merge", spy)
    rows = "".join(f"Person {i},p{i}@example.nl\n" for i in range(5))
    job = customer_import_run(import_id=_job("name,email\n" + rows).pk)
    assert job is not None
    assert seen == [(0, 0), (2, 2), (4, 4)]
    assert (job.position, job.processed_rows, job.status) == (5, 5, ImportStatus.DONE)


def test_the_report_counts_created_and_updated_rows(children: object) -> None:
    known = CustomerFactory(name="Anna")
    IdentityFactory(customer=known, kind=IdentityKind.EMAIL, value="anna@example.nl")
    content = GOOD + "Piet Bos;PIET@example.nl;;;Dorpsstraat 2;;;;\nBad;nope;;;;;;;\n"
    job = customer_import_run(import_id=_job(content).pk)
    assert job is not None
    # Anna was known, Piet is new, Piet's second row fills in his street.
    assert (job.created_rows, job.updated_rows, job.rejected_rows) == (1, 2, 1)
    assert job.imported_rows == 3
    assert Customer.objects.get(name="Piet Bos").street == "Dorpsstraat 2"


def test_a_later_row_with_a_new_value_replaces_the_current_fact(children: object) -> None:
    content = "name,email,fact:children\nA,a@example.nl,1\nA,a@example.nl,2\nA,a@example.nl,2\n"
    customer_import_run(import_id=_job(content).pk)
    facts = ProfileFact.objects.order_by("pk")
    assert [(f.value, f.is_current) for f in facts] == [("1", False), ("2", True)]


class _Killed(BaseException):
    """Stands for the worker process dying: no except clause of the import catches it."""


def _crash_on_chunk(monkeypatch: pytest.MonkeyPatch, number: int) -> None:
    real = imports_module.chunk_merge
    calls = {"n": 0}

    def crashing(**kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == number:
            raise _Killed
        return real(**kwargs)

    monkeypatch.setattr(imports_module, "chunk_merge", crashing)


def test_an_import_killed_mid_way_is_failed_by_the_sweeper_and_resumes_every_row_once(
    monkeypatch: pytest.MonkeyPatch, manager_client: Client, django_capture_on_commit_callbacks
) -> None:
    monkeypatch.setattr(imports_module, "CHUNK_ROWS", 3)
    rows = "".join(f"Person {i},p{i}@example.nl\n" for i in range(10))
    job = _job("name,email\n" + rows)
    _crash_on_chunk(monkeypatch, 3)
    with pytest.raises(_Killed):
        customer_import_run(import_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.position, Customer.objects.count()) == (ImportStatus.RUNNING, 6, 6)
    # Its task delivered again at once finds the import held by the (presumed live) run.
    assert customer_import_run(import_id=job.pk) is None

    later = timezone.now() + dt.timedelta(minutes=10)
    assert customer_imports_sweep(now=later) == 1
    assert customer_imports_sweep(now=later) == 0
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    page = manager_client.get(reverse("contacts:data_import_detail", args=[job.pk]))
    assert b"stopped making progress" in page.content
    assert b"Resume import" in page.content

    monkeypatch.setattr(imports_module, "chunk_merge", import_merge.chunk_merge)
    with django_capture_on_commit_callbacks() as callbacks:
        response = manager_client.post(reverse("contacts:data_import_resume", args=[job.pk]))
    assert response.status_code == 302
    assert len(callbacks) == 1
    import_customers.apply(args=(job.pk,))
    job.refresh_from_db()
    assert (job.status, job.position, job.processed_rows) == (ImportStatus.DONE, 10, 10)
    assert (job.created_rows, job.updated_rows, job.failure_reason) == (10, 0, "")
    assert Customer.objects.count() == 10
    assert Identity.objects.count() == 10


def test_a_redelivered_task_takes_over_an_import_whose_heartbeat_stopped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(imports_module, "CHUNK_ROWS", 2)
    rows = "".join(f"Person {i},p{i}@example.nl\n" for i in range(5))
    job = _job("name,email\n" + rows)
    _crash_on_chunk(monkeypatch, 2)
    with pytest.raises(_Killed):
        customer_import_run(import_id=job.pk)
    CustomerImport.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - dt.timedelta(hours=1)
    )
    monkeypatch.setattr(imports_module, "chunk_merge", import_merge.chunk_merge)
    ran = customer_import_run(import_id=job.pk)
    assert ran is not None
    job = ran
    assert (job.status, job.processed_rows, Customer.objects.count()) == (ImportStatus.DONE, 5, 5)


def test_a_queued_import_that_never_started_is_failed_with_its_reason() -> None:
    job = _job(GOOD)
    assert customer_imports_sweep(now=timezone.now() + dt.timedelta(hours=2)) == 1
    job.refresh_from_db()
    assert (job.status, job.failure_reason) == (
        ImportStatus.FAILED,
        imports_module.NEVER_STARTED_REASON,
    )


def test_only_a_failed_import_can_be_resumed(manager_client: Client, children: object) -> None:
    job = customer_import_run(import_id=_job(GOOD).pk)
    assert job is not None
    response = manager_client.post(
        reverse("contacts:data_import_resume", args=[job.pk]), follow=True
    )
    assert b"Only a failed import can be resumed." in response.content
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE


def test_resume_is_a_post_for_managers_only(manager_client: Client, agent_client: Client) -> None:
    job = _job(GOOD)
    CustomerImport.objects.filter(pk=job.pk).update(status=ImportStatus.FAILED)
    url = reverse("contacts:data_import_resume", args=[job.pk])
    assert manager_client.get(url).status_code == 405
    assert agent_client.post(url).status_code == 403
    assert (
        manager_client.post(reverse("contacts:data_import_resume", args=[999])).status_code == 404
    )
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED


def test_the_rejected_rows_download_as_a_csv_that_imports_again_once_fixed(
    manager_client: Client, agent_client: Client, children: object
) -> None:
    content = "name;email;fact:children\nGood;good@example.nl;1\nBad;not-an-address;2\n"
    job = customer_import_run(import_id=_job(content).pk)
    assert job is not None
    url = reverse("contacts:data_import_rejected", args=[job.pk])
    assert agent_client.get(url).status_code == 403
    response = manager_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert isinstance(response, StreamingHttpResponse)
    text = response.getvalue().decode()
    lines = text.splitlines()
    assert lines[0] == "name;email;fact:children;error"
    assert lines[1].startswith("Bad;not-an-address;2;")
    assert "e-mail" in lines[1]
    fixed = text.replace("not-an-address", "bad@example.nl")
    again = customer_import_run(import_id=_job(fixed).pk)
    assert again is not None
    assert (again.created_rows, again.rejected_rows) == (1, 0)


# --- The pages -----------------------------------------------------------------------------


def _upload(content: bytes, name: str = "people.csv") -> dict[str, SimpleUploadedFile]:
    return {"file": SimpleUploadedFile(name, content, content_type="text/csv")}


def test_a_manager_uploads_a_file_and_the_task_runs_after_commit(
    manager_client: Client, children: object, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        response = manager_client.post(URL, _upload(GOOD.encode()))
    job = CustomerImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("contacts:data_import_detail", args=[job.pk])
    assert job.status == ImportStatus.QUEUED
    assert job.total_rows == 2
    assert len(callbacks) == 1
    assert Customer.objects.count() == 0

    import_customers.apply(args=(job.pk,))
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert Customer.objects.count() == 2


def test_comma_separated_files_with_a_byte_order_mark_are_read(
    manager_client: Client, django_capture_on_commit_callbacks
) -> None:
    content = "\ufeffname,email\nAnna,anna@example.nl\n".encode()
    with django_capture_on_commit_callbacks():
        manager_client.post(URL, _upload(content))
    import_customers.apply(args=(CustomerImport.objects.get().pk,))
    assert Identity.objects.get().value == "anna@example.nl"


def test_a_file_over_the_size_limit_is_refused(manager_client: Client, settings) -> None:
    settings.CXCENTER_IMPORT_MAX_MB = 5
    content = b"name,email\n" + b"x" * (5 * 1024 * 1024)
    response = manager_client.post(URL, _upload(content))
    assert response.status_code == 400
    assert b"larger than 5 MB" in response.content
    assert not CustomerImport.objects.exists()


def test_a_file_that_is_not_utf8_is_refused(manager_client: Client) -> None:
    response = manager_client.post(URL, _upload("name\nJosé\n".encode("latin-1")))
    assert response.status_code == 400
    assert b"not UTF-8" in response.content
    assert not CustomerImport.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"naam,adres\nA,B\n", b"Unknown columns"),
        (b"name,email\n", b"no rows"),
        (b"", b"empty"),
        (b"street,city\nKerkstraat,Utrecht\n", b"needs a name"),
    ],
)
def test_a_file_with_a_wrong_header_is_refused(
    manager_client: Client, content: bytes, message: bytes
) -> None:
    response = manager_client.post(URL, _upload(content))
    assert response.status_code == 400
    assert message in response.content
    assert not CustomerImport.objects.exists()


def test_posting_without_a_file_is_refused(manager_client: Client) -> None:
    response = manager_client.post(URL, {})
    assert response.status_code == 400
    assert not CustomerImport.objects.exists()


@pytest.mark.parametrize("persona", ["agent_client", "member_client", "outsider_client"])
def test_others_than_managers_may_not_import(persona: str, request: pytest.FixtureRequest) -> None:
    client = request.getfixturevalue(persona)
    assert client.get(URL).status_code == 403
    assert client.post(URL, _upload(GOOD.encode())).status_code == 403
    assert not CustomerImport.objects.exists()


def test_anonymous_visitors_are_sent_to_the_login_page(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("imports", [1, 25])
def test_the_import_list_costs_the_same_queries_for_one_import_or_many(
    imports: int, manager: User, manager_client: Client, django_assert_num_queries
) -> None:
    for _ in range(imports):
        _job(GOOD, manager)
    with django_assert_num_queries(5):
        response = manager_client.get(URL)
    assert response.status_code == 200
    assert b"people.csv" in response.content


def test_a_running_import_polls_for_progress(manager_client: Client) -> None:
    job = _job(GOOD)
    url = reverse("contacts:data_import_detail", args=[job.pk])
    response = manager_client.get(url)
    assert response.status_code == 200
    assert b'hx-trigger="every 2s"' in response.content
    partial = manager_client.get(url, headers={"HX-Request": "true"})
    assert b'hx-trigger="every 2s"' in partial.content
    assert b"<h1>" not in partial.content
    assert "HX-Request" in partial["Vary"]


def test_a_finished_import_stops_polling_and_shows_the_report(
    manager_client: Client, django_assert_num_queries
) -> None:
    job = _job("name,email\nA,bad\nB,b@example.nl\n")
    customer_import_run(import_id=job.pk)
    url = reverse("contacts:data_import_detail", args=[job.pk])
    with django_assert_num_queries(5):
        response = manager_client.get(url, headers={"HX-Request": "true"})
    assert b"hx-trigger" not in response.content
    assert b"not an e-mail address" in response.content


def test_an_unknown_import_is_not_found(manager_client: Client, agent_client: Client) -> None:
    assert manager_client.get(reverse("contacts:data_import_detail", args=[9999])).status_code == (
        404
    )
    job = _job(GOOD)
    url = reverse("contacts:data_import_detail", args=[job.pk])
    assert agent_client.get(url).status_code == 403
