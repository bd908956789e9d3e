"""Reads for the managers' pages, one module per concept: who may report on which
department and the rule and canned-reply lists (``access``), the weekly case report
(``cases``) and reachability (``reachability``). Everything is importable from here."""

from .access import (
    CANNED_LIST_LIMIT,
    canned_reply_departments,
    canned_reply_get,
    canned_reply_list,
    report_department_pick,
    report_departments,
    report_may_view,
    routing_rule_get,
    routing_rule_list,
)
from .cases import (
    BAR_GAP,
    BAR_WIDTH,
    CHART_HEIGHT,
    EXCEPTION_COUNT_CAP,
    MAX_WEEKS,
    RESPONSE_SAMPLE_LIMIT,
    Bar,
    CaseReport,
    DepartmentReport,
    EpochSeconds,
    PercentileCont,
    WeekRow,
    case_report,
    percentile,
    report_weeks,
)
from .reachability import Reachability, ReachCell, ReachRow, reachability

__all__ = [
    "BAR_GAP",
    "BAR_WIDTH",
    "CANNED_LIST_LIMIT",
    "CHART_HEIGHT",
    "EXCEPTION_COUNT_CAP",
    "MAX_WEEKS",
    "RESPONSE_SAMPLE_LIMIT",
    "Bar",
    "CaseReport",
    "DepartmentReport",
    "EpochSeconds",
    "PercentileCont",
    "ReachCell",
    "ReachRow",
    "Reachability",
    "WeekRow",
    "canned_reply_departments",
    "canned_reply_get",
    "canned_reply_list",
    "case_report",
    "percentile",
    "reachability",
    "report_department_pick",
    "report_departments",
    "report_may_view",
    "report_weeks",
    "routing_rule_get",
    "routing_rule_list",
]
