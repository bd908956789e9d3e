from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Department, Holiday, Notification, OpeningHours, StaffingSlot, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
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
