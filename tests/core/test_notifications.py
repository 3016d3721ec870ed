"""Notifications (wangge/core/notifications.py): rows written with the change, sent by the queue after the commit."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import pytest
from django.db import transaction
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from tests.conftest import Tree
from wangge.core import notifications
from wangge.core.models import Notification, User
from wangge.core.roles import Role
from wangge.regions.models import Region

Delivery = Notification.Delivery


class RecordingSender:
    """A sender that keeps what it sent; it fails while `failures` is above zero (a gateway that is down)."""

    sent: ClassVar[list[tuple[str, str]]] = []
    failures: ClassVar[int] = 0

    def send(self, user: User, text: str) -> None:
        if RecordingSender.failures > 0:
            RecordingSender.failures -= 1
            raise ConnectionError("SMS gateway unreachable")
        RecordingSender.sent.append((user.username, text))


@pytest.fixture(autouse=True)
def sender(settings: Any) -> Iterator[type[RecordingSender]]:
    settings.WANGGE_NOTIFY_BACKEND = f"{__name__}.RecordingSender"
    RecordingSender.sent = []
    RecordingSender.failures = 0
    yield RecordingSender


@pytest.fixture
def queue() -> Iterator[Any]:
    """The configured queue, not run at once: tasks wait for `work` (a worker) to take them."""
    HUEY.immediate = False
    HUEY.flush()
    yield HUEY
    HUEY.flush()


def work(*, later: timedelta = timedelta(0)) -> int:
    """Run what the worker would run `later` from now: the queued tasks, then the retries due by then."""
    ran = 0
    while (task := HUEY.dequeue()) is not None:
        HUEY.execute(task)
        ran += 1
    now = datetime.now(UTC).replace(tzinfo=None) if HUEY.utc else datetime.now()  # the queue's clock
    for task in HUEY.read_schedule(now + later):
        HUEY.execute(task, timestamp=now + later)
        ran += 1
    return ran


notifications.register(
    notifications.Kind(
        code="tests.grid_hello",
        label="hello",
        recipients=lambda region: User.objects.filter(scopes__region=region).order_by("pk"),
        text=lambda region: f"{region.name}: 你好",
        link=lambda pk: f"/regions/{pk}/",
    )
)


@pytest.fixture
def worker(make_user: Callable[..., User]) -> User:
    return make_user(Role.GRID_WORKER)


def _notify(grid: Region, **kwargs: Any) -> list[Notification]:
    return notifications.notify(kind="tests.grid_hello", target=grid, **kwargs)


def test_a_notification_in_a_transaction_that_rolls_back_is_never_sent(
    tree: Tree, worker: User, queue: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        assert len(_notify(tree.grid_a1)) == 1
        raise RuntimeError("the change failed")
    assert callbacks == []
    assert work() == 0
    assert not Notification.objects.exists() and RecordingSender.sent == []


@pytest.mark.django_db(transaction=True)  # the worker closes its connection after a task
def test_a_committed_notification_is_sent_by_the_queue_not_by_the_commit(tree: Tree, worker: User, queue: Any) -> None:
    with transaction.atomic():
        (note,) = _notify(tree.grid_a1)
    note.refresh_from_db()
    assert note.delivery == Delivery.PENDING and RecordingSender.sent == []  # the request sent nothing
    assert queue.pending_count() == 1

    assert work() == 1

    note.refresh_from_db()
    assert RecordingSender.sent == [(worker.username, "第一网格: 你好")]
    assert note.delivery == Delivery.SENT and note.attempts == 1 and note.delivered_at is not None
    assert note.target_type == "regions.region" and note.target_id == tree.grid_a1.pk
    assert work(later=timedelta(days=1)) == 0  # nothing left to send


@pytest.mark.django_db(transaction=True)  # the worker closes its connection after a task
def test_a_failing_sender_is_retried_and_each_row_sent_once(
    tree: Tree, make_user: Callable[..., User], queue: Any
) -> None:
    first, second = make_user(Role.GRID_WORKER), make_user(Role.GRID_WORKER)
    RecordingSender.failures = 1  # the first of the two sends fails, once
    with transaction.atomic():
        _notify(tree.grid_a1)

    work()
    rows = {n.user_id: n for n in Notification.objects.all()}
    assert rows[first.pk].delivery == Delivery.PENDING and rows[first.pk].attempts == 1
    assert "SMS gateway unreachable" in rows[first.pk].error
    assert rows[second.pk].delivery == Delivery.SENT
    assert queue.scheduled_count() == 1  # the queue tries again later

    work(later=timedelta(minutes=2))

    rows = {n.user_id: n for n in Notification.objects.all()}
    assert rows[first.pk].delivery == Delivery.SENT and rows[first.pk].attempts == 2 and not rows[first.pk].error
    assert sorted(RecordingSender.sent) == sorted(
        [(first.username, "第一网格: 你好"), (second.username, "第一网格: 你好")]
    )


@pytest.mark.django_db(transaction=True)  # the worker closes its connection after a task
def test_a_sender_that_keeps_failing_is_marked_failed_after_the_last_retry(
    tree: Tree, worker: User, queue: Any
) -> None:
    RecordingSender.failures = 100
    with transaction.atomic():
        (note,) = _notify(tree.grid_a1)

    tries = 0
    while ran := work(later=timedelta(hours=1)):  # each retry a little later than the one before
        tries += ran

    note.refresh_from_db()
    assert tries == notifications.RETRIES + 1
    assert note.delivery == Delivery.FAILED and note.attempts == notifications.RETRIES + 1
    assert "SMS gateway unreachable" in note.error and RecordingSender.sent == []


def test_extra_users_are_told_once_and_inactive_ones_not_at_all(
    tree: Tree, worker: User, make_user: Callable[..., User]
) -> None:
    elsewhere = make_user(Role.GRID_WORKER, scope="grid_b1")
    gone = make_user(Role.GRID_WORKER, scope="grid_b1")
    User.objects.filter(pk=gone.pk).update(is_active=False)

    made = _notify(tree.grid_a1, extra_users=[worker.pk, elsewhere.pk, gone.pk])

    assert [n.user_id for n in made] == [worker.pk, elsewhere.pk]


def test_silenced_writes_nothing(tree: Tree, worker: User) -> None:
    with notifications.silenced():
        assert _notify(tree.grid_a1) == []
    assert not Notification.objects.exists()


def test_the_inbox_reads_the_users_own_with_the_kinds_link(tree: Tree, worker: User, make_user: Any) -> None:
    other = make_user(Role.GRID_WORKER)
    _notify(tree.grid_a1)

    rows = notifications.shown(notifications.inbox(user=worker))

    assert [(n.user_id, link) for n, link in rows] == [(worker.pk, f"/regions/{tree.grid_a1.pk}/")]
    assert notifications.unread_count(user=worker) == 1
    assert notifications.mark_read(actor=other) == 1  # the other's own, not the worker's
    assert notifications.unread_count(user=worker) == 1
    assert notifications.mark_read(actor=worker) == 1 and notifications.unread_count(user=worker) == 0


def test_a_kind_code_names_its_app() -> None:
    with pytest.raises(ValueError, match=r"<app>\.<name>"):
        notifications.register(notifications.Kind(code="hello", label="", recipients=list, text=str))


def test_a_notification_whose_queue_task_was_lost_is_sent_by_the_periodic_round(
    tree: Tree, worker: User, queue: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False):  # the commit's task never reaches the queue
        (note,) = _notify(tree.grid_a1)
    assert work() == 0 and RecordingSender.sent == []

    assert notifications.deliver_stranded() == 0  # a fresh row may still be on its way: left alone
    later = timezone.now() + notifications.STRANDED_AFTER + timedelta(minutes=1)
    assert notifications.deliver_stranded(now=later) == 1

    note.refresh_from_db()
    assert note.delivery == Delivery.SENT and RecordingSender.sent == [(worker.username, "第一网格: 你好")]
    assert notifications.deliver_stranded(now=later) == 0  # sent once
