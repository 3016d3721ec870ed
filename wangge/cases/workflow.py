"""The one transition table of the case workflow, and the pure rules around it.

Each action says from which states it may be taken, to which state it leads (None: the state
stays), which capability it needs, whose scope must cover the case, whether it is allowed while
the case is paused, and whether it needs an extension request pending. `case_act` in
services.py checks exactly this table, and the UI lists the actions this table allows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from wangge.cases.choices import URGENCY_FACTOR, Action, DeadlineStatus, State, TimeUnit, Urgency
from wangge.core import worktime
from wangge.core.roles import Cap
from wangge.core.worktime import WorkCalendar

if TYPE_CHECKING:
    from wangge.cases.models import Case

S = State

# Whose scope must cover the case for an action:
HANDLING = "handling"  # the region now handling it (or, for a department, a handler of that department)
REPORTING = "reporting"  # the grid it was reported in (verification and rating happen there)
SUPERVISING = "supervising"  # a supervisor over the region handling it


@dataclass(frozen=True)
class Rule:
    from_states: frozenset[str]
    to_state: str | None
    capability: str
    party: str
    while_paused: bool = False
    paused: bool = False  # True: only while paused
    extension_pending: bool | None = None  # True: needs a pending request; False: refuses one
    note_required: bool = False


def _states(*states: str) -> frozenset[str]:
    return frozenset(states)


WORKING = _states(S.DISPATCHED, S.HANDLING)
OPEN = _states(S.REPORTED, S.ACCEPTED, S.DISPATCHED, S.HANDLING, S.FINISHED)
H = Cap.HANDLE_CASES

TRANSITIONS: dict[str, Rule] = {
    Action.ACCEPT: Rule(_states(S.REPORTED), S.ACCEPTED, H, HANDLING),
    Action.REJECT: Rule(_states(S.REPORTED), S.REJECTED, H, HANDLING, note_required=True),
    Action.DISPATCH: Rule(_states(S.ACCEPTED), S.DISPATCHED, H, HANDLING),
    Action.HANDLE: Rule(WORKING, S.HANDLING, H, HANDLING, while_paused=True, note_required=True),
    Action.FINISH: Rule(WORKING, S.FINISHED, H, HANDLING),
    Action.VERIFY_PASS: Rule(_states(S.FINISHED), S.VERIFIED, H, REPORTING),
    Action.VERIFY_FAIL: Rule(_states(S.FINISHED), S.HANDLING, H, REPORTING, note_required=True),
    Action.RATE: Rule(_states(S.VERIFIED), S.CLOSED, Cap.REPORT_CASES, REPORTING),
    Action.CLOSE: Rule(_states(S.VERIFIED), S.CLOSED, Cap.SUPERVISE_CASES, REPORTING),
    Action.ESCALATE: Rule(_states(S.REPORTED, S.ACCEPTED, *WORKING), S.REPORTED, H, HANDLING, note_required=True),
    Action.RETURN: Rule(WORKING, S.ACCEPTED, H, HANDLING, note_required=True),
    Action.REQUEST_EXTENSION: Rule(WORKING, None, H, HANDLING, extension_pending=False, note_required=True),
    Action.APPROVE_EXTENSION: Rule(WORKING, None, Cap.SUPERVISE_CASES, SUPERVISING, extension_pending=True),
    Action.REFUSE_EXTENSION: Rule(
        WORKING, None, Cap.SUPERVISE_CASES, SUPERVISING, extension_pending=True, note_required=True
    ),
    Action.SUPERVISE: Rule(OPEN, None, Cap.SUPERVISE_CASES, SUPERVISING, while_paused=True),
    Action.MERGE: Rule(_states(S.REPORTED, S.ACCEPTED), S.MERGED, H, HANDLING),
    Action.LINK: Rule(
        _states(*OPEN, S.VERIFIED, S.CLOSED, S.REJECTED), None, Cap.VIEW_CASES, REPORTING, while_paused=True
    ),
    Action.PAUSE: Rule(WORKING, None, H, HANDLING, note_required=True),
    Action.RESUME: Rule(WORKING, None, H, HANDLING, paused=True),
}
# Every action a person may request through `case_act` (report goes through case_create, the sweep's own through tasks).
ACTIONS = list(TRANSITIONS)


def state_refusal(rule: Rule, case: Case) -> str | None:
    """The error code if the case's state and flags do not allow the action, else None."""
    if case.state not in rule.from_states:
        return "wrong_state"
    if rule.paused and not case.is_paused:
        return "not_paused"
    if case.is_paused and not (rule.while_paused or rule.paused):
        return "paused"
    pending = case.extension_requested_days is not None
    if rule.extension_pending is True and not pending:
        return "no_extension_requested"
    if rule.extension_pending is False and pending:
        return "extension_pending"
    return None


# --- deadlines ------------------------------------------------------------------------------------


def due_after(
    calendar: WorkCalendar, start: datetime, limit: int, unit: str, urgency: str = Urgency.NORMAL
) -> datetime:
    """The deadline `limit` working hours or days after `start`; urgent cases get a share of the limit."""
    factor = URGENCY_FACTOR.get(Urgency(urgency), 1.0)
    if unit == TimeUnit.DAYS and factor == 1.0:
        return worktime.add_working_days(calendar, start, limit)
    hours = limit * (calendar.day_length.total_seconds() / 3600 if unit == TimeUnit.DAYS else 1.0) * factor
    return worktime.add_working_time(calendar, start, timedelta(minutes=math.ceil(hours * 60)))


def pause_intervals(case: Case, now: datetime) -> list[tuple[datetime, datetime]]:
    intervals = [(datetime.fromisoformat(a), datetime.fromisoformat(b)) for a, b in case.pauses]
    if case.paused_since is not None:
        intervals.append((case.paused_since, now))
    return intervals


def deadline_status(calendar: WorkCalendar, case: Case, now: datetime, yellow_percent: int) -> str:
    """On time, yellow (the category's share of the step's time used) or overdue; the clock stops while paused."""
    if case.stage_due_at is None:
        return DeadlineStatus.ON_TIME
    if case.paused_since is not None:
        now = min(now, case.paused_since)
    if now >= case.stage_due_at:
        return DeadlineStatus.OVERDUE
    used = worktime.used_fraction(
        calendar, start=case.stage_started_at, due=case.stage_due_at, now=now, pauses=pause_intervals(case, now)
    )
    return DeadlineStatus.YELLOW if used * 100 >= yellow_percent else DeadlineStatus.ON_TIME


def describe(rule: Rule) -> dict[str, Any]:
    return {"from": sorted(rule.from_states), "to": rule.to_state, "capability": rule.capability, "party": rule.party}
