"""Admin of feedback: surveys with their aspects; invitations and answers read-only."""

from django.contrib import admin

from .models import DailyRollup, Invitation, OutcomeRollup, Response, Survey, SurveyAspect


class SurveyAspectInline(admin.TabularInline):
    model = SurveyAspect
    extra = 1


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "is_active", "delay_hours", "expiry_days"]
    list_filter = ["kind", "is_active"]
    inlines = [SurveyAspectInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["id", "survey", "customer", "status", "skip_reason", "channel", "sent_at"]
    list_filter = ["status", "skip_reason", "channel"]
    raw_id_fields = ["order", "customer"]
    readonly_fields = [f.name for f in Invitation._meta.fields]
    show_full_result_count = False

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "score", "sentiment", "is_unhappy", "answered_at"]
    list_filter = ["kind", "sentiment", "is_unhappy"]
    raw_id_fields = ["invitation", "customer", "followup_case", "interaction", "department"]
    readonly_fields = ["invitation", "customer", "answered_at"]
    show_full_result_count = False

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(DailyRollup)
class DailyRollupAdmin(admin.ModelAdmin):
    list_display = ["date", "dimension", "key", "responses", "invitations_sent"]
    list_filter = ["dimension"]
    date_hierarchy = "date"


@admin.register(OutcomeRollup)
class OutcomeRollupAdmin(admin.ModelAdmin):
    list_display = ["date", "department", "contacts", "cases_opened", "transfers", "exceptions"]
    list_filter = ["department"]
    date_hierarchy = "date"
