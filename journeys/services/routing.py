"""Routing: every piece of inbound work becomes a case with one owning department.

The contract other apps rely on (feedback's closed loop calls ``case_route``):
rules are tried in order, the first match wins; when none matches, the case goes to the
contact center's exception queue with its own short SLA. Nothing is ever dropped.
"""

from accounts.models import Department
from contacts.models import Customer, Interaction
from journeys.models import Case


def case_route(
    *,
    customer: Customer,
    subject: str,
    body: str = "",
    channel: str = "",
    topic: str = "",
    campaign_code: str = "",
    origin: Interaction | None = None,
    priority: str | None = None,
    resolution_hours: int | None = None,
    department: Department | None = None,
) -> Case:
    """Open a case for ``customer`` through the routing rules.

    ``priority`` overrides the matched rule's priority; ``resolution_hours`` overrides the
    resolution target (business hours of the owning department), e.g. feedback follow-up
    with 48 hours; ``department`` skips the rules and routes there directly. The case's
    SLA due times are set from the policy in the owning department's business hours.
    """
    raise NotImplementedError
