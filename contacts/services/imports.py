"""Importing customers from a CSV file: the upload is stored, a Celery task runs it row by row
with a report of every rejected row."""

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from contacts.models import (
    AnswerType,
    AuditAction,
    Customer,
    CustomerImport,
    Identity,
    IdentityKind,
    ImportStatus,
    ProfileFact,
    ProfileQuestion,
)
from contacts.services.audit import audit_record
from contacts.services.identity import identity_normalise

MAX_IMPORT_BYTES = 5 * 1024 * 1024
PROGRESS_EVERY = 100
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
    unknown = [c for c in header if c not in COLUMNS and not c.startswith(FACT_PREFIX)]
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
        import_customers.delay_on_commit(job.pk)
    return job


@dataclass
class ParsedRow:
    name: str = ""
    address: dict[str, str] = field(default_factory=dict)
    language: str = ""
    identities: list[tuple[str, str]] = field(default_factory=list)
    facts: list[tuple[ProfileQuestion, str]] = field(default_factory=list)


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
    if len(raw) > ProfileFact._meta.get_field("value").max_length:
        raise ValidationError(_("The answer is too long."))
    return raw


def row_parse(*, row: dict[str, str | None], questions: dict[str, ProfileQuestion]) -> ParsedRow:
    """Validate one CSV row; raises ValidationError with the reason it is rejected."""
    if None in row:
        raise ValidationError(_("The row has more fields than the header."))
    values = {key: (value or "").strip() for key, value in row.items()}
    parsed = ParsedRow(name=values.get("name", ""))
    for column in ("name", *ADDRESS_COLUMNS):
        limit = Customer._meta.get_field(column).max_length
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
            normal = identity_normalise(kind=kind, value=values[column])
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


def _resolve(parsed: ParsedRow, *, now: dt.datetime) -> Customer:
    owners = {
        i.customer_id
        for i in Identity.objects.filter(
            kind__in={k for k, _v in parsed.identities},
            value__in={v for _k, v in parsed.identities},
        )
        if (i.kind, i.value) in set(parsed.identities)
    }
    if len(owners) > 1:
        raise ValidationError(_("The identities in this row belong to different customers."))
    if owners:
        customer = Customer.objects.get(pk=owners.pop())
        if not customer.is_active_record:
            raise ValidationError(_("This customer was merged or erased."))
        changed = []
        for column, value in {"name": parsed.name, **parsed.address}.items():
            if value and not getattr(customer, column):
                setattr(customer, column, value)
                changed.append(column)
        if changed:
            customer.save(update_fields=[*changed, "updated_at"])
    else:
        customer = Customer.objects.create(
            name=parsed.name, language=parsed.language or "nl", **parsed.address
        )
    for kind, value in parsed.identities:
        Identity.objects.get_or_create(
            kind=kind,
            value=value,
            defaults={"customer": customer, "first_seen": now, "last_seen": now},
        )
    return customer


def _record_facts(
    *, customer: Customer, facts: list[tuple[ProfileQuestion, str]], user: User | None
) -> None:
    now = timezone.now()
    for question, value in facts:
        current = ProfileFact.objects.filter(
            customer=customer, question=question, is_current=True
        ).first()
        if current is not None and current.value == value:
            continue
        if current is not None:
            ProfileFact.objects.filter(pk=current.pk).update(is_current=False)
        ProfileFact.objects.create(
            customer=customer, question=question, value=value, recorded_by=user, recorded_at=now
        )


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
    """Run a queued import; a job that is running or done already is left alone (idempotent).

    Each row is written in its own savepoint: a rejected row writes nothing and is
    reported with its line number and reason.
    """
    claimed = CustomerImport.objects.filter(pk=import_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING
    )
    if not claimed:
        return None
    job = CustomerImport.objects.select_related("created_by").get(pk=import_id)
    questions = {q.key: q for q in ProfileQuestion.objects.filter(is_active=True)}
    rejected: list[dict[str, object]] = []
    imported = processed = 0
    try:
        for line, row, error in _rows(job.content):
            processed += 1
            try:
                if row is None:
                    raise ValidationError(error)
                parsed = row_parse(row=row, questions=questions)
                with transaction.atomic():
                    customer = _resolve(parsed, now=timezone.now())
                    _record_facts(customer=customer, facts=parsed.facts, user=job.created_by)
                imported += 1
            except ValidationError as exc:
                rejected.append({"row": line, "reason": " ".join(exc.messages)})
            if processed % PROGRESS_EVERY == 0:
                CustomerImport.objects.filter(pk=job.pk).update(
                    processed_rows=processed, imported_rows=imported
                )
    except Exception:
        CustomerImport.objects.filter(pk=job.pk).update(
            status=ImportStatus.FAILED,
            processed_rows=processed,
            imported_rows=imported,
            rejected=rejected,
            finished_at=timezone.now(),
        )
        raise
    with transaction.atomic():
        CustomerImport.objects.filter(pk=job.pk).update(
            status=ImportStatus.DONE,
            processed_rows=processed,
            imported_rows=imported,
            rejected=rejected,
            finished_at=timezone.now(),
        )
        audit_record(
            actor=job.created_by,
            action=AuditAction.IMPORT,
            import_id=job.pk,
            filename=job.filename,
            rows=processed,
            imported=imported,
            rejected=len(rejected),
        )
    job.refresh_from_db()
    return job
