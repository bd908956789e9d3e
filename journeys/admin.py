from django.contrib import admin

from .models import (
    CalendarFeedToken,
    Campaign,
    CampaignWarning,
    CannedReply,
    Case,
    CaseComment,
    Enrollment,
    Escalation,
    Journey,
    JourneyStage,
    RoutingRule,
    Segment,
    SlaPolicy,
    StageChange,
    SubTask,
    Transfer,
)


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "priority",
        "is_default",
        "first_response_minutes",
        "next_response_minutes",
        "resolution_minutes",
    )


class TransferInline(admin.TabularInline):
    model = Transfer
    extra = 0
    raw_id_fields = ("by",)


class SubTaskInline(admin.TabularInline):
    model = SubTask
    extra = 0
    raw_id_fields = ("requested_by", "done_by")


class CommentInline(admin.TabularInline):
    model = CaseComment
    extra = 0
    raw_id_fields = ("author",)


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ("id", "subject", "status", "priority", "department", "owner", "resolution_due")
    list_filter = ("status", "priority", "department", "is_exception")
    raw_id_fields = ("customer", "origin", "owner")
    search_fields = ("subject",)
    inlines = [SubTaskInline, TransferInline, CommentInline]
    show_full_result_count = False


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = (
        "order",
        "name",
        "is_active",
        "match_channel",
        "match_topic",
        "department",
        "priority",
    )
    list_display_links = ("name",)
    list_editable = ("order", "is_active")


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin):
    list_display = ("title", "department", "language", "shortcut")
    list_filter = ("department", "language")


@admin.register(Escalation)
class EscalationAdmin(admin.ModelAdmin):
    list_display = ("case", "kind", "due_at", "at")
    list_filter = ("kind",)
    raw_id_fields = ("case",)


# --- Journey maps, segments and campaigns ------------------------------------------------


class JourneyStageInline(admin.TabularInline):
    model = JourneyStage
    extra = 0


@admin.register(Journey)
class JourneyAdmin(admin.ModelAdmin):
    list_display = ("name", "goal_metric", "goal_target", "goal_deadline")
    search_fields = ("name",)
    raw_id_fields = ("created_by",)
    inlines = [JourneyStageInline]


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ("customer", "journey", "stage", "stage_entered_at")
    list_filter = ("journey",)
    raw_id_fields = ("customer", "stage")
    show_full_result_count = False


@admin.register(StageChange)
class StageChangeAdmin(admin.ModelAdmin):
    list_display = ("customer", "journey", "from_stage", "stage", "entered_at", "left_at")
    list_filter = ("journey",)
    raw_id_fields = ("customer", "from_stage", "stage", "by")
    show_full_result_count = False


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    list_display = ("name", "updated_at")
    search_fields = ("name",)
    raw_id_fields = ("created_by",)


class CampaignWarningInline(admin.TabularInline):
    model = CampaignWarning
    extra = 0
    readonly_fields = ("lead_time", "sent_at", "recipients")


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "status", "launch_at", "end_at", "short_notice", "owner")
    list_filter = ("status", "short_notice")
    search_fields = ("name", "code")
    raw_id_fields = (
        "owner",
        "segment",
        "acknowledged_by",
        "capacity_confirmed_by",
        "overridden_by",
    )
    readonly_fields = ("audience_total", "audience_count", "counted_at", "scheduled_at")
    inlines = [CampaignWarningInline]


@admin.register(CalendarFeedToken)
class CalendarFeedTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "created_at")
    raw_id_fields = ("user",)
    readonly_fields = ("token_hash",)
