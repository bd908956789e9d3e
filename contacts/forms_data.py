"""Forms of the data-management pages: import upload, merge, GDPR erasure."""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from contacts.services.imports import csv_check, csv_decode


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext(
            "UTF-8, separated by ; or , with a header row: name, email, phone, customer_number, "
            "street, postcode, city, language, and fact:<question key> columns. At most "
            "%(size)s MB."
        ) % {"size": settings.CXCENTER_IMPORT_MAX_MB}

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        size = settings.CXCENTER_IMPORT_MAX_MB
        if upload.size > size * 1024 * 1024:
            raise ValidationError(
                gettext("The file is larger than %(size)s MB; split it into smaller files.")
                % {"size": size}
            )
        text = csv_decode(upload.read())
        csv_check(text=text)
        self.text = text
        return upload


class MergeForm(forms.Form):
    target = forms.IntegerField(
        label=_("Merge into customer number"),
        min_value=1,
        help_text=_("The record that stays; this one's contact moments, orders and data move."),
    )


class EraseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that the personal data of this customer is removed for good."),
        required=True,
        error_messages={"required": _("Tick the box to confirm the erasure.")},
    )
    also = forms.TypedMultipleChoiceField(
        label=_("Erase these customers too"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, sharing: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        also = self.fields["also"]
        if isinstance(also, forms.ChoiceField):
            also.choices = [(c.pk, f"{c} (#{c.pk})") for c in sharing]
