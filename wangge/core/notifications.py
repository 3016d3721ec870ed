"""Notifications: an in-app message to whoever must act, and its delivery by a sender (SMS, e-mail …).

An app registers its kinds (`register(Kind(...))`, in its own `notifications.py`, imported by
`CoreConfig.ready`): who is told about a target and in what words. `notify(kind=..., target=...)`
writes the in-app rows in the caller's transaction; once it commits, `transaction.on_commit` puts
one task on the queue (`deliver_task`) that hands each row to the sender named
by `WANGGE_NOTIFY_BACKEND` (a dotted path to a class with `send(user, text)`; the default only
logs). A change that rolls back leaves no row and queues nothing; a sender that fails is retried by
the queue, and each row keeps its attempts, its last error and whether it was delivered. A row whose
task was lost (the queue down at the commit) is sent by the periodic round (`deliver_stranded`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules, import_string
from huey.contrib.djhuey import db_task

from wangge.core.models import Notification, User

logger = logging.getLogger(__name__)

TEXT_MAX = 200
ERROR_MAX = 200
DEFAULT_SENDER = "wangge.core.notifications.LogSender"
# A sender that fails is tried again after 1, 2, 4, 8 and 16 minutes, then the rows still unsent are marked failed.
RETRIES = 5
RETRY_DELAY_SECONDS = 60
RETRY_BACKOFF = 2


# --- kinds --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """What an app notifies about: `code` is `<app>.<name>` and stable (it is stored on each row)."""

    code: str
    label: str | Promise
    recipients: Callable[[Any], Iterable[User]]  # target → who must act
    text: Callable[[Any], str]  # target → the message, in the default language (rows keep it as written)
    link: Callable[[int], str] | None = None  # target's pk → the page the inbox opens


_kinds: dict[str, Kind] = {}
_discovered = False


def register(kind: Kind) -> Kind:
    if "." not in kind.code:
        raise ValueError(f"a notification kind's code is <app>.<name>: {kind.code!r}")
    if kind.code in _kinds and _kinds[kind.code] != kind:
        raise ValueError(f"notification kind {kind.code} registered twice")
    _kinds[kind.code] = kind
    return kind


def discover() -> None:
    """Import every app's `notifications.py` once (called from CoreConfig.ready)."""
    global _discovered
    if not _discovered:
        autodiscover_modules("notifications")
        _discovered = True


def get(code: str) -> Kind:
    return _kinds[code]


def registered() -> list[Kind]:
    return sorted(_kinds.values(), key=lambda k: k.code)


# --- writing ------------------------------------------------------------------------------------------

_silenced: ContextVar[bool] = ContextVar("wangge_notifications_silenced", default=False)


@contextmanager
def silenced() -> Iterator[None]:
    """No notifications inside (demo data and back-filled history notify nobody)."""
    token = _silenced.set(True)
    try:
        yield
    finally:
        _silenced.reset(token)


def is_silenced() -> bool:
    return _silenced.get()


def notify(*, kind: str, target: Model, extra_users: Sequence[int] = ()) -> list[Notification]:
    """Tell the kind's recipients (and the active users `extra_users`) about `target`, once this transaction commits.

    The rows are written now, in the caller's transaction; the sender is called by the queue after the commit.
    """
    if _silenced.get():
        return []
    registered_kind = get(kind)
    users = list(registered_kind.recipients(target))
    if extra_users:
        seen = {u.pk for u in users}
        users += [u for u in User.objects.filter(pk__in=extra_users, is_active=True).order_by("pk") if u.pk not in seen]
    if not users:
        return []
    text = str(registered_kind.text(target))[:TEXT_MAX]
    target_type = target._meta.label_lower
    made = Notification.objects.bulk_create(
        [Notification(user=u, kind=kind, text=text, target_type=target_type, target_id=target.pk) for u in users]
    )
    ids = [n.pk for n in made]
    transaction.on_commit(lambda: _enqueue(ids))
    return made


def _enqueue(ids: list[int]) -> None:
    deliver_task(ids)


# --- delivery -----------------------------------------------------------------------------------------


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
    return _sender_class(getattr(settings, "WANGGE_NOTIFY_BACKEND", DEFAULT_SENDER))()  # type: ignore[no-any-return]


class DeliveryFailed(Exception):
    """Some notifications could not be sent this time (the queue tries the task again)."""


def deliver(ids: Sequence[int], *, final: bool = True) -> int:
    """Hand each notification still waiting to the sender; how many were sent.

    Each row sent is marked at once, so a retry sends only what is still waiting. A failure is kept on
    its row (attempts, error); on the `final` attempt the row is marked failed, otherwise
    `DeliveryFailed` is raised for the queue to retry.
    """
    pending = Notification.Delivery.PENDING
    waiting = Notification.objects.filter(pk__in=ids, delivery=pending).order_by("pk").values_list("pk", flat=True)
    backend = sender()
    sent = failed = 0
    for pk in list(waiting):
        # One row at a time, locked while it is sent: a retry and the periodic round running at once
        # (a backed-up queue) never both send it; the one that finds it locked or sent passes on.
        with transaction.atomic():
            note = (
                Notification.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("user")
                .filter(pk=pk, delivery=pending)
                .first()
            )
            if note is None:
                continue
            try:
                backend.send(note.user, note.text)
            except Exception as exc:  # a failing SMS gateway is recorded and retried, never raised to the user
                logger.warning("notification %s to user %s not sent: %r", note.pk, note.user_id, exc)
                failed += 1
                _mark(note, error=repr(exc)[:ERROR_MAX], final=final)
                continue
            sent += 1
            _mark(note, error="", final=final)
    if failed and not final:
        raise DeliveryFailed(f"{failed} of {failed + sent} notifications not sent")
    return sent


@db_task(retries=RETRIES, retry_delay=RETRY_DELAY_SECONDS, retry_backoff=RETRY_BACKOFF, context=True)
def deliver_task(ids: list[int], task: Any = None) -> int:
    """Send the notifications a commit queued; what still fails is retried, and marked failed on the last try."""
    return deliver(ids, final=task is None or not task.retries)


# A row still waiting this long after it was written lost its queue task (the queue was down at the commit,
# or the worker died between retries): longer than the whole retry schedule above (1+2+4+8+16 minutes).
STRANDED_AFTER = timedelta(minutes=45)
STRANDED_BATCH = 500


def deliver_stranded(*, now: datetime | None = None) -> int:
    """Send, once more and for the last time, the rows whose queue task was lost; how many were sent."""
    cutoff = (now or timezone.now()) - STRANDED_AFTER
    ids = list(
        Notification.objects.filter(delivery=Notification.Delivery.PENDING, created_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)[:STRANDED_BATCH]
    )
    return deliver(ids, final=True) if ids else 0


def _mark(note: Notification, *, error: str, final: bool) -> None:
    note.attempts += 1
    note.error = error
    if not error:
        note.delivery = Notification.Delivery.SENT
        note.delivered_at = timezone.now()
    elif final:
        note.delivery = Notification.Delivery.FAILED
    note.save(update_fields=["attempts", "error", "delivery", "delivered_at"])


# --- reading ------------------------------------------------------------------------------------------


def inbox(*, user: User) -> QuerySet[Notification]:
    """The user's own notifications, newest first (a target that has left their scope is named, not opened)."""
    return Notification.objects.filter(user=user)


def unread_count(*, user: User) -> int:
    return inbox(user=user).filter(read_at__isnull=True).count()


def shown(notifications: Iterable[Notification]) -> list[tuple[Notification, str]]:
    """Each notification with the page it opens ("" when its kind gives none)."""
    rows = []
    for note in notifications:
        kind = _kinds.get(note.kind)
        link = kind.link(note.target_id) if kind and kind.link and note.target_id is not None else ""
        rows.append((note, link))
    return rows


@transaction.atomic
def mark_read(*, actor: User, ids: Sequence[int] | None = None) -> int:
    """Mark the actor's own notifications read (all, or the given ones); a read receipt, not audited."""
    unread = inbox(user=actor).filter(read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())
