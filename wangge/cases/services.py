"""Every write to a case: `case_create` (idempotent by a client key) and `case_act` (every transition).

`case_act` locks the row, checks the transition table (workflow.TRANSITIONS), the actor's
capability and scope and the action's data, applies the change with a conditional UPDATE on
the row's version (so of two people acting at once only one succeeds), writes the timeline step
and an audit row, and queues notifications for after the commit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.cases import notify, workflow
from wangge.cases.choices import (
    SUPERVISION_ORDER,
    Action,
    DeadlineStatus,
    HandlingLevel,
    Photo,
    Source,
    State,
    Supervision,
    Urgency,
    next_level,
)
from wangge.cases.models import Case, CaseAttachment, CaseReporter, CaseStep, Category
from wangge.core import crypto, worktime
from wangge.core.audit import audit_record
from wangge.core.idcard import mask_phone
from wangge.core.models import User
from wangge.core.roles import Cap, Role
from wangge.core.worktime import WorkCalendar
from wangge.people.models import Person
from wangge.places.models import House
from wangge.regions.models import Level, Region, scope_paths

MAX_EXTENSION_DAYS = 30


class CaseForbidden(PermissionDenied):
    """The actor may not take this action on this case (403), with a stable code."""

    def __init__(self, message: str, code: str = "forbidden") -> None:
        super().__init__(message)
        self.code = code


def _refuse(message: str, code: str) -> ValidationError:
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
    if level == HandlingLevel.GRID and region.level in (Level.GRID, Level.MICROGRID):
        wanted = Level.GRID
    candidates = Region.all_objects.filter(pk__in=[*region.ancestor_ids, region.pk], level=wanted)
    found = candidates.first()
    if found is None:
        raise _refuse(_("There is no region at this level above the case's grid."), "no_level_region")
    return found


def _phone_fields(phone: str) -> tuple[str, str, str]:
    phone = "".join(ch for ch in phone if ch.isdigit() or ch in "+-")
    if not phone:
        return "", "", ""
    if not 5 <= sum(ch.isdigit() for ch in phone) <= 15:
        raise _refuse(_("The phone number is not valid."), "bad_phone")
    return (
        crypto.encrypt(phone, context="case.reporter_phone"),
        mask_phone(phone),
        crypto.lookup_hash(phone, kind="phone"),
    )


def _in_scope(actor: User, region: Region) -> bool:
    return region.is_within(scope_paths(actor))


# --- create -----------------------------------------------------------------------------------------


@dataclass
class Created:
    case: Case
    created: bool  # False: the same client key was seen before; this is the case it made


def case_create(
    *,
    actor: User | None,
    region: Region,
    category: Category,
    title: str,
    description: str = "",
    source: str = Source.PATROL,
    urgency: str = Urgency.NORMAL,
    address: str = "",
    lat: Decimal | float | None = None,
    lng: Decimal | float | None = None,
    person: Person | None = None,
    house: House | None = None,
    reporter_name: str = "",
    reporter_phone: str = "",
    client_key: str = "",
    photos: list[tuple[UploadedFile, str]] | None = None,
    now: datetime | None = None,
) -> Created:
    """Report a case in a grid. A repeated `client_key` (a form or an offline queue sent twice) returns the first case."""
    client_key = client_key.strip()[:64]
    if client_key:
        existing = Case.all_objects.filter(client_key=client_key).first()
        if existing is not None:
            return Created(existing, False)
    try:
        with transaction.atomic():
            case = _create(
                actor=actor,
                region=region,
                category=category,
                title=title,
                description=description,
                source=source,
                urgency=urgency,
                address=address,
                lat=lat,
                lng=lng,
                person=person,
                house=house,
                reporter_name=reporter_name,
                reporter_phone=reporter_phone,
                client_key=client_key or None,
                photos=photos or [],
                now=now or timezone.now(),
            )
    except IntegrityError:
        if not client_key:
            raise
        return Created(Case.all_objects.get(client_key=client_key), False)  # the same key won a race
    return Created(case, True)


def _check_create(actor: User | None, region: Region, category: Category, source: str, urgency: str) -> None:
    if actor is not None:
        if not _in_scope(actor, region):
            raise Http404
        if not actor.has_perm(Cap.REPORT_CASES):
            raise CaseForbidden(_("You do not have permission to do this."))
    if region.level not in (Level.GRID, Level.MICROGRID) or not region.is_active:
        raise _refuse(_("A case is reported in an active grid or micro-grid."), "not_a_grid")
    if not category.is_active or category.parent_id is None:
        raise _refuse(_("Choose a category of the second level."), "bad_category")
    if source not in Source.values or urgency not in Urgency.values:
        raise _refuse(_("Unknown source or urgency."), "bad_choice")


def _create(
    *,
    actor: User | None,
    region: Region,
    category: Category,
    title: str,
    description: str,
    source: str,
    urgency: str,
    address: str,
    lat: Decimal | float | None,
    lng: Decimal | float | None,
    person: Person | None,
    house: House | None,
    reporter_name: str,
    reporter_phone: str,
    client_key: str | None,
    photos: list[tuple[UploadedFile, str]],
    now: datetime,
) -> Case:
    _check_create(actor, region, category, source, urgency)
    title = title.strip()
    if not title:
        raise _refuse(_("A short title is required."), "title_required")
    community_path = "/".join(region.path.split("/")[:3]) + "/"
    for thing in (person, house):
        if thing is None:
            continue
        if actor is not None and not _in_scope(actor, thing.region):
            raise Http404
        if not thing.region.is_within([community_path]):
            raise _refuse(_("The person or house is not in this community."), "outside_area")
    phone_enc, phone_masked, phone_hash = _phone_fields(reporter_phone)
    level = category.default_level
    handling_region = level_region(region, level)
    cal = calendar()
    accept_limit, accept_unit = category.limit("accept")
    case = Case.all_objects.create(
        client_key=client_key,
        title=title[:100],
        description=description.strip(),
        category=category,
        source=source,
        urgency=urgency,
        region=region,
        address=address.strip()[:200],
        lat=Decimal(str(lat)) if lat is not None else None,
        lng=Decimal(str(lng)) if lng is not None else None,
        person=person,
        house=house,
        reporter_name=reporter_name.strip()[:64],
        reporter_phone_enc=phone_enc,
        reporter_phone_masked=phone_masked,
        reporter_phone_hash=phone_hash,
        reported_by=actor,
        reported_at=now,
        handling_level=level,
        handling_region=handling_region,
        department=category.default_department if level == HandlingLevel.DEPARTMENT else "",
        stage_started_at=now,
        stage_due_at=workflow.due_after(cal, now, accept_limit, accept_unit, urgency),
    )
    case.number = f"SJ{timezone.localtime(now):%Y%m%d}{case.pk:06d}"
    case.save(update_fields=["number"])
    if reporter_name.strip():
        CaseReporter.objects.create(
            case=case,
            name=reporter_name.strip()[:64],
            phone_enc=phone_enc,
            phone_masked=phone_masked,
            phone_hash=phone_hash,
            person=person,
            added_at=now,
        )
    step = CaseStep.objects.create(
        case=case, action=Action.REPORT, actor=actor, to_state=State.REPORTED, note=case.description[:2000], at=now
    )
    _save_photos(case, step, actor, photos)
    audit_record(actor=actor, action="case.report", obj=case, detail={"number": case.number, "source": source})
    notify.queue(case, Action.REPORT)
    return case


def _save_photos(case: Case, step: CaseStep, actor: User | None, photos: list[tuple[UploadedFile, str]]) -> None:
    for image, kind in photos:
        CaseAttachment.objects.create(
            case=case, step=step, image=image, kind=kind if kind in Photo.values else Photo.OTHER, uploaded_by=actor
        )


@transaction.atomic
def case_reporter_add(
    *, actor: User | None, case: Case, name: str, phone: str = "", person: Person | None = None
) -> Case:
    """Add one more reporter to a collective case (another household reporting the same sewer)."""
    _check_party(actor, case, Cap.REPORT_CASES, workflow.REPORTING)
    if not name.strip():
        raise _refuse(_("A name is required."), "name_required")
    phone_enc, phone_masked, phone_hash = _phone_fields(phone)
    if phone_hash and CaseReporter.objects.filter(case=case, phone_hash=phone_hash).exists():
        raise _refuse(_("This phone number already reported this case."), "duplicate_reporter")
    CaseReporter.objects.create(
        case=case,
        name=name.strip()[:64],
        phone_enc=phone_enc,
        phone_masked=phone_masked,
        phone_hash=phone_hash,
        person=person,
    )
    Case.all_objects.filter(pk=case.pk).update(reporter_count=F("reporter_count") + 1, version=F("version") + 1)
    audit_record(actor=actor, action="case.reporter_add", obj=case)
    case.refresh_from_db()
    return case


# --- act --------------------------------------------------------------------------------------------


def is_department_handler(user: User) -> bool:
    """A department's handler sees and acts on their department's cases only (not the whole area of their scope)."""
    return user.has_role(Role.DEPARTMENT_HANDLER) and not user.has_perm(Cap.REPORT_CASES)


def _check_party(actor: User | None, case: Case, capability: str, party: str) -> None:
    """Scope first (404: nothing leaks), then capability and relationship (403)."""
    if actor is None:
        return
    department_handler = is_department_handler(actor)
    sees = _in_scope(actor, case.region) and (
        not department_handler or (bool(case.department) and case.department == actor.department)
    )
    if not sees:
        raise Http404
    if not actor.has_perm(capability):
        raise CaseForbidden(_("You do not have permission to do this."))
    if party == workflow.HANDLING:
        if department_handler:
            ok = bool(case.department) and case.department == actor.department
        else:
            ok = _in_scope(actor, case.handling_region) or case.assignee_id == actor.pk
    elif party == workflow.SUPERVISING:
        ok = _in_scope(actor, case.handling_region) and not department_handler
    else:  # REPORTING
        ok = _in_scope(actor, case.region) and not department_handler
    if not ok:
        raise CaseForbidden(_("This case is not handled at your level."), code="not_your_case")


def case_act(*, actor: User | None, case: Case, action: str, expected_version: int | None = None, **data: Any) -> Case:
    """Take `action` on `case` as `actor`; raises Http404 / CaseForbidden / ValidationError and changes nothing if refused."""
    rule = workflow.TRANSITIONS.get(action)
    if rule is None:
        raise _refuse(_("Unknown action."), "unknown_action")
    with transaction.atomic():
        locked = (
            Case.all_objects.select_for_update().select_related("category", "region", "handling_region").get(pk=case.pk)
        )
        _check_party(actor, locked, rule.capability, rule.party)
        if expected_version is not None and expected_version != locked.version:
            raise _refuse(_("Someone else changed this case meanwhile. Reload it and try again."), "conflict")
        code = workflow.state_refusal(rule, locked)
        if code is not None:
            raise _refuse(
                _("“%(action)s” is not possible while the case is %(state)s.")
                % {"action": Action(action).label, "state": locked.get_state_display()},
                code,
            )
        note = str(data.pop("note", "") or "").strip()
        if rule.note_required and not note:
            raise _refuse(_("Say why in a note."), "note_required")
        photos = data.pop("photos", None) or []
        now = data.pop("now", None) or timezone.now()
        from_state = locked.state
        before = {f: getattr(locked, f) for f in _TRACKED}
        step_data = APPLY[action](locked, actor, now, data)
        if rule.to_state is not None:
            locked.state = rule.to_state
        changed = {f: getattr(locked, f) for f in _TRACKED if getattr(locked, f) != before[f]}
        updated = Case.all_objects.filter(pk=locked.pk, version=locked.version).update(
            **changed, version=F("version") + 1, updated_at=now
        )
        if updated != 1:
            raise _refuse(_("Someone else changed this case meanwhile. Reload it and try again."), "conflict")
        step = CaseStep.objects.create(
            case=locked,
            action=action,
            actor=actor,
            from_state=from_state,
            to_state=locked.state,
            note=note[:2000],
            data=step_data,
            at=now,
        )
        _save_photos(locked, step, actor, photos)
        audit_record(
            actor=actor,
            action=f"case.{action}",
            obj=locked,
            detail={"from": from_state, "to": locked.state, **step_data},
        )
        notify.queue(locked, action)
    locked.refresh_from_db()
    return locked


_TRACKED = (
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
)


def _new_stage(case: Case, now: datetime, stage: str) -> None:
    limit, unit = case.category.limit(stage)
    case.stage_started_at = now
    case.stage_due_at = workflow.due_after(calendar(), now, limit, unit, case.urgency)
    case.deadline_status = DeadlineStatus.ON_TIME


def _accept(case: Case, actor: User | None, now: datetime, data: dict[str, Any]) -> dict[str, Any]:
    return {}


def _reject(case: Case, actor: User | None, now: datetime, data: dict[str, Any]) -> dict[str, Any]:
    case.closed_at, case.stage_due_at = now, None
    return {}


def _dispatch(case: Case, actor: User | None, now: datetime, data: dict[str, Any]) -> dict[str, Any]:
    """To a person, a region under the handling region, or a department (at street level); else the handling region itself."""
    assignee, region, department = data.get("assignee"), data.get("region"), str(data.get("department") or "").strip()
    if sum(bool(x) for x in (assignee, region, department)) > 1:
        raise _refuse(_("Dispatch to one person, one region or one department."), "one_target")
    base = level_region(case.region, case.handling_level)
    if isinstance(assignee, User):
        if not assignee.is_active or not (_in_scope(assignee, case.region) or assignee.department):
            raise _refuse(_("This person cannot handle cases here."), "bad_assignee")
        case.assignee = assignee
    elif isinstance(region, Region):
        if not region.is_within([base.path]) or not case.region.is_within([region.path]):
            raise _refuse(_("Dispatch to a region between the case's grid and the level handling it."), "bad_region")
        case.handling_region = region
    elif department:
        if case.handling_level not in (HandlingLevel.STREET, HandlingLevel.DEPARTMENT):
            raise _refuse(_("Only a street dispatches to a department; escalate first."), "department_needs_street")
        case.department = department[:64]
    _new_stage(case, now, "handle")
    case.due_at = case.stage_due_at
    return {
        "assignee": getattr(assignee, "pk", None),
        "region": getattr(region, "pk", None),
        "department": department,
        "due_at": case.due_at.isoformat() if case.due_at else None,
    }


def _handle(case: Case, actor: User | None, now: datetime, data: dict[str, Any]) -> dict[str, Any]:
    return {}


def _finish(case: Case, actor: User | None, now: datetime, data: dict[str, Any]) -> dict[str, Any]:
    case.finished_at = now
    _new_stage(case, now, "verify")
    return {"on_time": bool(case.due_at and now <= case.due_at)}


def _verify_pass(case: Case, actor: User | None, now: datetime, data: dict[str, Any]) -> dict[str, Any]:
    from django.conf import settings

    case.stage_started_at = now
    case.stage_due_at = worktime.add_working_days(calendar(), now, getattr(settings, "WANGGE_CASE_RATING_DAYS", 3))
    case.deadline_status = DeadlineStatus.ON_TIME
    return {}


def _verify_fail(case: Case, actor: User | None, now: datetime, data: dict[str, Any]) -> dict[str, Any]:
    case.finished_at = None
    _new_stage(case, now, "handle")
    return {}


def _rate(case: Case, actor: User | None, now: datetime, data: dict[str, Any]) -> dict[str, Any]:
    try:
        rating = int(data.get("rating"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise _refuse(_("A rating is 1 to 5 stars."), "bad_rating")
    case.rating, case.closed_at, case.stage_due_at = rating, now, None
    return {"rating": rating}


def _close(case: Case, actor: User | None, now: datetime, data: dict[str, Any]) -> dict[str, Any]:
    case.closed_at, case.stage_due_at = now, None
    return {"unrated": True}


def _escalate(case: Case, actor: User | None, now: datetime, data: dict[str, Any]) -> dict[str, Any]:
    level = data.get("level") or next_level(case.handling_level)
    if level is None or level not in HandlingLevel.values:
        raise _refuse(_("This case is already at the highest level."), "top_level")
    from wangge.cases.choices import LEVEL_ORDER

    if LEVEL_ORDER.index(HandlingLevel(level)) <= LEVEL_ORDER.index(HandlingLevel(case.handling_level)):
        raise _refuse(_("Escalate to a higher level."), "not_higher")
    department = str(data.get("department") or case.category.default_department or "").strip()
    if level == HandlingLevel.DEPARTMENT and not department:
        raise _refuse(_("Name the department to escalate to."), "department_required")
    case.handling_level = level
    case.handling_region = level_region(case.region, level)
    case.department = department[:64] if level == HandlingLevel.DEPARTMENT else ""
    case.assignee = None
    _new_stage(case, now, "accept")
    return {"level": level, "department": case.department}


def _return(case: Case, actor: User | None, now: datetime, data: dict[str, Any]) -> dict[str, Any]:
    case.assignee = None
    if case.handling_level != HandlingLevel.DEPARTMENT:
        case.department = ""
    case.handling_region = level_region(case.region, case.handling_level)
    _new_stage(case, now, "accept")
    return {}


def _request_extension(case: Case, actor: User | None, now: datetime, data: dict[str, Any]) -> dict[str, Any]:
    try:
        days = int(data.get("days"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise _refuse(_("Ask for 1 to %(max)s working days.") % {"max": MAX_EXTENSION_DAYS}, "bad_days")
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
        raise _refuse(_("Choose supervised, yellow card or red card."), "bad_supervision")
    case.supervision = level
    return {"level": level}


def _merge(case: Case, actor: User | None, now: datetime, data: dict[str, Any]) -> dict[str, Any]:
    target = data.get("into")
    if not isinstance(target, Case) or target.pk == case.pk:
        raise _refuse(_("Choose another case to merge into."), "bad_target")
    target = Case.all_objects.select_for_update().get(pk=target.pk)
    if target.state in (State.MERGED, State.REJECTED, State.CLOSED) or target.merged_into_id:
        raise _refuse(_("The case to merge into is no longer open."), "target_closed")
    if actor is not None and not _in_scope(actor, target.region):
        raise Http404
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
        raise _refuse(_("Choose another case to link."), "bad_target")
    if actor is not None and not _in_scope(actor, other.region):
        raise Http404
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


def allowed_actions(*, actor: User, case: Case) -> list[str]:
    """The actions the table lets this actor take now (for buttons; case_act checks again)."""
    allowed = []
    for action, rule in workflow.TRANSITIONS.items():
        if workflow.state_refusal(rule, case) is not None:
            continue
        try:
            _check_party(actor, case, rule.capability, rule.party)
        except (Http404, PermissionDenied):
            continue
        allowed.append(action)
    return allowed


# --- deadlines (called by the periodic sweep) --------------------------------------------------------

_STATUS_RANK = {DeadlineStatus.ON_TIME: 0, DeadlineStatus.YELLOW: 1, DeadlineStatus.OVERDUE: 2}


def case_deadline_mark(*, case: Case, status: str, rules: list[Any], now: datetime | None = None) -> bool:
    """Raise a case's deadline status (yellow, overdue), apply the first matching escalation rule once, notify.

    Only the system calls this. Returns False when the case had moved on meanwhile (nothing done).
    """
    from wangge.cases.models import EscalationRule

    now = now or timezone.now()
    with transaction.atomic():
        locked = (
            Case.all_objects.select_for_update()
            .select_related("category", "region", "handling_region")
            .filter(pk=case.pk, state__in=list(workflow.OPEN), paused_since__isnull=True)
            .first()
        )
        if locked is None or _STATUS_RANK[status] <= _STATUS_RANK[DeadlineStatus(locked.deadline_status)]:  # type: ignore[index]
            return False
        version = locked.version
        locked.deadline_status = status
        if status == DeadlineStatus.OVERDUE and locked.state in workflow.WORKING:
            locked.was_overdue = True
        rule: EscalationRule | None = next(
            (r for r in rules if r.trigger == status and r.matches(locked) and locked.escalated_by_rule != status), None
        )
        step_data: dict[str, Any] = {"status": status}
        extra: list[int] = []
        if rule is not None:
            step_data.update(_apply_rule(locked, rule, now))
            extra = [u.pk for u in _copy_recipients(locked, rule)]
        fields = ["deadline_status", "was_overdue", "escalated_by_rule", *_TRACKED]
        updated = Case.all_objects.filter(pk=locked.pk, version=version).update(
            **{f: getattr(locked, f) for f in dict.fromkeys(fields)}, version=F("version") + 1
        )
        if updated != 1:
            return False
        action = Action.OVERDUE if status == DeadlineStatus.OVERDUE else Action.WARN
        CaseStep.objects.create(
            case=locked, action=action, from_state=locked.state, to_state=locked.state, data=step_data, at=now
        )
        audit_record(actor=None, username="worker", action=f"case.{action}", obj=locked, detail=step_data)
        notify.queue(locked, action, extra_users=extra)
        if rule is not None and "level" in step_data:
            notify.queue(locked, Action.ESCALATE)
    return True


def _apply_rule(case: Case, rule: Any, now: datetime) -> dict[str, Any]:
    from wangge.cases.choices import LEVEL_ORDER

    case.escalated_by_rule = rule.trigger
    done: dict[str, Any] = {"rule": rule.pk}
    if rule.supervision and SUPERVISION_ORDER.index(rule.supervision) > SUPERVISION_ORDER.index(case.supervision):
        case.supervision = rule.supervision
        done["supervision"] = rule.supervision
    target = rule.raise_to
    if target and LEVEL_ORDER.index(HandlingLevel(target)) > LEVEL_ORDER.index(HandlingLevel(case.handling_level)):
        department = (rule.copy_departments.split(",")[0].strip() or case.category.default_department).strip()
        if target != HandlingLevel.DEPARTMENT or department:
            case.handling_level = target
            case.handling_region = level_region(case.region, target)
            case.department = department[:64] if target == HandlingLevel.DEPARTMENT else ""
            case.assignee = None
            case.state = State.REPORTED
            _new_stage(case, now, "accept")
            done["level"] = target
    return done


def _copy_recipients(case: Case, rule: Any) -> list[User]:
    users = notify._users_scoped_at(list(rule.copy_regions.all()), notify.SUPERVISOR_ROLES)
    departments = [d.strip() for d in rule.copy_departments.split(",") if d.strip()]
    if departments:
        users += list(
            User.objects.filter(
                is_active=True,
                department__in=departments,
                roles__role=Role.DEPARTMENT_HANDLER,
                scopes__region_id__in=[*case.region.ancestor_ids, case.region_id],
            ).distinct()
        )
    return users
