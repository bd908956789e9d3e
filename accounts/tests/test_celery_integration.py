"""A real Celery worker process against Redis runs a task that changes the database."""

import datetime as dt
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts.models import Notification
from accounts.tests.factories import NotificationFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]


def _redis_reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), 1):
            return True
    except OSError:
        return False


def _why_not() -> str | None:
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not broker.startswith("redis"):
        return "CELERY_BROKER_URL does not point at Redis"
    if not _redis_reachable(broker):
        return f"no Redis reachable at {broker}"
    if connection.vendor != "postgresql":
        return "the worker needs a database it can share with the test (PostgreSQL)"
    return None


@pytest.fixture
def celery_worker_process(transactional_db: None):
    reason = _why_not()
    if reason:
        if os.environ.get("CXCENTER_REQUIRE_SERVICES"):
            pytest.fail(f"services required but {reason}")
        pytest.skip(reason)
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        ),
        "DEBUG": "1",
    }
    queue = f"test-{os.getpid()}"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "cxcenter",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "-Q",
            queue,
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield queue
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


@pytest.mark.celery_worker
def test_worker_purges_notifications_read_long_ago(celery_worker_process: str) -> None:
    from accounts.tasks import purge_read_notifications

    user = UserFactory()
    long_ago = timezone.now() - dt.timedelta(days=200)
    old = NotificationFactory(recipient=user, read_at=long_ago)
    recent = NotificationFactory(recipient=user, read_at=timezone.now())
    unread = NotificationFactory(recipient=user)

    purge_read_notifications.apply_async(kwargs={"days": 90}, queue=celery_worker_process)

    # A patient limit: the worker starts while other test workers keep the cores busy.
    deadline = time.monotonic() + 180
    while Notification.objects.filter(pk=old.pk).exists():
        assert time.monotonic() < deadline, "the worker did not run the task within 180 s"
        time.sleep(0.5)
    remaining = set(Notification.objects.values_list("pk", flat=True))
    assert remaining == {recent.pk, unread.pk}
