"""Forms of the managers' pages: routing rules, canned replies and report filters."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Department
from contacts.models import Channel
from journeys.formfields import model_choice_field
from journeys.models import CannedReply, RoutingRule
from journeys.models.cases import MAX_RULE_WORDS
from journeys.services.rules import (
    CANNED_PLACEHOLDERS,
    canned_placeholders_unknown,
    rule_words_normalise,
)


class RoutingRuleForm(forms.ModelForm):
    match_channel = forms.ChoiceField(
        label=_("channel is"), choices=[("", _("any channel")), *Channel.choices], required=False
    )

    class Meta:
        model = RoutingRule
        fields = [
            "name",
            "is_active",
            "match_channel",
            "match_topic",
            "match_words",
            "match_campaign",
            "match_campaign_code",
            "match_fact_key",
            "match_fact_value",
            "department",
            "priority",
            "sla_policy",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "department").queryset = Department.objects.filter(is_active=True)
        self.fields["match_words"].help_text = _(
            "Comma-separated words; any one matches. At most %(n)s words."
        ) % {"n": MAX_RULE_WORDS}

    def clean_match_words(self) -> str:
        # Only the shape: the invariants (at least one condition, at most MAX_RULE_WORDS
        # words, a fact for a fact value) are the model's and the services'; their
        # errors show here.
        return ", ".join(rule_words_normalise(self.cleaned_data.get("match_words", "")))


class CannedReplyForm(forms.ModelForm):
    class Meta:
        model = CannedReply
        fields = ["department", "title", "language", "body", "shortcut"]
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args: Any, departments: QuerySet[Department], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "department").queryset = departments
        self.fields["body"].help_text = _("Placeholders: %(names)s") % {
            "names": ", ".join(f"{{{name}}}" for name in CANNED_PLACEHOLDERS)
        }
        self.fields["shortcut"].help_text = _("Typed in a reply to insert this text, e.g. /thanks.")

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        unknown = canned_placeholders_unknown(body)
        if unknown:
            raise forms.ValidationError(
                _("Unknown placeholders: %(names)s. Use %(known)s."),
                params={
                    "names": ", ".join(unknown),
                    "known": ", ".join(f"{{{name}}}" for name in CANNED_PLACEHOLDERS),
                },
            )
        return body

    def clean_shortcut(self) -> str:
        shortcut = self.cleaned_data.get("shortcut", "").strip()
        if any(ch.isspace() for ch in shortcut):
            raise forms.ValidationError(_("A shortcut is one word, without spaces."))
        return shortcut


class ReportFilterForm(forms.Form):
    weeks = forms.IntegerField(label=_("weeks"), min_value=1, max_value=52, required=False)
    department = forms.SlugField(label=_("department"), required=False)
