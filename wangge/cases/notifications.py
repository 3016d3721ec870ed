"""The cases app's notification kinds: who must act on each case action, and what they are told.

Registered with `wangge.core.notifications` (one kind per action, `cases.<action>`); rows, the queue
and the sender are core's. `queue(case, action)` is how the case services notify.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wangge.cases.choices import Action
from wangge.cases.models import Case
from wangge.core import notifications
from wangge.core.models import User
from wangge.core.roles import Role
from wangge.regions.models import Level, Region

CASE_STAFF_ROLES = [Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.STREET_SUPERVISOR]
SUPERVISOR_ROLES = [Role.COMMUNITY_STAFF, Role.STREET_SUPERVISOR]


# --- who must act -----------------------------------------------------------------------------------


def _users_scoped_at(regions: Iterable[Region], roles: Sequence[str]) -> list[User]:
    ids = [r.pk for r in regions]
    return list(
        User.objects.filter(is_active=True, scopes__region_id__in=ids, roles__role__in=roles).distinct().order_by("pk")
    )


def handlers(case: Case) -> list[User]:
    """The assignee; else the department's handlers over the case's area; else the staff of the handling region."""
    if case.assignee_id is not None:
        return [case.assignee]  # type: ignore[list-item]
    if case.department:
        return department_handlers(case) or stand_ins(case)
    return _users_scoped_at([case.handling_region], CASE_STAFF_ROLES)


def department_handlers(case: Case) -> list[User]:
    """The handlers of the case's department whose scope covers its grid."""
    ancestors = [*case.region.ancestor_ids, case.region_id]
    return list(
        User.objects.filter(
            Q(scopes__region_id__in=ancestors),
            is_active=True,
            department=case.department,
            roles__role=Role.DEPARTMENT_HANDLER,
        )
        .distinct()
        .order_by("pk")
    )


def stand_ins(case: Case) -> list[User]:
    """Who is told of a case routed to a department that has no handler account here: the community and
    street staff over its grid, so the case does not sit unseen."""
    above = Region.all_objects.filter(
        pk__in=case.region.ancestor_ids, level__in=[Level.COMMUNITY, Level.STREET], is_active=True
    )
    return _users_scoped_at(above, SUPERVISOR_ROLES)


def supervisors(case: Case) -> list[User]:
    """Supervising staff scoped at a region above the one handling the case."""
    above = Region.all_objects.filter(pk__in=case.handling_region.ancestor_ids)
    return _users_scoped_at(above, SUPERVISOR_ROLES)


def reporting_staff(case: Case) -> list[User]:
    users = _users_scoped_at([case.region], CASE_STAFF_ROLES)
    if case.reported_by is not None and case.reported_by not in users:
        users.append(case.reported_by)
    return users


RECIPIENTS = {
    Action.REPORT: handlers,
    Action.ESCALATE: handlers,
    Action.DISPATCH: handlers,
    Action.RETURN: handlers,
    Action.VERIFY_FAIL: handlers,
    Action.SUPERVISE: handlers,
    Action.APPROVE_EXTENSION: handlers,
    Action.REFUSE_EXTENSION: handlers,
    Action.RATE: handlers,
    Action.WARN: handlers,
    Action.OVERDUE: lambda case: handlers(case) + [u for u in supervisors(case) if u not in handlers(case)],
    Action.REQUEST_EXTENSION: supervisors,
    Action.FINISH: reporting_staff,
}

MESSAGES = {
    Action.REPORT: _("New case %(number)s: %(title)s"),
    Action.ESCALATE: _("Case %(number)s was escalated to you: %(title)s"),
    Action.DISPATCH: _("Case %(number)s was dispatched to you: %(title)s"),
    Action.RETURN: _("Case %(number)s was sent back: %(title)s"),
    Action.VERIFY_FAIL: _("Case %(number)s failed verification: %(title)s"),
    Action.SUPERVISE: _("Case %(number)s is under supervision: %(title)s"),
    Action.APPROVE_EXTENSION: _("Extension approved for case %(number)s"),
    Action.REFUSE_EXTENSION: _("Extension refused for case %(number)s"),
    Action.RATE: _("Case %(number)s was rated %(rating)s"),
    Action.WARN: _("Case %(number)s is near its deadline: %(title)s"),
    Action.OVERDUE: _("Case %(number)s is overdue: %(title)s"),
    Action.REQUEST_EXTENSION: _("Case %(number)s asks for an extension"),
    Action.FINISH: _("Case %(number)s is finished and waits for verification"),
}


def code(action: str) -> str:
    """The notification kind of a case action."""
    return f"cases.{action}"


def _fresh(case: Case) -> Case:
    """The case as this transaction left it, with what the recipients and the text read."""
    return Case.all_objects.select_related("region", "handling_region", "assignee", "reported_by").get(pk=case.pk)


def _text(action: str, case: Case) -> str:
    # Messages are stored in the default language; the in-app list shows them as written.
    return str(MESSAGES[action]) % {"number": case.number, "title": case.title, "rating": case.rating or ""}  # type: ignore[index]


def _link(case_id: int) -> str:
    return reverse("cases:detail", args=[case_id])


def _kind(action: str) -> notifications.Kind:
    return notifications.Kind(
        code=code(action),
        label=Action(action).label,
        recipients=RECIPIENTS[action],  # type: ignore[index]
        text=lambda case: _text(action, case),
        link=_link,
    )


for _action in RECIPIENTS:
    notifications.register(_kind(_action))


def queue(case: Case, action: str, *, extra_users: Sequence[int] = ()) -> None:
    """Notify the people who must act on `action` (and `extra_users`); sent once the current transaction commits."""
    if action in RECIPIENTS and not notifications.is_silenced():
        notifications.notify(kind=code(action), target=_fresh(case), extra_users=extra_users)
