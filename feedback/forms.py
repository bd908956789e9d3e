"""Forms of feedback: the public answer form, survey settings, dashboard filters."""

from typing import Any

from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from contacts.models import Channel

from .models import Sentiment, Survey, SurveyAspect


class SurveyAnswerForm(forms.Form):
    """One radio group per question (the survey's score, then each aspect), and a comment."""

    def __init__(self, *args: Any, survey: Survey, language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.survey = survey
        low, high = survey.scale
        choices = [(n, str(n)) for n in range(low, high + 1)]
        self.fields["score"] = forms.TypedChoiceField(
            label=survey.question(language),
            choices=choices,
            coerce=int,
            widget=forms.RadioSelect,
            error_messages={"required": _("Choose a score.")},
        )
        self.aspect_fields: list[tuple[str, SurveyAspect]] = []
        for aspect in survey.aspects.all():
            name = f"aspect_{aspect.pk}"
            self.fields[name] = forms.TypedChoiceField(
                label=aspect.label(language),
                choices=choices,
                coerce=int,
                required=False,
                empty_value=None,
                widget=forms.RadioSelect,
            )
            self.aspect_fields.append((name, aspect))
        self.fields["comment"] = forms.CharField(
            label=survey.free_text(language) or _("Anything else you want to tell us?"),
            required=False,
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 4}),
        )

    def aspect_scores(self) -> dict[int, int]:
        return {
            aspect.pk: self.cleaned_data[name]
            for name, aspect in self.aspect_fields
            if self.cleaned_data.get(name) is not None
        }

    def radio_groups(self) -> list[forms.BoundField]:
        return [self["score"], *[self[name] for name, _aspect in self.aspect_fields]]


class SurveyForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = [
            "name",
            "kind",
            "question_nl",
            "question_en",
            "free_text_nl",
            "free_text_en",
            "target",
            "delay_hours",
            "first_reminder_days",
            "second_reminder_days",
            "expiry_days",
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        first, second = data.get("first_reminder_days"), data.get("second_reminder_days")
        if first and second and second <= first:
            self.add_error(
                "second_reminder_days", _("The second reminder comes after the first one.")
            )
        expiry = data.get("expiry_days")
        if expiry is not None and expiry < 1:
            self.add_error("expiry_days", _("A link is valid for at least one day."))
        return data


AspectFormSet = inlineformset_factory(
    Survey,
    SurveyAspect,
    fields=["key", "label_nl", "label_en", "target", "order"],
    extra=2,
    can_delete=True,
    max_num=12,
)


class DashboardForm(forms.Form):
    weeks = forms.IntegerField(
        label=_("Weeks"), min_value=1, max_value=52, initial=12, required=False
    )


class VerbatimFilterForm(forms.Form):
    sentiment = forms.ChoiceField(
        label=_("Sentiment"), choices=[("", _("All")), *Sentiment.choices], required=False
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", _("All")), *Channel.choices], required=False
    )
    product = forms.CharField(label=_("Product SKU"), max_length=100, required=False)
    unhappy = forms.BooleanField(label=_("Only unhappy"), required=False)
    cursor = forms.CharField(required=False, max_length=60)


class DateInput(forms.DateInput):
    input_type = "date"


class OutcomesForm(forms.Form):
    """The outcomes page's filter: a department the user may report on, and a period."""

    department = forms.ChoiceField(label=_("Department"), required=False)
    date_from = forms.DateField(label=_("From"), widget=DateInput, required=False)
    date_to = forms.DateField(label=_("To"), widget=DateInput, required=False)

    def __init__(self, *args: Any, departments: list[Any], max_days: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_days = max_days
        choices = [(d.code, d.name) for d in departments]
        if len(departments) > 1:
            choices.insert(0, ("", _("All departments")))
        department = self.fields["department"]
        if isinstance(department, forms.ChoiceField):
            department.choices = choices

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if end < start:
                self.add_error("date_to", _("The end of the period is before its start."))
            elif (end - start).days > self.max_days:
                self.add_error(
                    "date_to",
                    _("A period of at most %(days)s days, please.") % {"days": self.max_days},
                )
        return data
