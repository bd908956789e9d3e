"""Models of journeys, one module per concept."""

from .campaigns import (
    PLANNED_STATUSES,
    CalendarFeedToken,
    Campaign,
    CampaignStatus,
    CampaignWarning,
)
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
from .journeymaps import Enrollment, GoalMetric, Journey, JourneyStage, StageChange
from .segments import Segment

__all__ = [
    "OPEN_Q",
    "OPEN_STATUSES",
    "PLANNED_STATUSES",
    "PRIORITY_RANK",
    "CalendarFeedToken",
    "Campaign",
    "CampaignStatus",
    "CampaignWarning",
    "CannedReply",
    "Case",
    "CaseComment",
    "CaseMessage",
    "CaseStatus",
    "Enrollment",
    "Escalation",
    "EscalationKind",
    "GoalMetric",
    "Journey",
    "JourneyStage",
    "Priority",
    "RoutingRule",
    "Segment",
    "SlaPolicy",
    "StageChange",
    "SubTask",
    "SubTaskStatus",
    "Transfer",
]
