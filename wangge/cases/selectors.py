"""Reads of cases, always through the user's scope (a department handler: their department's cases only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.cases.choices import OPEN_STATES, DeadlineStatus, State
from wangge.cases.departments import is_department_handler
from wangge.cases.models import Case, Category
from wangge.core.models import User
from wangge.core.refusals import get_in_scope
from wangge.core.roles import Cap
from wangge.people.models import Person
from wangge.regions.models import GRID_LEVELS, Region, UserScope, paths_q, scope_paths


def _require_read(user: User) -> None:
    if not user.has_perm(Cap.VIEW_CASES):
        raise PermissionDenied(_("You do not have permission to do this."))


def cases_visible(*, user: User) -> QuerySet[Case]:
    _require_read(user)
    return Case.objects.for_user(user).select_related(
        "category", "category__parent", "region", "handling_region", "assignee"
    )


def case_get(*, user: User, case_id: int) -> Case:
    """One case in the user's scope (404 outside it), with what its page shows."""
    return get_in_scope(
        cases_visible(user=user).prefetch_related("steps__actor", "steps__attachments", "reporters", "related"),
        user=user,
        pk=case_id,
    )


@dataclass
class CaseFilters:
    list: str = ""  # todo / open / overdue / supervised / extension, or "" for everything
    category: Category | None = None
    state: str = ""
    source: str = ""
    region: Region | None = None
    since: date | None = None
    until: date | None = None
    q: str = ""


def todo_q(user: User) -> Q:
    """My to-do: cases I handle (assigned to me, or at a region of my scope with nobody assigned) and
    cases of my grids waiting for verification or a rating."""
    paths = scope_paths(user)
    mine = Q(assignee=user)
    at_my_level = Q(assignee__isnull=True, handling_region__path__in=paths) if paths else Q(pk__in=[])
    if is_department_handler(user):
        at_my_level = Q(assignee__isnull=True, department=user.department)
    to_handle = Q(state__in=[State.REPORTED, State.ACCEPTED, State.DISPATCHED, State.HANDLING]) & (mine | at_my_level)
    # Verification and rating happen where the case was reported: in the grids (and their micro-grids)
    # of a grid-level scope, and by whoever reported it (window staff, a street office).
    grid_paths = getattr(user, "_wangge_grid_scope_paths", None)
    if grid_paths is None:  # read once per request, like scope_paths
        grid_paths = list(
            UserScope.objects.filter(user=user, region__level__in=GRID_LEVELS).values_list("region__path", flat=True)
        )
        user._wangge_grid_scope_paths = grid_paths  # type: ignore[attr-defined]
    reported_here = paths_q(grid_paths, "region__path") if grid_paths else Q(pk__in=[])
    to_verify = Q(state__in=[State.FINISHED, State.VERIFIED]) & (reported_here | Q(reported_by=user))
    return to_handle | to_verify


def extension_q() -> Q:
    """Open cases whose handler asked for more time, waiting for a supervisor's decision."""
    return Q(state__in=OPEN_STATES, extension_requested_days__gt=0)


@dataclass
class WorkItem:
    key: str  # the list it opens: todo, to_verify, to_rate, overdue, supervised, extension
    label: str
    count: int
    query: str  # the case list's query string that shows exactly these cases
    urgent: bool = False


def work_waiting(*, user: User) -> list[WorkItem]:
    """What waits for the user, counted in one query: each figure links to the list that shows it."""
    todo = todo_q(user)
    open_ = Q(state__in=OPEN_STATES)
    figures: dict[str, Q] = {
        "todo": todo,
        "to_verify": todo & Q(state=State.FINISHED),
        "to_rate": todo & Q(state=State.VERIFIED),
        "overdue": open_ & Q(deadline_status=DeadlineStatus.OVERDUE),
        "supervised": open_ & ~Q(supervision=""),
    }
    if user.has_perm(Cap.SUPERVISE_CASES):
        figures["extension"] = extension_q()
    counts = (
        cases_visible(user=user)
        .filter(state__in=[*OPEN_STATES, State.VERIFIED])
        .aggregate(**{key: Count("pk", filter=q) for key, q in figures.items()})
    )
    labels = {
        "todo": (_("My to-do"), "list=todo"),
        "to_verify": (_("To verify"), "list=todo&state=finished"),
        "to_rate": (_("To rate"), "list=todo&state=verified"),
        "overdue": (_("Overdue"), "list=overdue"),
        "supervised": (_("Supervised"), "list=supervised"),
        "extension": (_("Extensions to decide"), "list=extension"),
    }
    return [
        WorkItem(
            key=key,
            label=str(labels[key][0]),
            count=counts[key] or 0,
            query=labels[key][1],
            urgent=key in ("overdue", "supervised", "extension") and bool(counts[key]),
        )
        for key in figures
    ]


def case_list(*, user: User, filters: CaseFilters | None = None) -> QuerySet[Case]:
    filters = filters or CaseFilters()
    cases = cases_visible(user=user)
    if filters.list == "todo":
        cases = cases.filter(todo_q(user))
    elif filters.list == "extension":
        cases = cases.filter(extension_q())
    elif filters.list == "open":
        cases = cases.filter(state__in=OPEN_STATES)
    elif filters.list == "overdue":
        cases = cases.filter(state__in=OPEN_STATES, deadline_status=DeadlineStatus.OVERDUE)
    elif filters.list == "supervised":
        cases = cases.filter(state__in=OPEN_STATES).exclude(supervision="")
    if filters.category is not None:
        cases = cases.filter(Q(category=filters.category) | Q(category__parent=filters.category))
    if filters.state:
        cases = cases.filter(state=filters.state)
    if filters.source:
        cases = cases.filter(source=filters.source)
    if filters.region is not None:
        cases = cases.filter(region__path__startswith=filters.region.path)
    # Bounds as local midnights, so the index on reported_at serves the range (a __date lookup
    # converts every row: a full scan of half a million cases).
    if filters.since is not None:
        cases = cases.filter(reported_at__gte=_local_midnight(filters.since))
    if filters.until is not None:
        cases = cases.filter(reported_at__lt=_local_midnight(filters.until + timedelta(days=1)))
    if filters.q:
        cases = cases.filter(Q(number=filters.q.strip()) | Q(title__icontains=filters.q.strip()))
    return cases


def cases_of_person(*, user: User, person: Person) -> QuerySet[Case]:
    """The cases about a person that the user may see, newest first."""
    return cases_visible(user=user).filter(person=person).order_by("-reported_at", "-pk")


def deadline_counts(*, user: User, by: str = "assignee") -> list[dict[str, object]]:
    """Open, overdue, supervised and ever-overdue cases per handler (`assignee`) or per grid (`region`), in scope.

    The later assessment reads these; they count work and results, never time online.
    """
    key = {"assignee": ["assignee_id", "assignee__full_name"], "region": ["region_id", "region__name"]}[by]
    return list(
        cases_visible(user=user)
        .filter(state__in=OPEN_STATES)
        .values(*key)
        .annotate(
            open=Count("pk"),
            yellow=Count("pk", filter=Q(deadline_status=DeadlineStatus.YELLOW)),
            overdue=Count("pk", filter=Q(deadline_status=DeadlineStatus.OVERDUE)),
            supervised=Count("pk", filter=~Q(supervision="")),
            was_overdue=Count("pk", filter=Q(was_overdue=True)),
        )
        .order_by(*key)
    )


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
