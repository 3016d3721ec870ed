"""Every write to a case: `case_create` (idempotent by a client key) and `case_act` (every transition).

`case_act` locks the row, checks the transition table (workflow.TRANSITIONS), the actor's
capability and scope and the action's data, applies the change with a conditional UPDATE on
the row's version (so of two people acting at once only one succeeds), writes the timeline step
and an audit row, and queues notifications for after the commit.

The actor is named: a staff `User` (scope and capability checked), a `PublicActor` (a resident or an
Open311 client: what it may do is in `wangge.cases.public`) or `SYSTEM` (no checks); `None` is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.cases import notifications, public, workflow
from wangge.cases.actions import APPLY, TRACKED, calendar, in_scope, level_region, new_stage, phone_fields, refuse
from wangge.cases.choices import SUPERVISION_ORDER, Action, DeadlineStatus, HandlingLevel, Photo, Source, State, Urgency
from wangge.cases.departments import is_department_handler
from wangge.cases.models import Case, CaseAttachment, CaseReporter, CaseStep, Category
from wangge.cases.sketch import metres_outside
from wangge.core.actors import Actor, PublicActor, SystemActor, require_actor
from wangge.core.audit import audit_record
from wangge.core.errors import NotFound
from wangge.core.limits import check_position, check_text
from wangge.core.models import User
from wangge.core.roles import Cap, Role
from wangge.people.models import Person
from wangge.places.models import House
from wangge.regions.models import Region

# What a report may hold (the API schema and the forms state the same limits).
TITLE_MAX = 100
DESCRIPTION_MAX = 2000
ADDRESS_MAX = 200
NAME_MAX = 64
NOTE_MAX = 2000
NEAR_GRID_METRES = 500  # a point this far outside the grid's boundary is still taken (GPS drift, a street's far side)


def _conflict() -> ValidationError:
    """The case moved on since the caller read it: another person acted, or the same form was sent twice."""
    return refuse(
        _(
            "This case has changed since it was read (someone else acted on it, or the same action was sent "
            "twice). Reload it and check before trying again."
        ),
        "conflict",
    )


class CaseForbidden(PermissionDenied):
    """The actor may not take this action on this case (403), with a stable code."""

    def __init__(self, message: str, code: str = "forbidden") -> None:
        super().__init__(message)
        self.code = code


# --- create -----------------------------------------------------------------------------------------


@dataclass
class Created:
    case: Case
    created: bool  # False: the same client key was seen before; this is the case it made


def _user(actor: Actor) -> User | None:
    """The account to name on a row's user columns: a staff user's, none for the system or a public caller."""
    return actor if isinstance(actor, User) else None


def _by(actor: Actor) -> dict[str, Any]:
    """Who took a timeline step: the user, or a public caller's kind and masked label."""
    if isinstance(actor, PublicActor):
        return {"actor": None, "public_kind": actor.kind, "public_label": actor.masked}
    return {"actor": _user(actor)}


def case_create(
    *,
    actor: Actor,
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
    actor = require_actor(actor)
    client_key = check_text(client_key, limit=64, label=_("Client key"))
    if client_key:
        existing = Case.all_objects.filter(client_key=client_key).first()
        if existing is not None:
            return Created(_own_report(existing, actor), False)
    now = now or timezone.now()
    if isinstance(actor, PublicActor):
        public.check_report(
            actor,
            category=category,
            source=source,
            urgency=urgency,
            names_record=person is not None or house is not None,
            reporter_phone=reporter_phone,
        )
        public.check_report_quota(actor, now=now)  # outside the report's transaction: the refusal stays audited
        reporter_phone = actor.phone or reporter_phone
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
                now=now,
            )
    except IntegrityError:
        if not client_key:
            raise
        return Created(_own_report(Case.all_objects.get(client_key=client_key), actor), False)  # a race on the key
    return Created(case, True)


def _own_report(case: Case, actor: Actor) -> Case:
    """A repeated key gives back the first case only to whoever reported it: a key is not a way in."""
    if isinstance(actor, PublicActor):
        mine = case.public_reporter == actor.key
    else:
        mine = isinstance(actor, SystemActor) or case.reported_by_id == actor.pk
    if not mine:
        raise refuse(
            _("This report's key was already used by someone else; send it as a new report."), "client_key_taken"
        )
    return case


def _check_create(actor: Actor, region: Region, category: Category, source: str, urgency: str) -> None:
    if isinstance(actor, User):
        if not in_scope(actor, region):
            raise NotFound
        if not actor.has_perm(Cap.REPORT_CASES):
            raise CaseForbidden(_("You do not have permission to do this."))
    if not region.files_records:
        raise refuse(_("A case is reported in an active grid or micro-grid."), "not_a_grid")
    if not category.is_active or category.parent_id is None:
        raise refuse(_("Choose a category of the second level."), "bad_category")
    if source not in Source.values or urgency not in Urgency.values:
        raise refuse(_("Unknown source or urgency."), "bad_choice")


def _create(
    *,
    actor: Actor,
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
    title = check_text(title, limit=TITLE_MAX, label=_("Title"))
    if not title:
        raise refuse(_("A short title is required."), "title_required")
    description = check_text(description, limit=DESCRIPTION_MAX, label=_("Details"))
    address = check_text(address, limit=ADDRESS_MAX, label=_("Address"))
    reporter_name = check_text(reporter_name, limit=NAME_MAX, label=_("Reporter"))
    position = _check_position(region, lat, lng)
    for thing in (person, house):  # only of the case's grid: its grid worker sees the case and whom it names
        if thing is None:
            continue
        if isinstance(actor, User) and not in_scope(actor, thing.region):
            raise NotFound
        if thing.region.grid_pk != region.grid_pk:
            raise refuse(
                _("The person or house named must be in the case's grid (%(grid)s).")
                % {"grid": region.parent.name if region.grid_pk != region.pk and region.parent else region.name},
                "outside_grid",
            )
    phone_enc, phone_masked, phone_hash = phone_fields(reporter_phone)
    level = category.default_level
    handling_region = level_region(region, level)
    cal = calendar()
    accept_limit, accept_unit = category.limit("accept")
    case = Case.all_objects.create(
        client_key=client_key,
        title=title,
        description=description,
        category=category,
        source=source,
        urgency=urgency,
        region=region,
        address=address,
        lat=position[0] if position else None,
        lng=position[1] if position else None,
        person=person,
        house=house,
        reporter_name=reporter_name,
        reporter_phone_enc=phone_enc,
        reporter_phone_masked=phone_masked,
        reporter_phone_hash=phone_hash,
        reported_by=_user(actor),
        public_reporter=actor.key if isinstance(actor, PublicActor) else "",
        reported_at=now,
        handling_level=level,
        handling_region=handling_region,
        department=category.default_department if level == HandlingLevel.DEPARTMENT else "",
        stage_started_at=now,
        stage_due_at=workflow.due_after(cal, now, accept_limit, accept_unit, urgency),
    )
    case.number = f"SJ{timezone.localtime(now):%Y%m%d}{case.pk:06d}"
    case.save(update_fields=["number"])
    if reporter_name:
        CaseReporter.objects.create(
            case=case,
            name=reporter_name,
            phone_enc=phone_enc,
            phone_masked=phone_masked,
            phone_hash=phone_hash,
            person=person,
            added_at=now,
        )
    step = CaseStep.objects.create(
        case=case, action=Action.REPORT, to_state=State.REPORTED, note=case.description[:2000], at=now, **_by(actor)
    )
    _save_photos(case, step, actor, photos)
    audit_record(actor=actor, action="case.report", obj=case, detail={"number": case.number, "source": source})
    notifications.queue(case, Action.REPORT)
    return case


def _check_position(
    region: Region, lat: Decimal | float | None, lng: Decimal | float | None
) -> tuple[Decimal, Decimal] | None:
    """A WGS84 point inside the grid's boundary or near it (when the grid has one); None without a point."""
    position = check_position(lat, lng)
    if position is None or not region.boundary:
        return position
    outside = metres_outside(region.boundary, float(position[0]), float(position[1]))
    if outside is not None and outside > NEAR_GRID_METRES:
        raise refuse(
            _("The position is %(km)s km outside %(grid)s; check it, or report the case in the grid where it happened.")
            % {"km": f"{outside / 1000:.1f}", "grid": region.name},
            "position_outside_grid",
        )
    return position


def _save_photos(case: Case, step: CaseStep, actor: Actor, photos: list[tuple[UploadedFile, str]]) -> None:
    for image, kind in photos:
        CaseAttachment.objects.create(
            case=case,
            step=step,
            image=image,
            kind=kind if kind in Photo.values else Photo.OTHER,
            uploaded_by=_user(actor),
        )


@transaction.atomic
def case_reporter_add(*, actor: Actor, case: Case, name: str, phone: str = "", person: Person | None = None) -> Case:
    """Add one more reporter to a collective case (another household reporting the same sewer)."""
    _check_party(require_actor(actor), case, Cap.REPORT_CASES, workflow.REPORTING)
    name = check_text(name, limit=NAME_MAX, label=_("Name"))
    if not name:
        raise refuse(_("A name is required."), "name_required")
    phone_enc, phone_masked, phone_hash = phone_fields(phone)
    if phone_hash and CaseReporter.objects.filter(case=case, phone_hash=phone_hash).exists():
        raise refuse(_("This phone number already reported this case."), "duplicate_reporter")
    CaseReporter.objects.create(
        case=case,
        name=name,
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


def _check_party(actor: Actor, case: Case, capability: str, party: str) -> None:
    """Scope first (404: nothing leaks), then capability and relationship (403). The system is not checked;
    a public caller takes only the actions `_check_actor` lets it (this one is staff's)."""
    if isinstance(actor, SystemActor):
        return
    if isinstance(actor, PublicActor):
        raise CaseForbidden(_("You do not have permission to do this."))
    department_handler = is_department_handler(actor)
    sees = in_scope(actor, case.region) and (
        not department_handler or (bool(case.department) and case.department == actor.department)
    )
    if not sees:
        raise NotFound
    if not actor.has_perm(capability):
        raise CaseForbidden(_("You do not have permission to do this."))
    if party == workflow.HANDLING:
        if department_handler:
            ok = bool(case.department) and case.department == actor.department
        else:
            ok = in_scope(actor, case.handling_region) or case.assignee_id == actor.pk
    elif party == workflow.SUPERVISING:
        ok = in_scope(actor, case.handling_region) and not department_handler
    else:  # REPORTING
        ok = in_scope(actor, case.region) and not department_handler
    if not ok:
        raise CaseForbidden(_("This case is not handled at your level."), code="not_your_case")


def _check_actor(actor: Actor, case: Case, action: str, rule: workflow.Rule) -> None:
    """Whether this actor may take `action` on `case` (the state is checked apart, by the table)."""
    if not isinstance(actor, PublicActor):
        _check_party(actor, case, rule.capability, rule.party)
        return
    if case.public_reporter != actor.key:
        raise NotFound  # another caller's case: not found, as out of a staff user's scope
    if action not in public.ACTIONS:
        raise CaseForbidden(_("You do not have permission to do this."))
    if action == Action.RATE and case.rating is not None:
        raise refuse(_("This case has already been rated."), "already_rated")


def case_act(*, actor: Actor, case: Case, action: str, expected_version: int | None = None, **data: Any) -> Case:
    """Take `action` on `case` as `actor`; raises NotFound / CaseForbidden / ValidationError and changes nothing if refused."""
    actor = require_actor(actor)
    rule = workflow.TRANSITIONS.get(action)
    if rule is None:
        raise refuse(_("Unknown action."), "unknown_action")
    with transaction.atomic():
        locked = (
            Case.all_objects.select_for_update().select_related("category", "region", "handling_region").get(pk=case.pk)
        )
        _check_actor(actor, locked, action, rule)
        if expected_version is not None and expected_version != locked.version:
            raise _conflict()
        code = workflow.state_refusal(rule, locked)
        if code is not None:
            raise refuse(
                _("“%(action)s” is not possible while the case is %(state)s.")
                % {"action": Action(action).label, "state": locked.get_state_display()},
                code,
            )
        note = check_text(str(data.pop("note", "") or ""), limit=NOTE_MAX, label=_("Note"))
        if rule.note_required and not note:
            raise refuse(_("Say why in a note."), "note_required")
        photos = data.pop("photos", None) or []
        now = data.pop("now", None) or timezone.now()
        from_state = locked.state
        before = {f: getattr(locked, f) for f in TRACKED}
        step_data = APPLY[action](locked, _user(actor), now, data)
        if rule.to_state is not None:
            locked.state = rule.to_state
        changed = {f: getattr(locked, f) for f in TRACKED if getattr(locked, f) != before[f]}
        updated = Case.all_objects.filter(pk=locked.pk, version=locked.version).update(
            **changed,
            version=F("version") + 1,
            updated_at=timezone.now(),  # real time: the statistics follow it
        )
        if updated != 1:
            raise _conflict()
        step = CaseStep.objects.create(
            case=locked,
            action=action,
            from_state=from_state,
            to_state=locked.state,
            note=note,
            data=step_data,
            at=now,
            **_by(actor),
        )
        _save_photos(locked, step, actor, photos)
        audit_record(
            actor=actor,
            action=f"case.{action}",
            obj=locked,
            detail={"from": from_state, "to": locked.state, **step_data},
        )
        notifications.queue(locked, action)
    locked.refresh_from_db()
    return locked


def allowed_actions(*, actor: Actor, case: Case) -> list[str]:
    """The actions the table lets this actor take now (for buttons; case_act checks again)."""
    allowed = []
    for action, rule in workflow.TRANSITIONS.items():
        if workflow.state_refusal(rule, case) is not None:
            continue
        try:
            _check_actor(actor, case, action, rule)
        except (NotFound, PermissionDenied, ValidationError):
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
        fields = ["deadline_status", "was_overdue", "escalated_by_rule", *TRACKED]
        updated = Case.all_objects.filter(pk=locked.pk, version=version).update(
            **{f: getattr(locked, f) for f in dict.fromkeys(fields)},
            version=F("version") + 1,
            updated_at=timezone.now(),
        )
        if updated != 1:
            return False
        action = Action.OVERDUE if status == DeadlineStatus.OVERDUE else Action.WARN
        CaseStep.objects.create(
            case=locked, action=action, from_state=locked.state, to_state=locked.state, data=step_data, at=now
        )
        audit_record(actor=None, username="worker", action=f"case.{action}", obj=locked, detail=step_data)
        notifications.queue(locked, action, extra_users=extra)
        if rule is not None and "level" in step_data:
            notifications.queue(locked, Action.ESCALATE)
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
            new_stage(case, now, "accept")
            done["level"] = target
    return done


def _copy_recipients(case: Case, rule: Any) -> list[User]:
    users = notifications._users_scoped_at(list(rule.copy_regions.all()), notifications.SUPERVISOR_ROLES)
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
