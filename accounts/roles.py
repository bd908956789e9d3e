"""Roles are Django groups with permissions; this module names them and what they may do."""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    AGENT = "agent"
    MEMBER = "department member"
    MARKETER = "marketer"
    MANAGER = "manager"
    ADMIN = "admin"
    INTEGRATION = "integration"


ROLE_LABELS = {
    Role.AGENT: _("Agent"),
    Role.MEMBER: _("Department member"),
    Role.MARKETER: _("Marketer"),
    Role.MANAGER: _("Manager"),
    Role.ADMIN: _("Administrator"),
    Role.INTEGRATION: _("Integration"),
}

# "app_label.codename" per role. Later apps add their own permissions here; a
# permission whose model does not exist yet is skipped, so the list may run ahead.
ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.AGENT: [
        "accounts.view_department",
        "contacts.view_customer",
        "contacts.change_customer",
        "contacts.add_customer",
        "contacts.view_interaction",
        "contacts.add_interaction",
        "contacts.add_profilefact",
        "contacts.view_profilefact",
        "contacts.change_consent",
        "contacts.view_order",
    ],
    Role.MEMBER: [
        "accounts.view_department",
        "contacts.view_customer",
        "contacts.view_interaction",
        "contacts.add_interaction",
        "contacts.view_profilefact",
        "contacts.view_order",
    ],
    Role.MARKETER: [
        "accounts.view_department",
        "contacts.view_customer",
        "contacts.view_order",
        "accounts.view_staffingslot",
    ],
    Role.MANAGER: [
        "accounts.view_department",
        "contacts.view_customer",
        "contacts.change_customer",
        "contacts.add_customer",
        "contacts.view_interaction",
        "contacts.add_interaction",
        "contacts.add_profilefact",
        "contacts.view_profilefact",
        "contacts.change_consent",
        "contacts.view_order",
        "contacts.merge_customer",
        "contacts.export_customer",
        "contacts.erase_customer",
        "contacts.import_customer",
        "contacts.view_duplicatecandidate",
        "contacts.change_duplicatecandidate",
        "contacts.view_auditentry",
        "accounts.view_openinghours",
        "accounts.add_openinghours",
        "accounts.change_openinghours",
        "accounts.delete_openinghours",
        "accounts.view_holiday",
        "accounts.add_holiday",
        "accounts.change_holiday",
        "accounts.delete_holiday",
        "accounts.view_staffingslot",
        "accounts.add_staffingslot",
        "accounts.change_staffingslot",
        "accounts.delete_staffingslot",
    ],
    Role.ADMIN: [
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "accounts.view_department",
        "accounts.add_department",
        "accounts.change_department",
        "accounts.view_openinghours",
        "accounts.add_openinghours",
        "accounts.change_openinghours",
        "accounts.delete_openinghours",
        "accounts.view_holiday",
        "accounts.add_holiday",
        "accounts.change_holiday",
        "accounts.delete_holiday",
        "accounts.view_staffingslot",
        "accounts.add_staffingslot",
        "accounts.change_staffingslot",
        "accounts.delete_staffingslot",
        "authtoken.view_tokenproxy",
        "authtoken.add_tokenproxy",
        "authtoken.delete_tokenproxy",
        "auth.view_group",
        "contacts.view_customer",
        "contacts.view_profilequestion",
        "contacts.add_profilequestion",
        "contacts.change_profilequestion",
        "contacts.view_auditentry",
    ],
    Role.INTEGRATION: [
        "contacts.view_customer",
        "contacts.view_interaction",
        "contacts.add_interaction",
        "contacts.add_order",
        "contacts.change_order",
        "contacts.view_order",
    ],
}
