"""Notifications to whoever must act on a case: in-app rows, plus a pluggable sender (SMS, e-mail …).

The sender backend is named by `WANGGE_NOTIFY_BACKEND` (a dotted path to a class with
`send(user, text)`); the default only logs. Notifications are queued with
`transaction.on_commit`, so a change that rolls back notifies nobody.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from wangge.cases.choices import Action
from wangge.cases.models import Case, Notification
from wangge.core.models import User
from wangge.core.roles import Role
from wangge.regions.models import Level, Region

logger = logging.getLogger(__name__)

CASE_STAFF_ROLES = [Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.STREET_SUPERVISOR]
SUPERVISOR_ROLES = [Role.COMMUNITY_STAFF, Role.STREET_SUPERVISOR]


class Sender(Protocol):
    def send(self, user: User, text: str) -> None: ...


class LogSender:
    """The default sender: writes a log line instead of an SMS or e-mail."""

    def send(self, user: User, text: str) -> None:
        logger.info("notify %s: %s", user.username, text)


@cache
def _sender_class(path: str) -> Any:
    return import_string(path)


def sender() -> Sender:
    return _sender_class(getattr(settings, "WANGGE_NOTIFY_BACKEND", "wangge.cases.notify.LogSender"))()  # type: ignore[no-any-return]


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


def _deliver(case_id: int, kind: str, extra_users: list[int]) -> None:
    case = Case.all_objects.select_related("region", "handling_region", "assignee", "reported_by").get(pk=case_id)
    users = RECIPIENTS[kind](case)  # type: ignore[index]
    if extra_users:
        users += [u for u in User.objects.filter(pk__in=extra_users, is_active=True) if u not in users]
    if not users:
        return
    # Messages are stored in the default language; the in-app list shows them as written.
    text = str(MESSAGES[kind]) % {"number": case.number, "title": case.title, "rating": case.rating or ""}  # type: ignore[index]
    Notification.objects.bulk_create([Notification(user=u, case=case, kind=kind, text=text[:200]) for u in users])
    backend = sender()
    for user in users:
        try:
            backend.send(user, text)
        except Exception:  # a failing SMS gateway must not break the workflow
            logger.exception("notification backend failed for user %s", user.pk)


_silenced: ContextVar[bool] = ContextVar("wangge_notifications_silenced", default=False)


@contextmanager
def silenced() -> Iterator[None]:
    """No notifications inside (demo data and back-filled history notify nobody)."""
    token = _silenced.set(True)
    try:
        yield
    finally:
        _silenced.reset(token)


def queue(case: Case, kind: str, *, extra_users: list[int] | None = None) -> None:
    """Notify the people who must act on `kind`, once the current transaction commits."""
    if kind not in RECIPIENTS or _silenced.get():
        return
    case_id, extra = case.pk, list(extra_users or [])
    transaction.on_commit(lambda: _deliver(case_id, kind, extra))
