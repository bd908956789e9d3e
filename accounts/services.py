"""State changes in accounts: roles, notifications."""

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from .live import live_bump, notifications_key
from .models import ApiToken, Department, Notification, StaffingSlot, User
from .roles import ROLE_PERMISSIONS, Role
from .texts import Text, text_store
from .tokens import token_digest, token_key_new, token_prefix

logger = logging.getLogger(__name__)


def roles_ensure() -> None:
    """Create the role groups and give each exactly its permissions; safe to run again."""
    wanted = {perm for perms in ROLE_PERMISSIONS.values() for perm in perms}
    q = Q(pk__in=[])
    for perm in wanted:
        app_label, codename = perm.split(".", 1)
        q |= Q(content_type__app_label=app_label, codename=codename)
    found = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.filter(q).select_related("content_type")
    }
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        # set, not add: a permission taken from a role here is taken from its group too.
        group.permissions.set([found[p] for p in perms if p in found])


def role_assign(*, user: User, role: Role) -> None:
    group, _ = Group.objects.get_or_create(name=role.value)
    user.groups.add(group)


def _title_store(title: Text | str) -> tuple[str, dict[str, Any]]:
    if isinstance(title, Text):
        stored = text_store(title)
        assert isinstance(stored, dict)
        return title.msgid, stored["p"]
    return str(title)[:200], {}


def notification_send(
    *,
    recipients: Iterable[User],
    title: Text | str,
    body: str = "",
    body_parts: Sequence[Text | str] = (),
    url: str = "",
    kind: str = "general",
    email: bool = True,
) -> list[Notification]:
    """Put a notification in each recipient's inbox and, after commit, e-mail it.

    ``title`` and ``body_parts`` are ``Text`` (an untranslated message id with parameters),
    rendered in each reader's language when shown; a plain ``str`` is shown as written.
    ``body`` is what a person wrote (a reason, a subject) and is never translated.
    """
    people = [u for u in recipients if u.is_active]
    msgid, params = _title_store(title)
    parts = [text_store(p) for p in body_parts]
    notes = Notification.objects.bulk_create(
        [
            Notification(
                recipient=u,
                title=msgid,
                title_params=params,
                body=body,
                body_parts=parts,
                url=url,
                kind=kind,
            )
            for u in people
        ]
    )
    live_bump(*(notifications_key(u.pk) for u in people))
    if email:
        addressed = [n.pk for n, u in zip(notes, people, strict=True) if u.email]
        if addressed:
            from .tasks import send_notification_emails

            # celery-types types shared tasks as Task; Celery's Django fixup makes them DjangoTask.
            send_notification_emails.delay_on_commit(notification_ids=addressed)  # type: ignore[attr-defined]
    return notes


def notification_send_to_role(
    *,
    department: Department,
    role: Role,
    title: Text | str,
    body: str = "",
    body_parts: Sequence[Text | str] = (),
    url: str = "",
    kind: str = "general",
    email: bool = True,
) -> list[Notification]:
    """Notify everyone with ``role`` in ``department``."""
    people = User.objects.filter(department=department, groups__name=role.value, is_active=True)
    return notification_send(
        recipients=people.distinct(),
        title=title,
        body=body,
        body_parts=body_parts,
        url=url,
        kind=kind,
        email=email,
    )


def notification_email_send(*, notification_ids: list[int]) -> int:
    """E-mail each notification to its recipient, in the recipient's language."""
    notes = Notification.objects.filter(pk__in=notification_ids).select_related("recipient")
    sent = 0
    for note in notes.order_by("pk"):
        user = note.recipient
        if not user.is_active or not user.email:
            continue
        with translation.override(user.language or settings.LANGUAGE_CODE):
            link = f"{settings.SITE_URL}{note.url}" if note.url else ""
            body = "\n\n".join(p for p in (note.body_text, link) if p)
            sent += email_send(subject=note.title_text, body=body, to=[user.email])
    return sent


def notification_mark_read(*, user: User, notification_id: int | None = None) -> int:
    """Mark one notification (or, without an id, all) of ``user`` as read; returns how many."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    changed = unread.update(read_at=timezone.now())
    if changed:
        live_bump(notifications_key(user.pk))
    return changed


def notification_purge_read(*, days: int) -> int:
    """Delete notifications read more than ``days`` ago; returns how many went."""
    cutoff = timezone.now() - dt.timedelta(days=days)
    deleted, _ = Notification.objects.filter(read_at__lt=cutoff).delete()
    return deleted


def email_send(*, subject: str, body: str, to: list[str]) -> int:
    """Send one plain-text message to each address separately (no shared To: line)."""
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [address]) for address in to]
    return send_mass_mail(messages)


@transaction.atomic
def staffing_save(*, department: Department, grid: dict[tuple[int, int], int]) -> None:
    """Replace the weekly staffing of ``department`` with ``grid`` ((weekday, hour) → agents)."""
    StaffingSlot.objects.filter(department=department).delete()
    StaffingSlot.objects.bulk_create(
        StaffingSlot(department=department, weekday=day, hour=hour, agents=agents)
        for (day, hour), agents in sorted(grid.items())
        if agents
    )


# A token's last use is written at most once per this many seconds, not on every request.
API_TOKEN_TOUCH_SECONDS = 60


def api_token_create(
    *, user: User, name: str, expires_at: dt.datetime | None = None
) -> tuple[ApiToken, str]:
    """Make a token for ``user``; returns it and its key, which exists nowhere else after this."""
    key = token_key_new()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=token_prefix(key),
        digest=token_digest(key),
        expires_at=expires_at,
    )
    return token, key


def api_token_revoke(*, token_ids: Iterable[int]) -> int:
    """Revoke the tokens not yet revoked; returns how many were."""
    return ApiToken.objects.filter(pk__in=list(token_ids), revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def api_token_touch(*, token: ApiToken) -> None:
    """Record that ``token`` was used now, unless that was recorded less than a minute ago."""
    now = timezone.now()
    if token.last_used_at and now - token.last_used_at < dt.timedelta(
        seconds=API_TOKEN_TOUCH_SECONDS
    ):
        return
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True)
        | Q(last_used_at__lt=now - dt.timedelta(seconds=API_TOKEN_TOUCH_SECONDS))
    ).update(last_used_at=now)
    token.last_used_at = now


__all__ = [
    "api_token_create",
    "api_token_revoke",
    "api_token_touch",
    "email_send",
    "notification_email_send",
    "notification_mark_read",
    "notification_purge_read",
    "notification_send",
    "notification_send_to_role",
    "role_assign",
    "roles_ensure",
    "staffing_save",
]
