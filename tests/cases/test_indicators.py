"""The cases app's figures, read through the indicator interface, equal counting the cases by hand."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.utils import translation

from tests.conftest import Tree
from wangge.cases import services
from wangge.cases.choices import Action, State
from wangge.cases.models import Case
from wangge.cases.stats import region_report
from wangge.core import indicators
from wangge.core.actors import SYSTEM
from wangge.core.indicators import Direction, Period
from wangge.core.models import User
from wangge.core.roles import Role


@pytest.fixture
def cases(
    tree: Tree, new_case: Callable[..., Case], make_user: Callable[..., User], clock: time_machine.Coordinates
) -> dict[str, object]:
    """November 2026 in 甲社区 (its grid and micro-grid), one case in 乙社区, one in October."""
    worker = make_user(Role.GRID_WORKER)  # scope grid_a1
    made = [
        new_case("closed"),
        new_case("closed", region=tree.micro_a1),
        new_case("closed"),  # closed late
        new_case("handling"),  # overdue now
        new_case("handling"),
        new_case("rejected"),
        new_case("reported", region=tree.micro_a1),
        new_case("verified"),
    ]
    Case.all_objects.filter(pk=made[2].pk).update(was_overdue=True)
    Case.all_objects.filter(pk=made[3].pk).update(deadline_status="overdue", was_overdue=True)
    mine = new_case("reported")
    for action, data in (
        (Action.ACCEPT, {}),
        (Action.DISPATCH, {"assignee": worker}),
        (Action.FINISH, {}),
        (Action.VERIFY_PASS, {}),
        (Action.RATE, {"rating": 3}),
    ):
        clock.shift(timedelta(hours=5))
        mine = services.case_act(actor=SYSTEM, case=mine, action=action, **data)
    outside = new_case("closed", region=tree.grid_b1)
    october = new_case("closed")
    Case.all_objects.filter(pk=october.pk).update(reported_at=october.reported_at - timedelta(days=40))
    ours = [Case.all_objects.get(pk=c.pk) for c in [*made, mine]]
    return {"ours": ours, "mine": mine, "worker": worker, "outside": outside, "october": october}


NOVEMBER = Period.month(2026, 11)


def by_hand(ours: list[Case]) -> dict[str, tuple[object, set[int]]]:
    """Each figure and the cases it counts, computed here without the cases app's definitions."""
    closed = [c for c in ours if c.state == State.CLOSED]
    on_time = [c for c in closed if not c.was_overdue]
    rated = [c for c in ours if c.rating is not None]
    hours = [(c.closed_at - c.reported_at).total_seconds() / 3600 for c in closed]  # type: ignore[operator]
    return {
        "cases.received": (len(ours), {c.pk for c in ours}),
        "cases.accepted": (
            len([c for c in ours if c.state not in (State.REPORTED, State.REJECTED, State.MERGED)]),
            {c.pk for c in ours if c.state not in (State.REPORTED, State.REJECTED, State.MERGED)},
        ),
        "cases.closed": (len(closed), {c.pk for c in closed}),
        "cases.closed_on_time": (len(on_time), {c.pk for c in on_time}),
        "cases.on_time_rate": (round(100 * len(on_time) / len(closed), 1), {c.pk for c in closed}),
        "cases.overdue": (1, {ours[3].pk}),
        "cases.handling_hours": (round(sum(hours) / len(hours), 1), {c.pk for c in closed}),
        "cases.satisfaction": (
            round(sum(c.rating for c in rated) / len(rated), 2),  # type: ignore[misc]
            {c.pk for c in rated},
        ),
    }


def test_every_figure_of_a_community_equals_counting_its_cases(tree: Tree, cases: dict[str, object]) -> None:
    expected = by_hand(cases["ours"])  # type: ignore[arg-type]
    assert {i.code for i in indicators.registered() if i.code.startswith("cases.")} == set(expected)
    for code, (value, rows) in expected.items():
        indicator = indicators.get(code)
        assert indicator.compute(tree.community_a, NOVEMBER) == value, code
        assert set(indicator.counted(tree.community_a, NOVEMBER).values_list("pk", flat=True)) == rows, code


def test_the_figures_are_those_of_the_statistics_page(
    tree: Tree, cases: dict[str, object], make_user: Callable[..., User]
) -> None:
    staff = make_user(Role.COMMUNITY_STAFF)  # scope 甲社区
    total = region_report(user=staff, year=2026).total  # from the monthly statistics
    year = Period.year(2026)
    assert indicators.get("cases.received").compute(tree.community_a, year) == total.received == 10
    assert indicators.get("cases.closed").compute(tree.community_a, year) == total.closed
    assert indicators.get("cases.on_time_rate").compute(tree.community_a, year) == total.on_time_rate
    assert indicators.get("cases.overdue").compute(tree.community_a, year) == total.overdue_now == 1
    assert indicators.get("cases.satisfaction").compute(tree.community_a, year) == total.rating_display


def test_a_grid_a_district_and_a_grid_worker_are_subjects(tree: Tree, cases: dict[str, object]) -> None:
    received = indicators.get("cases.received")
    assert received.compute(tree.micro_a1, NOVEMBER) == 2
    assert received.compute(tree.district, NOVEMBER) == 10
    assert received.compute(tree.community_a, Period.month(2026, 10)) == 1
    worker, mine = cases["worker"], cases["mine"]
    assert list(indicators.get("cases.closed").counted(worker, NOVEMBER)) == [mine]  # type: ignore[arg-type]
    assert indicators.get("cases.satisfaction").compute(worker, NOVEMBER) == 3.0  # type: ignore[arg-type]


def test_each_figure_says_which_way_is_better() -> None:
    assert indicators.get("cases.on_time_rate").direction == Direction.HIGHER_IS_BETTER
    assert indicators.get("cases.overdue").direction == Direction.LOWER_IS_BETTER
    assert indicators.get("cases.received").direction == Direction.NEUTRAL
    with translation.override("zh-hans"):
        assert str(indicators.get("cases.on_time_rate").label) == "按期结案率"
        assert str(indicators.get("cases.received").unit) == "件"
