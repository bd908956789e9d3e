"""Cases for the header search: a case number as agents write it ("#1234", "1234",
"case 1234", "zaak 1234", "[#1234]" as in a reply's subject), only where the viewer may see it."""

import re

from django.urls import reverse
from django.utils.translation import gettext

from accounts.models import User
from contacts.search import SearchHit
from journeys.selectors.cases import case_visible_queryset

# The references a case is shown and mailed with (see services/mailthread.py).
_CASE_NUMBER = re.compile(
    r"^\s*(?:\[\s*#?\s*(\d{1,18})\s*\]|\(?\s*(?:case|zaak)\s*#?\s*(\d{1,18})\s*\)?|#\s*(\d{1,18})|(\d{1,18}))\s*$",
    re.IGNORECASE,
)
CASE_ID_MAX = 2**63 - 1


def case_number_parse(query: str) -> tuple[int, bool] | None:
    """The case number in ``query`` and whether it was written as one ("#12", "zaak 12")
    rather than as bare digits (which may as well be a customer number or phone)."""
    found = _CASE_NUMBER.match(query or "")
    if found is None:
        return None
    marked, bare = found.group(1) or found.group(2) or found.group(3), found.group(4)
    number = int(marked or bare)
    if not 0 < number <= CASE_ID_MAX:
        return None
    return number, marked is not None


def case_search_hits(*, user: User, query: str, limit: int = 8) -> list[SearchHit]:
    """The case with the number in ``query`` if the user may see it: one query, or none
    when the entry is no case number."""
    parsed = case_number_parse(query)
    if parsed is None:
        return []
    number, marked = parsed
    case = (
        case_visible_queryset(user=user)
        .filter(pk=number)
        .select_related("customer")
        .only("id", "subject", "customer", "customer__name")
        .first()
    )
    if case is None:
        return []
    details = [case.customer.name] if case.customer_id and case.customer.name else []
    return [
        SearchHit(
            kind="cases",
            label=gettext("Case %(number)s: %(subject)s")
            % {"number": case.pk, "subject": case.subject},
            url=reverse("journeys:case", kwargs={"case_id": case.pk}),
            details=details,
            exact=marked,
        )
    ]
