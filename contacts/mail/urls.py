"""URLs of e-mail in: the mailboxes settings page and attachment downloads."""

from django.urls import path

from . import views

app_name = "mail"

urlpatterns = [
    path("settings/mailboxes/", views.mailboxes, name="mailboxes"),
    path(
        "settings/mailboxes/<int:mailbox_id>/fetch/",
        views.mailbox_fetch_now,
        name="mailbox_fetch",
    ),
    path(
        "customers/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="attachment",
    ),
]
