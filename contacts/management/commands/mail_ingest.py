"""``manage.py mail_ingest [--mailbox NAME] < message.eml``: the MTA pipe (as Request
Tracker's rt-mailgate). Exit codes follow sysexits: 0 stored or already stored, 65 the
message cannot be taken in (unparseable, no sender, too large), 75 try again later
(database or broker unavailable, unknown mailbox); one line says what happened."""

import logging
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, InterfaceError
from kombu.exceptions import OperationalError as BrokerError

from contacts.mail.ingest import mail_ingest
from contacts.mail.models import Mailbox
from contacts.mail.parse import MailRefused

EX_OK = 0
EX_DATAERR = 65
EX_TEMPFAIL = 75

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Read one e-mail message (RFC 822) from standard input and store it as a contact "
        "moment. Exit 0: stored (or already stored); 65: refused; 75: try again later."
    )

    # call_command(..., stdin=BytesIO(...)) in tests; the MTA pipes into sys.stdin.
    stealth_options = ("stdin",)
    # The system checks would touch the database before handle() can answer 75 for it, and
    # cost every delivered message their time.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--mailbox",
            metavar="NAME",
            help="the mailbox (its name) the message was delivered to; default: from To/Cc",
        )

    def _exit(self, code: int, line: str) -> None:
        self.stdout.write(line)
        sys.exit(code)

    def handle(self, *args: Any, **options: Any) -> None:
        stream = options.get("stdin") or sys.stdin.buffer
        # One byte more than the limit is enough to know the message is too large.
        raw = stream.read(settings.CXCENTER_MAIL_MAX_BYTES + 1)
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        try:
            mailbox = None
            if options["mailbox"]:
                mailbox = Mailbox.objects.filter(name=options["mailbox"]).first()
                if mailbox is None:
                    self._exit(
                        EX_TEMPFAIL,
                        f"try again later: unknown mailbox {options['mailbox']!r}",
                    )
            result = mail_ingest(raw=raw, mailbox=mailbox)
        except MailRefused as exc:
            self._exit(EX_DATAERR, f"refused: {exc.reason}")
        except (DatabaseError, InterfaceError, BrokerError) as exc:
            self._exit(EX_TEMPFAIL, f"try again later: {exc.__class__.__name__}: {exc}")
        except Exception as exc:
            # Whatever went wrong, the MTA keeps the message and tries again.
            logger.exception("mail_ingest failed")
            self._exit(EX_TEMPFAIL, f"try again later: {exc.__class__.__name__}: {exc}")
        self.stdout.write(result.line())
