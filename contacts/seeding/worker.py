"""The rows of the generated customers made in a second process, ready as COPY text, so
PostgreSQL stores one batch while the next is generated on the other core."""

import multiprocessing
import queue
import time
import traceback
from typing import Any

from psycopg._copy_base import TextFormatter
from psycopg.adapt import Transformer

from contacts.seeding.generator import _Generator
from contacts.seeding.pools import TABLES

# (plans, taken, identity ids, interaction ids, order ids) of one batch.
Job = tuple[list[dict[str, Any]], set[tuple[str, str]], list[int], list[int], list[int]]


class RowsResult:
    """One batch as COPY text per table, with its row counts."""

    def __init__(self, data: dict[str, tuple[bytes, int]], skipped: int, seconds: float):
        self.data = data
        self.skipped = skipped
        self.seconds = seconds


def copy_text(rows: list[tuple[Any, ...]]) -> bytes:
    """``rows`` in COPY's text format, as psycopg's ``write_row`` sends them."""
    formatter = TextFormatter(Transformer())
    chunks = [formatter.write_row(row) for row in rows]
    chunks.append(formatter.end())
    return b"".join(bytes(chunk) for chunk in chunks)


def _work(generator: _Generator, jobs: Any, results: Any) -> None:
    # A forked copy of the parent: it never touches the parent's database connection.
    while True:
        job = jobs.get()
        if job is None:
            return
        try:
            tick = time.process_time()
            plans, taken, identity_ids, interaction_ids, order_ids = job
            batch, skipped = generator.rows(
                plans,
                taken=taken,
                identity_ids=identity_ids,
                interaction_ids=interaction_ids,
                order_ids=order_ids,
            )
            data = {}
            for name in TABLES:
                rows = getattr(batch, name)
                data[name] = (copy_text(rows), len(rows))
            results.put(("ok", RowsResult(data, skipped, time.process_time() - tick)))
        except BaseException:
            results.put(("error", traceback.format_exc()))
            return


class RowsWorker:
    """A forked process that turns the planned batches, in the order given, into COPY
    text; the generator's row stream lives on in it, so the data stay the same."""

    def __init__(self, generator: _Generator) -> None:
        context = multiprocessing.get_context("fork")
        # Queues: handing a batch over never waits for the process to take it.
        self.jobs = context.Queue()
        self.results = context.Queue()
        self.process = context.Process(
            target=_work, args=(generator, self.jobs, self.results), daemon=True
        )
        self.process.start()

    def submit(self, job: Job) -> None:
        self.jobs.put(job)

    def result(self) -> RowsResult:
        """The next batch's rows, in the order submitted."""
        while True:
            try:
                status, value = self.results.get(timeout=1)
            except queue.Empty:
                if not self.process.is_alive():
                    raise RuntimeError("The process generating the rows stopped.") from None
                continue
            if status == "error":
                raise RuntimeError(f"Generating the rows failed:\n{value}")
            return value

    def close(self) -> None:
        self.jobs.put(None)
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join()
        self.jobs.close()
        self.results.close()
