"""The vocabulary of the case workflow: states, actions, sources and levels."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    REPORTED = "reported", _("Reported")  # 上报, waiting to be accepted
    ACCEPTED = "accepted", _("Accepted")  # 受理, waiting to be dispatched
    DISPATCHED = "dispatched", _("Dispatched")  # 派遣
    HANDLING = "handling", _("Being handled")  # 处置
    FINISHED = "finished", _("Finished, to verify")  # 办结, waiting for 核查
    VERIFIED = "verified", _("Verified, to rate")  # 核查通过, waiting for 评价
    CLOSED = "closed", _("Closed")  # 结案
    REJECTED = "rejected", _("Rejected")  # 不予受理
    MERGED = "merged", _("Merged")  # 合并到另一件


OPEN_STATES = frozenset({State.REPORTED, State.ACCEPTED, State.DISPATCHED, State.HANDLING, State.FINISHED})
DONE_STATES = frozenset({State.VERIFIED, State.CLOSED, State.REJECTED, State.MERGED})


class Action(models.TextChoices):
    REPORT = "report", _("Report")
    ACCEPT = "accept", _("Accept")
    REJECT = "reject", _("Reject")
    DISPATCH = "dispatch", _("Dispatch")
    HANDLE = "handle", _("Progress note")
    FINISH = "finish", _("Finish")
    VERIFY_PASS = "verify_pass", _("Verify: pass")
    VERIFY_FAIL = "verify_fail", _("Verify: fail")
    RATE = "rate", _("Rate")
    CLOSE = "close", _("Close unrated")
    ESCALATE = "escalate", _("Escalate")
    RETURN = "return", _("Send back")
    REQUEST_EXTENSION = "request_extension", _("Request extension")
    APPROVE_EXTENSION = "approve_extension", _("Approve extension")
    REFUSE_EXTENSION = "refuse_extension", _("Refuse extension")
    SUPERVISE = "supervise", _("Supervise")
    MERGE = "merge", _("Merge into another case")
    LINK = "link", _("Link a related case")
    PAUSE = "pause", _("Pause (waiting for the resident)")
    RESUME = "resume", _("Resume")
    ATTACH = "attach", _("Add photo")
    # Written by the periodic sweep, never requested by a person.
    WARN = "warn", _("Deadline near")
    OVERDUE = "overdue", _("Overdue")


class Source(models.TextChoices):
    PATROL = "patrol", _("Grid patrol")
    VISIT = "visit", _("Household visit")
    WINDOW = "window", _("Service window")
    PHONE = "phone", _("Phone")
    PORTAL = "portal", _("Resident portal")
    OPEN311 = "open311", _("Open311")
    DEPARTMENT = "department", _("Department hand-over")
    HOTLINE = "hotline_12345", _("12345 hotline")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")
    EMERGENCY = "emergency", _("Emergency")


# Share of the category's time limits an urgent case gets.
URGENCY_FACTOR = {Urgency.NORMAL: 1.0, Urgency.URGENT: 0.5, Urgency.EMERGENCY: 0.25}


class HandlingLevel(models.TextChoices):
    GRID = "grid", _("Grid")
    COMMUNITY = "community", _("Community")
    STREET = "street", _("Street")
    DEPARTMENT = "department", _("Department")


LEVEL_ORDER = [HandlingLevel.GRID, HandlingLevel.COMMUNITY, HandlingLevel.STREET, HandlingLevel.DEPARTMENT]


def next_level(level: str) -> str | None:
    index = LEVEL_ORDER.index(HandlingLevel(level))
    return LEVEL_ORDER[index + 1] if index + 1 < len(LEVEL_ORDER) else None


class TimeUnit(models.TextChoices):
    HOURS = "hours", _("working hours")
    DAYS = "days", _("working days")


class Supervision(models.TextChoices):
    NONE = "", _("Not supervised")
    NORMAL = "normal", _("Supervised")
    YELLOW = "yellow", _("Yellow card")
    RED = "red", _("Red card")


SUPERVISION_ORDER = ["", Supervision.NORMAL, Supervision.YELLOW, Supervision.RED]


class DeadlineStatus(models.TextChoices):
    ON_TIME = "on_time", _("On time")
    YELLOW = "yellow", _("Deadline near")
    OVERDUE = "overdue", _("Overdue")


class Photo(models.TextChoices):
    BEFORE = "before", _("Before")
    AFTER = "after", _("After")
    OTHER = "other", _("Other")
