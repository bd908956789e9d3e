"""Pages of e-mail in: Settings → Mailboxes (state and "fetch now") and attachment download."""

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from contacts.mail.selectors import (
    attachment_get_for_user,
    mailbox_get_for_user,
    mailbox_list_for_user,
)
from contacts.tasks import mailbox_fetch


@require_GET
def mailboxes(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("contacts.view_mailbox"):
        return render(request, "403.html", status=403)
    return render(
        request,
        "contacts/mailboxes.html",
        {"mailboxes": mailbox_list_for_user(user=request.user), "today": timezone.localdate()},
    )


@require_POST
def mailbox_fetch_now(request: HttpRequest, mailbox_id: int) -> HttpResponse:
    mailbox = mailbox_get_for_user(user=request.user, pk=mailbox_id)
    if not mailbox.fetches or not mailbox.is_active:
        messages.error(request, _("%(mailbox)s is not fetched over IMAP.") % {"mailbox": mailbox})
    else:
        mailbox_fetch.delay_on_commit(mailbox.pk)
        messages.success(request, _("Fetching %(mailbox)s now.") % {"mailbox": mailbox})
    return redirect("mail:mailboxes")


@require_GET
def attachment_download(request: HttpRequest, attachment_id: int) -> FileResponse:
    attachment = attachment_get_for_user(user=request.user, pk=attachment_id)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Should a browser render it after all, it runs in a sandbox without our origin.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response
