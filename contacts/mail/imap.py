"""Fetching IMAP mailboxes with imap-tools: each message is stored (idempotent on mailbox +
Message-ID) and only then moved to the processed folder or flagged, so a crash between
fetch and store loses nothing and stores nothing twice. One fetcher per mailbox at a time
(a lease on the row), a bounded batch per run."""

import datetime as dt
import imaplib
import logging
import os
import ssl
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Q
from django.utils import timezone
from imap_tools import AND, BaseMailBox, MailBox, MailBoxStartTls, MailBoxUnencrypted
from imap_tools.errors import ImapToolsError

from contacts.mail.ingest import mail_ingest
from contacts.mail.models import Mailbox, TlsMode
from contacts.mail.parse import MailRefused
from contacts.mail.secrets import secret_decrypt

logger = logging.getLogger(__name__)

# Set on messages already taken in when the mailbox has no processed folder.
PROCESSED_KEYWORD = "cxcenter-ingested"
LEASE = dt.timedelta(minutes=10)


class MailboxError(Exception):
    """The mailbox cannot be fetched (configuration, login, network); the message is stored
    as the mailbox's last error."""


@dataclass
class FetchResult:
    stored: int = 0
    duplicates: int = 0
    refused: int = 0
    ignored: int = 0
    error: str = ""
    skipped: bool = False

    @property
    def processed(self) -> int:
        return self.stored + self.duplicates + self.refused + self.ignored


def mailbox_password(mailbox: Mailbox) -> str:
    if mailbox.password_env:
        value = os.environ.get(mailbox.password_env)
        if value is None:
            raise MailboxError(f"environment variable {mailbox.password_env} is not set")
        return value
    if mailbox.password_encrypted:
        value = secret_decrypt(mailbox.password_encrypted)
        if value is None:
            raise MailboxError("the stored password cannot be decrypted (key changed?)")
        return value
    raise MailboxError("no password: set an environment variable or store one")


def _connect(mailbox: Mailbox) -> BaseMailBox:
    timeout = settings.CXCENTER_MAIL_FETCH_TIMEOUT
    password = mailbox_password(mailbox)  # before any network: a missing one is config
    if mailbox.tls == TlsMode.SSL:
        client: BaseMailBox = MailBox(
            mailbox.host, mailbox.port, timeout=timeout, ssl_context=ssl.create_default_context()
        )
    elif mailbox.tls == TlsMode.STARTTLS:
        client = MailBoxStartTls(
            mailbox.host, mailbox.port, timeout=timeout, ssl_context=ssl.create_default_context()
        )
    else:
        client = MailBoxUnencrypted(mailbox.host, mailbox.port, timeout=timeout)
    try:
        return client.login(mailbox.username, password, initial_folder=mailbox.folder)
    except BaseException:
        # A refused login leaves the connection open; close it rather than leak the socket.
        client.client.shutdown()
        raise


def _raw(client: BaseMailBox, uid: str) -> bytes | None:
    status, data = client.client.uid("FETCH", uid, "(BODY.PEEK[])")
    if status != "OK":
        raise MailboxError(f"FETCH {uid} failed: {status}")
    for item in data:
        if isinstance(item, tuple) and len(item) == 2:
            return item[1]
    return None


def _done(client: BaseMailBox, mailbox: Mailbox, uid: str) -> None:
    if mailbox.processed_folder:
        client.move(uid, mailbox.processed_folder)
    else:
        client.flag(uid, ["\\Seen", PROCESSED_KEYWORD], True)


def _claim(mailbox_id: int, now: dt.datetime) -> bool:
    return bool(
        Mailbox.objects.filter(
            Q(fetching_until__isnull=True) | Q(fetching_until__lt=now),
            pk=mailbox_id,
            is_active=True,
        ).update(fetching_until=now + LEASE)
    )


def _finish(mailbox_id: int, result: FetchResult) -> None:
    now = timezone.now()
    fields: dict[str, object] = {"fetching_until": None, "last_fetch_at": now}
    if result.error:
        fields.update(last_error=result.error[:500], last_error_at=now)
    else:
        fields["last_error"] = ""
    Mailbox.objects.filter(pk=mailbox_id).update(**fields)


def mailbox_fetch(*, mailbox_id: int, limit: int | None = None) -> FetchResult:
    """Take in up to ``limit`` (CXCENTER_MAIL_FETCH_BATCH) messages of one mailbox.

    Skipped when another fetch of this mailbox is running. A refused message (too large,
    not a message, no sender) is moved on as well, so one bad message never blocks the
    mailbox; a database error stops the run and leaves the message for the next one.
    """
    limit = limit or settings.CXCENTER_MAIL_FETCH_BATCH
    if not _claim(mailbox_id, timezone.now()):
        return FetchResult(skipped=True)
    result = FetchResult()
    try:
        mailbox = Mailbox.objects.select_related("department").get(pk=mailbox_id)
        if not mailbox.fetches:
            raise MailboxError("no IMAP host configured")
        with _connect(mailbox) as client:
            if mailbox.processed_folder and not client.folder.exists(mailbox.processed_folder):
                client.folder.create(mailbox.processed_folder)
            criteria = (
                AND(all=True) if mailbox.processed_folder else AND(no_keyword=PROCESSED_KEYWORD)
            )
            for uid in client.uids(criteria)[:limit]:
                raw = _raw(client, uid)
                if raw is None:
                    continue
                try:
                    outcome = mail_ingest(raw=raw, mailbox=mailbox)
                except MailRefused as exc:
                    result.refused += 1
                    result.error = f"message {uid} refused: {exc.reason}"
                    logger.warning("mailbox %s: %s", mailbox.name, result.error)
                else:
                    if outcome.outcome == "stored":
                        result.stored += 1
                    elif outcome.outcome == "duplicate":
                        result.duplicates += 1
                    else:
                        result.ignored += 1
                # Only now, with the message stored (or refused for good), is it moved on.
                _done(client, mailbox, uid)
    except (MailboxError, ImapToolsError, imaplib.IMAP4.error, OSError) as exc:
        result.error = str(exc) or exc.__class__.__name__
        logger.warning("mailbox %s: %s", mailbox_id, result.error)
    except DatabaseError as exc:
        result.error = f"database: {exc}"
        _finish(mailbox_id, result)
        raise
    except Exception as exc:
        # Anything unexpected still releases the lease and shows on the mailbox page.
        result.error = f"{exc.__class__.__name__}: {exc}"
        _finish(mailbox_id, result)
        raise
    _finish(mailbox_id, result)
    return result


def mailboxes_fetch_ids() -> list[int]:
    """The mailboxes the beat job fetches: active, with an IMAP host."""
    return list(
        Mailbox.objects.filter(is_active=True)
        .exclude(host="")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
