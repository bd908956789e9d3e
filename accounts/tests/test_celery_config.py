"""Crashed work resumes: idempotent tasks are acknowledged late and handed back when a
worker dies; Redis redelivers within a visibility timeout longer than any task may run."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cxcenter.celery import app

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
# Not idempotent: nothing records that the e-mail went out.
AT_MOST_ONCE = {"accounts.tasks.send_notification_email"}


def _our_tasks() -> dict:
    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}


def test_every_idempotent_task_is_acknowledged_late_and_handed_back_on_worker_loss() -> None:
    late = {
        name for name, task in _our_tasks().items() if task.acks_late and task.reject_on_worker_lost
    }
    assert late == set(_our_tasks()) - AT_MOST_ONCE


def test_the_notification_e_mail_is_acknowledged_on_receipt() -> None:
    assert not app.tasks["accounts.tasks.send_notification_email"].acks_late


def test_no_task_may_outlive_the_visibility_timeout() -> None:
    assert app.conf.task_time_limit < int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", 1800))


def test_redis_redelivers_after_thirty_minutes(tmp_path) -> None:
    env = {
        **os.environ,
        "DEBUG": "1",
        "CXCENTER_VAR_DIR": str(tmp_path),
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/9",
    }
    env.pop("CELERY_VISIBILITY_TIMEOUT", None)
    code = (
        "import cxcenter.settings as s; "
        "print(s.CELERY_BROKER_TRANSPORT_OPTIONS['visibility_timeout'], s.CELERY_TASK_TIME_LIMIT)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.split() == ["1800", "1500"]
