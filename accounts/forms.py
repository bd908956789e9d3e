"""Forms for managers: opening hours, holidays and staffing of a department."""

import itertools
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.translation import gettext_lazy as _

from .models import Department, Holiday, OpeningHours, Weekday


class DepartmentSettingsForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ["timezone", "contacts_per_agent_hour", "email"]


class BaseOpeningHoursFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        ranges: dict[int, list[tuple[Any, Any]]] = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            day, opens, closes = data.get("weekday"), data.get("opens"), data.get("closes")
            if day is None or opens is None or closes is None:
                continue  # the form shows its own error for the missing or invalid value
            ranges.setdefault(day, []).append((opens, closes))
        for day, spans in ranges.items():
            spans.sort()
            for (_o1, c1), (o2, _c2) in itertools.pairwise(spans):
                if o2 < c1:
                    raise forms.ValidationError(
                        _("Opening ranges on %(day)s overlap.") % {"day": Weekday(day).label}
                    )


OpeningHoursFormSet = inlineformset_factory(
    Department,
    OpeningHours,
    formset=BaseOpeningHoursFormSet,
    fields=["weekday", "opens", "closes"],
    extra=2,
    can_delete=True,
    widgets={
        "opens": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        "closes": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    },
)

HolidayFormSet = inlineformset_factory(
    Department,
    Holiday,
    fields=["date", "name"],
    extra=1,
    can_delete=True,
    widgets={"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")},
)


class StaffingForm(forms.Form):
    """A weekday × hour grid of agents on duty; one field per cell."""

    def __init__(self, *args: Any, initial_grid: dict[tuple[int, int], int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for day in Weekday:
            for hour in range(24):
                self.fields[self.field_name(day, hour)] = forms.IntegerField(
                    min_value=0,
                    max_value=10000,
                    required=False,
                    initial=initial_grid.get((day.value, hour), 0),
                    label=f"{day.label} {hour:02d}:00",
                    widget=forms.NumberInput(
                        attrs={"class": "cell", "aria-label": f"{day.label} {hour:02d}:00"}
                    ),
                )

    @staticmethod
    def field_name(day: int, hour: int) -> str:
        return f"d{int(day)}h{hour}"

    def grid(self) -> dict[tuple[int, int], int]:
        return {
            (day.value, hour): self.cleaned_data.get(self.field_name(day, hour)) or 0
            for day in Weekday
            for hour in range(24)
        }

    def rows(self) -> list[dict[str, Any]]:
        return [
            {"day": day, "cells": [self[self.field_name(day, hour)] for hour in range(24)]}
            for day in Weekday
        ]


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "That user name and password do not match. After five wrong attempts the "
            "account is locked for a while."
        ),
    }
