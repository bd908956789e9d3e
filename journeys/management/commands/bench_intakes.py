"""Concurrent intakes against the configured database: how many fail, how many deadlock.

``manage.py bench_intakes --total 2000 --threads 8 --customers 50`` posts ``--total``
inbound e-mails through the intake service from ``--threads`` threads (one connection
each), spread over ``--customers`` customers so that many land on the same open case, and
prints the throughput, errors and deadlocks. It writes real rows (source ``bench-intake``).
"""

import threading
import time
import uuid
from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import OperationalError, connections
from django.utils import timezone


class Command(BaseCommand):
    help = "Post many inbound contact moments at once and count errors and deadlocks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--total", type=int, default=2000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--customers", type=int, default=50)

    def handle(self, *args: Any, **options: Any) -> None:
        from contacts.services.identity import IdentityValue
        from contacts.services.intake import interaction_intake

        total, threads, customers = options["total"], options["threads"], options["customers"]
        if min(total, threads, customers) < 1:
            raise CommandError("--total, --threads and --customers must be at least 1.")
        run = uuid.uuid4().hex[:8]
        outcomes: Counter[str] = Counter()
        lock = threading.Lock()
        barrier = threading.Barrier(threads)

        def work(worker: int) -> None:
            try:
                barrier.wait()
                for n in range(worker, total, threads):
                    try:
                        interaction_intake(
                            source="bench-intake",
                            external_id=f"{run}-{n}",
                            channel="email",
                            direction="in",
                            occurred_at=timezone.now(),
                            identities=[
                                IdentityValue(
                                    kind="email", value=f"bench-{run}-{n % customers}@example.org"
                                )
                            ],
                            subject=f"Vraag {n}",
                            body="Waar blijft mijn pakket?",
                        )
                        outcome = "ok"
                    except OperationalError as exc:
                        outcome = "deadlock" if "deadlock" in str(exc) else "database error"
                    except Exception as exc:  # counted, not raised: the figure is the point
                        outcome = f"error: {type(exc).__name__}"
                    with lock:
                        outcomes[outcome] += 1
            finally:
                connections.close_all()

        started = time.perf_counter()
        pool = [threading.Thread(target=work, args=(w,)) for w in range(threads)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
        seconds = time.perf_counter() - started
        errors = total - outcomes["ok"]
        self.stdout.write(
            f"{total} intakes, {threads} threads, {customers} customers, "
            f"{connections['default'].vendor}: {seconds:.1f} s ({total / seconds:.0f}/s), "
            f"{errors} errors, {outcomes['deadlock']} deadlocks"
        )
        for outcome, count in sorted(outcomes.items()):
            if outcome != "ok":
                self.stdout.write(f"  {outcome}: {count}")
