"""model_choice_field: a form's model choice field, and a clear error for any other field."""

import pytest
from django import forms

from accounts.models import Department
from journeys.formfields import model_choice_field


class _Form(forms.Form):
    department = forms.ModelChoiceField(queryset=Department.objects.none())
    note = forms.CharField()


def test_the_model_choice_field_is_given_and_its_queryset_can_be_set(db: None) -> None:
    form = _Form()
    field = model_choice_field(form, "department")
    field.queryset = Department.objects.filter(is_active=True)
    assert form.fields["department"] is field


def test_another_kind_of_field_is_refused() -> None:
    with pytest.raises(TypeError, match="note is not a model choice field"):
        model_choice_field(_Form(), "note")
