from django.contrib import admin

from .models import (
    CannedReply,
    Case,
    CaseComment,
    Escalation,
    RoutingRule,
    SlaPolicy,
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
