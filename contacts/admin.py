from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from .models import (
    AuditEntry,
    Consent,
    Customer,
    CustomerImport,
    DuplicateCandidate,
    FactAskedAgain,
    Identity,
    Interaction,
    Order,
    OutboundMessage,
    ProfileFact,
    ProfileQuestion,
)


class IdentityInline(admin.TabularInline):
    model = Identity
    extra = 0


class ConsentInline(admin.TabularInline):
    model = Consent
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "postcode", "city", "last_interaction_at", "erased_at")
    search_fields = ("name", "identities__value")
    raw_id_fields = ("merged_into",)
    inlines = [IdentityInline, ConsentInline]
    show_full_result_count = False


@admin.register(Identity)
class IdentityAdmin(admin.ModelAdmin):
    list_display = ("kind", "value", "customer", "last_seen")
    list_filter = ("kind",)
    search_fields = ("value",)
    raw_id_fields = ("customer",)
    show_full_result_count = False


class OutboundInline(admin.StackedInline):
    model = OutboundMessage
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "to_address", "reply_to", "in_reply_to", "references", "attempts")


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin):
    list_display = (
        "occurred_at",
        "channel",
        "direction",
        "customer",
        "subject",
        "source",
        "delivery_status",
    )
    list_filter = ("channel", "direction", "delivery_status")
    raw_id_fields = ("customer", "identity", "agent")
    readonly_fields = ("message_id", "delivery_status", "delivery_error", "delivery_updated_at")
    inlines = [OutboundInline]
    show_full_result_count = False


@admin.register(ProfileQuestion)
class ProfileQuestionAdmin(admin.ModelAdmin):
    """The progressive-profiling catalogue: agents are offered the first active question (by
    order) that the customer has not answered, follow-ups only after their question."""

    list_display = ("key", "label_nl", "label_en", "order", "ask_after", "answer_type", "is_active")
    list_editable = ("order", "is_active")
    list_filter = ("is_active", "answer_type")
    search_fields = ("key", "label_nl", "label_en")
    prepopulated_fields = {"key": ("label_en",)}
    fields = (
        "key",
        "label_nl",
        "label_en",
        "answer_type",
        "choices",
        "order",
        "ask_after",
        "is_active",
    )


@admin.register(ProfileFact)
class ProfileFactAdmin(admin.ModelAdmin):
    list_display = ("customer", "question", "value", "source_channel", "recorded_at", "is_current")
    raw_id_fields = ("customer", "recorded_by")
    show_full_result_count = False


@admin.register(FactAskedAgain)
class FactAskedAgainAdmin(admin.ModelAdmin):
    """Questions an agent asked although the answer was known: what profiling should prevent."""

    list_display = ("asked_at", "question", "customer", "asked_by")
    list_filter = ("question",)
    raw_id_fields = ("customer", "asked_by")
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = (
        "source",
        "external_id",
        "customer",
        "product_sku",
        "ordered_at",
        "delivered_at",
    )
    search_fields = ("external_id", "product_sku")
    raw_id_fields = ("customer",)
    show_full_result_count = False


@admin.register(DuplicateCandidate)
class DuplicateCandidateAdmin(admin.ModelAdmin):
    list_display = ("first", "second", "reason", "status", "created_at")
    list_filter = ("status",)
    raw_id_fields = ("first", "second", "resolved_by")


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "action", "customer")
    list_filter = ("action",)
    raw_id_fields = ("actor", "customer")
    show_full_result_count = False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(CustomerImport)
class CustomerImportAdmin(admin.ModelAdmin):
    list_display = ("filename", "created_by", "created_at", "status", "imported_rows", "total_rows")
    exclude = ("content",)
    readonly_fields = ("rejected",)


from .mail import admin as mail_admin  # noqa: E402, F401  (registers the mailbox admin)
