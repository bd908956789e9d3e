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
_CUSTOMER_WORK = [
    "contacts.view_customer",
    "contacts.change_customer",
    "contacts.add_customer",
    "contacts.view_interaction",
    "contacts.add_interaction",
    "contacts.add_profilefact",
    "contacts.view_profilefact",
    "contacts.change_consent",
    "contacts.view_order",
]
_CASE_WORK = [
    "journeys.view_case",
    "journeys.change_case",
    "journeys.add_casecomment",
    "journeys.add_subtask",
    "journeys.change_subtask",
    "journeys.add_transfer",
    "journeys.view_cannedreply",
]
# Campaigns, segments and journey maps (journeys app).
_CAMPAIGN_WORK = [
    f"journeys.{action}_{model}"
    for model in ("campaign", "segment", "journey", "journeystage")
    for action in ("view", "add", "change")
]
_FEEDBACK_READ = ["feedback.view_survey", "feedback.view_response", "feedback.view_invitation"]
_DEPARTMENT_SETTINGS = [
    f"accounts.{action}_{model}"
    for model in ("openinghours", "holiday", "staffingslot")
    for action in ("view", "add", "change", "delete")
]

ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.AGENT: ["accounts.view_department", *_CUSTOMER_WORK, *_CASE_WORK],
    Role.MEMBER: [
        "accounts.view_department",
        "contacts.view_customer",
        "contacts.view_interaction",
        "contacts.add_interaction",
        "contacts.view_profilefact",
        "contacts.view_order",
        *_CASE_WORK,
    ],
    # Segments count and campaigns reach customers without showing any one of them: no
    # customer pages, no customer API, no orders.
    Role.MARKETER: [
        "accounts.view_department",
        "accounts.view_staffingslot",
        *_CAMPAIGN_WORK,
        "journeys.delete_segment",
    ],
    Role.MANAGER: [
        "accounts.view_department",
        *_DEPARTMENT_SETTINGS,
        *_CUSTOMER_WORK,
        *_CASE_WORK,
        "contacts.merge_customer",
        "contacts.export_customer",
        "contacts.erase_customer",
        "contacts.import_customer",
        "contacts.view_duplicatecandidate",
        "contacts.change_duplicatecandidate",
        "contacts.view_auditentry",
        "journeys.view_routingrule",
        "journeys.add_routingrule",
        "journeys.change_routingrule",
        "journeys.delete_routingrule",
        "journeys.add_cannedreply",
        "journeys.change_cannedreply",
        "journeys.delete_cannedreply",
        "journeys.view_slapolicy",
        "journeys.view_escalation",
        *_CAMPAIGN_WORK,
        "journeys.override_campaign",
        "journeys.acknowledge_campaign",
        *_FEEDBACK_READ,
        "feedback.add_survey",
        "feedback.change_survey",
        "contacts.view_mailbox",
    ],
    Role.ADMIN: [
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "accounts.view_department",
        "accounts.add_department",
        "accounts.change_department",
        *_DEPARTMENT_SETTINGS,
        "accounts.view_apitoken",
        "accounts.add_apitoken",
        "accounts.change_apitoken",
        "auth.view_group",
        "contacts.view_customer",
        "contacts.view_profilequestion",
        "contacts.add_profilequestion",
        "contacts.change_profilequestion",
        "contacts.view_auditentry",
        "journeys.view_routingrule",
        "journeys.add_routingrule",
        "journeys.change_routingrule",
        "journeys.delete_routingrule",
        "journeys.view_cannedreply",
        "journeys.add_cannedreply",
        "journeys.change_cannedreply",
        "journeys.delete_cannedreply",
        "journeys.view_slapolicy",
        "journeys.change_slapolicy",
        "contacts.view_mailbox",
        "contacts.add_mailbox",
        "contacts.change_mailbox",
    ],
    Role.INTEGRATION: [
        "contacts.view_customer",
        "contacts.view_interaction",
        "contacts.add_interaction",
        "contacts.add_order",
        "contacts.change_order",
        "contacts.view_order",
        "journeys.view_case",
        "journeys.add_transfer",
    ],
}
