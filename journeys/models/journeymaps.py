"""Journey maps: ordered stages with moments of truth and planned channels, a SMART goal
measured from data, and who is in which stage (enrollments with their stage history)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class GoalMetric(models.TextChoices):
    COMPLETION = "completion", _("Share of enrolled customers reaching the last stage")
    REPEAT_PURCHASE = "repeat_purchase", _("Share of enrolled customers with two or more orders")
    RESPONSE = "response", _("Share of enrolled customers who contacted us after enrolling")


class Journey(models.Model):
    """A customer journey with a SMART goal: a metric we can measure, a target and a deadline."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    goal = models.CharField(
        _("goal"), max_length=300, help_text=_("Specific: what should change for the customer?")
    )
    goal_metric = models.CharField(
        _("measured as"), max_length=20, choices=GoalMetric.choices, default=GoalMetric.COMPLETION
    )
    goal_target = models.DecimalField(
        _("target (%)"), max_digits=5, decimal_places=1, help_text=_("Percentage, 0–100.")
    )
    goal_deadline = models.DateField(_("deadline"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("journey")
        verbose_name_plural = _("journeys")
        constraints = [
            models.CheckConstraint(
                condition=Q(goal_target__gte=0, goal_target__lte=100), name="journey_target_pct"
            )
        ]

    def __str__(self) -> str:
        return self.name


class JourneyStage(models.Model):
    """One step of a journey; channels are the ones we plan to be present on in this step."""

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_moment_of_truth = models.BooleanField(_("moment of truth"), default=False)
    planned_channels = models.JSONField(_("planned channels"), default=list, blank=True)

    class Meta:
        ordering = ["journey", "order", "id"]
        verbose_name = _("journey stage")
        verbose_name_plural = _("journey stages")
        constraints = [
            # "Intake" and "intake" are the same stage to the people who read the map.
            models.UniqueConstraint(
                "journey",
                Lower("name"),
                name="journeystage_unique_name_ci",
                violation_error_message=_("This journey already has a stage with that name."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Enrollment(models.Model):
    """A customer in a journey and the stage they are in now."""

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="enrollments")
    customer = models.ForeignKey(
        "contacts.Customer", on_delete=models.CASCADE, related_name="enrollments"
    )
    stage = models.ForeignKey(JourneyStage, on_delete=models.PROTECT, related_name="enrollments")
    enrolled_at = models.DateTimeField(_("enrolled"))
    stage_entered_at = models.DateTimeField(_("in this stage since"))

    class Meta:
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        constraints = [
            models.UniqueConstraint(fields=["journey", "customer"], name="enrollment_unique")
        ]
        indexes = [models.Index(fields=["stage", "customer"], name="enrollment_stage_idx")]

    def __str__(self) -> str:
        return f"{self.customer_id} in {self.journey_id}"


class StageChange(models.Model):
    """A stay of a customer in a stage: entered, and left when the next change came.

    Stages may be visited in any order and more than once; ``left_at`` is empty for the
    current stay, so the interactions of a stay are those between the two times.
    """

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="stage_changes")
    customer = models.ForeignKey("contacts.Customer", on_delete=models.CASCADE, related_name="+")
    from_stage = models.ForeignKey(
        JourneyStage, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    stage = models.ForeignKey(JourneyStage, on_delete=models.CASCADE, related_name="stays")
    entered_at = models.DateTimeField(_("entered"))
    left_at = models.DateTimeField(_("left"), null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["entered_at", "id"]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        indexes = [
            models.Index(fields=["journey", "customer", "entered_at"], name="stagechange_cust_idx"),
            models.Index(fields=["stage", "entered_at"], name="stagechange_stage_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} → {self.stage_id} at {self.entered_at:%Y-%m-%d %H:%M}"
