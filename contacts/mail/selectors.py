"""Reads of the e-mail side through the asking user's permissions: mailboxes for the
settings page, attachments for download."""

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import user_has_role
from contacts.mail.models import Attachment, Mailbox
from contacts.selectors.customers import can_view


def mailbox_list_for_user(*, user: User) -> QuerySet[Mailbox]:
    """All mailboxes for an admin; a manager's own department's; nothing for anyone else."""
    if not user.has_perm("contacts.view_mailbox"):
        return Mailbox.objects.none()
    boxes = Mailbox.objects.select_related("department").order_by("name")
    if user_has_role(user=user, role=Role.ADMIN):
        return boxes
    if user.department_id is None:
        return Mailbox.objects.none()
    return boxes.filter(department_id=user.department_id)


def mailbox_get_for_user(*, user: User, pk: int) -> Mailbox:
    try:
        return mailbox_list_for_user(user=user).get(pk=pk)
    except Mailbox.DoesNotExist:
        raise Http404 from None


def attachment_get_for_user(*, user: User, pk: int) -> Attachment:
    """A stored attachment of a contact moment the user may see (the customer and their
    timeline); 404 otherwise, also for a refused one (there is no file)."""
    if not can_view(user) or not user.has_perm("contacts.view_interaction"):
        raise Http404
    found = (
        Attachment.objects.filter(pk=pk, refused="")
        .exclude(file="")
        .filter(interaction__customer__erased_at__isnull=True)
        .first()
    )
    if found is None:
        raise Http404
    return found


def attachments_for(*, interaction_ids: list[int]) -> dict[int, list[Attachment]]:
    """The attachments of these contact moments in one query, by contact moment."""
    found: dict[int, list[Attachment]] = {}
    if not interaction_ids:
        return found
    for attachment in Attachment.objects.filter(interaction_id__in=interaction_ids).order_by("pk"):
        found.setdefault(attachment.interaction_id, []).append(attachment)
    return found
