"""Typed access to a form's fields where a form changes them in ``__init__``."""

from typing import Any

from django import forms


def model_choice_field(form: forms.BaseForm, name: str) -> "forms.ModelChoiceField[Any]":
    """The model choice field ``name`` of ``form`` (``form.fields`` holds plain Fields)."""
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"{name} is not a model choice field")
    return field
