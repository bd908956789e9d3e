"""A real Celery worker killed with SIGKILL while it sends: Redis hands the message to the
next worker after the visibility timeout, and the provider gets it at most once — exactly
once when the worker died before it claimed the message. Killed in the middle of an import,
the next worker continues at the checkpoint and imports every row once."""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection

from accounts.tests.test_celery_integration import _why_not
from contacts.models import (
    Channel,
    Customer,
    CustomerImport,
    DeliveryStatus,
    Identity,
    IdentityKind,
    ImportStatus,
    Interaction,
)
from contacts.services.outbound import outbound_send, outbound_sweep
from contacts.tasks import import_customers, outbound_deliver_task
from contacts.tests.factories import CustomerFactory, IdentityFactory

ROOT = Path(__file__).resolve().parents[2]
# Short for the test only: production uses CELERY_VISIBILITY_TIMEOUT (30 minutes).
VISIBILITY = 8
# A patient limit for a worker to start and act while other tests keep the cores busy.
PATIENCE = 180
PHONE = "+31612345678"


class Workers:
    def __init__(self, tmp: Path, queue: str) -> None:
        self.tmp, self.queue = tmp, queue
        self.started: list[subprocess.Popen[str]] = []
        db = settings.DATABASES["default"]
        self.env = {
            **os.environ,
            "DATABASE_URL": (
                f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
            ),
            "DEBUG": "1",
            "CXCENTER_SMS_BACKEND": "contacts.tests.realworker.FileBackend",
            "CXCENTER_TEST_DIR": str(tmp),
            "CXCENTER_TEST_VISIBILITY": str(VISIBILITY),
            "CXCENTER_TEST_CHUNK_ROWS": "3",
            # The killed run's heartbeat is stale by the time its task comes back.
            "CXCENTER_IMPORT_STALE_SECONDS": "2",
        }

    def start(self, name: str) -> subprocess.Popen[str]:
        log = (self.tmp / f"{name}.log").open("w")
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "contacts.tests.realworker",
                "--pool=solo",
                "--loglevel=INFO",
                "-Q",
                self.queue,
                "-n",
                f"{name}@%h",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        log.close()
        self.started.append(process)
        return process

    def log(self, name: str) -> str:
        return (self.tmp / f"{name}.log").read_text()

    def stop(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


@pytest.fixture
def workers(transactional_db: None, tmp_path: Path) -> Iterator[Workers]:
    reason = _why_not()
    if reason:
        if os.environ.get("CXCENTER_REQUIRE_SERVICES"):
            pytest.fail(f"services required but {reason}")
        pytest.skip(reason)
    started = Workers(tmp_path, f"crash-{os.getpid()}-{time.monotonic_ns()}")
    try:
        yield started
    finally:
        started.stop()


def _until(what: str, condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        assert time.monotonic() < deadline, f"{what} did not happen within {PATIENCE} s"
        time.sleep(0.2)


def _sends(tmp: Path) -> list[str]:
    path = tmp / "sends"
    return path.read_text().splitlines() if path.exists() else []


def _queued_sms(queue: str) -> Interaction:
    customer = CustomerFactory(name="Piet")
    IdentityFactory(customer=customer, kind=IdentityKind.PHONE, value=PHONE)
    # Enqueued by hand on the test's own queue instead of the default one after commit.
    with mock.patch.object(outbound_deliver_task, "delay_on_commit"):
        interaction = outbound_send(customer=customer, channel=Channel.SMS, body="Uw pakket komt")
    outbound_deliver_task.apply_async(args=(interaction.pk,), queue=queue)
    return interaction


def _status(interaction: Interaction) -> str:
    connection.close()  # a fresh read, not a snapshot of an old transaction
    return Interaction.objects.get(pk=interaction.pk).delivery_status


def _kill(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)


@pytest.mark.celery_worker
def test_a_worker_killed_before_it_claims_the_message_leaves_it_to_the_next_one(
    workers: Workers,
) -> None:
    (workers.tmp / "hold-task").touch()
    interaction = _queued_sms(workers.queue)
    first = workers.start("first")
    _until("the first worker taking the task", lambda: "outbound_deliver[" in workers.log("first"))
    _kill(first)
    (workers.tmp / "hold-task").unlink()
    assert _status(interaction) == DeliveryStatus.QUEUED

    workers.start("second")
    _until("the redelivered message being sent", lambda: _status(interaction) == "sent")
    _until("the second worker finishing", lambda: "succeeded" in workers.log("second"))
    assert _sends(workers.tmp) == [f"begin {PHONE}", f"sent {PHONE}"]
    assert "'sent'" in workers.log("second")


@pytest.mark.celery_worker
def test_a_worker_killed_mid_send_is_not_sent_twice_and_the_sweep_fails_it(
    workers: Workers,
) -> None:
    (workers.tmp / "hold-send").touch()
    interaction = _queued_sms(workers.queue)
    first = workers.start("first")
    _until("the first worker starting the send", lambda: _sends(workers.tmp) == [f"begin {PHONE}"])
    _kill(first)
    (workers.tmp / "hold-send").unlink()

    # The provider may or may not have the message: the redelivered task finds the claim
    # and does not send again.
    workers.start("second")
    _until("the redelivered task finishing", lambda: "succeeded" in workers.log("second"))
    assert "'skipped'" in workers.log("second")
    assert _sends(workers.tmp) == [f"begin {PHONE}"]
    assert _status(interaction) == DeliveryStatus.SENDING

    claimed_at = Interaction.objects.get(pk=interaction.pk).delivery_updated_at
    assert claimed_at is not None
    later = claimed_at + dt.timedelta(minutes=16)
    assert outbound_sweep(now=later) == {"failed": 1, "requeued": 0}
    assert _status(interaction) == DeliveryStatus.FAILED


def _import(pk: int) -> CustomerImport:
    connection.close()  # a fresh read, not a snapshot of an old transaction
    return CustomerImport.objects.get(pk=pk)


def _chunks(tmp: Path) -> list[str]:
    path = tmp / "chunks"
    return path.read_text().splitlines() if path.exists() else []


@pytest.mark.celery_worker
def test_a_worker_killed_mid_import_is_followed_by_one_that_imports_every_row_once(
    workers: Workers,
) -> None:
    rows = "".join(f"Persoon {i},p{i}@example.nl\n" for i in range(10))
    content = "name,email\n" + rows
    job = CustomerImport.objects.create(
        filename="people.csv", content=content, total_rows=content.count("\n")
    )
    (workers.tmp / "hold-chunk").touch()
    import_customers.apply_async(args=(job.pk,), queue=workers.queue)
    first = workers.start("first")
    _until("the first checkpoint", lambda: _chunks(workers.tmp) == ["chunk 3"])
    _kill(first)
    (workers.tmp / "hold-chunk").unlink()
    killed = _import(job.pk)
    assert (killed.status, killed.position, Customer.objects.count()) == (
        ImportStatus.RUNNING,
        3,
        3,
    )

    workers.start("second")
    _until("the import finishing", lambda: _import(job.pk).status == ImportStatus.DONE)
    done = _import(job.pk)
    assert (done.position, done.processed_rows, done.created_rows) == (10, 10, 10)
    assert _chunks(workers.tmp) == ["chunk 3", "chunk 6", "chunk 9", "chunk 10"]
    assert Customer.objects.count() == 10
    assert Identity.objects.count() == 10
