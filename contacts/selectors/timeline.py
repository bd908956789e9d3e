"""The timeline of a customer: contact moments newest first, keyset-paginated on
(occurred_at, id) so that page 400 costs what page 1 costs (index interaction_timeline_idx)."""

from accounts.models import User
from contacts.mail.models import EmailDetail
from contacts.mail.selectors import attachments_for
from contacts.models import Channel, Customer, Interaction
from contacts.panels import timeline_refs_list
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
    qs = (
        Interaction.objects.filter(customer=customer)
        .select_related("agent", "email")
        .defer("email__html", "email__headers")
    )
    if channel and channel in Channel.values:
        qs = qs.filter(channel=channel)
    page = keyset_desc(qs, field="occurred_at", cursor=cursor, limit=limit)
    _mail_attach(page.items)
    return page


def _mail_attach(items: list[Interaction]) -> None:
    """``mail`` (the e-mail detail or None) and ``files`` on each item; the attachments of
    a page's e-mails in one query, none when the page has no e-mail."""
    for item in items:
        try:
            item.mail = item.email
        except EmailDetail.DoesNotExist:
            item.mail = None
        item.files = []
    files = attachments_for(interaction_ids=[i.pk for i in items if i.mail is not None])
    for item in items:
        item.files = files.get(item.pk, [])


def customer_latest_channel(*, customer: Customer, exclude: tuple[str, ...] = ()) -> str:
    """The channel of ``customer``'s latest contact moment ("" when none); one query on
    interaction_timeline_idx."""
    channel = (
        Interaction.objects.filter(customer=customer)
        .exclude(channel__in=exclude)
        .order_by("-occurred_at", "-id")
        .values_list("channel", flat=True)
        .first()
    )
    return channel or ""


def timeline_refs_attach(*, user: User, items: list[Interaction]) -> None:
    """``refs`` on each item: what the registered apps say it belongs to (its case), one
    query per registered source for the whole page."""
    for item in items:
        item.refs = []
    if not items:
        return
    by_id = {item.pk: item for item in items}
    for refs in timeline_refs_list():
        for interaction_id, ref in refs(user, list(by_id)).items():
            if interaction_id in by_id:
                by_id[interaction_id].refs.append(ref)
