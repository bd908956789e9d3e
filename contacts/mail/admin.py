"""Admin of mailboxes: the IMAP password is written once and stored encrypted, never shown."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from contacts.mail.models import EmailDetail, Mailbox
from contacts.mail.secrets import secret_encrypt


class MailboxForm(forms.ModelForm):
    password = forms.CharField(
        label=_("IMAP password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_(
            "Stored encrypted; leave empty to keep the stored one. Prefer an environment "
            "variable (above) in production."
        ),
    )
    clear_password = forms.BooleanField(label=_("Remove the stored password"), required=False)

    class Meta:
        model = Mailbox
        fields = (
            "name",
            "address",
            "department",
            "is_active",
            "host",
            "port",
            "tls",
            "username",
            "password_env",
            "folder",
            "processed_folder",
            "acknowledge",
            "acknowledgement_text",
        )


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm
    list_display = ("name", "address", "department", "is_active", "last_fetch_at", "last_error")
    list_filter = ("is_active",)
    readonly_fields = ("last_fetch_at", "last_error", "last_error_at", "count_today")

    def save_model(self, request: HttpRequest, obj: Mailbox, form: Any, change: bool) -> None:
        if form.cleaned_data.get("clear_password"):
            obj.password_encrypted = ""
        elif form.cleaned_data.get("password"):
            obj.password_encrypted = secret_encrypt(form.cleaned_data["password"])
        super().save_model(request, obj, form, change)


@admin.register(EmailDetail)
class EmailDetailAdmin(admin.ModelAdmin):
    list_display = ("interaction", "from_address", "mailbox", "is_automatic")
    list_filter = ("is_automatic",)
    raw_id_fields = ("interaction",)
    show_full_result_count = False
