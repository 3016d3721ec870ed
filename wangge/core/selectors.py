from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.core.errors import NotFound
from wangge.core.models import ApiToken, AuditEvent, LoginFailure, User
from wangge.core.refusals import UnusualRefusals, refusals_unusual
from wangge.core.roles import Cap


def audit_search(*, actor: User, filters: dict[str, Any]) -> QuerySet[AuditEvent]:
    """The auditor's search. The caller records the search itself in the trail."""
    if not actor.has_perm(Cap.READ_AUDIT):
        raise PermissionDenied(_("Only the auditor reads the audit trail."))
    qs = AuditEvent.objects.all()
    if filters.get("username"):
        qs = qs.filter(username__icontains=filters["username"])
    if filters.get("actor_kind"):  # "staff": the rows of staff users and the system
        qs = qs.filter(actor_kind="" if filters["actor_kind"] == "staff" else filters["actor_kind"])
    if filters.get("action"):
        qs = qs.filter(action__startswith=filters["action"])
    if filters.get("object_type"):
        qs = qs.filter(object_type=filters["object_type"])
    if filters.get("object_id"):
        qs = qs.filter(object_id=filters["object_id"])
    if filters.get("result"):
        qs = qs.filter(result=filters["result"])
    if filters.get("since"):
        qs = qs.filter(at__gte=filters["since"])
    if filters.get("until"):
        qs = qs.filter(at__lte=filters["until"])
    if filters.get("request_id"):
        qs = qs.filter(request_id=filters["request_id"])
    return qs.order_by("-id")


def who_revealed(*, actor: User, object_type: str, object_id: str) -> QuerySet[AuditEvent]:
    """Who saw this object's sensitive fields in full — one query."""
    return audit_search(actor=actor, filters={"object_type": object_type, "object_id": object_id, "action": "reveal"})


def what_user_viewed(*, actor: User, user_id: int) -> QuerySet[AuditEvent]:
    """What did this user look at, reveal or export — one query."""
    if not actor.has_perm(Cap.READ_AUDIT):
        raise PermissionDenied(_("Only the auditor reads the audit trail."))
    return (
        AuditEvent.objects.filter(user_id=user_id)
        .filter(action__regex=r"^(reveal|export|view|audit\.search)")
        .order_by("-id")
    )


def user_list(*, actor: User) -> QuerySet[User]:
    if not actor.has_perm(Cap.MANAGE_USERS):
        raise PermissionDenied(_("You do not have permission to do this."))
    return User.objects.prefetch_related("roles").order_by("username")


def user_get(*, actor: User, user_id: int) -> User:
    """One user the actor manages, or `NotFound`."""
    user = user_list(actor=actor).filter(pk=user_id).first()
    if user is None:
        raise NotFound
    return user


def lockouts_current(*, actor: User) -> QuerySet[LoginFailure]:
    if not actor.has_perm(Cap.MANAGE_SECURITY):
        raise PermissionDenied(_("You do not have permission to do this."))
    # An account's failures at one address matter only once they lock it (security administrators).
    pairs_not_locked = Q(kind=LoginFailure.Kind.PAIR) & ~Q(locked_until__gt=timezone.now())
    return LoginFailure.objects.exclude(pairs_not_locked).order_by("-last_failure_at")


def refusals_to_review(*, actor: User) -> list[UnusualRefusals]:
    """Users refused access to resident data unusually often in the last day (for the security administrator)."""
    if not actor.has_perm(Cap.MANAGE_SECURITY):
        raise PermissionDenied(_("You do not have permission to do this."))
    return refusals_unusual(hours=24)


def tokens_of(*, actor: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=actor)
