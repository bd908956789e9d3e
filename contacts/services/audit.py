"""The audit log of personal-data access."""

from typing import Any

from accounts.models import User
from contacts.models import AuditEntry, Customer


def audit_record(
    *, actor: User | None, action: str, customer: Customer | None = None, **detail: Any
) -> AuditEntry:
    return AuditEntry.objects.create(actor=actor, action=action, customer=customer, detail=detail)
