"""The timeline of a customer: contact moments newest first, keyset-paginated on
(occurred_at, id) so that page 400 costs what page 1 costs (index interaction_timeline_idx)."""

from accounts.models import User
from contacts.models import Channel, Customer, Interaction
from contacts.selectors.data import Page, keyset_desc

TIMELINE_PAGE = 25


def timeline_page(
    *,
    user: User,
    customer: Customer,
    cursor: str | None = None,
    channel: str | None = None,
    limit: int = TIMELINE_PAGE,
) -> Page[Interaction]:
    """One page of ``customer``'s contact moments, optionally on one channel; one query.

    Empty for a user without ``contacts.view_interaction``; an unknown channel or a malformed
    cursor is treated as none (the caller validates what it shows as an error).
    """
    if not user.has_perm("contacts.view_interaction"):
        return Page(items=[], next_cursor=None)
    qs = Interaction.objects.filter(customer=customer).select_related("agent")
    if channel and channel in Channel.values:
        qs = qs.filter(channel=channel)
    return keyset_desc(qs, field="occurred_at", cursor=cursor, limit=limit)
