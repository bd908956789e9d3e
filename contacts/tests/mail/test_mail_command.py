"""``manage.py mail_ingest``: the MTA pipe and its sysexits codes, in process and as the MTA
runs it (a subprocess), also against a database that cannot be reached."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import OperationalError

from contacts.models import Interaction
from contacts.tests.factories import MailboxFactory

from .conftest import HERE, eml_bytes

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


def run(raw: bytes, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("mail_ingest", *args, stdin=io.BytesIO(raw), stdout=out)
    except SystemExit as exc:
        assert isinstance(exc.code, int)
        return exc.code, out.getvalue().strip()
    return 0, out.getvalue().strip()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_stored_message_exits_0_with_one_line() -> None:
    code, line = run(eml_bytes("apple_mail.eml"))
    interaction = Interaction.objects.get()
    assert (code, line) == (
        0,
        f"stored: contact moment {interaction.pk} of customer {interaction.customer_id}",
    )


def test_a_message_already_stored_exits_0() -> None:
    run(eml_bytes("apple_mail.eml"))
    code, line = run(eml_bytes("apple_mail.eml"))
    assert (code, line.split(":")[0], Interaction.objects.count()) == (0, "duplicate", 1)


def test_the_named_mailbox_is_used() -> None:
    MailboxFactory(name="sales", address="sales@cxcenter.test")
    code, line = run(eml_bytes("apple_mail.eml"), "--mailbox", "sales")
    assert (code, line.endswith("for sales@cxcenter.test")) == (0, True)


def test_an_unknown_mailbox_exits_75_and_writes_nothing() -> None:
    code, line = run(eml_bytes("apple_mail.eml"), "--mailbox", "nope")
    assert (code, line, Interaction.objects.count()) == (
        75,
        "try again later: unknown mailbox 'nope'",
        0,
    )


def test_a_message_without_sender_exits_65() -> None:
    assert run(eml_bytes("no_from.eml")) == (65, "refused: no sender (From, Sender or Reply-To)")


def test_malformed_mime_exits_65() -> None:
    assert run(eml_bytes("malformed.eml")) == (65, "refused: malformed MIME structure")


def test_empty_input_exits_65() -> None:
    assert run(b"") == (65, "refused: not an e-mail message (no header lines)")


def test_an_oversized_message_exits_65(settings) -> None:
    settings.CXCENTER_MAIL_MAX_BYTES = 1000
    code, line = run(b"From: a@example.nl\r\n\r\n" + b"x" * 5000)
    assert (code, line) == (65, "refused: message too large (1001 bytes, at most 1000)")


def test_an_automatic_message_says_so() -> None:
    code, line = run(eml_bytes("out_of_office.eml"))
    assert (code, line.startswith("stored: automatic contact moment")) == (0, True)


def test_a_database_error_exits_75(monkeypatch) -> None:
    def broken(**kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("contacts.management.commands.mail_ingest.mail_ingest", broken)
    assert run(eml_bytes("apple_mail.eml")) == (
        75,
        "try again later: OperationalError: connection refused",
    )


@pytest.mark.parametrize(
    "database_url",
    [
        "postgres://cxcenter:cxcenter@127.0.0.1:9/cxcenter",
        "sqlite:////nonexistent-directory/cxcenter.sqlite3",
    ],
)
def test_the_pipe_exits_75_when_the_database_is_unreachable(database_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "1", "DATABASE_POOL_MIN": "0"}
    env.pop("PYTEST_CURRENT_TEST", None)
    done = subprocess.run(
        [sys.executable, "manage.py", "mail_ingest"],
        input=(HERE / "apple_mail.eml").read_bytes(),
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )
    assert (done.returncode, done.stdout.decode().startswith("try again later:")) == (75, True)
