from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import ApiToken, Department, Holiday, Notification, OpeningHours, StaffingSlot, User
from .services import api_token_create, api_token_revoke


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Organisation"), {"fields": ("department", "language")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Organisation"), {"fields": ("email", "department", "language")}),
    )
    list_display = ("username", "email", "first_name", "last_name", "department", "is_active")
    list_filter = ("department", "groups", "is_active", "is_staff")
    list_select_related = ("department",)


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 0


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "timezone", "contacts_per_agent_hour", "is_active")
    prepopulated_fields = {"code": ("name",)}
    search_fields = ("name", "code")
    inlines = [OpeningHoursInline, HolidayInline]


@admin.register(StaffingSlot)
class StaffingSlotAdmin(admin.ModelAdmin):
    list_display = ("department", "weekday", "hour", "agents")
    list_filter = ("department", "weekday")
    list_select_related = ("department",)


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ("department", "date", "name")
    list_filter = ("department",)
    date_hierarchy = "date"


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("recipient", "title", "kind", "created_at", "read_at")
    list_filter = ("kind",)
    raw_id_fields = ("recipient",)
    search_fields = ("title", "recipient__username")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are made here and shown once; afterwards only their prefix is known."""

    list_display = (
        "name",
        "user",
        "prefix",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    search_fields = ("name", "prefix", "user__username")
    readonly_fields = ("prefix", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> tuple[str, ...]:
        if obj is None:
            return ("user", "name", "expires_at")
        return ("user", "name", "prefix", "expires_at", *self.readonly_fields[1:])

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> tuple:
        return ("user", *self.readonly_fields) if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        token, key = api_token_create(user=obj.user, name=obj.name, expires_at=obj.expires_at)
        obj.pk, obj.prefix, obj.digest, obj.created_at = (
            token.pk,
            token.prefix,
            token.digest,
            token.created_at,
        )
        obj._state.adding = False
        setattr(request, "_cx_new_token_key", key)  # noqa: B010 - HttpRequest does not declare it

    def response_add(
        self, request: HttpRequest, obj: ApiToken, post_url_continue: str | None = None
    ) -> HttpResponse:
        # Shown in this response only: a redirect would have to carry the key somewhere.
        response = TemplateResponse(
            request,
            "admin/accounts/apitoken/created.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "token": obj,
                "key": getattr(request, "_cx_new_token_key"),  # noqa: B009
                "title": _("API token created"),
            },
        )
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_("Revoke selected tokens"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = api_token_revoke(token_ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count)
            % {"count": count},
            messages.SUCCESS,
        )
