"""Forms of campaigns, segments and journey maps."""

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from contacts.channels import sendable_channel_choices
from contacts.models import AnswerType, Channel, ProfileQuestion
from contacts.selectors.customers import profile_answers_known
from contacts.services.profiling import profile_answer_clean
from journeys.formfields import model_choice_field
from journeys.models import Campaign, Journey, JourneyStage, Segment
from journeys.services.campaign_sending import MESSAGE_FIELDS, campaign_sending_problems

MAX_SKUS = 50
MAX_FACTS = 6
_SKU = re.compile(r"^[\w.\-/]{1,100}$")


def _split_skus(raw: str) -> list[str]:
    skus = [s.strip() for s in re.split(r"[,\s]+", raw or "") if s.strip()]
    bad = [s for s in skus if not _SKU.match(s)]
    if bad:
        raise forms.ValidationError(
            _("Not a product SKU: %(skus)s"), params={"skus": ", ".join(bad)}
        )
    if len(skus) > MAX_SKUS:
        raise forms.ValidationError(_("At most %(n)s SKUs."), params={"n": MAX_SKUS})
    return list(dict.fromkeys(skus))


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"


# --- Segments --------------------------------------------------------------------------


@dataclass(frozen=True)
class FactRule:
    """One "question = answer" row of the segment builder."""

    index: int
    question: forms.BoundField
    value: forms.BoundField
    known: list[tuple[str, str]]
    filled: bool


class SegmentForm(forms.ModelForm):
    """Builds ``definition``: every filled-in condition must hold.

    Profile facts are rules of a question (chosen by its label) and an answer (chosen from
    the question's choices or the answers customers gave most often, or typed).
    """

    city = forms.CharField(label=_("City is"), max_length=100, required=False)
    postcode_prefix = forms.RegexField(
        label=_("Postcode starts with"),
        regex=r"^[0-9A-Za-z ]{1,6}$",
        required=False,
        error_messages={"invalid": _("Up to six letters or digits.")},
    )
    bought_skus = forms.CharField(
        label=_("Bought one of (SKUs)"), required=False, help_text=_("Comma-separated.")
    )
    not_bought_skus = forms.CharField(
        label=_("Never bought any of (SKUs)"), required=False, help_text=_("Comma-separated.")
    )
    last_purchase_after = forms.DateField(
        label=_("Last purchase on or after"), required=False, widget=DateInput
    )
    last_purchase_before = forms.DateField(
        label=_("Last purchase before"), required=False, widget=DateInput
    )
    journey_stage = forms.ModelChoiceField(
        label=_("In journey stage"),
        queryset=JourneyStage.objects.none(),
        required=False,
        empty_label=_("no condition"),
    )
    consent_channel = forms.ChoiceField(
        label=_("Consented to"), choices=[("", _("no condition")), *Channel.choices], required=False
    )

    class Meta:
        model = Segment
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    CONDITIONS = (
        "city",
        "postcode_prefix",
        "bought_skus",
        "not_bought_skus",
        "last_purchase_after",
        "last_purchase_before",
        "journey_stage",
        "consent_channel",
    )

    def __init__(self, *args: Any, incomplete_rules_ok: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The live count uses the rules filled in so far; saving needs every rule complete.
        self.incomplete_rules_ok = incomplete_rules_ok
        model_choice_field(self, "journey_stage").queryset = JourneyStage.objects.select_related(
            "journey"
        ).order_by("journey__name", "order", "id")
        # The field calls label_from_instance; an instance attribute stands in for the method.
        model_choice_field(self, "journey_stage").label_from_instance = (  # type: ignore[method-assign]
            lambda obj: f"{obj.journey.name}: {obj.name}"
        )
        d = self.instance.definition if self.instance.pk else {}
        if d and not self.is_bound:
            self.initial.update(
                {
                    "city": d.get("city", ""),
                    "postcode_prefix": d.get("postcode_prefix", ""),
                    "bought_skus": ", ".join(d.get("bought_skus", [])),
                    "not_bought_skus": ", ".join(d.get("not_bought_skus", [])),
                    "last_purchase_after": d.get("last_purchase_after"),
                    "last_purchase_before": d.get("last_purchase_before"),
                    "journey_stage": d.get("journey_stage"),
                    "consent_channel": d.get("consent_channel", ""),
                }
            )
            for i, fact in enumerate(d.get("facts", [])[:MAX_FACTS]):
                self.initial[f"fact_question_{i}"] = fact["key"]
                self.initial[f"fact_value_{i}"] = fact["value"]
        self._add_rule_fields()

    def _add_rule_fields(self) -> None:
        used = {self._raw(f"fact_question_{i}") for i in range(MAX_FACTS)} - {""}
        self.questions = {
            q.key: q
            for q in ProfileQuestion.objects.filter(Q(is_active=True) | Q(key__in=used)).order_by(
                "order", "id"
            )
        }
        language = (get_language() or "en")[:2]
        choices = [
            ("", _("choose a question")),
            *((k, q.label(language)) for k, q in self.questions.items()),
        ]
        self.known: dict[int, list[tuple[str, str]]] = {}
        for i in range(MAX_FACTS):
            self.fields[f"fact_question_{i}"] = forms.ChoiceField(
                label=_("Question"), choices=choices, required=False
            )
            question = self.questions.get(self._raw(f"fact_question_{i}"))
            known = profile_answers_known(question=question) if question else []
            self.known[i] = known
            if (
                question
                and question.answer_type in (AnswerType.CHOICE, AnswerType.YES_NO)
                and known
            ):
                widget: forms.Widget = forms.Select(choices=[("", _("choose an answer")), *known])
            else:
                attrs = {"list": f"answers-{i}"} if known else {}
                widget = forms.TextInput(attrs={**attrs, "autocomplete": "off"})
            self.fields[f"fact_value_{i}"] = forms.CharField(
                label=_("Answer"), required=False, max_length=500, widget=widget
            )

    def _raw(self, name: str) -> str:
        if self.is_bound:
            return str(self.data.get(self.add_prefix(name)) or "").strip()
        return str(self.initial.get(name) or "")

    @property
    def fact_rules(self) -> list[FactRule]:
        return [
            FactRule(
                index=i,
                question=self[f"fact_question_{i}"],
                value=self[f"fact_value_{i}"],
                known=self.known[i],
                filled=bool(self._raw(f"fact_question_{i}") or self._raw(f"fact_value_{i}")),
            )
            for i in range(MAX_FACTS)
        ]

    @property
    def condition_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.CONDITIONS]

    def _clean_rules(self) -> list[dict[str, str]]:
        facts: list[dict[str, str]] = []
        seen: set[str] = set()
        for i in range(MAX_FACTS):
            q_name, v_name = f"fact_question_{i}", f"fact_value_{i}"
            key = self.cleaned_data.get(q_name) or ""
            value = (self.cleaned_data.get(v_name) or "").strip()
            if not key and not value:
                continue
            if not key:
                self.add_error(q_name, _("Choose the question this answer belongs to."))
                continue
            if not value:
                if not self.incomplete_rules_ok:
                    self.add_error(v_name, _("Choose or type an answer."))
                continue
            if key in seen:
                self.add_error(q_name, _("This question is already in another rule."))
                continue
            try:
                stored = profile_answer_clean(question=self.questions[key], value=value)
            except ValidationError as exc:
                self.add_error(v_name, exc.messages)
                continue
            seen.add(key)
            facts.append({"key": key, "value": stored})
        return facts

    def clean_bought_skus(self) -> list[str]:
        return _split_skus(self.cleaned_data.get("bought_skus", ""))

    def clean_not_bought_skus(self) -> list[str]:
        return _split_skus(self.cleaned_data.get("not_bought_skus", ""))

    def clean_postcode_prefix(self) -> str:
        return (self.cleaned_data.get("postcode_prefix") or "").upper()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        data["facts"] = self._clean_rules()
        after, before = data.get("last_purchase_after"), data.get("last_purchase_before")
        if after and before and after >= before:
            self.add_error("last_purchase_before", _("Must be after the 'on or after' date."))
        return data

    @property
    def definition(self) -> dict[str, Any]:
        """The cleaned conditions as stored JSON (only the filled-in ones)."""
        data = self.cleaned_data
        d: dict[str, Any] = {}
        for key in ("facts", "bought_skus", "not_bought_skus"):
            if data.get(key):
                d[key] = data[key]
        for key in ("city", "postcode_prefix", "consent_channel"):
            if data.get(key):
                d[key] = data[key]
        for key in ("last_purchase_after", "last_purchase_before"):
            if isinstance(data.get(key), dt.date):
                d[key] = data[key].isoformat()
        if data.get("journey_stage"):
            d["journey_stage"] = data["journey_stage"].pk
        return d


# --- Campaigns -------------------------------------------------------------------------


class CampaignForm(forms.ModelForm):
    """A campaign on the channels cxcenter can send on, with a response rate per channel
    chosen; date-times are read in the contact center's time zone."""

    product_skus = forms.CharField(
        label=_("Product SKUs"),
        required=False,
        help_text=_("Comma-separated; customers who already bought one are left out."),
    )
    channels = forms.MultipleChoiceField(
        label=_("Channels"), choices=sendable_channel_choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Campaign
        fields = [
            "name",
            "code",
            "offer",
            "segment",
            "launch_at",
            "end_at",
            "landing_url",
            "briefing",
            "faq",
            *MESSAGE_FIELDS,
        ]
        widgets = {
            "message_body": forms.Textarea(attrs={"rows": 6}),
            "reminder_1_body": forms.Textarea(attrs={"rows": 3}),
            "reminder_2_body": forms.Textarea(attrs={"rows": 3}),
            "launch_at": DateTimeLocalInput(),
            "end_at": DateTimeLocalInput(),
            "offer": forms.Textarea(attrs={"rows": 2}),
            "briefing": forms.Textarea(attrs={"rows": 5}),
            "faq": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "segment").queryset = Segment.objects.order_by("name")
        self.fields["segment"].required = True
        zone = timezone.get_current_timezone_name()
        for name in ("launch_at", "end_at"):
            self.fields[name].help_text = _("Time zone: %(tz)s") % {"tz": zone}
            self.fields[name].widget.attrs["aria-describedby"] = f"id_{name}_helptext"
        for value, label in sendable_channel_choices():
            self.fields[f"rate_{value}"] = forms.DecimalField(
                label=_("%(channel)s response rate (%%)") % {"channel": label},
                min_value=Decimal(0),
                max_value=Decimal(100),
                decimal_places=2,
                required=False,
                widget=forms.NumberInput(attrs={"step": "0.1", "data-rate-for": value}),
            )
        if self.instance.pk and not self.is_bound:
            self.initial["product_skus"] = ", ".join(self.instance.product_skus)
            self.initial["channels"] = self.instance.channels
            for ch, rate in self.instance.response_rates.items():
                self.initial[f"rate_{ch}"] = rate

    @property
    def rate_fields(self) -> list[tuple[str, forms.BoundField]]:
        """(channel, its rate field): the page shows only those of the channels chosen."""
        return [(value, self[f"rate_{value}"]) for value, _label in sendable_channel_choices()]

    def clean_product_skus(self) -> list[str]:
        return _split_skus(self.cleaned_data.get("product_skus", ""))

    def clean_landing_url(self) -> str:
        url = self.cleaned_data.get("landing_url", "")
        if url and not url.lower().startswith(("http://", "https://")):
            raise forms.ValidationError(_("Give an http or https address."))
        return url

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        launch, end = data.get("launch_at"), data.get("end_at")
        if launch and end and end <= launch:
            self.add_error("end_at", _("The end must be after the launch."))
        rates: dict[str, float] = {}
        for ch in data.get("channels") or []:
            rate = data.get(f"rate_{ch}")
            if rate is None:
                self.add_error(f"rate_{ch}", _("Give the expected response rate of this channel."))
            else:
                rates[ch] = float(rate)
        data["response_rates"] = rates
        for field, error in campaign_sending_problems(values=data).items():
            if field not in self.errors:
                self.add_error(field, error)
        return data

    @property
    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            **{f: data[f] for f in self.Meta.fields},
            "product_skus": data["product_skus"],
            "channels": data["channels"],
            "response_rates": data["response_rates"],
        }


class LaunchForm(forms.Form):
    override_reason = forms.CharField(
        label=_("reason to launch with an incomplete checklist"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MonthForm(forms.Form):
    month = forms.RegexField(regex=r"^\d{4}-(0[1-9]|1[0-2])$", required=False)

    def month_date(self, default: dt.date) -> dt.date:
        raw = self.cleaned_data.get("month") if self.is_valid() else ""
        if not raw:
            return default.replace(day=1)
        year, month = raw.split("-")
        return dt.date(int(year), int(month), 1)


# --- Journey maps ----------------------------------------------------------------------


class JourneyForm(forms.ModelForm):
    class Meta:
        model = Journey
        fields = ["name", "description", "goal", "goal_metric", "goal_target", "goal_deadline"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "goal_deadline": DateInput,
        }


class StageForm(forms.ModelForm):
    planned_channels = forms.MultipleChoiceField(
        label=_("planned channels"),
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = JourneyStage
        fields = ["name", "order", "is_moment_of_truth"]

    def __init__(self, *args: Any, journey: Journey, **kwargs: Any) -> None:
        self.journey = journey
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["planned_channels"] = self.instance.planned_channels

    def clean_name(self) -> str:
        # Unique per journey whatever the case: the constraint, checked by the service.
        return self.cleaned_data["name"].strip()


class EnrollForm(forms.Form):
    customer = forms.IntegerField(label=_("customer number (id)"), min_value=1)
    stage = forms.ModelChoiceField(label=_("stage"), queryset=JourneyStage.objects.none())

    def __init__(self, *args: Any, journey: Journey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "stage").queryset = JourneyStage.objects.filter(journey=journey)
