"""Forms of the customer search and the customer 360 page."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from contacts.models import Channel, ConsentStatus, Customer, Direction, IdentityKind
from contacts.selectors.customers import CONSENT_CHANNELS, QUERY_MAX
from contacts.services.identity import IdentityValue, identity_normalise

# What an agent can log on the customer page: (channel, direction).
LOG_KINDS: dict[str, tuple[str, str]] = {
    "call_in": (Channel.PHONE, Direction.INBOUND),
    "call_out": (Channel.PHONE, Direction.OUTBOUND),
    "store": (Channel.STORE, Direction.INBOUND),
    "note": (Channel.NOTE, Direction.OUTBOUND),
}
LOG_KIND_LABELS = (
    ("call_in", _("Phone call from the customer")),
    ("call_out", _("Phone call to the customer")),
    ("store", _("Store visit")),
    ("note", _("Note")),
)
PREFERRED_CHANNELS = [
    ("", _("no preference")),
    *[(c.value, c.label) for c in CONSENT_CHANNELS],
]


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("E-mail, phone, customer number or name"),
        max_length=QUERY_MAX,
        required=False,
    )


class CustomerCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.CharField(label=_("E-mail address"), max_length=254, required=False)
    phone = forms.CharField(label=_("Phone number"), max_length=40, required=False)
    customer_number = forms.CharField(label=_("Customer number"), max_length=50, required=False)
    street = forms.CharField(label=_("Street and number"), max_length=200, required=False)
    postcode = forms.CharField(label=_("Postcode"), max_length=16, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)

    def _identity(self, field: str, kind: str) -> IdentityValue | None:
        raw = self.cleaned_data.get(field, "")
        if not raw:
            return None
        try:
            return identity_normalise(kind=kind, value=raw)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None

    def clean_email(self) -> IdentityValue | None:
        return self._identity("email", IdentityKind.EMAIL)

    def clean_phone(self) -> IdentityValue | None:
        return self._identity("phone", IdentityKind.PHONE)

    def clean_customer_number(self) -> IdentityValue | None:
        return self._identity("customer_number", IdentityKind.CUSTOMER_NUMBER)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not any(data.get(f) for f in ("email", "phone", "customer_number")) and not self.errors:
            raise ValidationError(
                _("Give at least an e-mail address, a phone number or a customer number.")
            )
        return data

    def identities(self) -> list[IdentityValue]:
        return [
            self.cleaned_data[f]
            for f in ("email", "phone", "customer_number")
            if self.cleaned_data.get(f)
        ]


class CustomerDetailsForm(forms.ModelForm):
    preferred_channel = forms.ChoiceField(
        label=_("Preferred channel"), choices=PREFERRED_CHANNELS, required=False
    )

    class Meta:
        model = Customer
        fields = [
            "name",
            "street",
            "postcode",
            "city",
            "country",
            "language",
            "preferred_channel",
            "quiet_hours_start",
            "quiet_hours_end",
        ]
        widgets = {
            "quiet_hours_start": forms.TimeInput(attrs={"type": "time"}),
            "quiet_hours_end": forms.TimeInput(attrs={"type": "time"}),
        }

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if (data.get("quiet_hours_start") is None) != (data.get("quiet_hours_end") is None):
            raise ValidationError(
                _("Give both the start and the end of the quiet hours, or neither.")
            )
        return data


class ConsentForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[(c.value, c.label) for c in CONSENT_CHANNELS]
    )
    status = forms.ChoiceField(label=_("Consent"), choices=ConsentStatus.choices)
    source = forms.CharField(
        label=_("Given how"),
        max_length=100,
        required=False,
        help_text=_("For example: asked on the phone."),
    )


# The channels an answer can come in on: every channel but the internal note.
ANSWER_CHANNELS = [(c.value, c.label) for c in Channel if c != Channel.NOTE]


class AnswerForm(forms.Form):
    question = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    value = forms.CharField(
        label=_("Answer"),
        max_length=500,
        error_messages={"required": _("Choose or give an answer; nothing was saved.")},
    )
    channel = forms.ChoiceField(
        label=_("Via channel"),
        choices=[("", "—"), *ANSWER_CHANNELS],
        required=False,
        error_messages={"invalid_choice": _("Choose the channel the customer answered on.")},
    )


class LogForm(forms.Form):
    kind = forms.ChoiceField(label=_("What"), choices=LOG_KIND_LABELS, initial="call_in")
    subject = forms.CharField(label=_("Subject"), max_length=300, required=False)
    body = forms.CharField(
        label=_("Notes"),
        max_length=10_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    topic = forms.CharField(label=_("Topic"), max_length=100, required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not self.errors and not (data.get("subject") or data.get("body")):
            raise ValidationError(_("Write a subject or a note."))
        return data

    def channel_direction(self) -> tuple[str, str]:
        return LOG_KINDS[self.cleaned_data["kind"]]


class ChannelTestForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[(Channel.EMAIL, Channel.EMAIL.label), (Channel.SMS, Channel.SMS.label),
                 (Channel.WHATSAPP, Channel.WHATSAPP.label)],
    )  # fmt: skip
    address = forms.CharField(
        label=_("Send to"),
        max_length=254,
        help_text=_("An e-mail address or a phone number in international format."),
    )
