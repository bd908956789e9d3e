"""Importing customers from a CSV file: the upload is stored, a Celery task runs it row by row
with a report of every rejected row."""

import csv
import datetime as dt
import functools
import io
import itertools
import uuid
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Field, Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from contacts.models import (
    AnswerType,
    AuditAction,
    Customer,
    CustomerImport,
    IdentityKind,
    ImportStatus,
    ProfileFact,
    ProfileQuestion,
)
from contacts.services.audit import audit_record
from contacts.services.identity_fast import identity_normalise_fast
from contacts.services.import_merge import ChunkOutcome, ParsedRow, chunk_merge

# Rows merged per transaction; the checkpoint moves with each chunk.
CHUNK_ROWS = 1000
# Rejected rows kept with their values for the report and the CSV to fix.
REJECTED_KEPT = 10_000
ERROR_COLUMN = "error"
# Stored untranslated; the import page translates them when shown.
STALLED_REASON = gettext_noop(
    "The import stopped making progress (the worker running it was stopped or crashed)."
)
NEVER_STARTED_REASON = gettext_noop("The import was never started by a worker.")
ERROR_REASON = gettext_noop("The import stopped with an unexpected error.")
FACT_PREFIX = "fact:"
IDENTITY_COLUMNS = {
    "email": IdentityKind.EMAIL,
    "phone": IdentityKind.PHONE,
    "customer_number": IdentityKind.CUSTOMER_NUMBER,
}
ADDRESS_COLUMNS = ("street", "postcode", "city")
COLUMNS = ("name", *IDENTITY_COLUMNS, *ADDRESS_COLUMNS, "language")
LANGUAGES = ("nl", "en")
YES = {"yes", "y", "ja", "j", "true", "1"}
NO = {"no", "n", "nee", "false", "0"}


def csv_decode(raw: bytes) -> str:
    """The text of an uploaded file; raises ValidationError when it is not UTF-8."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(_("The file is not UTF-8 text. Save it as CSV (UTF-8).")) from None


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(text[:8192], delimiters=";,")
    except csv.Error:
        return csv.excel


def _reader(text: str) -> csv.DictReader:
    reader = csv.DictReader(io.StringIO(text), dialect=_dialect(text))
    if reader.fieldnames is not None:
        reader.fieldnames = [(name or "").strip().lower() for name in reader.fieldnames]
    return reader


def csv_check(*, text: str) -> int:
    """Check the header of an import file; returns the number of data rows."""
    reader = _reader(text)
    header = reader.fieldnames or []
    if not header:
        raise ValidationError(_("The file is empty."))
    unknown = [
        c
        for c in header
        if c not in COLUMNS and c != ERROR_COLUMN and not c.startswith(FACT_PREFIX)
    ]
    if unknown:
        raise ValidationError(
            _("Unknown columns: %(columns)s. Allowed: %(allowed)s and fact:<question key>.")
            % {"columns": ", ".join(unknown), "allowed": ", ".join(COLUMNS)}
        )
    if "name" not in header and not any(c in IDENTITY_COLUMNS for c in header):
        raise ValidationError(_("The file needs a name, email, phone or customer_number column."))
    total = 0
    try:
        for _row in reader:
            total += 1
    except csv.Error as exc:
        raise ValidationError(
            _("Line %(line)s cannot be read: %(error)s") % {"line": reader.line_num, "error": exc}
        ) from None
    if total == 0:
        raise ValidationError(_("The file has a header but no rows."))
    return total


def customer_import_create(*, user: User, filename: str, text: str) -> CustomerImport:
    """Store a checked import file and run it in the background after commit."""
    from contacts.tasks import import_customers

    total = csv_check(text=text)
    with transaction.atomic():
        job = CustomerImport.objects.create(
            created_by=user, filename=filename[:200], content=text, total_rows=total
        )
        # celery-types types shared tasks as Task; Celery's Django fixup makes them DjangoTask.
        import_customers.delay_on_commit(job.pk)  # type: ignore[attr-defined]
    return job


def _fact_value(question: ProfileQuestion, raw: str) -> str:
    if question.answer_type == AnswerType.NUMBER:
        try:
            Decimal(raw.replace(",", "."))
        except InvalidOperation:
            raise ValidationError(_("%(value)s is not a number.") % {"value": raw}) from None
        return raw.replace(",", ".")
    if question.answer_type == AnswerType.DATE:
        try:
            return dt.date.fromisoformat(raw).isoformat()
        except ValueError:
            raise ValidationError(
                _("%(value)s is not a date (YYYY-MM-DD).") % {"value": raw}
            ) from None
    if question.answer_type == AnswerType.YES_NO:
        if raw.lower() in YES:
            return "yes"
        if raw.lower() in NO:
            return "no"
        raise ValidationError(_("%(value)s is not yes or no.") % {"value": raw})
    if question.answer_type == AnswerType.CHOICE:
        choices = question.choice_list()
        if raw not in choices:
            raise ValidationError(
                _("%(value)s is not one of: %(choices)s.")
                % {"value": raw, "choices": ", ".join(choices)}
            )
    if len(raw) > _max_length(ProfileFact, "value"):
        raise ValidationError(_("The answer is too long."))
    return raw


@functools.cache
def _max_length(model: type[Model], name: str) -> int:
    field = model._meta.get_field(name)
    if not isinstance(field, Field) or field.max_length is None:
        raise TypeError(f"{model.__name__}.{name} has no maximum length")
    return field.max_length


# Our export puts a quote before a cell a spreadsheet would run as a formula; read it back.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _unquoted(value: str) -> str:
    if value.startswith("'") and value[1:2] and value[1] in _FORMULA_START:
        return value[1:]
    return value


def row_parse(*, row: dict[str, str | None], questions: dict[str, ProfileQuestion]) -> ParsedRow:
    """Validate one CSV row; raises ValidationError with the reason it is rejected."""
    if None in row:
        raise ValidationError(_("The row has more fields than the header."))
    values = {key: _unquoted((value or "").strip()) for key, value in row.items()}
    parsed = ParsedRow(name=values.get("name", ""))
    for column in ("name", *ADDRESS_COLUMNS):
        limit = _max_length(Customer, column)
        if len(values.get(column, "")) > limit:
            raise ValidationError(
                _("%(column)s is longer than %(limit)s characters.")
                % {"column": column, "limit": limit}
            )
    parsed.address = {c: values[c] for c in ADDRESS_COLUMNS if values.get(c)}
    language = values.get("language", "").lower()
    if language and language not in LANGUAGES:
        raise ValidationError(_("Language must be nl or en, not %(value)s.") % {"value": language})
    parsed.language = language
    for column, kind in IDENTITY_COLUMNS.items():
        if values.get(column):
            normal = identity_normalise_fast(kind=kind, value=values[column])
            parsed.identities.append((normal.kind, normal.value))
    for column, raw in values.items():
        if not column.startswith(FACT_PREFIX) or not raw:
            continue
        key = column.removeprefix(FACT_PREFIX)
        question = questions.get(key)
        if question is None:
            raise ValidationError(_("Unknown profile question: %(key)s.") % {"key": key})
        try:
            parsed.facts.append((question, _fact_value(question, raw)))
        except ValidationError as exc:
            raise ValidationError(f"{key}: {exc.messages[0]}") from None
    if not parsed.name and not parsed.identities:
        raise ValidationError(_("A row needs a name or an e-mail, phone or customer number."))
    return parsed


def _rows(text: str) -> Iterator[tuple[int, dict[str, str | None] | None, str]]:
    """(line number, row, error) per data row; a row that cannot be read at all has an error."""
    reader = _reader(text)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield reader.line_num, None, str(exc)
            continue
        yield reader.line_num, row, ""


def customer_import_run(*, import_id: int) -> CustomerImport | None:
    """Run a queued import, or take over one whose run stopped sending heartbeats; an import
    running elsewhere or done already is left alone (idempotent).

    Rows are merged ``CHUNK_ROWS`` at a time (contacts.services.import_merge), each chunk in
    one transaction together with the checkpoint (position, counts, rejected rows): after a
    crash the next run starts at the checkpoint, and every row is imported once.
    """
    token = uuid.uuid4().hex
    now = timezone.now()
    stale = now - dt.timedelta(seconds=settings.CXCENTER_IMPORT_STALE_SECONDS)
    claimed = (
        CustomerImport.objects.filter(pk=import_id)
        .filter(
            Q(status=ImportStatus.QUEUED) | Q(status=ImportStatus.RUNNING, heartbeat_at__lt=stale)
        )
        .update(status=ImportStatus.RUNNING, run_token=token, heartbeat_at=now)
    )
    if not claimed:
        return None
    job = CustomerImport.objects.select_related("created_by").get(pk=import_id)
    try:
        _run(job, token)
    except _Lost:
        return None
    except Exception:
        CustomerImport.objects.filter(pk=job.pk, run_token=token).update(
            status=ImportStatus.FAILED, failure_reason=ERROR_REASON, finished_at=timezone.now()
        )
        raise
    job.refresh_from_db()
    return job


class _Lost(Exception):
    """Another run took this import over (this one was presumed dead)."""


def _run(job: CustomerImport, token: str) -> None:
    questions = {q.key: q for q in ProfileQuestion.objects.filter(is_active=True)}
    rows = itertools.islice(_rows(job.content), job.position, None)
    position = job.position
    while True:
        chunk = list(itertools.islice(rows, CHUNK_ROWS))
        if not chunk:
            break
        position += len(chunk)
        _chunk_commit(job, token, chunk, questions=questions, position=position)
    with transaction.atomic():
        done = CustomerImport.objects.filter(
            pk=job.pk, run_token=token, status=ImportStatus.RUNNING
        ).update(status=ImportStatus.DONE, finished_at=timezone.now(), heartbeat_at=None)
        if not done:
            raise _Lost
        job.refresh_from_db()
        audit_record(
            actor=job.created_by,
            action=AuditAction.IMPORT,
            import_id=job.pk,
            filename=job.filename,
            rows=job.processed_rows,
            imported=job.imported_rows,
            rejected=job.rejected_rows,
        )


def _chunk_commit(
    job: CustomerImport,
    token: str,
    chunk: list[tuple[int, dict[str, str | None] | None, str]],
    *,
    questions: dict[str, ProfileQuestion],
    position: int,
) -> None:
    """Parse and merge one chunk and move the checkpoint, all or nothing; retried once when
    a concurrent writer inserted one of its identities first."""
    parsed: list[ParsedRow] = []
    lines: list[tuple[int, dict[str, str | None] | None]] = []
    rejected: list[tuple[int, dict[str, str | None] | None, str]] = []
    for line, row, error in chunk:
        try:
            if row is None:
                raise ValidationError(error)
            parsed.append(row_parse(row=row, questions=questions))
            lines.append((line, row))
        except ValidationError as exc:
            rejected.append((line, row, " ".join(exc.messages)))
    for attempt in range(2):
        try:
            with transaction.atomic():
                outcome = chunk_merge(rows=parsed, user=job.created_by, now=timezone.now())
                merged_out = [
                    (lines[index][0], lines[index][1], reason) for index, reason in outcome.rejected
                ]
                _checkpoint(job, token, position, len(chunk), outcome, rejected + merged_out)
            return
        except IntegrityError:
            if attempt == 1:
                raise


def _checkpoint(
    job: CustomerImport,
    token: str,
    position: int,
    processed: int,
    outcome: ChunkOutcome,
    rejected: list[tuple[int, dict[str, str | None] | None, str]],
) -> None:
    rejected.sort(key=lambda item: item[0])
    room = max(0, REJECTED_KEPT - len(job.rejected))
    report = job.rejected + [
        {"row": line, "reason": reason, "values": _values(row)}
        for line, row, reason in rejected[:room]
    ]
    imported = outcome.created + outcome.updated
    moved = CustomerImport.objects.filter(
        pk=job.pk, run_token=token, status=ImportStatus.RUNNING
    ).update(
        position=position,
        processed_rows=F("processed_rows") + processed,
        imported_rows=F("imported_rows") + imported,
        created_rows=F("created_rows") + outcome.created,
        updated_rows=F("updated_rows") + outcome.updated,
        rejected_rows=F("rejected_rows") + len(rejected),
        rejected=report,
        heartbeat_at=timezone.now(),
    )
    if not moved:
        raise _Lost
    job.rejected = report
    job.position = position


def _values(row: dict[str, str | None] | None) -> dict[str, str]:
    if row is None:
        return {}
    return {key: value or "" for key, value in row.items() if key is not None}


def customer_imports_sweep(*, now: dt.datetime | None = None) -> int:
    """Fail running imports whose heartbeat stopped (the worker died) and queued ones that
    never started (the message was lost), with a reason the page shows; they can be
    resumed from their checkpoint. Idempotent. Returns how many were failed."""
    now = now or timezone.now()
    stale = now - dt.timedelta(seconds=settings.CXCENTER_IMPORT_STALE_SECONDS)
    stalled = CustomerImport.objects.filter(
        Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True), status=ImportStatus.RUNNING
    ).update(status=ImportStatus.FAILED, failure_reason=STALLED_REASON, finished_at=now)
    lost = CustomerImport.objects.filter(
        status=ImportStatus.QUEUED,
        created_at__lt=now - dt.timedelta(seconds=settings.CXCENTER_IMPORT_QUEUED_SECONDS),
    ).update(status=ImportStatus.FAILED, failure_reason=NEVER_STARTED_REASON, finished_at=now)
    return stalled + lost


def customer_import_resume(*, job: CustomerImport) -> CustomerImport:
    """Queue a failed import again; it continues at its checkpoint. The caller checked the
    permission (contacts.selectors.data.import_get)."""
    from contacts.tasks import import_customers

    with transaction.atomic():
        resumed = CustomerImport.objects.filter(pk=job.pk, status=ImportStatus.FAILED).update(
            status=ImportStatus.QUEUED, failure_reason="", finished_at=None, heartbeat_at=None
        )
        if not resumed:
            raise ValidationError(_("Only a failed import can be resumed."))
        # celery-types types shared tasks as Task; Celery's Django fixup makes them DjangoTask.
        import_customers.delay_on_commit(job.pk)  # type: ignore[attr-defined]
    job.refresh_from_db()
    return job


def rejected_csv_rows(*, job: CustomerImport) -> Iterator[list[str]]:
    """The rejected rows as they were in the file, with the reason in a last ``error``
    column (ignored when the file is imported again): fix and upload."""
    header = list(_reader(job.content).fieldnames or []) if job.content else []
    if not header:
        header = sorted({key for item in job.rejected for key in item.get("values", {})})
    yield [*header, ERROR_COLUMN]
    for item in job.rejected:
        values = item.get("values", {})
        yield [*(values.get(column, "") for column in header), item.get("reason", "")]
