"""E-mail in, measured: messages per second through the ingest service, the ``mail_ingest``
command (in process, and as the MTA runs it: one process per message) and the IMAP fetch
against a real server. Each run uses fresh Message-IDs, so every message is stored."""

import io
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.core.management import call_command
from imap_tools import MailBoxUnencrypted

from contacts.mail.imap import mailbox_fetch
from contacts.mail.ingest import mail_ingest
from contacts.mail.models import Mailbox, TlsMode

ROOT = Path(__file__).resolve().parent.parent
BODY = (
    "Goedemiddag,\n\nMijn bestelling is nog niet bezorgd. Kunt u kijken waar het pakket is?\n\n"
    "Met vriendelijke groet,\n{name}\n\nOp 1 dec. 2026 om 10:00 schreef Klantenservice:\n"
    "> Beste klant,\n> Uw pakket is onderweg.\n"
)


@dataclass(frozen=True)
class Figure:
    path: str
    messages: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0


def bench_messages(count: int, *, run: str) -> list[bytes]:
    """``count`` replies from ``count // 4`` customers (new and returning senders mixed)."""
    senders = max(1, count // 4)
    return [
        (
            f"From: Klant {n % senders} <bench-{n % senders}@bench.example>\r\n"
            "To: bench@cxcenter.test\r\n"
            f"Subject: Waar blijft bestelling {n}?\r\n"
            f"Message-ID: <bench-{run}-{n}@bench.example>\r\n"
            "Date: Mon, 1 Dec 2026 10:00:00 +0100\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n"
            + BODY.format(name=f"Klant {n % senders}").replace("\n", "\r\n")
        ).encode()
        for n in range(count)
    ]


def _timed(path: str, messages: list[bytes], each: Callable[[bytes], object]) -> Figure:
    start = time.perf_counter()
    for raw in messages:
        each(raw)
    return Figure(path, len(messages), time.perf_counter() - start)


def bench_service(count: int) -> Figure:
    return _timed(
        "ingest service", bench_messages(count, run=uuid.uuid4().hex[:8]),
        lambda raw: mail_ingest(raw=raw),
    )  # fmt: skip


def bench_command(count: int) -> Figure:
    def each(raw: bytes) -> None:
        call_command("mail_ingest", stdin=io.BytesIO(raw), stdout=io.StringIO())

    return _timed(
        "mail_ingest command (in process)", bench_messages(count, run=uuid.uuid4().hex[:8]), each
    )


def bench_pipe(count: int) -> Figure:
    """One ``manage.py mail_ingest`` process per message, as Postfix runs it."""

    def each(raw: bytes) -> None:
        done = subprocess.run(
            [sys.executable, "manage.py", "mail_ingest"], input=raw, capture_output=True, cwd=ROOT
        )
        if done.returncode != 0:
            raise RuntimeError(done.stdout.decode() + done.stderr.decode())

    return _timed(
        "mail_ingest pipe (a process per message)",
        bench_messages(count, run=uuid.uuid4().hex[:8]),
        each,
    )


def bench_imap(count: int, *, host: str, port: int, user: str, password: str) -> Figure:
    """Append ``count`` messages to a fresh folder over IMAP, then time the fetch task's
    service until the folder is empty."""
    folder = f"bench{uuid.uuid4().hex[:8]}"
    os.environ["CXCENTER_BENCH_IMAP_PASSWORD"] = password
    with MailBoxUnencrypted(host, port).login(user, password) as box:
        box.folder.create(folder)
        for raw in bench_messages(count, run=uuid.uuid4().hex[:8]):
            box.append(raw, folder)
    mailbox, _ = Mailbox.objects.update_or_create(
        name="bench-imap",
        defaults={
            "address": "bench-imap@cxcenter.test",
            "host": host,
            "port": port,
            "tls": TlsMode.NONE,
            "username": user,
            "password_env": "CXCENTER_BENCH_IMAP_PASSWORD",
            "folder": folder,
            "processed_folder": f"{folder}-done",
        },
    )
    start = time.perf_counter()
    stored = 0
    while stored < count:
        result = mailbox_fetch(mailbox_id=mailbox.pk)
        if result.error or result.processed == 0:
            raise RuntimeError(result.error or "nothing fetched")
        stored += result.processed
    seconds = time.perf_counter() - start
    with MailBoxUnencrypted(host, port).login(user, password) as box:
        for name in (folder, f"{folder}-done"):
            box.folder.delete(name)
    return Figure("IMAP fetch (Dovecot)", stored, seconds)
