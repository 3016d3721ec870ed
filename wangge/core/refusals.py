"""Denied access to resident data, counted per user and hour, and shown to the security administrator.

Three kinds are counted (`AccessRefusal.Kind`): a record outside the user's scope asked for by its id
(`get_in_scope`, answered 404 at the edge), a refused reveal, and an ID number found registered outside the
user's scope by the duplicate check. One row per user, kind and hour holds the count: a grid worker
asking for 1,200 foreign records adds 1,200 to one row, not 1,200 rows to the trail.

A service refuses by raising an exception that carries a `Refusal`; `refusals_recorded` (outside the
service's transaction, which the exception rolls back) counts it and, for the few refusals that are
audited one by one, writes their audit row.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
from django.db.models import F, Max, Sum
from django.utils import timezone

from wangge.core.audit import audit_record
from wangge.core.errors import NotFound
from wangge.core.models import AccessRefusal, AuditEvent, User

Kind = AccessRefusal.Kind
P = ParamSpec("P")
R = TypeVar("R")
M = TypeVar("M", bound=models.Model)


def _hour(now: datetime) -> datetime:
    return now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def refusal_record(
    *, user: Any, kind: str, object_type: str = "", object_id: object = "", n: int = 1, now: datetime | None = None
) -> int:
    """Count `n` refusals of `user` in the current hour; return the hour's count. The system (None) is not counted."""
    if user is None or not getattr(user, "is_authenticated", False) or n <= 0:
        return 0
    now = now or timezone.now()
    hour = _hour(now)
    last = f"{object_type}:{object_id}"[:80] if object_type else ""
    rows = AccessRefusal.objects.filter(user=user, kind=kind, hour=hour)
    changes: dict[str, Any] = {"count": F("count") + n, "last_at": now, **({"last_object": last} if last else {})}
    with transaction.atomic():
        if not rows.update(**changes):
            try:
                with transaction.atomic():
                    AccessRefusal.objects.create(
                        user=user, kind=kind, hour=hour, count=n, last_at=now, last_object=last
                    )
            except IntegrityError:  # another request created the hour's row first
                rows.update(**changes)
    return refusal_count(user=user, kind=kind, now=now)


def refusal_count(*, user: Any, kind: str, now: datetime | None = None) -> int:
    """This hour's refusals of one kind for `user`."""
    hour = _hour(now or timezone.now())
    return AccessRefusal.objects.filter(user=user, kind=kind, hour=hour).values_list("count", flat=True).first() or 0


def get_in_scope(queryset: models.QuerySet[M], *, user: Any, pk: object) -> M:
    """One record of a scoped read, or `NotFound` (a 404 at the edge); one that exists outside the user's scope is
    counted as refused."""
    obj = queryset.filter(pk=pk).first()
    if obj is not None:
        return obj
    model = queryset.model
    scoped = getattr(model, "objects")  # noqa: B009  (every region-bound model's scoped manager)
    if model._base_manager.filter(pk=pk).exists() and not scoped.for_user(user).filter(pk=pk).exists():
        refusal_record(user=user, kind=Kind.OUT_OF_SCOPE, object_type=model._meta.label_lower, object_id=pk)
    raise NotFound


# --- refusals raised by services ------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """What a refused service call leaves behind: a count, and an audit row when `audit_action` is set."""

    kind: str
    object_type: str = ""
    object_id: str = ""
    audit_action: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


class AccessRefused(PermissionDenied):
    """A 403 that is counted (see `refusals_recorded`)."""

    def __init__(self, message: str, refusal: Refusal) -> None:
        super().__init__(message)
        self.refusal = refusal


def refusals_recorded(func: Callable[P, R]) -> Callable[P, R]:
    """Count (and audit) the refusal an exception of `func` carries as `.refusal`, after `func`'s rollback."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except Exception as exc:
            refusal = getattr(exc, "refusal", None)
            actor = kwargs.get("actor")
            if isinstance(refusal, Refusal) and isinstance(actor, User):
                with transaction.atomic():
                    refusal_record(
                        user=actor, kind=refusal.kind, object_type=refusal.object_type, object_id=refusal.object_id
                    )
                    if refusal.audit_action:
                        audit_record(
                            actor=actor,
                            action=refusal.audit_action,
                            object_type=refusal.object_type,
                            object_id=refusal.object_id,
                            result=AuditEvent.Result.DENIED,
                            detail=refusal.detail,
                        )
            raise

    return wrapper


KEEP_DAYS = 90  # refusal counters older than this are dropped by the nightly maintenance


def refusals_prune(*, now: datetime | None = None) -> int:
    """Drop the counters of hours older than `KEEP_DAYS`; return how many rows went."""
    removed, _detail = AccessRefusal.objects.filter(
        hour__lt=(now or timezone.now()) - timedelta(days=KEEP_DAYS)
    ).delete()
    return removed


# --- what the security administrator sees ----------------------------------------------------------------


@dataclass
class UnusualRefusals:
    user: User
    counts: dict[str, int]
    total: int
    last_at: datetime


def refusals_unusual(*, hours: int = 24, now: datetime | None = None) -> list[UnusualRefusals]:
    """Users refused at least `WANGGE_REFUSALS_UNUSUAL` times in the last `hours`, most refused first."""
    since = _hour(now or timezone.now()) - timedelta(hours=hours - 1)
    rows = (
        AccessRefusal.objects.filter(hour__gte=since)
        .values("user_id", "kind")
        .annotate(n=Sum("count"), last=Max("last_at"))
        .order_by()
    )
    per_user: dict[int, dict[str, Any]] = {}
    for row in rows:
        entry = per_user.setdefault(row["user_id"], {"counts": {}, "last": row["last"]})
        entry["counts"][row["kind"]] = row["n"]
        entry["last"] = max(entry["last"], row["last"])
    threshold = settings.WANGGE_REFUSALS_UNUSUAL
    flagged = {pk: e for pk, e in per_user.items() if sum(e["counts"].values()) >= threshold}
    users = User.objects.in_bulk(list(flagged))
    found = [
        UnusualRefusals(
            users[pk], {k: e["counts"].get(k, 0) for k in Kind.values}, sum(e["counts"].values()), e["last"]
        )
        for pk, e in flagged.items()
        if pk in users
    ]
    return sorted(found, key=lambda r: (-r.total, r.user.username))
