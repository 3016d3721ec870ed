"""The periodic sweep: yellow, overdue, escalation rules, closing unrated cases; counts per handler and grid."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.cases.conftest import at
from tests.conftest import Tree
from wangge.cases import selectors
from wangge.cases.choices import Action, DeadlineStatus, State
from wangge.cases.models import Case, CaseStep, EscalationRule
from wangge.cases.services import case_act
from wangge.cases.tasks import sweep_deadlines
from wangge.core.models import Notification, User
from wangge.core.roles import Role

pytestmark = pytest.mark.usefixtures("clock")


def test_a_case_turns_yellow_then_overdue(new_case: Callable[..., Case]) -> None:
    case = new_case("handling")  # dispatched Monday 09:00, due Wednesday 17:30 (17.5 office hours)
    assert sweep_deadlines(now=at("2026-11-24T14:00")) == {"yellow": 0, "overdue": 0, "closed": 0}
    assert sweep_deadlines(now=at("2026-11-25T11:00"))["yellow"] == 1  # 16 of 17.5 office hours used
    case.refresh_from_db()
    assert case.deadline_status == DeadlineStatus.YELLOW
    assert sweep_deadlines(now=at("2026-11-25T12:00")) == {"yellow": 0, "overdue": 0, "closed": 0}  # once
    assert sweep_deadlines(now=at("2026-11-25T17:31"))["overdue"] == 1
    case.refresh_from_db()
    assert case.deadline_status == DeadlineStatus.OVERDUE and case.was_overdue
    assert [s.action for s in CaseStep.objects.filter(case=case)][-2:] == [Action.WARN, Action.OVERDUE]


def test_a_paused_case_does_not_go_overdue(new_case: Callable[..., Case]) -> None:
    case = new_case("handling_paused")
    assert sweep_deadlines(now=at("2026-12-31T10:00"))["overdue"] == 0
    case.refresh_from_db()
    assert case.deadline_status == DeadlineStatus.ON_TIME


def test_an_overdue_rule_raises_the_level_supervises_and_copies(
    tree: Tree,
    new_case: Callable[..., Case],
    make_user: Callable[..., User],
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    case = new_case("handling")
    rule = EscalationRule.objects.create(
        category=case.category.parent, trigger="overdue", raise_to="community", supervision="yellow"
    )
    rule.copy_regions.add(tree.street_a)
    street = make_user(Role.STREET_SUPERVISOR)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        sweep_deadlines(now=at("2026-11-26T09:00"))
    case.refresh_from_db()
    assert case.state == State.REPORTED and case.handling_region == tree.community_a
    assert case.supervision == "yellow" and case.was_overdue
    assert Notification.objects.filter(user=street, target_id=case.pk, kind="cases.overdue").exists()


def test_an_unrated_case_closes_after_the_rating_time(new_case: Callable[..., Case]) -> None:
    case = new_case("verified")  # verified Monday: 3 working days to rate
    assert sweep_deadlines(now=at("2026-11-26T17:00"))["closed"] == 0
    assert sweep_deadlines(now=at("2026-11-26T17:31"))["closed"] == 1
    case.refresh_from_db()
    assert case.state == State.CLOSED and case.rating is None


def test_counts_per_handler_and_grid(new_case: Callable[..., Case], make_user: Callable[..., User]) -> None:
    worker = make_user(Role.GRID_WORKER)
    staff = make_user(Role.COMMUNITY_STAFF)
    case = new_case("accepted")
    case_act(actor=staff, case=case, action=Action.DISPATCH, assignee=worker)
    case_act(actor=staff, case=case, action=Action.SUPERVISE, level="red")
    new_case("handling")
    sweep_deadlines(now=at("2026-11-26T09:00"))
    by_handler = {row["assignee_id"]: row for row in selectors.deadline_counts(user=staff, by="assignee")}
    assert by_handler[worker.pk]["overdue"] == 1 and by_handler[worker.pk]["supervised"] == 1
    by_grid = selectors.deadline_counts(user=staff, by="region")
    assert by_grid[0]["region__name"] == "第一网格" and by_grid[0]["overdue"] == 2
