"""Models of journeys, one module per concept."""

from .cases import (
    OPEN_Q,
    OPEN_STATUSES,
    PRIORITY_RANK,
    CannedReply,
    Case,
    CaseComment,
    CaseMessage,
    CaseStatus,
    Escalation,
    EscalationKind,
    Priority,
    RoutingRule,
    SlaPolicy,
    SubTask,
    SubTaskStatus,
    Transfer,
)

__all__ = [
    "OPEN_Q",
    "OPEN_STATUSES",
    "PRIORITY_RANK",
    "CannedReply",
    "Case",
    "CaseComment",
    "CaseMessage",
    "CaseStatus",
    "Escalation",
    "EscalationKind",
    "Priority",
    "RoutingRule",
    "SlaPolicy",
    "SubTask",
    "SubTaskStatus",
    "Transfer",
]
