"""RFC 822 bytes to what cxcenter needs of a message: sender, recipients, threading headers,
the text (decoded from whatever charset it came in), sanitised HTML, attachments, and
whether it is an automatic message or a delivery status notification (bounce)."""

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from email import policy
from email.errors import (
    MultipartInvariantViolationDefect,
    NoBoundaryInMultipartDefect,
    StartBoundaryNotFoundDefect,
)
from email.header import decode_header
from email.headerregistry import DateHeader
from email.message import EmailMessage, Message
from email.parser import BytesHeaderParser, BytesParser, HeaderParser
from email.utils import getaddresses, parseaddr
from pathlib import PurePosixPath, PureWindowsPath

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from contacts.mail.html import html_sanitise, html_to_text

HEADERS_KEPT = 16 * 1024
# Defects that mean the MIME structure cannot be trusted to find the text and attachments.
_FATAL_DEFECTS = (
    NoBoundaryInMultipartDefect,
    StartBoundaryNotFoundDefect,
    MultipartInvariantViolationDefect,
)
_HEADER_LINE = re.compile(rb"^[!-9;-~]+:")
_PRECEDENCE_AUTOMATIC = {"bulk", "auto_reply", "junk", "list"}
_DAEMONS = {"mailer-daemon", "postmaster"}
# Labels that in practice mean Windows-1252 (as browsers treat them).
_AS_WINDOWS_1252 = {"iso-8859-1", "latin-1", "latin1", "iso_8859-1", "l1", "cp819"}
_MESSAGE_ID = re.compile(r"<[^<>\s]{1,250}>")


class MailRefused(Exception):
    """The message cannot be taken in; ``reason`` says why in one line (for the MTA, the log
    and the mailbox's last error). Nothing was written."""

    def __init__(self, reason: str | Promise) -> None:
        super().__init__(str(reason))
        self.reason = str(reason)


@dataclass(frozen=True)
class ParsedAttachment:
    name: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Bounce:
    recipient: str
    action: str
    status: str
    diagnostic: str
    original_message_id: str


@dataclass
class ParsedMail:
    sender: str
    sender_name: str
    to: list[str]
    cc: list[str]
    delivered_to: list[str]
    subject: str
    message_id: str
    in_reply_to: str
    references: list[str]
    date: dt.datetime
    text: str
    html: str
    headers: str
    size: int
    sha256: str
    automatic: str = ""
    bounce: Bounce | None = None
    attachments: list[ParsedAttachment] = field(default_factory=list)

    @property
    def recipients(self) -> list[str]:
        return list(dict.fromkeys([*self.delivered_to, *self.to, *self.cc]))


def _header_text(value: object) -> str:
    """A header as text; raw 8-bit bytes (not encoded-word) decoded as UTF-8, else 1252."""
    text = str(value or "")
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("windows-1252", "replace")
    return " ".join(text.split())


def _subject(msg: Message, raw: bytes) -> str:
    """The subject; a raw 8-bit one (not encoded-word, which policy.default turns into
    U+FFFD) is read again from the bytes and decoded as UTF-8, else Windows-1252."""
    subject = _header_text(msg.get("Subject", ""))
    if "\ufffd" not in subject:
        return subject
    raw_value = BytesHeaderParser(policy=policy.compat32).parsebytes(raw).get("Subject", "")
    pieces = []
    for chunk, charset in decode_header(raw_value):
        if isinstance(chunk, str):
            pieces.append(_header_text(chunk))
            continue
        for candidate in (charset or "utf-8", "utf-8"):
            try:
                pieces.append(chunk.decode(candidate))
                break
            except (LookupError, UnicodeDecodeError):
                continue
        else:
            pieces.append(chunk.decode("windows-1252", "replace"))
    return " ".join("".join(pieces).split())


def payload_text(part: Message) -> str:
    """A text part decoded from its transfer encoding and charset. Unknown or wrong labels
    fall back to UTF-8 and then Windows-1252, so no message is lost to a charset."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = (part.get_content_charset() or "utf-8").lower()
    if charset in _AS_WINDOWS_1252:
        charset = "windows-1252"
    elif charset in {"us-ascii", "ascii"}:
        charset = "utf-8"
    for candidate in (charset, "utf-8"):
        try:
            return payload.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("windows-1252", "replace")


def _addresses(msg: Message, *names: str) -> list[str]:
    values = [_header_text(v) for name in names for v in msg.get_all(name, [])]
    found = []
    for _name, addr in getaddresses(values):
        addr = addr.strip().strip("<>").lower()
        if "@" in addr and " " not in addr and len(addr) <= 254:
            found.append(addr)
    return list(dict.fromkeys(found))


def _message_ids(value: str) -> list[str]:
    return list(dict.fromkeys(_MESSAGE_ID.findall(value)))


def _date(msg: Message) -> dt.datetime:
    now = timezone.now()
    try:
        header = msg["Date"]
        when = header.datetime if isinstance(header, DateHeader) else None
    except (AttributeError, TypeError, ValueError):
        when = None
    if when is None:
        return now
    if timezone.is_naive(when):
        when = when.replace(tzinfo=dt.UTC)
    # A wrong clock at the sender must not put a message at the top of every list.
    return min(when, now)


def _is_attachment(part: Message) -> bool:
    if part.get_content_disposition() == "attachment":
        return True
    if part.get_filename():
        return True
    return part.get_content_maintype() not in {"text", "multipart", "message"}


def _attachment_name(part: Message, index: int) -> str:
    raw = _header_text(part.get_filename() or "")
    # Only the last path element, without control characters, so a name never becomes a path.
    name = PureWindowsPath(PurePosixPath(raw).name).name
    name = "".join(ch for ch in name if ch.isprintable()).strip(" .")
    return (name or _("attachment-%(number)s") % {"number": index})[:255]


def _leaves(msg: Message) -> list[Message]:
    """The parts of the message without descending into attached messages."""
    if msg.is_multipart() and msg.get_content_maintype() == "multipart":
        parts: list[Message] = []
        for sub in msg.get_payload():
            if isinstance(sub, Message):
                parts += _leaves(sub)
        return parts
    return [msg]


def _report_blocks(part: Message) -> list[Message]:
    payload = part.get_payload()
    if isinstance(payload, list):
        return [block for block in payload if isinstance(block, Message)]
    text = payload_text(part) if isinstance(payload, str) else ""
    return [HeaderParser().parsestr(block) for block in re.split(r"\n\s*\n", text) if block.strip()]


def _bounce(msg: Message, parts: list[Message]) -> Bounce | None:
    """The failed recipient of a delivery status notification (RFC 3464), or None."""
    status_part = next(
        (p for p in parts if p.get_content_type() == "message/delivery-status"), None
    )
    if status_part is None:
        return None
    blocks = _report_blocks(status_part)
    original = _header_text(msg.get("Original-Message-ID", ""))
    if blocks and not original:
        original = _header_text(blocks[0].get("Original-Message-ID", ""))
    for part in parts:
        if original:
            break
        if part.get_content_type() == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            if isinstance(inner, Message):
                original = _header_text(inner.get("Message-ID", ""))
        elif part.get_content_type() == "text/rfc822-headers":
            original = _header_text(
                HeaderParser().parsestr(payload_text(part)).get("Message-ID", "")
            )
    chosen: Message | None = None
    for block in blocks[1:] or blocks:
        if block.get("Final-Recipient") or block.get("Original-Recipient"):
            if chosen is None or str(block.get("Action", "")).strip().lower() == "failed":
                chosen = block
            if str(block.get("Action", "")).strip().lower() == "failed":
                break
    if chosen is None:
        return None
    recipient = _header_text(chosen.get("Final-Recipient") or chosen.get("Original-Recipient"))
    recipient = recipient.split(";", 1)[-1].strip().strip("<>").lower()
    ids = _message_ids(original)
    return Bounce(
        recipient=recipient[:254],
        action=_header_text(chosen.get("Action", "")).lower()[:20],
        status=_header_text(chosen.get("Status", ""))[:20],
        diagnostic=_header_text(chosen.get("Diagnostic-Code", ""))[:500],
        original_message_id=ids[0] if ids else "",
    )


def _automatic(msg: Message, sender: str, is_report: bool) -> str:
    auto_submitted = _header_text(msg.get("Auto-Submitted", "")).split(";")[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"[:100]
    for name in ("X-Autoreply", "X-Autorespond"):
        if msg.get(name) is not None:
            return name
    precedence = _header_text(msg.get("Precedence", "")).strip().lower()
    if precedence in _PRECEDENCE_AUTOMATIC:
        return f"Precedence: {precedence}"
    if is_report:
        return "delivery status notification"
    if sender.split("@", 1)[0] in _DAEMONS:
        return "mailer daemon"
    return ""


def _raw_headers(raw: bytes) -> str:
    end = raw.find(b"\r\n\r\n")
    end = raw.find(b"\n\n") if end < 0 else end
    block = raw[: end if end >= 0 else HEADERS_KEPT][:HEADERS_KEPT]
    return block.decode("utf-8", "replace")


def mail_parse(raw: bytes, *, max_bytes: int) -> ParsedMail:
    """Parse one message; MailRefused when it is too large, not a message, has a broken MIME
    structure or no sender (From, else Sender, else Reply-To)."""
    if len(raw) > max_bytes:
        raise MailRefused(
            _("message too large (%(size)s bytes, at most %(max)s)")
            % {"size": len(raw), "max": max_bytes}
        )
    stripped = raw.lstrip(b"\r\n")
    if stripped.startswith(b"From ") and b"\n" in stripped:
        # An mbox "From " line in front (as some MTAs pipe it) is not a header.
        stripped = stripped.split(b"\n", 1)[1]
    if not stripped.strip() or not _HEADER_LINE.match(stripped):
        raise MailRefused(_("not an e-mail message (no header lines)"))
    msg: EmailMessage = BytesParser(policy=policy.default).parsebytes(stripped)
    if any(isinstance(d, _FATAL_DEFECTS) for part in msg.walk() for d in part.defects):
        raise MailRefused(_("malformed MIME structure"))
    senders = _addresses(msg, "From") or _addresses(msg, "Sender") or _addresses(msg, "Reply-To")
    if not senders:
        raise MailRefused(_("no sender (From, Sender or Reply-To)"))
    sender = senders[0]
    sender_name = ""
    for value in msg.get_all("From", []) or msg.get_all("Sender", []) or []:
        text = _header_text(value)
        # Outlook writes "Jansen, Pieter <…>" without quotes: the name is all before "<".
        name = text.rsplit("<", 1)[0] if "<" in text else parseaddr(text)[0]
        sender_name = name.strip().strip('"').strip()
        break
    parts = _leaves(msg)
    is_report = (
        msg.get_content_type() == "multipart/report"
        and str(msg.get_param("report-type", "")).lower() == "delivery-status"
    )
    text = html = ""
    attachments: list[ParsedAttachment] = []
    for index, part in enumerate(parts, start=1):
        ctype = part.get_content_type()
        if ctype in {"message/delivery-status", "text/rfc822-headers"} or (
            is_report and ctype == "message/rfc822"
        ):
            continue
        if ctype == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            data = inner.as_bytes() if isinstance(inner, Message) else b""
            name = part.get_filename() or f"message-{index}.eml"
            attachments.append(
                ParsedAttachment(name=_header_text(name)[:255], content_type=ctype, data=data)
            )
            continue
        if _is_attachment(part):
            decoded = part.get_payload(decode=True)
            attachments.append(
                ParsedAttachment(
                    name=_attachment_name(part, index),
                    content_type=ctype[:100],
                    data=decoded if isinstance(decoded, bytes) else b"",
                )
            )
        elif ctype == "text/plain" and not text:
            text = payload_text(part)
        elif ctype == "text/html" and not html:
            html = html_sanitise(payload_text(part))
    if not text and html:
        text = html_to_text(html)
    message_ids = _message_ids(_header_text(msg.get("Message-ID", "")))
    return ParsedMail(
        sender=sender,
        sender_name=sender_name[:200],
        to=_addresses(msg, "To"),
        cc=_addresses(msg, "Cc"),
        delivered_to=_addresses(msg, "Delivered-To", "X-Original-To", "Envelope-To"),
        subject=_subject(msg, stripped)[:300],
        message_id=message_ids[0] if message_ids else "",
        in_reply_to=next(iter(_message_ids(_header_text(msg.get("In-Reply-To", "")))), ""),
        references=_message_ids(_header_text(msg.get("References", "")))[-20:],
        date=_date(msg),
        text=text.replace("\r\n", "\n").strip(),
        html=html,
        headers=_raw_headers(stripped),
        size=len(raw),
        sha256=hashlib.sha256(raw).hexdigest(),
        automatic=_automatic(msg, sender, is_report),
        bounce=_bounce(msg, parts) if is_report else None,
        attachments=attachments,
    )
