"""What each action changes on a locked case: one function per action, called only by `case_act`.

Each takes the locked case, the actor, the moment and the action's data, validates that data
(raising ValidationError with a stable code before changing anything it cannot undo), sets the
case's fields and returns what the timeline step records.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils.translation import gettext as _

from wangge.cases import workflow
from wangge.cases.choices import (
    SUPERVISION_ORDER,
    Action,
    DeadlineStatus,
    HandlingLevel,
    State,
    Supervision,
    next_level,
)
from wangge.cases.departments import departments_serving
from wangge.cases.models import Case, CaseReporter
from wangge.core import crypto, worktime
from wangge.core.errors import NotFound
from wangge.core.idcard import mask_phone
from wangge.core.models import User
from wangge.core.phones import clean_phone
from wangge.core.worktime import WorkCalendar
from wangge.regions.models import GRID_LEVELS, Level, Region, scope_paths

MAX_EXTENSION_DAYS = 30


def refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


_calendar_cache: dict[str, Any] = {}


def calendar() -> WorkCalendar:
    """The working calendar, reloaded only when the holiday table changed (one small query to find out)."""
    from django.db.models import Count, Max

    from wangge.core.models import Holiday

    stamp = tuple(Holiday.objects.aggregate(n=Count("id"), at=Max("updated_at")).values())
    if _calendar_cache.get("stamp") != stamp:
        _calendar_cache.update(stamp=stamp, calendar=worktime.load_calendar())
    return _calendar_cache["calendar"]  # type: ignore[no-any-return]


# --- regions and levels ---------------------------------------------------------------------------


def level_region(region: Region, level: str) -> Region:
    """The region that handles a case of `region` at `level` (a department works at street level)."""
    wanted = Level.STREET if level == HandlingLevel.DEPARTMENT else level
    if level == HandlingLevel.GRID and region.level in GRID_LEVELS:
        wanted = Level.GRID
    candidates = Region.all_objects.filter(pk__in=[*region.ancestor_ids, region.pk], level=wanted)
    found = candidates.first()
    if found is None:
        raise refuse(_("There is no region at this level above the case's grid."), "no_level_region")
    return found


def phone_fields(phone: str) -> tuple[str, str, str]:
    """A reporter's phone as stored (ciphertext, mask, keyed hash); the registry's rule decides what is a phone."""
    phone = clean_phone(phone)
    if not phone:
        return "", "", ""
    return (
        crypto.encrypt(phone, context="case.reporter_phone"),
        mask_phone(phone),
        crypto.lookup_hash(phone, kind="phone"),
    )


def in_scope(actor: User, region: Region) -> bool:
    return region.is_within(scope_paths(actor))


TRACKED = (
    "state",
    "handling_level",
    "handling_region_id",
    "department",
    "assignee_id",
    "stage_started_at",
    "stage_due_at",
    "due_at",
    "deadline_status",
    "paused_since",
    "pauses",
    "extension_requested_days",
    "extended_days",
    "supervision",
    "finished_at",
    "closed_at",
    "rating",
    "merged_into_id",
    "reporter_count",
    "was_overdue",
)


def new_stage(case: Case, now: datetime, stage: str) -> None:
    limit, unit = case.category.limit(stage)
    case.stage_started_at = now
    case.stage_due_at = workflow.due_after(calendar(), now, limit, unit, case.urgency)
    case.deadline_status = DeadlineStatus.ON_TIME


def _accept(case: Case, actor: User | None, now: datetime, data: dict[str, Any]) -> dict[str, Any]:
    return {}


def _reject(case: Case, actor: User | None, now: datetime, data: dict[str, Any]) -> dict[str, Any]:
    case.closed_at, case.stage_due_at = now, None
    return {}


def _require_department(department: str, case: Case, actor: User | None) -> None:
    """A person sending a case to a department names one that has a handler here: a typo would lose the case."""
    if actor is not None and department not in departments_serving(case.region):
        raise refuse(
            _("No handler of “%(department)s” serves this area; choose one of the listed departments.")
            % {"department": department},
            "unknown_department",
        )


def _dispatch(case: Case, actor: User | None, now: datetime, data: dict[str, Any]) -> dict[str, Any]:
    """To a person, a region under the handling region, or a department (at street level): one of them, named.

    The handling step gets its time limit from now, except that a deadline already passed stays
    passed: a case dispatched late is handled against the deadline it missed, and only an approved
    extension moves that (dispatching, or sending back and dispatching again, never does).
    """
    assignee, region, department = data.get("assignee"), data.get("region"), str(data.get("department") or "").strip()
    named = sum(bool(x) for x in (assignee, region, department))
    if named == 0:
        raise refuse(_("Name whom to dispatch to: a person, a region or a department."), "target_required")
    if named > 1:
        raise refuse(_("Dispatch to one person, one region or one department."), "one_target")
    base = level_region(case.region, case.handling_level)
    if isinstance(assignee, User):
        if not assignee.is_active or not (in_scope(assignee, case.region) or assignee.department):
            raise refuse(_("This person cannot handle cases here."), "bad_assignee")
        case.assignee = assignee
    elif isinstance(region, Region):
        if not region.is_within([base.path]) or not case.region.is_within([region.path]):
            raise refuse(_("Dispatch to a region between the case's grid and the level handling it."), "bad_region")
        case.handling_region = region
    elif department:
        if case.handling_level not in (HandlingLevel.STREET, HandlingLevel.DEPARTMENT):
            raise refuse(_("Only a street dispatches to a department; escalate first."), "department_needs_street")
        _require_department(department, case, actor)
        case.department = department[:64]
    else:
        raise refuse(_("Name whom to dispatch to: a person, a region or a department."), "target_required")
    missed = min((d for d in (case.stage_due_at, case.due_at) if d is not None and d <= now), default=None)
    due = _deadline_on(data["due_on"], now, missed=missed) if data.get("due_on") else None
    new_stage(case, now, "handle")
    if missed is not None:
        case.stage_due_at = missed
        case.deadline_status = DeadlineStatus.OVERDUE
        case.was_overdue = True
    elif due is not None:
        case.stage_due_at = due
    case.due_at = case.stage_due_at
    return {
        "assignee": getattr(assignee, "pk", None),
        "region": getattr(region, "pk", None),
        "department": department,
        "due_at": case.due_at.isoformat() if case.due_at else None,
        **({"overdue_since": missed.isoformat()} if missed is not None else {}),
    }


def _deadline_on(day: date, now: datetime, *, missed: datetime | None) -> datetime:
    """A deadline the dispatcher sets: the close of office hours on `day`, a working day still ahead.

    A case whose deadline has passed keeps it (a later one is an extension, asked for and approved).
    """
    cal = calendar()
    due = datetime.combine(day, cal.office_hours[-1][1], tzinfo=cal.tz)
    if missed is not None:
        raise refuse(_("This case is overdue: its deadline moves only by an approved extension."), "overdue_deadline")
    if due <= now:
        raise refuse(_("The deadline must be a day still ahead."), "deadline_passed")
    if not cal.is_workday(day):
        raise refuse(_("The deadline falls on a day off; choose a working day."), "deadline_day_off")
    return due


def _handle(case: Case, actor: User | None, now: datetime, data: dict[str, Any]) -> dict[str, Any]:
    return {}


def _finish(case: Case, actor: User | None, now: datetime, data: dict[str, Any]) -> dict[str, Any]:
    case.finished_at = now
    new_stage(case, now, "verify")
    return {"on_time": bool(case.due_at and now <= case.due_at)}


def _verify_pass(case: Case, actor: User | None, now: datetime, data: dict[str, Any]) -> dict[str, Any]:
    from django.conf import settings

    case.stage_started_at = now
    case.stage_due_at = worktime.add_working_days(calendar(), now, getattr(settings, "WANGGE_CASE_RATING_DAYS", 3))
    case.deadline_status = DeadlineStatus.ON_TIME
    return {}


def _verify_fail(case: Case, actor: User | None, now: datetime, data: dict[str, Any]) -> dict[str, Any]:
    case.finished_at = None
    new_stage(case, now, "handle")
    return {}


def _rate(case: Case, actor: User | None, now: datetime, data: dict[str, Any]) -> dict[str, Any]:
    try:
        rating = int(data.get("rating"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise refuse(_("A rating is 1 to 5 stars."), "bad_rating")
    case.rating, case.closed_at, case.stage_due_at = rating, now, None
    return {"rating": rating}


def _close(case: Case, actor: User | None, now: datetime, data: dict[str, Any]) -> dict[str, Any]:
    case.closed_at, case.stage_due_at = now, None
    return {"unrated": True}


def _escalate(case: Case, actor: User | None, now: datetime, data: dict[str, Any]) -> dict[str, Any]:
    level = data.get("level") or next_level(case.handling_level)
    if level is None or level not in HandlingLevel.values:
        raise refuse(_("This case is already at the highest level."), "top_level")
    from wangge.cases.choices import LEVEL_ORDER

    if LEVEL_ORDER.index(HandlingLevel(level)) <= LEVEL_ORDER.index(HandlingLevel(case.handling_level)):
        raise refuse(_("Escalate to a higher level."), "not_higher")
    department = str(data.get("department") or case.category.default_department or "").strip()
    if level == HandlingLevel.DEPARTMENT and not department:
        raise refuse(_("Name the department to escalate to."), "department_required")
    if level == HandlingLevel.DEPARTMENT and data.get("department"):
        _require_department(department, case, actor)
    case.handling_level = level
    case.handling_region = level_region(case.region, level)
    case.department = department[:64] if level == HandlingLevel.DEPARTMENT else ""
    case.assignee = None
    new_stage(case, now, "accept")
    return {"level": level, "department": case.department}


def _return(case: Case, actor: User | None, now: datetime, data: dict[str, Any]) -> dict[str, Any]:
    case.assignee = None
    if case.handling_level != HandlingLevel.DEPARTMENT:
        case.department = ""
    case.handling_region = level_region(case.region, case.handling_level)
    new_stage(case, now, "accept")
    return {}


def _request_extension(case: Case, actor: User | None, now: datetime, data: dict[str, Any]) -> dict[str, Any]:
    try:
        days = int(data.get("days"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise refuse(_("Ask for 1 to %(max)s working days.") % {"max": MAX_EXTENSION_DAYS}, "bad_days")
    case.extension_requested_days = days
    return {"days": days}


def _approve_extension(case: Case, actor: User | None, now: datetime, data: dict[str, Any]) -> dict[str, Any]:
    days = case.extension_requested_days or 0
    cal = calendar()
    if case.due_at is not None:
        case.due_at = worktime.add_working_days(cal, case.due_at, days)
    if case.stage_due_at is not None:
        case.stage_due_at = worktime.add_working_days(cal, case.stage_due_at, days)
    case.extended_days += days
    case.extension_requested_days = None
    case.deadline_status = DeadlineStatus.ON_TIME
    return {"days": days}


def _refuse_extension(case: Case, actor: User | None, now: datetime, data: dict[str, Any]) -> dict[str, Any]:
    days = case.extension_requested_days
    case.extension_requested_days = None
    return {"days": days}


def _supervise(case: Case, actor: User | None, now: datetime, data: dict[str, Any]) -> dict[str, Any]:
    level = data.get("level") or Supervision.NORMAL
    if level not in SUPERVISION_ORDER[1:]:
        raise refuse(_("Choose supervised, yellow card or red card."), "bad_supervision")
    case.supervision = level
    return {"level": level}


def _merge(case: Case, actor: User | None, now: datetime, data: dict[str, Any]) -> dict[str, Any]:
    target = data.get("into")
    if not isinstance(target, Case) or target.pk == case.pk:
        raise refuse(_("Choose another case to merge into."), "bad_target")
    target = Case.all_objects.select_for_update().get(pk=target.pk)
    if target.state in (State.MERGED, State.REJECTED, State.CLOSED) or target.merged_into_id:
        raise refuse(_("The case to merge into is no longer open."), "target_closed")
    if actor is not None and not in_scope(actor, target.region):
        raise NotFound
    case.merged_into = target
    case.closed_at, case.stage_due_at = now, None
    CaseReporter.objects.filter(case=case).update(case=target)
    Case.all_objects.filter(pk=target.pk).update(
        reporter_count=F("reporter_count") + case.reporter_count, version=F("version") + 1
    )
    return {"into": target.pk}


def _link(case: Case, actor: User | None, now: datetime, data: dict[str, Any]) -> dict[str, Any]:
    other = data.get("other")
    if not isinstance(other, Case) or other.pk == case.pk:
        raise refuse(_("Choose another case to link."), "bad_target")
    if actor is not None and not in_scope(actor, other.region):
        raise NotFound
    case.related.add(other)
    return {"other": other.pk}


def _pause(case: Case, actor: User | None, now: datetime, data: dict[str, Any]) -> dict[str, Any]:
    case.paused_since = now
    return {}


def _resume(case: Case, actor: User | None, now: datetime, data: dict[str, Any]) -> dict[str, Any]:
    start = case.paused_since
    assert start is not None
    cal = calendar()
    paused = worktime.working_time_between(cal, start, now)
    if case.stage_due_at is not None:
        case.stage_due_at = worktime.add_working_time(cal, case.stage_due_at, paused)
    if case.due_at is not None:
        case.due_at = worktime.add_working_time(cal, case.due_at, paused)
    case.pauses = [*case.pauses, [start.isoformat(), now.isoformat()]]
    case.paused_since = None
    return {"paused_minutes": int(paused.total_seconds() // 60)}


APPLY: dict[str, Callable[[Case, User | None, datetime, dict[str, Any]], dict[str, Any]]] = {
    Action.ACCEPT: _accept,
    Action.REJECT: _reject,
    Action.DISPATCH: _dispatch,
    Action.HANDLE: _handle,
    Action.FINISH: _finish,
    Action.VERIFY_PASS: _verify_pass,
    Action.VERIFY_FAIL: _verify_fail,
    Action.RATE: _rate,
    Action.CLOSE: _close,
    Action.ESCALATE: _escalate,
    Action.RETURN: _return,
    Action.REQUEST_EXTENSION: _request_extension,
    Action.APPROVE_EXTENSION: _approve_extension,
    Action.REFUSE_EXTENSION: _refuse_extension,
    Action.SUPERVISE: _supervise,
    Action.MERGE: _merge,
    Action.LINK: _link,
    Action.PAUSE: _pause,
    Action.RESUME: _resume,
}
assert set(APPLY) == set(workflow.TRANSITIONS), "every transition has exactly one implementation"
