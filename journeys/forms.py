"""Forms of the inbox and the case page."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import Department, User
from contacts.channels import sendable_channel_choices
from contacts.models import Channel
from journeys.formfields import model_choice_field
from journeys.models import CaseStatus, Priority

MAX_SUBTASK_HOURS = 24 * 30

REPLY_CHANNEL_CHOICES = [
    ("", _("Customer's preferred channel")),
    *sendable_channel_choices(),
]
LOGGED_CHANNEL_CHOICES = [
    (Channel.PHONE, Channel.PHONE.label),
    (Channel.STORE, Channel.STORE.label),
    (Channel.LETTER, Channel.LETTER.label),
]
SETTABLE_STATUS_CHOICES = [
    (CaseStatus.OPEN, CaseStatus.OPEN.label),
    (CaseStatus.WAITING_CUSTOMER, CaseStatus.WAITING_CUSTOMER.label),
    (CaseStatus.WAITING_DEPARTMENT, CaseStatus.WAITING_DEPARTMENT.label),
]


def form_add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: per field where the form has that
    field, otherwise at the top."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class InboxFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("any status")), *CaseStatus.choices]
    )
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, choices=[("", _("any priority")), *Priority.choices]
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("any channel")), *Channel.choices]
    )
    topic = forms.CharField(label=_("Topic"), required=False, max_length=100)


class ReplyForm(forms.Form):
    channel = forms.ChoiceField(label=_("Send by"), required=False, choices=REPLY_CHANNEL_CHOICES)
    subject = forms.CharField(label=_("Subject"), required=False, max_length=300)
    body = forms.CharField(
        label=_("Reply"), widget=forms.Textarea(attrs={"rows": 6}), max_length=10_000
    )
    # The newest message on screen when the agent started; a colleague's answer after it
    # asks for confirmation before a second answer goes out.
    seen = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)


class CallForm(forms.Form):
    channel = forms.ChoiceField(label=_("Contact by"), choices=LOGGED_CHANNEL_CHOICES)
    body = forms.CharField(
        label=_("What was discussed"), widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Internal note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=SETTABLE_STATUS_CHOICES)


class ResolveForm(forms.Form):
    note = forms.CharField(
        label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000
    )


class _DepartmentForm(forms.Form):
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none())

    def __init__(self, *args: Any, exclude_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        qs = Department.objects.filter(is_active=True).order_by("name")
        if exclude_id is not None:
            qs = qs.exclude(pk=exclude_id)
        model_choice_field(self, "department").queryset = qs


class TransferForm(_DepartmentForm):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2_000
    )


class SubTaskForm(_DepartmentForm):
    description = forms.CharField(
        label=_("What is needed"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5_000
    )
    due_hours = forms.IntegerField(
        label=_("Due within (business hours of that department)"),
        min_value=1,
        max_value=MAX_SUBTASK_HOURS,
        initial=8,
    )


class SubTaskCompleteForm(forms.Form):
    result = forms.CharField(
        label=_("Result"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5_000
    )


class AssignForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("Assign to"), queryset=User.objects.none())

    def __init__(self, *args: Any, department_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "owner").queryset = User.objects.filter(
            department_id=department_id, is_active=True
        ).order_by("first_name", "last_name", "username")
