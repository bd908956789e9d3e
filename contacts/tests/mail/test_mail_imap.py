"""The IMAP fetch against a real Dovecot (``.ci/dovecot start``): messages appended over
IMAP are stored once and only then moved or flagged; a crash between fetch and store, or
between store and move, loses and doubles nothing. Skipped only outside CI when no server
answers at IMAP_TEST_HOST:IMAP_TEST_PORT."""

import os
import socket
import uuid
from collections.abc import Iterator
from unittest import mock

import pytest
from django.utils import timezone
from imap_tools import MailBoxUnencrypted

from contacts import tasks
from contacts.mail import imap
from contacts.mail.imap import PROCESSED_KEYWORD, mailbox_fetch
from contacts.mail.models import Mailbox, TlsMode
from contacts.mail.secrets import secret_decrypt, secret_encrypt
from contacts.models import Interaction
from contacts.tests.factories import MailboxFactory

from .conftest import eml_bytes

HOST = os.environ.get("IMAP_TEST_HOST", "127.0.0.1")
PORT = int(os.environ.get("IMAP_TEST_PORT", "10143"))
USER = os.environ.get("IMAP_TEST_USER", "cxcenter")
PASSWORD = os.environ.get("IMAP_TEST_PASSWORD", "cxcenter-imap-test")
MESSAGES = ("gmail.eml", "outlook_nl.eml", "out_of_office.eml")

pytestmark = pytest.mark.django_db


def _reachable() -> bool:
    try:
        with socket.create_connection((HOST, PORT), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def imap_server() -> None:
    if _reachable():
        return
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"no IMAP server at {HOST}:{PORT} in CI (.ci/dovecot start)")
    pytest.skip(f"no IMAP server at {HOST}:{PORT}; start one with .ci/dovecot start")


@pytest.fixture
def folder(imap_server, settings, tmp_path) -> Iterator[str]:
    """A fresh folder (and its processed folder) per test, removed afterwards."""
    settings.MEDIA_ROOT = tmp_path
    name = f"t{uuid.uuid4().hex[:12]}"
    with MailBoxUnencrypted(HOST, PORT).login(USER, PASSWORD) as box:
        box.folder.create(name)
    yield name
    with MailBoxUnencrypted(HOST, PORT).login(USER, PASSWORD) as box:
        for candidate in (name, f"{name}-done"):
            if box.folder.exists(candidate):
                box.folder.delete(candidate)


def append(folder: str, *names: str) -> None:
    with MailBoxUnencrypted(HOST, PORT).login(USER, PASSWORD) as box:
        for name in names:
            box.append(eml_bytes(name), folder)


def uids(folder: str, criteria: str = "ALL") -> list[str]:
    with MailBoxUnencrypted(HOST, PORT).login(USER, PASSWORD, initial_folder=folder) as box:
        return box.uids(criteria)


def mailbox(folder: str, monkeypatch, processed: bool = True) -> Mailbox:
    monkeypatch.setenv("CX_TEST_IMAP_PASSWORD", PASSWORD)
    return MailboxFactory(
        host=HOST,
        port=PORT,
        tls=TlsMode.NONE,
        username=USER,
        password_env="CX_TEST_IMAP_PASSWORD",
        folder=folder,
        processed_folder=f"{folder}-done" if processed else "",
    )


def test_fetched_messages_are_stored_and_moved_to_the_processed_folder(folder, monkeypatch):
    box = mailbox(folder, monkeypatch)
    append(folder, *MESSAGES)
    result = mailbox_fetch(mailbox_id=box.pk)
    assert (
        result.stored,
        Interaction.objects.count(),
        uids(folder),
        len(uids(f"{folder}-done")),
    ) == (
        3,
        3,
        [],
        3,
    )


def test_the_fetch_records_its_state_on_the_mailbox(folder, monkeypatch):
    box = mailbox(folder, monkeypatch)
    append(folder, *MESSAGES)
    mailbox_fetch(mailbox_id=box.pk)
    box.refresh_from_db()
    assert (box.count_today, box.last_error, box.last_fetch_at is not None, box.fetching_until) == (
        3,
        "",
        True,
        None,
    )


def test_without_a_processed_folder_messages_are_flagged_and_not_fetched_again(folder, monkeypatch):
    box = mailbox(folder, monkeypatch, processed=False)
    append(folder, *MESSAGES)
    first = mailbox_fetch(mailbox_id=box.pk)
    second = mailbox_fetch(mailbox_id=box.pk)
    assert (first.stored, second.processed, len(uids(folder, f"KEYWORD {PROCESSED_KEYWORD}"))) == (
        3,
        0,
        3,
    )


def test_a_crash_between_fetch_and_store_loses_and_doubles_nothing(folder, monkeypatch):
    box = mailbox(folder, monkeypatch)
    append(folder, *MESSAGES)
    real = imap.mail_ingest
    calls = []

    def crash_on_second(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real(**kwargs)

    with (
        mock.patch.object(imap, "mail_ingest", side_effect=crash_on_second),
        pytest.raises(RuntimeError),
    ):
        mailbox_fetch(mailbox_id=box.pk)
    left_after_crash = len(uids(folder))
    result = mailbox_fetch(mailbox_id=box.pk)
    assert (left_after_crash, result.stored, Interaction.objects.count(), uids(folder)) == (
        2,
        2,
        3,
        [],
    )


def test_a_crash_between_store_and_move_doubles_nothing(folder, monkeypatch):
    box = mailbox(folder, monkeypatch)
    append(folder, *MESSAGES)
    with mock.patch.object(imap, "_done", side_effect=ConnectionResetError("gone")):
        crashed = mailbox_fetch(mailbox_id=box.pk)
    result = mailbox_fetch(mailbox_id=box.pk)
    assert (crashed.stored, result.duplicates, result.stored, Interaction.objects.count()) == (
        1,
        1,
        2,
        3,
    )


def test_a_run_takes_a_bounded_batch(folder, monkeypatch):
    box = mailbox(folder, monkeypatch)
    append(folder, *MESSAGES)
    result = mailbox_fetch(mailbox_id=box.pk, limit=2)
    assert (result.stored, len(uids(folder))) == (2, 1)


def test_a_refused_message_is_moved_on_and_shown_as_last_error(folder, monkeypatch):
    box = mailbox(folder, monkeypatch)
    append(folder, "no_from.eml", "gmail.eml")
    result = mailbox_fetch(mailbox_id=box.pk)
    box.refresh_from_db()
    assert (result.refused, result.stored, uids(folder), "no sender" in box.last_error) == (
        1,
        1,
        [],
        True,
    )


def test_a_wrong_password_is_the_last_error_and_stores_nothing(folder, monkeypatch):
    box = mailbox(folder, monkeypatch)
    monkeypatch.setenv("CX_TEST_IMAP_PASSWORD", "wrong")
    append(folder, "gmail.eml")
    mailbox_fetch(mailbox_id=box.pk)
    box.refresh_from_db()
    assert ("AUTHENTICATIONFAILED" in box.last_error, Interaction.objects.count()) == (True, 0)


def test_an_encrypted_stored_password_logs_in(folder, monkeypatch):
    box = mailbox(folder, monkeypatch)
    Mailbox.objects.filter(pk=box.pk).update(
        password_env="", password_encrypted=secret_encrypt(PASSWORD)
    )
    append(folder, "gmail.eml")
    assert mailbox_fetch(mailbox_id=box.pk).stored == 1


def test_a_mailbox_being_fetched_elsewhere_is_skipped(folder, monkeypatch):
    box = mailbox(folder, monkeypatch)
    Mailbox.objects.filter(pk=box.pk).update(fetching_until=timezone.now() + imap.LEASE)
    append(folder, "gmail.eml")
    assert (mailbox_fetch(mailbox_id=box.pk).skipped, Interaction.objects.count()) == (True, 0)


def test_the_beat_task_fetches_every_active_imap_mailbox(folder, monkeypatch):
    box = mailbox(folder, monkeypatch)
    MailboxFactory(name="pipe", address="pipe@cxcenter.test", host="")
    MailboxFactory(name="off", address="off@cxcenter.test", host=HOST, is_active=False)
    with mock.patch.object(tasks.mailbox_fetch, "delay") as delay:
        tasks.mailboxes_fetch()
    delay.assert_called_once_with(box.pk)


def test_the_fetch_task_runs_the_service(folder, monkeypatch):
    box = mailbox(folder, monkeypatch)
    append(folder, "gmail.eml")
    assert tasks.mailbox_fetch(box.pk) == 1


def test_a_missing_password_variable_is_a_clear_error(db, monkeypatch):
    box = MailboxFactory(host="127.0.0.1", port=1, password_env="CX_NOT_SET_ANYWHERE")
    monkeypatch.delenv("CX_NOT_SET_ANYWHERE", raising=False)
    mailbox_fetch(mailbox_id=box.pk)
    box.refresh_from_db()
    assert box.last_error == "environment variable CX_NOT_SET_ANYWHERE is not set"


def test_stored_passwords_are_encrypted_and_round_trip(settings) -> None:
    token = secret_encrypt("geheim")
    assert ("geheim" in token, secret_decrypt(token)) == (False, "geheim")


def test_a_password_encrypted_with_another_key_does_not_decrypt(settings) -> None:
    token = secret_encrypt("geheim")
    settings.CXCENTER_FIELD_KEY = "another key"
    assert secret_decrypt(token) is None
