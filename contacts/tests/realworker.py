"""A Celery worker for the crash tests, started as ``python -m contacts.tests.realworker``:
the project's worker with the Redis visibility timeout from ``CXCENTER_TEST_VISIBILITY``
(seconds; production refuses less than ten minutes) and a message backend that records
every send in a file and can be held mid-send, so that a test can kill the worker there.

``CXCENTER_TEST_DIR`` holds the files: ``sends`` (a line per call: ``begin <to>`` when a
send starts, ``sent <to>`` when it finished), ``hold-send`` (while it exists, a send waits
after ``begin``), ``hold-task`` (while it exists, every task waits before it starts) and
``hold-chunk`` (while it exists, an import waits after each checkpoint it committed, which
it records as ``chunk <position>`` in ``chunks``). ``CXCENTER_TEST_CHUNK_ROWS`` sets the
rows per import chunk.
"""

import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from contacts.backends import Message

POLL = 0.1


def _dir() -> Path:
    return Path(os.environ["CXCENTER_TEST_DIR"])


def _record(line: str) -> None:
    with (_dir() / "sends").open("a") as sends:
        sends.write(line + "\n")
        sends.flush()
        os.fsync(sends.fileno())


def _wait_while(name: str) -> None:
    while (_dir() / name).exists():
        time.sleep(POLL)


class FileBackend:
    """Sends nothing anywhere: records the message in ``sends``, held by ``hold-send``."""

    def send(self, message: Message) -> str:
        _record(f"begin {message.to}")
        _wait_while("hold-send")
        _record(f"sent {message.to}")
        return uuid.uuid4().hex


def _hold_task(**kwargs: Any) -> None:
    _wait_while("hold-task")


def _hold_after_checkpoints() -> None:
    from contacts.services import imports

    real = imports._chunk_commit

    def commit_then_hold(*args: Any, **kwargs: Any) -> None:
        real(*args, **kwargs)
        with (_dir() / "chunks").open("a") as chunks:
            chunks.write(f"chunk {kwargs['position']}\n")
        _wait_while("hold-chunk")

    imports._chunk_commit = commit_then_hold
    rows = os.environ.get("CXCENTER_TEST_CHUNK_ROWS")
    if rows:
        imports.CHUNK_ROWS = int(rows)


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxcenter.settings")
    import django

    django.setup()
    from celery.signals import task_prerun

    from cxcenter.celery import app

    seconds = int(os.environ["CXCENTER_TEST_VISIBILITY"])
    app.conf.broker_transport_options = {
        **(app.conf.broker_transport_options or {}),
        "visibility_timeout": seconds,
        # Look for messages of dead workers every second, not every 100.
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }
    task_prerun.connect(_hold_task, weak=False)
    _hold_after_checkpoints()
    app.worker_main(["worker", *argv])


if __name__ == "__main__":
    main(sys.argv[1:])
