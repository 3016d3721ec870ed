"""The cases app's notification kinds (wangge/cases/notifications.py) on core's notifications."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import Tree
from wangge.cases.choices import Action
from wangge.cases.models import Case
from wangge.cases.notifications import RECIPIENTS
from wangge.core import notifications
from wangge.core.models import Notification, User
from wangge.core.roles import Role


def test_every_case_action_that_notifies_is_a_registered_kind() -> None:
    codes = {k.code for k in notifications.registered()}
    assert {f"cases.{action}" for action in RECIPIENTS} <= codes
    assert notifications.get("cases.dispatch").label == Action.DISPATCH.label


def test_the_inbox_opens_the_case_a_notification_is_about(
    new_case: Callable[..., Case],
    client_for: Callable[..., Client],
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    client = client_for(Role.GRID_WORKER)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        case = new_case("reported")
    note = Notification.objects.get(user=client.user)  # type: ignore[attr-defined]
    assert note.kind == "cases.report" and note.delivery == Notification.Delivery.SENT  # the queue sent it
    page = client.get(reverse("cases:notifications")).content.decode()
    assert f'href="{reverse("cases:detail", args=[case.pk])}"' in page and case.title in page


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("restore_migrations")
def test_the_migration_moves_the_case_notifications_to_core_and_back(
    tree: Tree, new_case: Callable[..., Case], make_user: Callable[..., User]
) -> None:
    worker = make_user(Role.GRID_WORKER)
    case = new_case("reported")
    Notification.objects.all().delete()
    before = [("cases", "0011_public_callers")]
    after = [("cases", "0013_notification_dropped")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("cases", "Notification")
    now = timezone.now()
    old.objects.create(id=5, user_id=worker.pk, case_id=case.pk, kind="dispatch", text="派给你了", created_at=now)
    old.objects.create(id=6, user_id=worker.pk, case_id=None, kind="warn", text="快到期", created_at=now, read_at=now)

    MigrationExecutor(connection).migrate(after)

    moved = list(
        Notification.objects.order_by("id").values_list("id", "kind", "target_type", "target_id", "delivery", "read_at")
    )
    assert moved == [
        (5, "cases.dispatch", "cases.case", case.pk, "sent", None),
        (6, "cases.warn", "", None, "sent", now),
    ]
    assert Notification.objects.create(user=worker, kind="cases.report", text="x").pk > 6  # the sequence moved on
    Notification.objects.filter(pk__gt=6).delete()

    executor = MigrationExecutor(connection)
    executor.migrate(before)
    back = executor.loader.project_state(before).apps.get_model("cases", "Notification")
    assert list(back.objects.order_by("id").values_list("id", "kind", "case_id")) == [
        (5, "dispatch", case.pk),
        (6, "warn", None),
    ]
    assert not Notification.objects.exists()
    MigrationExecutor(connection).migrate(after)
