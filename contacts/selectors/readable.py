"""Personal-data records for people: audit log entries as sentences and the GDPR export as
tables with the fields' own names, in the active language. Machines keep the JSON."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from contacts.models import AuditAction, AuditEntry


def _who(entry: AuditEntry) -> str:
    return str(entry.actor) if entry.actor_id else _("The system")


def audit_sentence(*, entry: AuditEntry) -> str:
    """What happened, as one sentence: "Anna exported the customers matching "de vries"."""
    who, d = _who(entry), entry.detail or {}
    match entry.action:
        case AuditAction.VIEW:
            return _("%(who)s viewed this customer's data.") % {"who": who}
        case AuditAction.EXPORT:
            return _("%(who)s exported all data of this customer (GDPR).") % {"who": who}
        case AuditAction.ERASE:
            return _("%(who)s erased the personal data of this customer (GDPR).") % {"who": who}
        case AuditAction.MERGE:
            moved = d.get("moved")
            if isinstance(moved, dict):
                moved = sum(v for v in moved.values() if isinstance(v, int))
            sentence = _("%(who)s merged customer %(source)s into customer %(target)s.") % {
                "who": who,
                "source": d.get("source_id", "?"),
                "target": d.get("target_id", "?"),
            }
            if isinstance(moved, int):
                sentence += " " + ngettext("%(n)s record moved.", "%(n)s records moved.", moved) % {
                    "n": moved
                }
            return sentence
        case AuditAction.IMPORT:
            return _(
                "%(who)s imported %(file)s: %(rows)s rows read, %(imported)s imported, "
                "%(rejected)s rejected."
            ) % {
                "who": who,
                "file": d.get("filename", "?"),
                "rows": d.get("rows", 0),
                "imported": d.get("imported", 0),
                "rejected": d.get("rejected", 0),
            }
        case AuditAction.CSV_EXPORT:
            if d.get("query"):
                return _("%(who)s exported the customers matching “%(query)s” as CSV.") % {
                    "who": who,
                    "query": d["query"],
                }
            return _("%(who)s exported a list of customers as CSV.") % {"who": who}
    return f"{who}: {entry.get_action_display()}"


@dataclass(frozen=True)
class ExportSection:
    """One kind of record in a GDPR export: its name, column names and rows of values."""

    label: str
    name: str
    columns: list[str]
    rows: list[list[str]]


def _cell(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_cell(v)}" for k, v in value.items()) or "—"
    return str(value)


def gdpr_export_sections(*, payload: dict[str, Any]) -> list[ExportSection]:
    """The export's records (serializer "python" form, by model label) as tables."""
    sections = []
    for label, items in (payload.get("data") or {}).items():
        try:
            model = apps.get_model(label)
        except LookupError:
            model = None
        names: list[str] = []
        for item in items:
            names += [n for n in item["fields"] if n not in names]
        columns = []
        for name in names:
            try:
                field = model._meta.get_field(name) if model else None
            except FieldDoesNotExist:
                field = None
            columns.append(capfirst(str(field.verbose_name)) if field else name)
        rows = [[str(item["pk"]), *(_cell(item["fields"].get(n)) for n in names)] for item in items]
        title = capfirst(str(model._meta.verbose_name_plural)) if model else label
        sections.append(
            ExportSection(label=label, name=title, columns=[_("Number"), *columns], rows=rows)
        )
    return sections


__all__ = ["ExportSection", "audit_sentence", "gdpr_export_sections"]
